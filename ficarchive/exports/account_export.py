"""Export my data: one zip of everything an account holds, made by a background job.

A writer's backup and the GDPR's right of access in one file: the works the user is a creator
of (drafts too) as EPUB and Markdown, and their bookmarks, comments, history, kudos,
subscriptions and profile as JSON, with a README.txt that says what each file is.

The zip lives in `FICARCHIVE_DATA/account-exports/<user id>/<made at>-<random>.zip`; a newer
export replaces the older one, and one older than `KEPT_FOR` is no longer served and is removed
(by the next export job of anyone, or when its owner opens the export page). Only the owner may
download it: the view looks for the file in the folder of the user asking, so anyone else's
request, a guest's too, finds nothing.

The JSON never names what the user may not see: a bookmarked or subscribed work that is now
someone else's draft is listed by its id alone.

Overlap checks are left out on purpose: a check is a report worked out from a text the user
has already (a work of theirs, exported here, or a file they sent), and it quotes other
writers' passages. They go with the account when it is deleted.
"""

from __future__ import annotations

import json
import logging
import os
import re
import secrets
import shutil
import zipfile
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from ficarchive.accounts.models import User
from ficarchive.community.models import Bookmark, Comment, Kudos, Reading, Subscription
from ficarchive.exports.context import export_context
from ficarchive.exports.epub import render_epub
from ficarchive.exports.formats import file_name
from ficarchive.exports.text import render_markdown
from ficarchive.jobs.models import Job
from ficarchive.jobs.services import enqueue, handler
from ficarchive.texts.structure import html_to_text
from ficarchive.works.models import Chapter, Series, Work
from ficarchive.works.queries import visible_works

log = logging.getLogger(__name__)

JOB_KIND = "exports.account"
KEPT_FOR = timedelta(days=7)
_NAME = re.compile(r"^\d{8}T\d{6}-[A-Za-z0-9_-]{8,}$")

README = """\
Your data from {site}, exported for {username} on {made}.

works/                One EPUB and one Markdown file for every work you are a creator of,
                      drafts included, named <title>-<work id>. The Markdown file carries the
                      work's data (tags, summary, notes) in front matter and imports back into
                      an archive.
bookmarks.json        Your bookmarks of works and series: notes, tags, private, rec, dates.
comments.json         The comments you left: the work and chapter, the date, the text (as
                      HTML and as plain text), and whether it was edited or deleted.
history.json          Your reading history (History and Marked for Later): the work, the
                      chapter you last read, when, and how many times.
kudos.json            The works you left kudos on, and when.
subscriptions.json    The works, series and users you subscribe to.
profile.json          Your account: user name, email address, date joined, pseuds with their
                      descriptions, and your preferences.

A work that is no longer visible to you (another writer's work, now a draft or deleted) is
listed by its id alone. Dates are in UTC, ISO 8601. This file is removed from the archive
{days} days after it was made.
"""


@dataclass(frozen=True)
class AccountExport:
    """A ready export: where it is and when it was made."""

    path: Path
    made_at: datetime

    @property
    def name(self) -> str:
        return self.path.stem

    @property
    def expires_at(self) -> datetime:
        return self.made_at + KEPT_FOR

    @property
    def download_name(self) -> str:
        return f"{settings.SITE_NAME}-export-{self.made_at:%Y-%m-%d}.zip".replace(" ", "_")


EXPORTS_FOLDER = "account-exports"


def exports_dir() -> Path:
    return Path(settings.DATA_DIR) / EXPORTS_FOLDER


def _folder(user_id: int) -> Path:
    return exports_dir() / str(user_id)


def _job_key(user_id: int) -> str:
    return f"account-export:{user_id}"


def _made_at(path: Path) -> datetime | None:
    try:
        made = datetime.strptime(path.stem.partition("-")[0], "%Y%m%dT%H%M%S")
    except ValueError:
        return None
    return made.replace(tzinfo=UTC)


def latest_export(user: User) -> AccountExport | None:
    """The user's ready export, if one was made in the last KEPT_FOR; older ones are removed."""
    now = timezone.now()
    found: AccountExport | None = None
    folder = _folder(user.pk)
    for path in sorted(folder.glob("*.zip")) if folder.exists() else []:
        made = _made_at(path)
        if made is None or made + KEPT_FOR < now:
            path.unlink(missing_ok=True)
        else:
            found = AccountExport(path, made)
    return found


