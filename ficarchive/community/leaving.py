"""Deleting an account, as on AO3: the user's works are deleted or orphaned
(`works.leaving`), and of what they left on others' works only what others need stays.

- Their comments stay, shown as by "(Deleted user)": `Comment.user` and `Comment.pseud` are
  set to null with the account (a guest's comment always has a name, so a comment with neither
  is a deleted user's).
- Subscribers' updates about the works that stay name their new byline.
- Their kudos stay as guest kudos, so every work's kudos count stays true; their name goes.
- Their bookmarks, history, subscriptions, updates, inbox, saved searches, mutes, blocks and
  overlap checks go with the account (their foreign keys cascade); the public bookmark counts
  of the works they bookmarked move down first.

Lives here, above `works`, since it changes community rows; `search` and `overlap` data go by
cascade and by the work events `works.leaving` sends, after the one transaction commits.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.db.models import CharField, F, Value
from django.db.models.functions import Cast, Concat

from ficarchive.accounts.models import User
from ficarchive.accounts.services import ORPHAN_ACCOUNT
from ficarchive.community.models import Bookmark, Kudos, Update
from ficarchive.community.subscriptions import byline_of
from ficarchive.works.leaving import hand_over_works
from ficarchive.works.models import Work

# A former user's kudos are kept as a guest's; this key cannot be an HMAC (64 hex digits), so
# no guest's kudos is ever taken for it.
DELETED_USER_KUDOS = "deleted-user-"


class LeavingError(Exception):
    """An account that cannot be deleted this way, with the reason."""


@dataclass(frozen=True)
class Left:
    """What deleting an account did to its works."""

    works_deleted: int
    works_kept: int


def _credits(user: User) -> dict[int, str]:
    """The bylines of the user's works, as subscribers' updates name them."""
    works = Work.objects.filter(creatorships__pseud__user=user).distinct()
    return {
        work.pk: byline_of(work) for work in works.prefetch_related("creatorships__pseud__user")
    }


def _recredit_updates(credits: dict[int, str]) -> None:
    """Subscribers' updates about the works kept ("New work by …") name their new byline: an
    orphaned work is not to be traced back to its writer. (Emails already sent stay sent.)"""
    kept = Work.objects.filter(pk__in=credits).prefetch_related("creatorships__pseud__user")
    for work in kept:
        old, new = f" by {credits[work.pk]}", f" by {byline_of(work)}"
        for update in Update.objects.filter(work=work, text__contains=old):
            update.text = update.text.replace(old, new, 1)[:500]
            update.save(update_fields=["text"])


@transaction.atomic
def delete_account(user: User, *, orphan: bool) -> Left:
    """Delete the user's account; their works are orphaned when `orphan`, else deleted (works
    co-created with others stay with them either way). All or nothing."""
    if user.username == ORPHAN_ACCOUNT:
        raise LeavingError("The orphan account holds orphaned works; it cannot be deleted.")
    locked = User.objects.select_for_update().filter(pk=user.pk).first()
    if locked is None:  # deleted meanwhile: by a second click, or an admin
        raise LeavingError("This account has already been deleted.")
    user = locked
    credits = _credits(user)
    deleted, kept = hand_over_works(user, orphan=orphan)
    _recredit_updates(credits)
    # Pages that name them (kudos, comments) move on: the logged-out page cache keys on it.
    named = Work.objects.filter(kudos__user=user) | Work.objects.filter(comments__user=user)
    Work.objects.filter(pk__in=named.values("pk")).update(revision=F("revision") + 1)
    Kudos.objects.filter(user=user).update(
        user=None, guest_key=Concat(Value(DELETED_USER_KUDOS), Cast("pk", CharField()))
    )
    public = Bookmark.objects.filter(user=user, private=False, work__isnull=False)
    Work.objects.filter(pk__in=public.values("work_id"), bookmarks_count__gte=1).update(
        bookmarks_count=F("bookmarks_count") - 1
    )
    user.delete()
    return Left(works_deleted=deleted, works_kept=kept)
