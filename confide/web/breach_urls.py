"""Routes for breach pages (included from confide/urls.py)."""

urlpatterns: list = []
