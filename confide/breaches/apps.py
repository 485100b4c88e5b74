from django.apps import AppConfig


class BreachesConfig(AppConfig):
    name = "confide.breaches"
    label = "breaches"
    verbose_name = "Breach register"
