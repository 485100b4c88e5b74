from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "confide.reports"
    label = "reports"
    verbose_name = "Reports for trustees and funders"
    default_auto_field = "django.db.models.BigAutoField"
