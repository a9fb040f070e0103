from django.apps import AppConfig


class NeedsConfig(AppConfig):
    name = "casework.needs"
    label = "needs"
