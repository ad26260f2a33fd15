from __future__ import annotations

from django.apps import AppConfig


class CommunityConfig(AppConfig):
    name = "ficarchive.community"
    label = "community"
    verbose_name = "Community"

    def ready(self) -> None:
        # The jobs that deliver notifications register themselves on import.
        from ficarchive.community import subscriptions  # noqa: F401
