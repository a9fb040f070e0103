from django.apps import AppConfig


class DirectoryConfig(AppConfig):
    name = "casework.directory"
    label = "directory"
    verbose_name = "Resource directory"
