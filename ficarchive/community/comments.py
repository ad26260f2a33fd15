"""Comments: who may comment where, and every change to a comment (post, edit, delete, freeze,
approve), each in one transaction with the work's comment count.

`Work.comments_count` counts approved comments that are not deleted; it moves with `F()` updates
beside the row it counts. What a reader sees of the comments (threads, pages, hiding) is read by
`comment_queries`; who may do what is ruled by `comment_rules`; the inbox items a comment makes
are written by `inbox`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import F
from django.http import HttpRequest
from django.utils import timezone

from ficarchive.accounts import guests
from ficarchive.accounts.models import Block, Pseud, User
from ficarchive.accounts.services import default_pseud
from ficarchive.accounts.types import AnyUser
from ficarchive.community import inbox
from ficarchive.community.comment_queries import SESSION_HELD, comments_section
from ficarchive.community.comment_rules import (
    Actor,
    CommentFacts,
    Refusal,
    actor,
    approve_refusal,
    blocking_creator,
    delete_refusal,
    edit_refusal,
    freeze_refusal,
    refusal,
    reply_refusal,
    settings_of,
)
from ficarchive.community.models import Comment, CommentSettings
from ficarchive.texts.paragraphs import html_to_html
from ficarchive.texts.sanitize import sanitize_basic_html, strip_tags
from ficarchive.works.models import Chapter, Work
from ficarchive.works.queries import creator_ids, is_creator

BODY_MAX = 10_000
GUEST_NAME_MAX = 100
# New accounts and guests are where comment spam comes from; creators on their own works and
# accounts older than a week are never limited.
NEW_ACCOUNT_DAYS = 7
RATE_WINDOW = timedelta(minutes=10)
NEW_ACCOUNT_LIMIT = 5
GUEST_LIMIT = 3


class CommentError(Exception):
    """Something the commenter is told; `status` is the HTTP status a view answers with."""

    def __init__(self, message: str, status: int = 400, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.field = field

    @classmethod
    def refused(cls, reason: Refusal) -> CommentError:
        return cls(reason.message, reason.status)


@dataclass
class CommentInput:
    """What the comment form sends."""

    body: str
    chapter_id: int | None = None
    parent_id: int | None = None
    pseud_id: int | None = None
    guest_name: str = ""
    guest_email: str = ""
    # The honeypot: a field people never see, which spam robots fill in.
    website: str = ""


# -- settings ------------------------------------------------------------------------------


def update_settings(work: Work, user: AnyUser, who: str, moderated: bool) -> CommentSettings:
    if not is_creator(user, work):
        raise CommentError("Only the work's creators can change its comment settings.", 403)
    if who not in CommentSettings.Who.values:
        raise CommentError(f"Who may comment: {who!r} is not one of the choices.", field="who")
    found, _ = CommentSettings.objects.update_or_create(
        work=work, defaults={"who": who, "moderated": moderated}
    )
    return found


# -- bodies and guests ---------------------------------------------------------------------


def clean_body(text: str) -> str:
    """The comment's stored HTML: sanitized, plain text's blank lines made paragraphs."""
    if not text.strip():
        raise CommentError("Comment: your comment is empty. Write something first.", field="body")
    # Counted as the browser counts the box (a line break is one character, sent as two).
    length = len(text.replace("\r\n", "\n"))
    if length > BODY_MAX:
        raise CommentError(
            f"Comment: {length:,} characters is too long; comments may have at most "
            f"{BODY_MAX:,} characters. Your text is kept below: shorten it or split it into "
            "two comments.",
            field="body",
        )
    body = html_to_html(text, sanitize_basic_html)
    if not strip_tags(body).strip() and "<img" not in body:
        raise CommentError(
            "Comment: nothing of your comment is left once markup the archive does not allow is "
            "removed. Write some text.",
            field="body",
        )
    return body


def guest_key(address: str) -> str:
    """A keyed hash of the guest's address: enough to count their comments, never the address."""
    return guests.guest_key("comment", address)


