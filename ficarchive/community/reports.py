"""Reports ("report abuse") about works and comments, and the moderators' queue that handles them.

A reader may report only what they can see. Each report keeps the reported page's address, so
the queue still says what was reported after the work or comment is deleted.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.db.models import QuerySet
from django.utils import timezone

from ficarchive.accounts import guests
from ficarchive.accounts.models import User
from ficarchive.accounts.types import AnyUser
from ficarchive.community.models import Comment, Report
from ficarchive.works.models import Work
from ficarchive.works.queries import can_view, is_creator

DETAILS_MAX = 5_000
NOTE_MAX = 5_000
# At most this many reports in the window, per user or per guest address.
RATE_LIMIT = 5
RATE_WINDOW = timedelta(minutes=10)


class ReportError(Exception):
    """A report or a moderator's action that cannot be done, with a message naming why."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class TargetNotFound(ReportError):
    """The work or comment does not exist, or the reporter cannot see it."""


class TooManyReports(ReportError):
    """The reporter sent the most reports the rate limit allows."""


@dataclass(frozen=True)
class Target:
    """What a report is about: a work, or a comment (with its work)."""

    work: Work
    comment: Comment | None = None

    @property
    def url(self) -> str:
        return comment_url(self.comment.pk) if self.comment else self.work.get_absolute_url()

    @property
    def label(self) -> str:
        if self.comment is not None:
            return f"a comment on “{self.work.title}”"
        return f"the work “{self.work.title}”"


# A comment's permalink; the comments pages serve it.
COMMENT_URL_PREFIX = "/comments/"


def comment_url(comment_id: int) -> str:
    return f"{COMMENT_URL_PREFIX}{comment_id}"


def _parse_id(value: str, name: str) -> int:
    value = value.strip()
    if not value.isdigit():
        raise ReportError(f"The {name} to report must be given by its number, not {value!r}.")
    return int(value)


def find_target(user: AnyUser, work: str | None, comment: str | None) -> Target:
    """The work (`?work=<id>`) or comment (`?comment=<id>`) to report, if this user can see it."""
    if (work is None) == (comment is None):
        raise ReportError("Say what to report: a work (?work=<id>) or a comment (?comment=<id>).")
    if work is not None:
        work_id = _parse_id(work, "work")
        found = Work.objects.prefetch_related("creatorships__pseud").filter(pk=work_id).first()
        if found is None or not can_view(user, found):
            raise TargetNotFound(f"There is no work {work_id} that you can see to report.")
        return Target(work=found)
    assert comment is not None
    comment_id = _parse_id(comment, "comment")
    found_comment = (
        Comment.objects.select_related("work")
        .prefetch_related("work__creatorships__pseud")
        .filter(pk=comment_id, deleted=False)
        .first()
    )
    if found_comment is None or not _can_see_comment(user, found_comment):
        raise TargetNotFound(f"There is no comment {comment_id} that you can see to report.")
    return Target(work=found_comment.work, comment=found_comment)


def _can_see_comment(user: AnyUser, comment: Comment) -> bool:
    if not can_view(user, comment.work):
        return False
    if comment.approved:
        return True
    # A held comment is seen by the one who wrote it and by the creators who approve it.
    own = user.is_authenticated and comment.user_id == user.pk
    return own or is_creator(user, comment.work)


def guest_key(address: str) -> str:
    """A keyed hash of a guest's network address: the rate limit never stores the address."""
    return guests.guest_key("report", address)


