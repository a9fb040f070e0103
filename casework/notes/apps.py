from django.apps import AppConfig


class NotesConfig(AppConfig):
    name = "casework.notes"
    label = "notes"
