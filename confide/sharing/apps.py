from django.apps import AppConfig


class SharingConfig(AppConfig):
    name = "confide.sharing"
    label = "sharing"
