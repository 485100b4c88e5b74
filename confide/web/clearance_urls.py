"""Routes for clearance pages (included from confide/urls.py)."""

urlpatterns: list = []
