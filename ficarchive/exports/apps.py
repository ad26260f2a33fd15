from __future__ import annotations

from typing import Any

from django.apps import AppConfig
from django.db import transaction
from django.db.models.signals import post_delete


def _forget_downloads(sender: Any, instance: Any, **kwargs: Any) -> None:
    from ficarchive.exports.services import forget_work

    work_id = instance.pk
    transaction.on_commit(lambda: forget_work(work_id))


class ExportsConfig(AppConfig):
    name = "ficarchive.exports"
    label = "exports"
    verbose_name = "Exports"

    def ready(self) -> None:
        # The background job that makes big downloads registers itself on import.
        from ficarchive.exports import services  # noqa: F401
        from ficarchive.works.models import Work

        post_delete.connect(_forget_downloads, sender=Work, dispatch_uid="exports-forget")
