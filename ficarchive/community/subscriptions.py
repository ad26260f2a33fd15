"""Subscriptions: readers follow works, users and series, and hear of new chapters and works.

How an update travels:

1. `apps.py` listens to the works app's events, sent after the transaction commits: a work
   posted (created posted, or a draft posted), and a chapter added to a posted work.
2. `schedule_chapter` / `schedule_work` queue one `community.notify` job per event, keyed by it,
   and only when someone follows the work, its creators or its series.
3. The job writes one `Update` per subscriber. `Update` is unique per (user, event), so a retried
   or duplicated job tells no one twice. Creators and users a creator blocked are skipped.
4. Subscribers who want each update by email get one now; those who chose a daily digest get
   one email a day from `send_digests` (the `send_digests` command or a `community.digest`
   job). Each email is claimed first with a conditional UPDATE of `emailed_at`, so a retry or a
   second worker never sends it again; a send that fails gives its claim back and the job
   retries.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from ficarchive.accounts.models import Block, User
from ficarchive.accounts.services import AccountError, other_user
from ficarchive.accounts.types import AnyUser
from ficarchive.community.models import Subscription, Update
from ficarchive.jobs import services as jobs
from ficarchive.works.models import Chapter, Series, Work
from ficarchive.works.queries import can_view, is_creator, series_works

NOTIFY = "community.notify"
DIGEST = "community.digest"


class SubscriptionError(Exception):
    """A subscription that cannot be made, with a message for the reader."""


# -- subscribing ---------------------------------------------------------------------------


def subscribe_to_work(user: User, work: Work) -> Subscription:
    """Follow a posted work the user may see, to hear of its new chapters."""
    if not work.posted or not can_view(user, work):
        raise SubscriptionError("There is no posted work to subscribe to here.")
    if is_creator(user, work):
        raise SubscriptionError(f"You are a creator of {work.title}; you cannot subscribe to it.")
    found, _ = Subscription.objects.get_or_create(user=user, work=work)
    return found


def subscribe_to_user(user: User, username: str) -> Subscription:
    """Follow an active user, to hear of new works by any of their pseuds."""
    try:
        creator = other_user(user, username, "subscribe to")
    except AccountError as error:
        raise SubscriptionError(error.message) from error
    found, _ = Subscription.objects.get_or_create(user=user, creator=creator)
    return found


def subscribe_to_series(user: User, series: Series) -> Subscription:
    """Follow a series with at least one work the user may see, to hear of its new parts."""
    if not series_works(user, series).exists():
        raise SubscriptionError("There is no series with works you can see to subscribe to.")
    if series.pseuds.filter(user=user).exists():
        raise SubscriptionError(f"You are a creator of {series.title}; you cannot subscribe to it.")
    found, _ = Subscription.objects.get_or_create(user=user, series=series)
    return found


def unsubscribe(user: User, subscription_id: int) -> bool:
    """Delete one of the user's subscriptions; False when they have none with this id."""
    deleted, _ = Subscription.objects.filter(pk=subscription_id, user=user).delete()
    return deleted > 0


def subscription_of(
    user: AnyUser,
    *,
    work: Work | None = None,
    creator: User | None = None,
    series: Series | None = None,
) -> Subscription | None:
    """The user's subscription to this work, user or series, if they have one."""
    if not user.is_authenticated:
        return None
    if work is not None:
        return Subscription.objects.filter(user_id=user.pk, work=work).first()
    if creator is not None:
        return Subscription.objects.filter(user_id=user.pk, creator=creator).first()
    if series is not None:
        return Subscription.objects.filter(user_id=user.pk, series=series).first()
    return None


def page_context(request: HttpRequest, work: Work) -> dict[str, Any]:
    """The reader's subscription to the work shown, for `community/subscribe_button.html`."""
    user = request.user
    can_subscribe = user.is_authenticated and work.posted and not is_creator(user, work)
    return {
        "can_subscribe": can_subscribe,
        "subscription": subscription_of(user, work=work) if can_subscribe else None,
    }


@dataclass
class SubscriptionGroups:
    """A user's subscriptions by kind, as the subscriptions page lists them."""

    works: list[Subscription]
    users: list[Subscription]
    series: list[Subscription]

    def __bool__(self) -> bool:
        return bool(self.works or self.users or self.series)