def export_named(user: User, name: str) -> AccountExport | None:
    """The user's own ready export called `name`, or None (someone else's is never found)."""
    if not user.is_authenticated or not _NAME.match(name):
        return None
    export = latest_export(user)
    return export if export is not None and export.name == name else None


def pending_job(user: User) -> Job | None:
    """The user's latest export job when it has not ended well: queued, running or failed."""
    job = Job.objects.filter(key=_job_key(user.pk)).order_by("-id").first()
    return None if job is None or job.state == Job.State.DONE else job


def request_export(user: User) -> Job:
    """Queue an export of the user's data, or return the one already queued or running."""
    return enqueue(JOB_KIND, {"user_id": user.pk}, key=_job_key(user.pk))


def forget_expired() -> int:
    """Remove every export older than KEPT_FOR, of all users; returns how many."""
    removed = 0
    cutoff = timezone.now() - KEPT_FOR
    for path in exports_dir().glob("*/*.zip") if exports_dir().exists() else []:
        made = _made_at(path)
        if made is None or made < cutoff:
            path.unlink(missing_ok=True)
            removed += 1
    return removed


def forget_user(user_id: int) -> None:
    """Remove every export of an account (it was deleted)."""
    shutil.rmtree(_folder(user_id), ignore_errors=True)


# -- what goes in the zip --------------------------------------------------------------------


def _date(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


class _Visible:
    """Names works and series only where the user may see them (read once per export)."""

    def __init__(self, user: User) -> None:
        self.work_ids = set(visible_works(user).values_list("pk", flat=True))

    def work(self, work: Work) -> dict[str, Any]:
        if work.pk not in self.work_ids:
            return {"id": work.pk, "visible": False}
        return {
            "id": work.pk,
            "title": work.title,
            "url": settings.SITE_URL + work.get_absolute_url(),
        }

    def chapter(self, chapter: Chapter | None) -> dict[str, Any] | None:
        if chapter is None or chapter.work_id not in self.work_ids:
            return None
        return {"id": chapter.pk, "position": chapter.position, "title": chapter.title}

    def series(self, series: Series) -> dict[str, Any]:
        # A series is known through the works in it that the user may see.
        parts = series.serial_works.values_list("work_id", flat=True)
        if not self.work_ids.intersection(parts):
            return {"id": series.pk, "visible": False}
        return {
            "id": series.pk,
            "title": series.title,
            "url": settings.SITE_URL + series.get_absolute_url(),
        }


def _bookmarks(user: User, shown: _Visible) -> list[dict[str, Any]]:
    bookmarks = (
        Bookmark.objects.filter(user=user)
        .select_related("work", "series", "pseud")
        .prefetch_related("tags")
        .order_by("created_at", "id")
    )
    return [
        {
            "work": shown.work(bookmark.work) if bookmark.work else None,
            "series": shown.series(bookmark.series) if bookmark.series else None,
            "pseud": bookmark.pseud.name if bookmark.pseud else None,
            "notes": bookmark.notes,
            "tags": [tag.name for tag in bookmark.tags.all()],
            "private": bookmark.private,
            "rec": bookmark.rec,
            "created_at": _date(bookmark.created_at),
            "updated_at": _date(bookmark.updated_at),
        }
        for bookmark in bookmarks
    ]


def _comments(user: User, shown: _Visible) -> list[dict[str, Any]]:
    comments = (
        Comment.objects.filter(user=user)
        .select_related("work", "chapter", "pseud")
        .order_by("created_at", "id")
    )
    return [
        {
            "id": comment.pk,
            "work": shown.work(comment.work),
            "chapter": shown.chapter(comment.chapter),
            "reply_to": comment.parent_id,
            "pseud": comment.pseud.name if comment.pseud else None,
            "created_at": _date(comment.created_at),
            "edited_at": _date(comment.edited_at),
            "deleted": comment.deleted,
            "approved": comment.approved,
            "html": comment.body,
            "text": html_to_text(comment.body),
        }
        for comment in comments
    ]


def _history(user: User, shown: _Visible) -> list[dict[str, Any]]:
    readings = Reading.objects.filter(user=user).select_related("work", "chapter")
    return [
        {
            "work": shown.work(reading.work),
            "chapter": shown.chapter(reading.chapter),
            "first_read_at": _date(reading.first_read_at),
            "last_read_at": _date(reading.last_read_at),
            "views": reading.views,
            "marked_for_later": reading.later,
        }
        for reading in readings.order_by("-last_read_at", "-id")
    ]


def _kudos(user: User, shown: _Visible) -> list[dict[str, Any]]:
    kudos = Kudos.objects.filter(user=user).select_related("work").order_by("created_at", "id")
    return [{"work": shown.work(one.work), "created_at": _date(one.created_at)} for one in kudos]


def _subscriptions(user: User, shown: _Visible) -> list[dict[str, Any]]:
    subscriptions = Subscription.objects.filter(user=user).select_related(
        "work", "series", "creator"
    )
    rows: list[dict[str, Any]] = []
    for subscription in subscriptions.order_by("created_at", "id"):
        row: dict[str, Any] = {"created_at": _date(subscription.created_at)}
        if subscription.work:
            row["work"] = shown.work(subscription.work)
        elif subscription.series:
            row["series"] = shown.series(subscription.series)
        elif subscription.creator:
            row["user"] = subscription.creator.username
        rows.append(row)
    return rows


_PREFERENCES = [
    "view_adult",
    "keep_history",
    "update_emails",
    "skin",
    "color_scheme",
    "text_size",
    "line_width",
]


def _profile(user: User) -> dict[str, Any]:
    return {
        "username": user.username,
        "email": user.email,
        "date_joined": _date(user.date_joined),
        "pseuds": [
            {
                "name": pseud.name,
                "default": pseud.is_default,
                "description": pseud.description,
                "created_at": _date(pseud.created_at),
            }
            for pseud in user.pseuds.order_by("-is_default", "name")
        ],
        "preferences": {name: getattr(user, name) for name in _PREFERENCES},
    }


def own_works(user: User) -> list[Work]:
    """Every work the user is a creator of, drafts included, oldest first."""
    return list(
        Work.objects.filter(creatorships__pseud__user=user).distinct().order_by("created_at", "id")
    )


def _json(data: object) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


def write_zip(user: User, target: Path, made: datetime) -> None:
    shown = _Visible(user)
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "README.txt",
            README.format(
                site=settings.SITE_NAME,
                username=user.username,
                made=f"{made:%Y-%m-%d %H:%M} UTC",
                days=KEPT_FOR.days,
            ),
        )
        for work in own_works(user):
            context = export_context(work, drafts=True)  # their draft chapters are theirs too
            stem = f"works/{file_name(work.title)}-{work.pk}"
            # An EPUB is a zip already: stored as it is, its mimetype stays first and plain.
            archive.writestr(f"{stem}.epub", render_epub(work, context), zipfile.ZIP_STORED)
            archive.writestr(f"{stem}.md", render_markdown(context))
        archive.writestr("bookmarks.json", _json(_bookmarks(user, shown)))
        archive.writestr("comments.json", _json(_comments(user, shown)))
        archive.writestr("history.json", _json(_history(user, shown)))
        archive.writestr("kudos.json", _json(_kudos(user, shown)))
        archive.writestr("subscriptions.json", _json(_subscriptions(user, shown)))
        archive.writestr("profile.json", _json(_profile(user)))


