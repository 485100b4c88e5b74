from django.urls import path

from confide.accounts import views

app_name = "accounts"
urlpatterns = [
    path("sign-in/", views.sign_in, name="login"),
    path("sign-in/second-factor/", views.second_factor, name="second_factor"),
    path("lock/", views.lock_screen, name="lock"),
    path("keep-alive/", views.keep_alive, name="keep_alive"),
    path("sign-out/", views.sign_out, name="logout"),
]