def subscriptions_of(user: User) -> SubscriptionGroups:
    """All the user's subscriptions in one query, grouped by kind, newest first."""
    groups = SubscriptionGroups(works=[], users=[], series=[])
    rows = Subscription.objects.filter(user=user).select_related("work", "creator", "series")
    for subscription in rows:
        if subscription.work_id is not None:
            groups.works.append(subscription)
        elif subscription.creator_id is not None:
            groups.users.append(subscription)
        else:
            groups.series.append(subscription)
    return groups


# -- events: what happened, and who hears of it ----------------------------------------------


def schedule_chapter(chapter_id: int) -> None:
    """Queue the news of a new chapter, if anyone follows its work."""
    if Subscription.objects.filter(work__chapters=chapter_id).exists():
        jobs.enqueue(
            NOTIFY, {"chapter_id": chapter_id}, key=f"community-notify-chapter-{chapter_id}"
        )


def schedule_work(work_id: int) -> None:
    """Queue the news of a newly posted work, if anyone follows its creators or its series."""
    followed = Subscription.objects.filter(
        Q(creator__pseuds__creatorships__work_id=work_id) | Q(series__serial_works__work_id=work_id)
    ).exists()
    if followed:
        jobs.enqueue(NOTIFY, {"work_id": work_id}, key=f"community-notify-work-{work_id}")


@jobs.handler(NOTIFY)
def _notify_job(payload: dict[str, Any]) -> None:
    if "chapter_id" in payload:
        notify_chapter(int(payload["chapter_id"]))
    elif "work_id" in payload:
        notify_work(int(payload["work_id"]))
    else:
        raise ValueError(f"A {NOTIFY} job needs a chapter_id or a work_id, not {payload!r}.")


def _posted_work(work_id: int) -> Work | None:
    return (
        Work.objects.filter(pk=work_id, posted=True)
        .prefetch_related("creatorships__pseud__user")
        .first()
    )


def byline_of(work: Work) -> str:
    """The credit an update gives: the pseuds of the work, as its byline shows them."""
    return ", ".join(pseud.byline for pseud in work.creators) or "Anonymous"


def _recipients(subscriptions: QuerySet[Subscription], work: Work) -> list[int]:
    """The subscribers who may hear of this work: active, not a creator, not blocked by one."""
    creators = {creatorship.pseud.user_id for creatorship in work.creatorships.all()}
    blocked = Block.objects.filter(blocker_id__in=creators).values("blocked_id")
    return list(
        subscriptions.filter(user__is_active=True)
        .exclude(user_id__in=creators)
        .exclude(user_id__in=blocked)
        .values_list("user_id", flat=True)
        .distinct()
    )


def notify_chapter(chapter_id: int) -> int:
    """Tell the work's subscribers of a new chapter; returns how many it concerns."""
    # A draft chapter is nobody's news; posting it sends its own event (works.events).
    chapter = Chapter.objects.filter(pk=chapter_id, draft=False).only(
        "id", "work_id", "position", "title"
    )
    found = chapter.first()
    if found is None:
        return 0
    work = _posted_work(found.work_id)
    if work is None:
        return 0
    text = f"New chapter of {work.title} by {byline_of(work)}: {found.heading}"
    recipients = _recipients(Subscription.objects.filter(work=work), work)
    return _deliver(f"chapter:{found.pk}", recipients, work, found, text)


def notify_work(work_id: int) -> int:
    """Tell the followers of a newly posted work's creators and series; returns how many."""
    work = _posted_work(work_id)
    if work is None:
        return 0
    byline = byline_of(work)
    creators = {creatorship.pseud.user_id for creatorship in work.creatorships.all()}
    told = _deliver(
        f"work:{work.pk}",
        _recipients(Subscription.objects.filter(creator_id__in=creators), work),
        work,
        None,
        f"New work by {byline}: {work.title}",
    )
    for serial in work.serial_works.select_related("series"):
        told += _deliver(
            f"series:{serial.series_id}:work:{work.pk}",
            _recipients(Subscription.objects.filter(series_id=serial.series_id), work),
            work,
            None,
            f"New part of {serial.series.title} by {byline}: Part {serial.position}, {work.title}",
        )
    return told


