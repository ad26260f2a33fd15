"""A signed-in reader's own parts of a reading page, apart from what all readers see.

A work or chapter page looks the same to every signed-in reader who is not among the work's
creators, does not moderate, has not commented on it, blocks no one and is blocked by no one (and
mutes the same users), but for a few parts: the header's menu (their name, unread counts, Log
out), the work's actions (kudos, bookmark, subscribe, Mark for Later), the kudos button at the
end, and who a comment is posted as. The templates wrap those parts in `{% reader_part %}`
(`community_tags`); `server.page_cache` keeps the rest of the page once per work revision and,
for each reader, fills the parts in from `reader_facts` (one query) with the same templates.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import connection
from django.http import HttpRequest
from django.template.loader import render_to_string

from ficarchive.accounts.models import Block, Pseud, User
from ficarchive.community import hits, readings
from ficarchive.community.inbox import unread_counts, unread_counts_sql
from ficarchive.community.models import (
    Bookmark,
    Comment,
    Kudos,
    Reading,
    Subscription,
)
from ficarchive.plain_sql import table
from ficarchive.search.models import MutedUser
from ficarchive.storage import best_effort
from ficarchive.works.models import Creatorship, Work

# Set in request.META while a page is made to be shared: `{% reader_part %}` then marks its part.
MAKING_SHARED_PAGE = "ficarchive.reader_parts.making"
# Set by the community block of a reading page: (the work is adult, the chapter shown or None).
READING_PAGE = "ficarchive.reader_parts.reading_page"

# The parts and their templates. Each is rendered the same way in the page and when filled in.
PARTS = {
    "menu": "user_menu.html",
    "actions": "community/work_actions.html",
    "kudos-end": "community/kudos_button.html",
    "comment-as": "community/comment_as.html",
}


def _mark() -> str:
    """The marker's word: from the secret key, so no text of a page can forge a part."""
    digest = hmac.new(settings.SECRET_KEY.encode(), b"reader-part", hashlib.sha256)
    return "rp" + digest.hexdigest()[:16]


_MARK = _mark()
_PART = re.compile(rf"<!--{_MARK}:([a-z-]+)-->.*?<!--/{_MARK}-->", re.DOTALL)
_MARKERS = re.compile(rf"<!--/?{_MARK}(?::[a-z-]+)?-->")
_SLOT = re.compile(rf"<!--{_MARK}-slot:([a-z-]+)-->")


def marked(name: str, content: str) -> str:
    """A part as `{% reader_part %}` writes it while a shared page is made."""
    return f"<!--{_MARK}:{name}-->{content}<!--/{_MARK}-->"


def shared_page(content: str) -> tuple[str, frozenset[str]]:
    """The page with each marked part replaced by a slot, and the names of the parts."""
    names: set[str] = set()

    def slot(match: re.Match[str]) -> str:
        names.add(match[1])
        return f"<!--{_MARK}-slot:{match[1]}-->"

    return _PART.sub(slot, content), frozenset(names)


def unmarked(content: str) -> str:
    """The page as its own reader gets it: the markers taken out, the parts left."""
    return _MARKERS.sub("", content)


@dataclass(frozen=True)
class ReaderFacts:
    """What one query tells of a posted work and a signed-in reader of it."""

    stamp: str  # the work's revision and last edit, and its kudos and comment counts
    bookmarks_count: int
    is_creator: bool
    commented: bool
    any_blocks: bool
    muted: str  # the ids of the users the reader mutes, "," between them
    kudos_given: bool
    bookmark_id: int | None
    subscription_id: int | None
    later: bool | None  # None: no history row
    unread_inbox: int
    unread_updates: int
    pseud_count: int
    default_pseud_id: int | None
    default_pseud_name: str | None

    def shares_pages(self, user: User) -> bool:
        """True when the reader sees the work's pages as other readers do, but for the parts."""
        return not (self.is_creator or self.commented or self.any_blocks or user.can_moderate)

    @property
    def view(self) -> str:
        """What of the reader changes the shared page: the users they mute (their comments do
        not show to them). Readers who mute the same users share pages."""
        if not self.muted:
            return ""
        return "m" + hashlib.sha256(self.muted.encode()).hexdigest()[:16]


def _facts_sql() -> str:
    """One SELECT of scalar subqueries, in SQL both engines read (written out, not built with
    the ORM: building this query took the ORM longer than the rest of a page from the cache).
    Its parameters: the reader's id for each %s but the last, the work's id for the last."""
    mutes = table(MutedUser)
    if connection.vendor == "postgresql":
        muted = f"SELECT string_agg(muted_id::text, ',' ORDER BY muted_id) FROM {mutes}"
        muted += " WHERE user_id = %s"
    else:  # SQLite: group_concat keeps the order of the rows it is given
        muted = (
            f"SELECT group_concat(muted_id) FROM (SELECT muted_id FROM {mutes} "
            "WHERE user_id = %s ORDER BY muted_id)"
        )
    pseuds = table(Pseud)
    return f"""
        SELECT w.revision, w.edited_at, w.kudos_count, w.comments_count, w.bookmarks_count,
        EXISTS (SELECT 1 FROM {table(Creatorship)} c JOIN {pseuds} p ON p.id = c.pseud_id
                WHERE c.work_id = w.id AND p.user_id = %s),
        EXISTS (SELECT 1 FROM {table(Comment)} WHERE work_id = w.id AND user_id = %s),
        EXISTS (SELECT 1 FROM {table(Block)} WHERE blocker_id = %s OR blocked_id = %s),
        ({muted}),
        EXISTS (SELECT 1 FROM {table(Kudos)} WHERE work_id = w.id AND user_id = %s),
        (SELECT MIN(id) FROM {table(Bookmark)} WHERE work_id = w.id AND user_id = %s),
        (SELECT MIN(id) FROM {table(Subscription)} WHERE work_id = w.id AND user_id = %s),
        (SELECT later FROM {table(Reading)} WHERE work_id = w.id AND user_id = %s),
        {unread_counts_sql()},
        (SELECT COUNT(*) FROM {pseuds} WHERE user_id = %s),
        (SELECT MIN(id) FROM {pseuds} WHERE user_id = %s AND is_default),
        (SELECT MIN(name) FROM {pseuds} WHERE user_id = %s AND is_default)
        FROM {table(Work)} w WHERE w.id = %s AND w.posted
    """


