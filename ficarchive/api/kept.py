"""Answers kept and shared, as the web keeps its pages: everyone who may see only what a guest
sees gets the same bytes, and so do signed-in callers who see the same list of works.

A work's answer is keyed by the work's revision, last edit and kudos, comment and bookmark
counts (any change shows at once, in every process with `CACHE_URL`) and kept a minute at most,
so a renamed tag or pseud shows within it; a list's by the lists' stamp (`search.listings`:
moved on by every works event, and by the newest update of any work) for 30 seconds, as the
web's home and tag pages; a signed-in caller's list by the tags and users they mute too
(`for_readers`). The key holds the host and scheme the caller used, since answers carry
absolute addresses. Rate limits still count: they run before the operation does.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any

from django.core.cache import cache
from django.http import HttpRequest, HttpResponse, HttpResponseNotModified
from ninja import Schema
from ninja.renderers import JSONRenderer

from ficarchive.accounts.models import User
from ficarchive.api.auth import caller
from ficarchive.plain_sql import ID_RANGE, one, table
from ficarchive.search import listings
from ficarchive.works.models import Work

WORK_SECONDS = 60
LIST_SECONDS = 30
RENDERER = JSONRenderer()


def with_etag(request: HttpRequest, response: HttpResponse) -> HttpResponse:
    """A read's answer with its ETag, or `304 Not Modified` when the caller has it already."""
    if request.method not in ("GET", "HEAD") or response.status_code != 200:
        return response
    tag = '"' + hashlib.sha256(response.content).hexdigest()[:32] + '"'
    response["ETag"] = tag
    response["Vary"] = "Authorization, Cookie"
    wanted = request.headers.get("If-None-Match", "")
    if tag in [part.strip().removeprefix("W/") for part in wanted.split(",")]:
        unchanged = HttpResponseNotModified()
        unchanged["ETag"] = tag
        unchanged["Vary"] = response["Vary"]
        return unchanged
    return response


def work_stamp(work_id: int) -> str | None:
    """What a guest's answer about a work changes with; None when guests may not see it."""
    if work_id not in ID_RANGE:
        return None
    row = one(
        "SELECT revision, edited_at, kudos_count, comments_count, bookmarks_count "
        f"FROM {table(Work)} WHERE id = %s AND posted AND NOT restricted",
        [work_id],
    )
    return None if row is None else ":".join(str(value) for value in row).replace(" ", "T")


def list_stamp() -> str:
    return listings.stamp()


def for_guests(
    request: HttpRequest,
    stamp: Callable[[], str | None],
    seconds: int,
    schema: type[Schema],
    make: Callable[[], dict[str, Any]],
) -> HttpResponse | dict[str, Any]:
    """The answer `make` gives, from the copy kept for guests when the caller is one."""
    if caller(request).via != "anonymous":
        return make()
    found = stamp()
    if found is None:
        return make()
    return _kept(request, f"guest|{found}", seconds, schema, make, keep_empty=True)


def for_readers(
    request: HttpRequest, schema: type[Schema], make: Callable[[], dict[str, Any]]
) -> HttpResponse | dict[str, Any]:
    """A list of works from the copy shared by its audience, as the web's home and tag pages
    are (`server.page_cache.list_page`): guests, or signed-in callers (a token or a session)
    who mute the same tags and users, for `LIST_SECONDS` or until a work changes.

    A signed-in caller's copy is kept only when it lists a work: a list is the same for every
    member but for the tags each may know (a tag only on one's own drafts, `shown_tags`), and a
    tag that narrows a list to a work is one every member may know. A list the caller narrows
    by tags they name (`other_include`, `other_exclude`) is not shared: the caller makes it."""
    who = caller(request)
    if who.via == "anonymous":
        return _kept(request, f"guest|{list_stamp()}", LIST_SECONDS, schema, make, keep_empty=True)
    user = who.user
    if not isinstance(user, User):
        return make()
    audience = f"in:{listings.mutes_key(user)}|{list_stamp()}"
    return _kept(request, audience, LIST_SECONDS, schema, make, keep_empty=False)


def _kept(
    request: HttpRequest,
    audience: str,
    seconds: int,
    schema: type[Schema],
    make: Callable[[], dict[str, Any]],
    *,
    keep_empty: bool,
) -> HttpResponse:
    address = f"{request.scheme}://{request.get_host()}{request.get_full_path()}"
    key = "api-kept:" + hashlib.sha256(f"{address}|{audience}".encode()).hexdigest()
    content = cache.get(key)
    if content is None:
        data = schema.model_validate(make()).model_dump()  # as ninja dumps answers
        content = RENDERER.render(request, data, response_status=200)
        if keep_empty or data.get("works"):
            cache.set(key, content, seconds)
    response = HttpResponse(content, content_type="application/json; charset=utf-8")
    return with_etag(request, response)
