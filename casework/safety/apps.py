from django.apps import AppConfig


class SafetyConfig(AppConfig):
    name = "casework.safety"
    label = "safety"
