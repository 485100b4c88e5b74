"""Routes for staffing pages (included from confide/urls.py)."""

urlpatterns: list = []
