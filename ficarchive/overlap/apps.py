from __future__ import annotations

from typing import Any

from django.apps import AppConfig
from django.db import transaction
from django.db.models.signals import post_save


def _work_saved(sender: Any, instance: Any, **kwargs: Any) -> None:
    from ficarchive.overlap.services import schedule_index

    work_id = instance.pk
    transaction.on_commit(lambda: schedule_index(work_id))


class OverlapConfig(AppConfig):
    name = "ficarchive.overlap"
    label = "overlap"
    verbose_name = "Overlap check"

    def ready(self) -> None:
        # The jobs that index works and run checks register themselves on import.
        from ficarchive.overlap import services  # noqa: F401
        from ficarchive.works.models import Work

        # Every change of a work's text saves the work (its revision moves on); deleting a work
        # deletes its passages and fingerprints by cascade.
        post_save.connect(_work_saved, sender=Work, dispatch_uid="overlap-index")
