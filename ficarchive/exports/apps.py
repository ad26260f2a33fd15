from django.apps import AppConfig


class ExportsConfig(AppConfig):
    name = "ficarchive.exports"
    label = "exports"
    verbose_name = "Exports"
