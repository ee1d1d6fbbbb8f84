from django.apps import AppConfig


class EngagementsConfig(AppConfig):
    name = "engagements"
    verbose_name = "Engagement archive"

    def ready(self) -> None:
        from . import signals  # noqa: F401  (connects the receivers)
