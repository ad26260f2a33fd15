from django.apps import AppConfig


class TextsConfig(AppConfig):
    name = "ficarchive.texts"
    label = "texts"
    verbose_name = "Texts"

    def ready(self) -> None:
        # The built-in input formats register themselves when imported.
        import ficarchive.texts.formats.builtin  # noqa: F401
