"""What becomes of a leaving user's works and series, as on AO3: deleted, or orphaned.

Orphaning credits them to the `orphan_account` user's default pseud, an account nobody can log
in to: the work stays with its comments, kudos and bookmarks, and no longer names its writer.
A work or series co-created with other users stays with them: deleting takes only the leaving
user's pseuds off it; orphaning puts `orphan_account` in their place. The user's own drafts
are deleted either way (only their creators could ever see or post them).

Each work goes through the services that send the work events, so search, the overlap index,
feeds and download files hear of it once the transaction commits. The account itself is
deleted by `community.leaving`, which also sees to what readers left (comments, kudos,
bookmarks); these functions run inside its transaction.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import F

from ficarchive.accounts.models import Pseud, User
from ficarchive.accounts.services import ORPHAN_ACCOUNT, create_user, default_pseud
from ficarchive.works import events
from ficarchive.works.models import Series, Work
from ficarchive.works.services import delete_work


def orphan_pseud() -> Pseud:
    """The default pseud of `orphan_account`, made (without a usable password, so nobody logs
    in as it) the first time a work is orphaned."""
    user = User.objects.filter(username=ORPHAN_ACCOUNT).first()
    if user is None:
        user = create_user(ORPHAN_ACCOUNT, None)
    return default_pseud(user)


def _own_works(user: User) -> list[Work]:
    return list(Work.objects.filter(creatorships__pseud__user=user).distinct().order_by("pk"))


def _others_credited(work: Work, user: User) -> bool:
    return work.creatorships.exclude(pseud__user=user).exists()


def _recredit(work: Work, user: User, orphan: Pseud | None) -> None:
    """Take the user's pseuds off the work's byline; `orphan` takes the place of the first."""
    mine = list(work.creatorships.filter(pseud__user=user))
    if orphan is not None and not work.creatorships.filter(pseud=orphan).exists():
        first = mine.pop(0)
        first.pseud = orphan
        first.save(update_fields=["pseud"])
    work.creatorships.filter(pk__in=[c.pk for c in mine]).delete()
    # A new byline: cached pages and blurbs, download files (named by revision) move on, and
    # search and feeds read the work again.
    work.revision = F("revision") + 1
    work.save(update_fields=["revision", "edited_at"])
    events.send(events.work_changed, work_id=work.pk)


def _leave_series(user: User, orphan: Pseud | None) -> None:
    """The user's series: orphaned, or deleted unless others are credited on them (then the
    user's pseuds just come off)."""
    for series in Series.objects.filter(pseuds__user=user).distinct():
        mine = list(series.pseuds.filter(user=user))
        series.pseuds.remove(*mine)
        if orphan is not None:
            series.pseuds.add(orphan)
        elif not series.pseuds.exists():
            work_ids = list(series.serial_works.values_list("work_id", flat=True))
            series.delete()
            # Its works left (others' works stay) lose a series line: their pages move on.
            Work.objects.filter(pk__in=work_ids).update(revision=F("revision") + 1)


@transaction.atomic
def hand_over_works(user: User, *, orphan: bool) -> tuple[int, int]:
    """Delete or orphan every work and series of the user; returns (works deleted, works kept
    by others or orphaned)."""
    orphan_to = orphan_pseud() if orphan else None
    deleted = kept = 0
    for work in _own_works(user):
        if _others_credited(work, user):
            # Theirs to keep; a draft gets no orphan_account on it, who could never post it.
            _recredit(work, user, orphan_to if work.posted else None)
            kept += 1
        elif orphan_to is not None and work.posted:
            _recredit(work, user, orphan_to)
            kept += 1
        else:
            delete_work(work)
            deleted += 1
    _leave_series(user, orphan_to)
    return deleted, kept
