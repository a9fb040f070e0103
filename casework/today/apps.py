from django.apps import AppConfig


class TodayConfig(AppConfig):
    name = "casework.today"
    label = "today"

    def ready(self) -> None:
        # Registers the built-in sources of the Today list.
        from casework.today import sources  # noqa: F401