def reader_facts(user: User, work_id: int) -> ReaderFacts | None:
    """The facts of the work (None when it is not posted) and the reader, in one query."""
    if not -(2**63) <= work_id < 2**63:
        return None  # no row has such an id (and the databases take none as a parameter)
    statement = _facts_sql()
    params = [user.pk] * (statement.count("%s") - 1) + [work_id]
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        row = cursor.fetchone()
    if row is None:
        return None
    revision, edited_at, kudos_count, comments_count, bookmarks_count, *rest = row
    creator, commented, blocks, muted, kudos, bookmark, subscription, later, *counts = rest
    inbox, updates, pseud_count, pseud_id, pseud_name = counts
    return ReaderFacts(
        # The edit time as the database gives it (text on SQLite, a datetime on PostgreSQL):
        # it keys the page, so any text that changes with it will do.
        stamp=f"{revision}-{edited_at}:{kudos_count}:{comments_count}".replace(" ", "T"),
        bookmarks_count=bookmarks_count,
        is_creator=bool(creator),
        commented=bool(commented),
        any_blocks=bool(blocks),
        muted=muted or "",
        kudos_given=bool(kudos),
        bookmark_id=bookmark,
        subscription_id=subscription,
        later=None if later is None else bool(later),
        unread_inbox=inbox,
        unread_updates=updates,
        pseud_count=pseud_count,
        default_pseud_id=pseud_id,
        default_pseud_name=pseud_name,
    )


@dataclass(frozen=True)
class PageWork:
    """What the parts show of the work."""

    pk: int
    posted: bool
    bookmarks_count: int


@dataclass(frozen=True)
class _Row:
    pk: int


@dataclass(frozen=True)
class _Later:
    later: bool


@dataclass(frozen=True)
class _Kudos:
    mine: bool


def _pseuds(user: User, facts: ReaderFacts) -> list[Any]:
    if facts.pseud_count > 1:
        return list(Pseud.objects.filter(user_id=user.pk))
    if facts.default_pseud_id is None:
        return []
    return [Pseud(pk=facts.default_pseud_id, name=facts.default_pseud_name or "", is_default=True)]


def _filled(shared: str, names: frozenset[str], context: dict[str, Any]) -> str:
    parts = {
        name: render_to_string(
            PARTS[name],
            {**context, "kudos_form_id": "new_kudo_end"} if name == "kudos-end" else context,
        )
        for name in names
    }
    return _SLOT.sub(lambda match: parts[match[1]], shared)


def filled_list(request: HttpRequest, shared: str, names: frozenset[str], csrf_token: str) -> str:
    """A shared list of works with this reader's menu in it (a list has no other parts)."""
    user = request.user
    assert isinstance(user, User)
    if names - {"menu"}:
        raise ValueError(f"a list of works has no part {sorted(names - {'menu'})}")
    inbox, updates = unread_counts(user) if names else (0, 0)
    context = {
        "request": request,
        "user": user,
        "csrf_token": csrf_token,
        "unread_inbox": inbox,
        "unread_updates": updates,
    }
    return _filled(shared, names, context)


def filled_page(
    request: HttpRequest,
    shared: str,
    names: frozenset[str],
    work: PageWork,
    facts: ReaderFacts,
    csrf_token: str,
) -> str:
    """The shared page with this reader's parts rendered into its slots."""
    user = request.user
    assert isinstance(user, User)
    context: dict[str, Any] = {
        "request": request,
        "user": user,
        "csrf_token": csrf_token,
        "work": work,
        "unread_inbox": facts.unread_inbox,
        "unread_updates": facts.unread_updates,
        "kudos_allowed": work.posted,
        "kudos": _Kudos(mine=facts.kudos_given),
        "own_bookmark": _Row(facts.bookmark_id) if facts.bookmark_id is not None else None,
        "can_subscribe": work.posted,
        "subscription": (
            _Row(facts.subscription_id) if facts.subscription_id is not None else None
        ),
        "own_reading": _Later(facts.later) if facts.later is not None else None,
        "form_id": "",
        "pseuds": _pseuds(user, facts) if "comment-as" in names else [],
    }
    return _filled(shared, names, context)


def count_visit(request: HttpRequest, work_id: int, chapter_id: int | None) -> None:
    """What the reading views count of a visit, for a page filled in: the reader's hit, and
    their history where they keep it (`readings.page_context`)."""
    user = request.user
    assert isinstance(user, User)
    hits.count_cached_hit(request, work_id)
    if user.keep_history:
        best_effort(
            "a history entry",
            lambda: readings.count_visit(user.pk, work_id, chapter_id),
            None,
            one_statement=True,
        )