def _deliver(
    event: str, recipients: list[int], work: Work, chapter: Chapter | None, text: str
) -> int:
    """Write the event's updates (once per user, whatever ran before) and mail those who want
    each update. Returns how many subscribers the event concerns."""
    Update.objects.bulk_create(
        [
            Update(user_id=user_id, event=event, work=work, chapter=chapter, text=text[:500])
            for user_id in recipients
        ],
        ignore_conflicts=True,
    )
    updates = Update.objects.filter(event=event, user_id__in=recipients)
    unsent = updates.filter(emailed_at__isnull=True, user__update_emails="each").exclude(
        user__email=""
    )
    for update in unsent.select_related("user", "work", "chapter"):
        _mail_claimed(
            [update],
            update.user,
            subject=f"[{settings.SITE_NAME}] {update.text}"[:200],
            template="community/email/update.txt",
            context={"update": update, "update_url": update_url(update)},
        )
    return len(recipients)


# -- email ---------------------------------------------------------------------------------


def update_url(update: Update) -> str:
    """The full address of what the update is about: the chapter, or the work."""
    target = update.chapter if update.chapter_id is not None else update.work
    assert target is not None
    return settings.SITE_URL + target.get_absolute_url()


def _claim(update_ids: Iterable[int]) -> tuple[list[int], datetime]:
    """Claim updates for mailing; only the claims this call won are returned. Whoever sets
    `emailed_at` first owns the email, so a retry or a second worker sends nothing."""
    now = timezone.now()
    won = [
        pk
        for pk in update_ids
        if Update.objects.filter(pk=pk, emailed_at__isnull=True).update(emailed_at=now) == 1
    ]
    return won, now


def _mail_claimed(
    updates: list[Update], user: User, *, subject: str, template: str, context: dict[str, Any]
) -> bool:
    """Claim the updates, then send one email about the ones claimed. A failed send gives the
    claims back (so the job's retry sends it) and raises."""
    won, stamp = _claim(update.pk for update in updates)
    if not won:
        return False
    claimed = [update for update in updates if update.pk in won]
    body = render_to_string(
        template,
        {
            **context,
            "updates": [(update, update_url(update)) for update in claimed],
            "user": user,
            "site_name": settings.SITE_NAME,
            "subscriptions_url": settings.SITE_URL
            + reverse("community:subscriptions", args=[user.username]),
            "updates_url": settings.SITE_URL + reverse("community:updates"),
            "preferences_url": settings.SITE_URL + reverse("accounts:preferences"),
        },
    )
    try:
        # A title never holds a line break, but a header with one would not send at all.
        send_mail(" ".join(subject.split()), body, None, [user.email])
    except Exception:
        Update.objects.filter(pk__in=won, emailed_at=stamp).update(emailed_at=None)
        raise
    return True


def send_digests() -> int:
    """Mail each daily-digest reader one email of all their updates not mailed yet; returns how
    many emails were sent."""
    pending = (
        Update.objects.filter(
            emailed_at__isnull=True, user__update_emails="daily", user__is_active=True
        )
        .exclude(user__email="")
        .select_related("user", "work", "chapter")
        .order_by("user_id", "created_at", "id")
    )
    by_user: dict[int, list[Update]] = {}
    for update in pending:
        by_user.setdefault(update.user_id, []).append(update)
    sent = 0
    for updates in by_user.values():
        user = updates[0].user
        count = len(updates)
        subject = f"[{settings.SITE_NAME}] Your subscription updates ({count})"
        if _mail_claimed(
            updates, user, subject=subject, template="community/email/digest.txt", context={}
        ):
            sent += 1
    return sent


@jobs.handler(DIGEST)
def _digest_job(payload: dict[str, Any]) -> None:
    send_digests()


def schedule_digests() -> None:
    """Queue the daily digests for the worker (one pending job at a time)."""
    jobs.enqueue(DIGEST, {}, key="community-digest")


# -- the updates page ----------------------------------------------------------------------


def updates_of(user: User) -> QuerySet[Update]:
    """The reader's updates, newest first, with what each links to."""
    return Update.objects.filter(user=user).select_related("work", "chapter")


def unread_updates(user: AnyUser) -> int:
    """How many updates the reader has not read (0 for guests), for the header."""
    if not user.is_authenticated:
        return 0
    return Update.objects.filter(user_id=user.pk, read=False).count()


def mark_all_read(user: User) -> int:
    """Mark all the reader's updates read; returns how many were unread."""
    return Update.objects.filter(user=user, read=False).update(read=True)
