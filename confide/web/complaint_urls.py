"""Routes for complaint pages (included from confide/urls.py)."""

urlpatterns: list = []
