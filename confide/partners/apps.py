from django.apps import AppConfig


class PartnersConfig(AppConfig):
    name = "confide.partners"
    label = "partners"
    verbose_name = "Partner agencies"
