from __future__ import annotations

from typing import Any

from django.apps import AppConfig


def _user_renamed(sender: Any, user_id: int, **kwargs: Any) -> None:
    from django.db.models import F

    from ficarchive.works import events
    from ficarchive.works.models import Work

    # Their works' bylines name the user: a new revision refreshes the cached pages, blurbs and
    # download files, and `work_changed` has them indexed again under the new name.
    works = Work.objects.filter(creatorships__pseud__user_id=user_id).values_list("pk", flat=True)
    ids = list(works.distinct())
    Work.objects.filter(pk__in=ids).update(revision=F("revision") + 1)
    for work_id in ids:
        events.send(events.work_changed, work_id=work_id)


class WorksConfig(AppConfig):
    name = "ficarchive.works"
    label = "works"
    verbose_name = "Works"

    def ready(self) -> None:
        from ficarchive.accounts.identity import user_renamed

        user_renamed.connect(_user_renamed, dispatch_uid="works-user-renamed")
