from django.apps import AppConfig


class NoticesConfig(AppConfig):
    name = "confide.notices"
    label = "notices"
