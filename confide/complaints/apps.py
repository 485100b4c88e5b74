from django.apps import AppConfig


class ComplaintsConfig(AppConfig):
    name = "confide.complaints"
    label = "complaints"
    verbose_name = "Complaints about data protection"
