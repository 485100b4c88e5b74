from django.apps import AppConfig


class RetentionConfig(AppConfig):
    name = "confide.retention"
    label = "retention"
    verbose_name = "Retention"

    def ready(self) -> None:
        from . import signals

        signals.connect()
