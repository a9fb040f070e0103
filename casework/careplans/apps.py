from django.apps import AppConfig


class CareplansConfig(AppConfig):
    name = "casework.careplans"
    label = "careplans"
    verbose_name = "Care plans"

    def ready(self) -> None:
        # Plan reviews due, plans waiting for approval and overdue interventions appear on Today.
        from casework.careplans import today  # noqa: F401
