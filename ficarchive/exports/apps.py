from __future__ import annotations

from typing import Any

from django.apps import AppConfig


def _forget_downloads(sender: Any, work_id: int, **kwargs: Any) -> None:
    from ficarchive.exports.services import forget_work

    forget_work(work_id)


class ExportsConfig(AppConfig):
    name = "ficarchive.exports"
    label = "exports"
    verbose_name = "Exports"

    def ready(self) -> None:
        # The built-in download formats register themselves when imported.
        import ficarchive.exports.builtin  # noqa: F401

        # The background job that makes big downloads registers itself on import.
        from ficarchive.exports import services  # noqa: F401
        from ficarchive.works import events

        # A changed work's files are replaced as they are next asked for (their names hold the
        # revision); a deleted work's are all removed.
        events.work_deleted.connect(_forget_downloads, dispatch_uid="exports-forget")
