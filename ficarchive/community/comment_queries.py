"""What a reader sees of a work's comments: the visibility rules, the threads of one page, and
where a comment lives (its permalink). Which buttons a row shows is ruled by `comment_rules`,
the rules the writes in `comments` obey.

A page loads in a fixed number of queries however many comments: the page's thread ids, then
every comment of those threads; the tree is built here and handed to the template as a flat
list with an indentation, so rendering never recurses.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, tzinfo
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe

from ficarchive.accounts.blocks import blocked_ids
from ficarchive.accounts.models import Block, Pseud
from ficarchive.accounts.types import AnyUser
from ficarchive.community.comment_rules import (
    CommentFacts,
    actor,
    blocking_creator,
    may_approve,
    may_delete,
    may_edit,
    may_freeze,
    may_reply,
    refusal,
    settings_of,
)
from ficarchive.community.models import Comment
from ficarchive.plain_sql import one, table
from ficarchive.search.models import MutedUser
from ficarchive.works.models import Chapter, Work
from ficarchive.works.queries import creator_ids, is_creator
from ficarchive.works.web import mark_own_page

THREADS_PER_PAGE = 20
# Deeper replies line up with the deepest indentation, so a long exchange stays readable.
# Replies indent one step (2em, site.css `.indent-N`) per level, up to this many.
INDENT_MAX = 8
# Sessions remember a guest's own held comments, so the guest sees what they wrote.
SESSION_HELD = "held_comments"


def held_in_session(request: HttpRequest) -> list[int]:
    """The ids of a guest's own held comments (see `comments.remember_held`)."""
    if request.user.is_authenticated:
        return []
    return [int(pk) for pk in request.session.get(SESSION_HELD, [])]


def visible_comments(
    work: Work, viewer: AnyUser, held: list[int] | None = None
) -> QuerySet[Comment]:
    """The work's comments this viewer may see.

    Held comments show only to the work's creators and to their commenter; comments by users a
    creator blocked show to nobody; comments by users the viewer muted do not show to them.
    """
    found = Comment.objects.filter(work_id=work.pk)
    if not is_creator(viewer, work):
        shown = Q(approved=True)
        if viewer.is_authenticated:
            shown |= Q(user_id=viewer.pk)
        if held:
            shown |= Q(pk__in=held, user__isnull=True)
        found = found.filter(shown)
    found = found.exclude(user_id__in=blocked_ids(creator_ids(work)))
    if viewer.is_authenticated:
        muted = MutedUser.objects.filter(user_id=viewer.pk).values("muted_id")
        found = found.exclude(user_id__in=muted)
    return found


def _scope(work: Work, chapter: Chapter | None) -> Q:
    """A chapter's comments; the whole work's page shows all of the work's comments. A
    one-chapter work's page shows comments made on the work as a whole too."""
    if chapter is None:
        return Q()
    if work.chapter_count <= 1:
        return Q(chapter_id=chapter.pk) | Q(chapter__isnull=True)
    return Q(chapter_id=chapter.pk)


@dataclass(slots=True)
class CommentRow:
    """One comment as the page lists it, every string ready, with what this viewer may do.

    Rows are built from plain values (no model instances) and carry strings, not numbers, so
    the template does lookups only: a page of many comments renders fast.
    """

    anchor: str
    url: str
    parent_url: str
    css: str
    byline: str
    byline_url: str
    guest_name: str
    date: str
    body: SafeString
    top: bool
    edited: bool
    deleted: bool
    held: bool
    frozen: bool
    chapter_position: int | None
    report_url: str
    can_reply: bool = False
    can_edit: bool = False
    can_delete: bool = False
    can_approve: bool = False
    can_freeze: bool = False


ROW_FIELDS = [
    "id",
    "parent_id",
    "depth",
    "user_id",
    "pseud_id",
    "pseud__name",
    "pseud__user__username",
    "guest_name",
    "body",
    "created_at",
    "edited_at",
    "approved",
    "deleted",
    "frozen",
]


def _flatten(comments: list[dict[str, Any]], thread_ids: list[int]) -> list[dict[str, Any]]:
    """Depth-first order of the threads; a reply whose parent is hidden is hidden with it."""
    children: dict[int, list[dict[str, Any]]] = {}
    tops: dict[int, dict[str, Any]] = {}
    for comment in comments:
        if comment["parent_id"] is None:
            tops[comment["id"]] = comment
        else:
            children.setdefault(comment["parent_id"], []).append(comment)
    ordered: list[dict[str, Any]] = []
    for thread_id in thread_ids:
        top = tops.get(thread_id)
        if top is None:
            continue
        stack = [top]
        while stack:
            comment = stack.pop()
            ordered.append(comment)
            stack.extend(reversed(children.get(comment["id"], [])))
    return ordered


def _date(moment: datetime, zone: tzinfo) -> str:
    """AO3's `Mon 3 Mar 2025 14:05`, in the site's time zone."""
    local = moment.astimezone(zone)
    return f"{local:%a} {local.day} {local:%b %Y %H:%M}"


def _blockers(comments: list[dict[str, Any]], viewer_id: int | None) -> set[int]:
    """The commenters on the page who blocked the viewer: their comments take no reply of the
    viewer's (one query for the page)."""
    authors = {comment["user_id"] for comment in comments} - {None, viewer_id}
    if viewer_id is None or not authors:
        return set()
    found = Block.objects.filter(blocker_id__in=authors, blocked_id=viewer_id)
    return set(found.values_list("blocker_id", flat=True))


