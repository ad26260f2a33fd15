from __future__ import annotations

from typing import Any

from django.apps import AppConfig
from django.db import transaction
from django.db.models.signals import post_save, pre_save


def _work_saving(sender: Any, instance: Any, raw: bool = False, **kwargs: Any) -> None:
    from ficarchive.community.subscriptions import work_saving

    if not raw:
        work_saving(instance, kwargs.get("update_fields"))


def _work_saved(sender: Any, instance: Any, raw: bool = False, **kwargs: Any) -> None:
    from ficarchive.community.subscriptions import schedule_work, work_saved

    if work_saved(instance) and not raw:
        work_id = instance.pk
        transaction.on_commit(lambda: schedule_work(work_id))


def _chapter_saved(
    sender: Any, instance: Any, created: bool = False, raw: bool = False, **kwargs: Any
) -> None:
    from ficarchive.community.subscriptions import is_new_chapter, schedule_chapter

    if created and not raw and is_new_chapter(instance):
        chapter_id = instance.pk
        transaction.on_commit(lambda: schedule_chapter(chapter_id))


class CommunityConfig(AppConfig):
    name = "ficarchive.community"
    label = "community"
    verbose_name = "Community"

    def ready(self) -> None:
        # The jobs that deliver notifications register themselves on import.
        from ficarchive.community import subscriptions  # noqa: F401
        from ficarchive.works.models import Chapter, Work

        # Subscribers hear of a work when it becomes posted and of each later chapter; the
        # services of the works app save in a transaction, so the news leaves after the commit.
        pre_save.connect(_work_saving, sender=Work, dispatch_uid="subscriptions-work-saving")
        post_save.connect(_work_saved, sender=Work, dispatch_uid="subscriptions-work-saved")
        post_save.connect(
            _chapter_saved, sender=Chapter, dispatch_uid="subscriptions-chapter-saved"
        )
