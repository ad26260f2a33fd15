"""Kudos: a reader's "I liked this", once per work, from users and from guests.

A guest is known only by a keyed hash (HMAC-SHA256 with the secret key) of the work and their
address, so the table holds no address, and the same guest's kudos on two works cannot be linked.
The row and the work's `kudos_count` move together in one transaction; the unique constraints
on `Kudos` are what refuse a second kudos, so two clicks at once still count one.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F
from django.http import HttpRequest

from ficarchive.accounts.guests import client_address, guest_key
from ficarchive.accounts.models import User
from ficarchive.accounts.types import AnyUser
from ficarchive.community.models import Kudos
from ficarchive.plain_sql import one, rows, table
from ficarchive.works.models import Work
from ficarchive.works.queries import blocked_by_creators, can_view, is_creator

# The kudos list names this many users, newest first; the rest are counted.
NAMES_SHOWN = 50

ALREADY_LEFT = "You have already left kudos here. :)"
OWN_WORK = "You can't leave kudos on your own work."
BLOCKED = "Sorry, you have been blocked by one or more of this work's creators."
NOT_POSTED = "Kudos can only be left on posted works."

# Set by the kudos button for a guest, on the work's pages only (`guest_cookie_path`): while it
# lasts their pages are made for them (the page cache shares only pages of readers without
# cookies), so they see their own kudos; after it, the shared page, with the count.
GUEST_COOKIE = "left_kudos"
GUEST_COOKIE_SECONDS = 60 * 60


def guest_cookie_path(work: Work) -> str:
    """The work's page and its chapters' pages, under `/works/<id>`."""
    return f"/works/{work.pk}"


class KudosError(Exception):
    """Kudos that cannot be left, with the reason for the reader."""


class AlreadyLeft(KudosError):
    """The reader's kudos are on the work already."""


def leave_kudos(work: Work, user: AnyUser, *, address: str = "") -> Kudos:
    """Leave kudos on the work as this user, or as the guest at `address` when logged out.

    The work should come with its creatorships prefetched (`with_blurb_data`).
    """
    if is_creator(user, work):
        raise KudosError(OWN_WORK)
    if not work.posted or not can_view(user, work):
        raise KudosError(NOT_POSTED)
    if blocked_by_creators(work, user):
        raise KudosError(BLOCKED)
    if user.is_authenticated:
        kudos = Kudos(work_id=work.pk, user_id=user.pk)
    else:
        if not address:
            raise KudosError("Kudos from guests need the address they come from.")
        kudos = Kudos(work_id=work.pk, guest_key=guest_key("kudos", work.pk, address))
    try:
        with transaction.atomic():
            kudos.save(force_insert=True)
            Work.objects.filter(pk=work.pk).update(kudos_count=F("kudos_count") + 1)
    except IntegrityError as error:
        raise AlreadyLeft(ALREADY_LEFT) from error
    return kudos


@dataclass(frozen=True)
class KudosSummary:
    """Who left kudos on a work: the newest users' names, how many more users, how many guests."""

    names: list[str]
    more_users: int
    guests: int
    mine: bool

    @property
    def any(self) -> bool:
        return bool(self.names or self.guests)


def kudos_summary(work: Work, user: AnyUser, *, address: str = "") -> KudosSummary:
    """Two queries at most, however many kudos: the counts, then the names shown. A guest's own
    kudos are found by their `address` when given. Plain SQL: every reading page asks."""
    if user.is_authenticated:
        mine, params = "user_id = %s", [user.pk]
    elif address:
        mine, params = "guest_key = %s", [guest_key("kudos", work.pk, address)]
    else:
        mine, params = "0 = 1", []
    counts = one(
        "SELECT COALESCE(SUM(CASE WHEN user_id IS NOT NULL THEN 1 ELSE 0 END), 0), "
        "COALESCE(SUM(CASE WHEN user_id IS NULL THEN 1 ELSE 0 END), 0), "
        f"COALESCE(SUM(CASE WHEN {mine} THEN 1 ELSE 0 END), 0) "
        f"FROM {table(Kudos)} WHERE work_id = %s",
        [*params, work.pk],
    )
    users, guests, given = counts or (0, 0, 0)
    names = _newest_names(work) if users else []
    return KudosSummary(
        names=names,
        more_users=max(0, users - len(names)),
        guests=guests,
        mine=bool(given),
    )


def _newest_names(work: Work) -> list[str]:
    found = rows(
        f"SELECT u.username FROM {table(Kudos)} k JOIN {table(User)} u ON u.id = k.user_id "
        "WHERE k.work_id = %s ORDER BY k.created_at DESC, k.id DESC LIMIT %s",
        [work.pk, NAMES_SHOWN],
    )
    return [name for (name,) in found if name]


def page_context(request: HttpRequest, work: Work) -> dict[str, Any]:
    """The kudos button's state and the kudos list, for the work and chapter pages.

    Pages for logged-out readers are shared through the page cache, so for them the button
    says "You left kudos" only while the cookie the kudos button gave them lasts (their pages
    are their own then, not shared).
    """
    if not work.posted:
        return {"kudos": None, "kudos_allowed": False}
    guest = not request.user.is_authenticated and GUEST_COOKIE in request.COOKIES
    return {
        "kudos": kudos_summary(
            work, request.user, address=client_address(request) if guest else ""
        ),
        "kudos_allowed": not is_creator(request.user, work),
    }