def comments_section(request: HttpRequest, work: Work, chapter: Chapter | None) -> dict[str, Any]:
    """The reading page's "Comments (N)": a page of threads, and the form or why there is none."""
    viewer = request.user
    who = actor(viewer, work)
    options = settings_of(work)
    reason = refusal(work, viewer, options.who, blocking_creator(work, viewer))
    visible = Comment.objects.none()
    threads: QuerySet[Comment, int] | list[int] = []
    # Most works have no comments, and every reading page asks: plain SQL says so first.
    if one(f"SELECT 1 FROM {table(Comment)} WHERE work_id = %s LIMIT 1", [work.pk]):
        visible = visible_comments(work, viewer, held_in_session(request))
        visible = visible.filter(_scope(work, chapter))
        threads = (
            visible.filter(parent__isnull=True)
            .order_by("created_at", "id")
            .values_list("id", flat=True)
        )
    page: Page[int] = Paginator(threads, THREADS_PER_PAGE).get_page(
        request.GET.get("comments_page")
    )
    thread_ids = list(page.object_list)
    comments: list[dict[str, Any]] = []
    if thread_ids:
        fields = list(ROW_FIELDS)
        if chapter is None and work.chapter_count > 1:
            fields.append("chapter__position")
        found = visible.filter(thread_id__in=thread_ids).order_by("created_at", "id")
        comments = list(found.values(*fields))
    base = reverse("community:comment", args=[0])[:-1]
    report = reverse("community:report")
    zone = timezone.get_current_timezone()
    blockers = _blockers(comments, who.user_id)
    bylines: dict[int, tuple[str, str]] = {}
    rows = []
    for comment in _flatten(comments, thread_ids):
        pseud_id = comment["pseud_id"]
        byline, byline_url = "", ""
        if pseud_id is not None:
            if pseud_id not in bylines:
                name, username = comment["pseud__name"], comment["pseud__user__username"]
                url = reverse("accounts:pseud", args=[username, name])
                bylines[pseud_id] = (name if name == username else f"{name} ({username})", url)
            byline, byline_url = bylines[pseud_id]
        pk, depth = comment["id"], comment["depth"]
        approved, deleted, frozen = comment["approved"], comment["deleted"], comment["frozen"]
        facts = CommentFacts(comment["user_id"], approved, deleted, frozen)
        css = f"comment depth-{depth}"
        if depth:
            # A class, not a style attribute: the Content-Security-Policy allows no inline style.
            css += f" indent-{min(depth, INDENT_MAX)}"
        if not approved:
            css += " unreviewed"
        if frozen:
            css += " frozen"
        top = comment["parent_id"] is None
        rows.append(
            CommentRow(
                anchor=f"comment_{pk}",
                url=f"{base}{pk}",
                parent_url="" if top else f"{base}{comment['parent_id']}",
                css=css,
                byline=byline,
                byline_url=byline_url,
                guest_name=comment["guest_name"],
                date=_date(comment["created_at"], zone),
                body=mark_safe(comment["body"]),  # sanitized when it was stored
                top=top,
                edited=comment["edited_at"] is not None,
                deleted=deleted,
                held=not approved,
                frozen=frozen,
                chapter_position=comment.get("chapter__position"),
                report_url=f"{report}?comment={pk}",
                can_reply=may_reply(
                    facts, who, work_refusal=reason, blocked=comment["user_id"] in blockers
                ),
                can_edit=may_edit(facts, who),
                can_delete=may_delete(facts, who),
                can_approve=may_approve(facts, who),
                # The button sits on the thread's first comment: it freezes the whole thread.
                can_freeze=top and may_freeze(who),
            )
        )
    if any(row.can_edit or row.can_delete or row.can_approve or row.can_freeze for row in rows):
        mark_own_page(request)  # buttons for this reader alone
    pseuds: list[Pseud] = []
    if reason is None and viewer.is_authenticated:
        pseuds = list(Pseud.objects.filter(user_id=viewer.pk))
    query = request.GET.copy()
    query.pop("comments_page", None)
    prefix = f"{request.path}?{query.urlencode()}&" if query else f"{request.path}?"
    return {
        "comment_rows": rows,
        "comment_page_prefix": prefix + "comments_page=",
        "comments_page": page,
        "comment_refusal": reason,
        "comment_chapter": chapter,
        "comment_pseuds": pseuds,
        "comment_moderated": options.moderated,
        "comment_is_creator": who.creator,
        "comment_next": request.get_full_path(),
    }


def comment_location(comment: Comment, work: Work, viewer: AnyUser, held: list[int]) -> str:
    """The reading page, comment page and anchor where the comment shows to this viewer.

    `work` must have its creatorships prefetched.
    """
    query = ""
    if comment.chapter_id is not None and work.chapter_count > 1:
        base = reverse("works:chapter", args=[work.pk, comment.chapter_id])
        scope = Q(chapter_id=comment.chapter_id)
    else:
        base = reverse("works:work", args=[work.pk])
        scope = Q()
        if work.chapter_count > 1:
            query = "view_full_work=true"
    top = (
        Comment.objects.filter(pk=comment.thread_id).values_list("created_at", "id").first()
        if comment.thread_id
        else None
    )
    if top is not None:
        created_at, top_id = top
        before = (
            visible_comments(work, viewer, held)
            .filter(scope, parent__isnull=True)
            .filter(Q(created_at__lt=created_at) | Q(created_at=created_at, id__lt=top_id))
            .count()
        )
        number = before // THREADS_PER_PAGE + 1
        if number > 1:
            query = f"{query}&comments_page={number}" if query else f"comments_page={number}"
    return f"{base}{'?' + query if query else ''}#comment_{comment.pk}"
