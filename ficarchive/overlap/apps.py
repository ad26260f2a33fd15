from __future__ import annotations

from typing import Any

from django.apps import AppConfig


def _work_changed(sender: Any, work_id: int, **kwargs: Any) -> None:
    from ficarchive.overlap.services import schedule_index

    schedule_index(work_id)


class OverlapConfig(AppConfig):
    name = "ficarchive.overlap"
    label = "overlap"
    verbose_name = "Overlap check"

    def ready(self) -> None:
        # The built-in detectors register themselves when imported.
        import ficarchive.overlap.builtin  # noqa: F401

        # The jobs that index works and run checks register themselves on import.
        from ficarchive.overlap import services  # noqa: F401
        from ficarchive.works import events

        # A changed work is indexed again (the job skips a text it already holds); deleting a
        # work deletes its passages and fingerprints by cascade.
        events.work_changed.connect(_work_changed, dispatch_uid="overlap-index")