def make_export(user: User) -> AccountExport:
    """Write the user's zip atomically and remove their older ones."""
    made = timezone.now().astimezone(UTC).replace(microsecond=0)
    folder = _folder(user.pk)
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    path = folder / f"{made:%Y%m%dT%H%M%S}-{secrets.token_urlsafe(12)}.zip"
    partial = folder / f".{secrets.token_hex(8)}.partial"
    try:
        write_zip(user, partial, made)
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)
    for old in folder.glob("*.zip"):
        if old != path:
            old.unlink(missing_ok=True)
    return AccountExport(path, made)


def _tell(user: User) -> None:
    """Mail the user that their export is ready, when they have an address."""
    if not user.email:
        return
    context = {
        "user": user,
        "site_name": settings.SITE_NAME,
        "link": settings.SITE_URL + reverse("exports:account_export"),
        "days": KEPT_FOR.days,
    }
    body = render_to_string("exports/account_export_email.txt", context)
    try:
        send_mail(f"Your {settings.SITE_NAME} data export is ready", body, None, [user.email])
    except OSError as error:
        # The zip is made and the page links it: a mail that cannot go is no reason to make
        # it again.
        log.warning("account export of user %s: the mail was not sent: %s", user.pk, error)


@handler(JOB_KIND)
def _export_job(payload: dict[str, Any]) -> None:
    forget_expired()
    user = User.objects.filter(pk=payload["user_id"]).first()
    if user is None:
        return  # the account was deleted while the job waited
    make_export(user)
    _tell(user)
