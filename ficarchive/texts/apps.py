from django.apps import AppConfig


class TextsConfig(AppConfig):
    name = "ficarchive.texts"
    label = "texts"
    verbose_name = "Texts"
