from django.apps import AppConfig


class StaffingConfig(AppConfig):
    name = "confide.staffing"
    label = "staffing"
    verbose_name = "Staff and volunteers"
