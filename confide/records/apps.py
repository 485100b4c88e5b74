from django.apps import AppConfig


class RecordsConfig(AppConfig):
    name = "confide.records"
    label = "records"
