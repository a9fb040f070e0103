from django.apps import AppConfig


class AppointmentsConfig(AppConfig):
    name = "casework.appointments"
    label = "appointments"
    verbose_name = "Appointments"

    def ready(self) -> None:
        # Today's appointments and home visits appear on the Today list.
        from casework.appointments import today  # noqa: F401