def _check_rate(reporter: AnyUser, email: str, address: str) -> None:
    since = timezone.now() - RATE_WINDOW
    recent = Report.objects.filter(created_at__gte=since)
    if reporter.is_authenticated:
        too_many = recent.filter(reporter_id=reporter.pk).count() >= RATE_LIMIT
    else:
        # Guests are counted by their address (a keyed hash stored with the report) and by the
        # email they give, so neither a new email nor a new address alone resets it.
        by_address = recent.filter(guest_key=guest_key(address)).count() >= RATE_LIMIT
        by_email = (
            recent.filter(reporter__isnull=True, reporter_email__iexact=email).count() >= RATE_LIMIT
        )
        too_many = by_address or by_email
    if too_many:
        minutes = int(RATE_WINDOW.total_seconds() // 60)
        raise TooManyReports(
            f"You have sent {RATE_LIMIT} reports in the last {minutes} minutes, the most we take. "
            "Please wait a few minutes and send this one again."
        )


def file_report(
    reporter: AnyUser,
    target: Target,
    *,
    reason: str,
    details: str,
    email: str = "",
    address: str = "",
) -> Report:
    """Store a report from a user or a guest (who must give an email), within the rate limit."""
    details = details.strip()
    email = email.strip()
    if reason not in Report.Reason.values:
        raise ReportError(f"Choose a reason from the list, not {reason!r}.", field="reason")
    if not details:
        raise ReportError("Say what is wrong: the details are required.", field="details")
    if len(details) > DETAILS_MAX:
        raise ReportError(
            f"The details are {len(details):,} characters long; the most is {DETAILS_MAX:,}.",
            field="details",
        )
    if not reporter.is_authenticated and not email:
        raise ReportError(
            "Guests must give an email address, so the moderators can reply.", field="email"
        )
    _check_rate(reporter, email, address)
    report = Report.objects.create(
        reporter=reporter if isinstance(reporter, User) else None,
        reporter_email=email,
        work=target.work,
        comment=target.comment,
        url=target.url,
        reason=reason,
        details=details,
        guest_key="" if reporter.is_authenticated else guest_key(address),
    )
    return report


@dataclass(frozen=True)
class Reported:
    """How the queue shows what a report is about, even after it was deleted."""

    kind: str  # "work" or "comment"
    title: str  # the work's title, or "" when the work is gone
    url: str
    gone: bool


def reported(report: Report) -> Reported:
    """What `report` is about; needs `work` and `comment__work` fetched with it (see `queue`)."""
    if report.url.startswith(COMMENT_URL_PREFIX):
        comment = report.comment
        gone = comment is None or comment.deleted
        title = comment.work.title if comment is not None else ""
        return Reported("comment", title, report.url, gone)
    work = report.work
    return Reported("work", work.title if work else "", report.url, work is None)


def queue(state: str = Report.State.OPEN) -> QuerySet[Report]:
    """The reports in one state, newest first, with all the queue shows fetched alongside."""
    if state not in Report.State.values:
        raise ReportError(f"There is no report state {state!r}; use open, resolved or dismissed.")
    return (
        Report.objects.filter(state=state)
        .select_related("reporter", "handled_by", "work", "comment__work")
        .order_by("-created_at", "-id")
    )


def handle_report(report_id: int, moderator: User, state: str, note: str) -> Report:
    """Resolve or dismiss an open report, recording who did it, when and why."""
    if not moderator.can_moderate:
        raise ReportError("Only moderators may handle reports.")
    if state not in (Report.State.RESOLVED, Report.State.DISMISSED):
        raise ReportError(f"A report can be resolved or dismissed, not {state!r}.", field="state")
    note = note.strip()
    if not note:
        raise ReportError(
            f"Report {report_id}: write a note saying what was done (or why not).", field="note"
        )
    if len(note) > NOTE_MAX:
        raise ReportError(
            f"Report {report_id}: the note is {len(note):,} characters; the most is {NOTE_MAX:,}.",
            field="note",
        )
    # A conditional update: two moderators handling the same report cannot both succeed.
    changed = Report.objects.filter(pk=report_id, state=Report.State.OPEN).update(
        state=state, handled_by=moderator, handled_at=timezone.now(), resolution=note
    )
    report = Report.objects.select_related("handled_by").filter(pk=report_id).first()
    if report is None:
        raise ReportError(f"There is no report {report_id}.")
    if not changed:
        by = report.handled_by.username if report.handled_by else "someone"
        raise ReportError(f"Report {report_id} was already {report.state} by {by}.")
    return report