def _check_rate(user: AnyUser, key: str) -> None:
    since = timezone.now() - RATE_WINDOW
    minutes = int(RATE_WINDOW.total_seconds() // 60)
    if isinstance(user, User):
        if user.date_joined < timezone.now() - timedelta(days=NEW_ACCOUNT_DAYS):
            return
        if Comment.objects.filter(user=user, created_at__gte=since).count() >= NEW_ACCOUNT_LIMIT:
            raise CommentError(
                f"You are commenting too fast: new accounts may post {NEW_ACCOUNT_LIMIT} comments "
                f"every {minutes} minutes. Please wait a few minutes and try again.",
                429,
            )
        return
    if Comment.objects.filter(guest_key=key, created_at__gte=since).count() >= GUEST_LIMIT:
        raise CommentError(
            f"You are commenting too fast: guests may post {GUEST_LIMIT} comments every "
            f"{minutes} minutes. Please wait a few minutes, or log in.",
            429,
        )


def _guest_fields(data: CommentInput) -> tuple[str, str]:
    name = " ".join(data.guest_name.split())
    if not name:
        raise CommentError("Name: guests must give a name to comment.", field="guest_name")
    if len(name) > GUEST_NAME_MAX:
        raise CommentError(f"Name: use at most {GUEST_NAME_MAX} characters.", field="guest_name")
    email = data.guest_email.strip()
    if email:
        try:
            validate_email(email)
        except ValidationError as error:
            raise CommentError(
                f"Email: {email!r} is not an email address.", field="guest_email"
            ) from error
    return name, email


def _pseud_for(user: User, pseud_id: int | None) -> Pseud:
    if pseud_id is None:
        return default_pseud(user)
    pseud = Pseud.objects.filter(pk=pseud_id, user=user).select_related("user").first()
    if pseud is None:
        raise CommentError("Pseud: choose one of your own pseuds.", field="pseud_id")
    return pseud


# -- posting -------------------------------------------------------------------------------


def _chapter_for(work: Work, chapter_id: int | None) -> Chapter | None:
    if chapter_id is None:
        return None
    # A draft chapter is not open to comments until it is posted.
    chapter = (
        Chapter.objects.filter(pk=chapter_id, work=work, draft=False).only("id", "work_id").first()
    )
    if chapter is None:
        raise CommentError(f"Chapter: there is no chapter {chapter_id} in this work.")
    return chapter


def _parent_for(work: Work, user: AnyUser, parent_id: int) -> Comment:
    parent = Comment.objects.filter(pk=parent_id, work=work).select_related("pseud__user").first()
    if parent is None:
        raise CommentError(f"Reply: there is no comment {parent_id} on this work to reply to.")
    blocked = (
        user.is_authenticated
        and parent.user_id is not None
        and Block.objects.filter(blocker_id=parent.user_id, blocked_id=user.pk).exists()
    )
    author = parent.pseud.byline if parent.pseud else "The comment's author"
    reason = reply_refusal(
        CommentFacts.of(parent), actor(user, work), blocked=blocked, author=author
    )
    if reason is not None:
        raise CommentError.refused(reason)
    return parent


def post_comment(work: Work, user: AnyUser, data: CommentInput, *, address: str = "") -> Comment:
    """Post a comment (or a reply) as the user, or as a guest when the user is anonymous.

    `work` must have its creatorships prefetched (`works.queries.with_blurb_data`).
    """
    if data.website.strip():
        raise CommentError("Your comment was not posted: it looked like spam.")
    creator = is_creator(user, work)
    options = settings_of(work)
    reason = refusal(work, user, options.who, blocking_creator(work, user))
    if reason:
        raise CommentError(reason, 403)
    body = clean_body(data.body)
    name, email = ("", "") if user.is_authenticated else _guest_fields(data)
    parent = _parent_for(work, user, data.parent_id) if data.parent_id else None
    if parent is not None:
        chapter_id = parent.chapter_id
    else:
        chapter = _chapter_for(work, data.chapter_id)
        chapter_id = chapter.pk if chapter else None
    key = "" if user.is_authenticated else guest_key(address)
    if not creator:
        _check_rate(user, key)
    comment = Comment(
        work=work,
        chapter_id=chapter_id,
        parent=parent,
        thread_id=parent.thread_id if parent else None,
        depth=parent.depth + 1 if parent else 0,
        body=body,
        guest_name=name,
        guest_email=email,
        guest_key=key,
        approved=creator or not options.moderated,
    )
    if isinstance(user, User):
        comment.user = user
        comment.pseud = _pseud_for(user, data.pseud_id)
    with transaction.atomic():
        if parent is not None and not parent.approved and creator:
            # A creator's reply to a held comment approves it, as on AO3.
            approve(parent, user)
        comment.save()
        if parent is None:
            comment.thread_id = comment.pk
            Comment.objects.filter(pk=comment.pk).update(thread_id=comment.pk)
        if comment.approved:
            Work.objects.filter(pk=work.pk).update(comments_count=F("comments_count") + 1)
        inbox.deliver_new(comment, creator_ids(work), parent)
    return comment


# -- changing ------------------------------------------------------------------------------


def edit_comment(comment: Comment, user: AnyUser, text: str) -> Comment:
    # Only the author edits, so the work's creators need not be read: `creator` does not count.
    who = Actor(user.pk if user.is_authenticated else None, creator=False, moderator=False)
    reason = edit_refusal(CommentFacts.of(comment), who)
    if reason is not None:
        raise CommentError.refused(reason)
    comment.body = clean_body(text)
    comment.edited_at = timezone.now()
    comment.save(update_fields=["body", "edited_at"])
    return comment


def _counted(comment: Comment) -> bool:
    return comment.approved and not comment.deleted


@transaction.atomic
def delete_comment(comment: Comment, user: AnyUser) -> bool:
    """Delete the comment; one with replies stays as a placeholder that keeps the thread.

    Returns whether the row is gone (False: it is a placeholder now).
    """
    work = Work.objects.prefetch_related("creatorships__pseud").get(pk=comment.work_id)
    reason = delete_refusal(CommentFacts.of(comment), actor(user, work))
    if reason is not None:
        raise CommentError.refused(reason)
    if _counted(comment):
        Work.objects.filter(pk=work.pk).update(comments_count=F("comments_count") - 1)
    if Comment.objects.filter(parent=comment).exists():
        Comment.objects.filter(pk=comment.pk).update(
            deleted=True, body="", guest_name="", guest_email="", edited_at=None
        )
        comment.deleted = True
        inbox.forget(comment)
        return False
    parent_id = comment.parent_id
    comment.delete()
    # A placeholder left with no replies keeps nothing together any more: remove it too.
    while parent_id is not None:
        parent = Comment.objects.filter(pk=parent_id, deleted=True).first()
        if parent is None or Comment.objects.filter(parent=parent).exists():
            break
        parent_id = parent.parent_id
        parent.delete()
    return True


def set_frozen(comment: Comment, user: AnyUser, frozen: bool) -> int:
    """Freeze (or unfreeze) the comment's whole thread; returns how many comments it holds."""
    work = Work.objects.prefetch_related("creatorships__pseud").get(pk=comment.work_id)
    reason = freeze_refusal(actor(user, work))
    if reason is not None:
        raise CommentError.refused(reason)
    return Comment.objects.filter(thread_id=comment.thread_id).update(frozen=frozen)


def approve(comment: Comment, user: AnyUser) -> Comment:
    """A creator shows a held comment; its count and the reply's inbox item come with it."""
    work = Work.objects.prefetch_related("creatorships__pseud").get(pk=comment.work_id)
    reason = approve_refusal(CommentFacts.of(comment), actor(user, work))
    if reason is not None:
        raise CommentError.refused(reason)
    if comment.approved:
        return comment
    with transaction.atomic():
        changed = Comment.objects.filter(pk=comment.pk, approved=False).update(approved=True)
        comment.approved = True
        if changed and not comment.deleted:
            Work.objects.filter(pk=work.pk).update(comments_count=F("comments_count") + 1)
            inbox.deliver_approved(comment, creator_ids(work))
    return comment


def remember_held(request: HttpRequest, comment: Comment) -> None:
    """Let a guest see their own held comment for the rest of their session."""
    if comment.approved or request.user.is_authenticated:
        return
    held: list[int] = list(request.session.get(SESSION_HELD, []))
    request.session[SESSION_HELD] = [*held[-49:], comment.pk]


def page_context(request: HttpRequest, work: Work, chapter: Chapter | None) -> dict[str, Any]:
    """The reading page's comments section (see `comment_queries`)."""
    return comments_section(request, work, chapter)
