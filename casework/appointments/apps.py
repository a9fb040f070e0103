from django.apps import AppConfig


class AppointmentsConfig(AppConfig):
    name = "casework.appointments"
    label = "appointments"
    verbose_name = "Appointments"
