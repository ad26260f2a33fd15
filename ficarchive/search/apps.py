from __future__ import annotations

from typing import Any

from django.apps import AppConfig
from django.db import transaction
from django.db.models.signals import post_delete, post_save


def _work_saved(sender: Any, instance: Any, **kwargs: Any) -> None:
    from ficarchive.search.services import schedule_index

    work_id = instance.pk
    transaction.on_commit(lambda: schedule_index(work_id))


def _work_deleted(sender: Any, instance: Any, **kwargs: Any) -> None:
    from ficarchive.search.backends import backend

    backend().remove(instance.pk)


class SearchConfig(AppConfig):
    name = "ficarchive.search"
    label = "search"
    verbose_name = "Search"

    def ready(self) -> None:
        from ficarchive.search import services  # noqa: F401  (registers the index job)
        from ficarchive.works.models import Work

        post_save.connect(_work_saved, sender=Work, dispatch_uid="search-index")
        post_delete.connect(_work_deleted, sender=Work, dispatch_uid="search-remove")
