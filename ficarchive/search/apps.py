from __future__ import annotations

from typing import Any

from django.apps import AppConfig


def _work_changed(sender: Any, work_id: int, **kwargs: Any) -> None:
    from ficarchive.search import listings
    from ficarchive.search.services import schedule_index

    schedule_index(work_id)
    listings.move_on()


def _work_deleted(sender: Any, work_id: int, **kwargs: Any) -> None:
    from ficarchive.search import listings
    from ficarchive.search.backends import backend

    backend().remove(work_id)
    listings.move_on()


class SearchConfig(AppConfig):
    name = "ficarchive.search"
    label = "search"
    verbose_name = "Search"

    def ready(self) -> None:
        from ficarchive.search import services  # noqa: F401  (registers the index job)
        from ficarchive.works import events

        # The works app sends its events after the commit: an index job per changed work, and
        # a deleted work's row out of the index (which has no foreign key to cascade).
        events.work_changed.connect(_work_changed, dispatch_uid="search-index")
        events.work_deleted.connect(_work_deleted, dispatch_uid="search-remove")
