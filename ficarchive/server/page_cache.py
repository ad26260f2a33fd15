"""The logged-out readers' page cache: a work or chapter page made once a minute for everyone
without cookies, each copy given the reader's own CSRF token, and every hit still counted.

A middleware, last in `MIDDLEWARE`, so that the works app knows nothing of it: it answers the
reading pages named in `CACHED_PAGES` from the cache, and keeps what their views make.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse, QueryDict
from django.http.response import HttpResponseBase
from django.middleware.csrf import get_token

from ficarchive.accounts import skins
from ficarchive.community import hits
from ficarchive.works.models import Work, content_stamp

ANONYMOUS_PAGE_SECONDS = 60
# The pages kept, by URL name: a work's and a chapter's, read at `works/<work_id>…`.
CACHED_PAGES = frozenset({"works:work", "works:chapter"})
# The query parameters a reading page reads (the adult question, the whole work, the page of
# comments). A shared page is made and kept for these alone: with the whole address in the key,
# `?x=1`, `?x=2`, … each kept a copy (150 of an 8.5 MB page held 905 MB).
READING_PARAMETERS = ("view_adult", "view_full_work", "comments_page")


def _only_reading_parameters(request: HttpRequest) -> str:
    """Drop every other parameter from the request, so that the page made from it is the page
    its key names (forms on it send `get_full_path` back); returns the query kept."""
    kept = QueryDict(mutable=True)
    for name in READING_PARAMETERS:
        if name in request.GET:
            kept[name] = request.GET[name]  # the last value, the one the views read
    query = kept.urlencode()
    request.GET = QueryDict(query)
    request.META["QUERY_STRING"] = query
    return query


def anonymous_page_key(request: HttpRequest, work_id: int) -> str | None:
    """A cache key for logged-out readers who send no cookies but a CSRF one and a site skin:
    they all see the same page, keyed by the parameters it reads (others are dropped from the
    request) and by their skin, which the page's `<html>` names (a cookie that is not a skin
    keys the default's copy: `Skin.from_cookie`).

    The key holds the work's revision and last edit, and its kudos and comment counts, so any
    change to the work or its chapters and any new kudos or comment show at once, in every
    server process; names changed elsewhere (a tag, a pseud) show within a minute. A guest who
    just left kudos sends a cookie (`community.kudos.GUEST_COOKIE`), so their pages are their
    own, with their kudos shown. The cache is bounded in bytes (`ficarchive.server.cache`,
    `CACHE_MEMORY_MB`).
    """
    if request.method != "GET" or set(request.COOKIES) - {settings.CSRF_COOKIE_NAME, skins.COOKIE}:
        return None
    stamp = (
        Work.objects.filter(pk=work_id, posted=True, restricted=False)
        .values_list("revision", "edited_at", "kudos_count", "comments_count")
        .first()
    )
    if stamp is None:
        return None
    revision, edited_at, kudos_count, comments_count = stamp
    query = _only_reading_parameters(request)
    skin = skins.Skin.from_cookie(request.COOKIES.get(skins.COOKIE, "")).cookie_value()
    stamp_text = f"{content_stamp(revision, edited_at)}:{kudos_count}:{comments_count}"
    return f"work-page:{request.path}?{query}:{skin}:{stamp_text}"


# The CSRF token of `{% csrf_token %}`: a shared page keeps a slot, filled for each reader.
_CSRF_INPUT = re.compile(rb'(<input type="hidden" name="csrfmiddlewaretoken" value=")[^"]*(">)')
_CSRF_SLOT = b"{csrf-token-slot}"
_CSRF_SLOT_INPUT = re.compile(
    rb'(<input type="hidden" name="csrfmiddlewaretoken" value=")' + re.escape(_CSRF_SLOT) + rb'(">)'
)


def shareable_page(request: HttpRequest, response: HttpResponseBase) -> bytes | None:
    """The page as all logged-out readers may get it, or None when it is this reader's own."""
    if not isinstance(response, HttpResponse) or response.status_code != 200 or response.cookies:
        return None
    if request.session.modified or len(messages.get_messages(request)):
        return None
    content, tokens = _CSRF_INPUT.subn(rb"\g<1>" + _CSRF_SLOT + rb"\g<2>", response.content)
    if request.META.get("CSRF_COOKIE_NEEDS_UPDATE") and not tokens:
        return None  # the token was taken for something other than a form: leave it unshared
    return content


def filled_page(request: HttpRequest, content: bytes) -> HttpResponse:
    """A shared page with this reader's own CSRF token in its forms (and cookie, if new)."""
    if _CSRF_SLOT in content:
        token = get_token(request).encode()
        content = _CSRF_SLOT_INPUT.sub(lambda match: match[1] + token + match[2], content)
    return HttpResponse(content)


# Where `process_view` leaves the key of a page it did not find, for `__call__` to keep it.
_MISSED_KEY = "ficarchive.page_cache.missed_key"


class AnonymousPageCacheMiddleware:
    """Serve logged-out readers a work page rendered once a minute, and still count their hits.

    `process_view` reads the URL Django has already resolved (`request.resolver_match`), so the
    cache costs other pages one set lookup."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        key = request.META.pop(_MISSED_KEY, None)
        if key is not None:
            shared = shareable_page(request, response)
            if shared is not None:
                counts_hit = bool(request.META.get(hits.COUNTS_HIT))
                cache.set(key, (shared, counts_hit), ANONYMOUS_PAGE_SECONDS)
        return response

    def process_view(
        self,
        request: HttpRequest,
        view: Callable[..., HttpResponseBase],
        args: tuple[object, ...],
        kwargs: dict[str, object],
    ) -> HttpResponseBase | None:
        match = request.resolver_match
        if request.method != "GET" or match is None or match.view_name not in CACHED_PAGES:
            return None
        work_id = int(str(kwargs["work_id"]))
        key = anonymous_page_key(request, work_id)
        if key is None:
            return None
        cached = cache.get(key)
        if isinstance(cached, tuple):
            content, counts_hit = cached
            if counts_hit:
                hits.count_guest_hit(request, work_id)
            return filled_page(request, content)
        request.META[_MISSED_KEY] = key
        return None
