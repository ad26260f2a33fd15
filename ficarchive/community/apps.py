from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.apps import AppConfig
from django.http import HttpRequest

if TYPE_CHECKING:
    from ficarchive.works.models import Work


def _work_posted(sender: Any, work_id: int, **kwargs: Any) -> None:
    from ficarchive.community.subscriptions import schedule_work

    schedule_work(work_id)


def _chapter_added(sender: Any, chapter_id: int, posted: bool, **kwargs: Any) -> None:
    from ficarchive.community.subscriptions import schedule_chapter

    # A draft's chapters are nobody's news: posting the work tells of it as a whole.
    if posted:
        schedule_chapter(chapter_id)


def _work_read(sender: Any, request: HttpRequest, work: Work, **kwargs: Any) -> None:
    from ficarchive.community.hits import count_hit

    count_hit(request, work)


class CommunityConfig(AppConfig):
    name = "ficarchive.community"
    label = "community"
    verbose_name = "Community"

    def ready(self) -> None:
        # The jobs that deliver notifications register themselves on import.
        from ficarchive.community import subscriptions  # noqa: F401
        from ficarchive.works import events

        # Subscribers hear of a work when it is posted and of each chapter added to it after.
        events.work_posted.connect(_work_posted, dispatch_uid="subscriptions-work-posted")
        events.chapter_added.connect(_chapter_added, dispatch_uid="subscriptions-chapter-added")
        # Each reading of a work page is a hit (once a day per reader, as AO3 counts).
        events.work_read.connect(_work_read, dispatch_uid="hits-work-read")
