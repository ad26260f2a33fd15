"""The reading pages' cache: a work or chapter page made once a minute for everyone without
cookies, each copy given the reader's own CSRF token, and every hit still counted; and for
signed-in readers, the page made once a minute per revision with their own parts filled in.

A middleware, last in `MIDDLEWARE`, so that the works app knows nothing of it: it answers the
reading pages named in `CACHED_PAGES` from the cache, and keeps what their views make.

Signed-in readers (`community.reader_parts`): a reader who shares pages (not among the work's
creators, no moderator, no comment on the work, no blocks) gets the page made for any such reader
who mutes the same users, with their own menu, buttons and pseuds rendered into it from one
query; their hit and history are counted as the view counts them, and the adult question is
asked as the view asks it. Every other signed-in reader gets the view's page.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse, QueryDict
from django.http.response import HttpResponseBase
from django.middleware.csrf import get_token

from ficarchive.accounts import skins
from ficarchive.accounts.models import User
from ficarchive.community import hits, reader_parts
from ficarchive.search import listings
from ficarchive.works.models import Work, content_stamp
from ficarchive.works.web import OWN_PAGE, adult_answered

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


def filled_page(request: HttpRequest, content: bytes, token: str | None = None) -> HttpResponse:
    """A shared page with this reader's own CSRF token in its forms (and cookie, if new)."""
    if _CSRF_SLOT in content:
        mine = (token or get_token(request)).encode()
        content = _CSRF_SLOT_INPUT.sub(lambda match: match[1] + mine + match[2], content)
    return HttpResponse(content)


# The lists of works kept, by URL name, a copy per audience and mutes (`list_page`): each copy
# for as long as the lists' revision stands (at most this long, for kudos and hits in blurbs).
CACHED_LISTS = frozenset({"home", "search:tag_works"})
LIST_PAGE_SECONDS = 30

# Where `process_view` leaves the key of a page it did not find, for `__call__` to keep it.
_MISSED_KEY = "ficarchive.page_cache.missed_key"
# The same for a page shared by signed-in readers, or a list of works.
_MISSED_SHARED_KEY = "ficarchive.page_cache.missed_shared_key"


def _skin_key(skin: skins.Skin) -> str:
    return f"{skin.skin}.{skin.scheme}.{skin.size}.{skin.width}"


def reader_page(request: HttpRequest, work_id: int) -> HttpResponse | None:
    """A signed-in reader's page from the shared copy (see the module's docstring), or None
    when the view must make it; then `request.META[_MISSED_SHARED_KEY]` may hold the key to
    keep the page it makes under."""
    user = request.user
    if not isinstance(user, User) or len(messages.get_messages(request)):
        return None
    facts = reader_parts.reader_facts(user, work_id)
    if facts is None or not facts.shares_pages(user):
        return None
    query = _only_reading_parameters(request)
    skin = _skin_key(skins.skin_of(request))
    key = f"reader-page:{request.path}?{query}:{skin}:{facts.stamp}:{facts.view}"
    cached = cache.get(key)
    if not isinstance(cached, tuple):
        request.META[_MISSED_SHARED_KEY] = key
        request.META[reader_parts.MAKING_SHARED_PAGE] = True
        return None
    shared, names, adult, chapter_id = cached
    if adult and not adult_answered(request):
        return None  # the view asks the question
    reader_parts.count_visit(request, work_id, chapter_id)
    work = reader_parts.PageWork(pk=work_id, posted=True, bookmarks_count=facts.bookmarks_count)
    # One masked token for the whole page: masking takes 32 random characters from the system.
    token = get_token(request)
    page = reader_parts.filled_page(request, shared, names, work, facts, token)
    return filled_page(request, page.encode(), token)


def list_page(request: HttpRequest) -> HttpResponse | None:
    """A list of works from the copy shared by every reader of its audience (signed in, or
    logged out without cookies) who mutes the same tags and users, with a signed-in reader's
    menu filled in; None when the view must make it (then `request.META[_MISSED_SHARED_KEY]`
    may hold the key to keep it under). The address's whole query keys it: a list reads many
    parameters (sort, filters, page)."""
    user = request.user
    if isinstance(user, User):
        if len(messages.get_messages(request)):
            return None
        audience = f"in:{listings.mutes_key(user)}"
    elif set(request.COOKIES) - {settings.CSRF_COOKIE_NAME, skins.COOKIE}:
        return None
    else:
        audience = "out"
    # The address hashed: a tag's name may hold spaces and any length of text.
    address = f"{request.path}?{request.META.get('QUERY_STRING', '')}"
    digest = hashlib.sha256(address.encode()).hexdigest()[:32]
    skin = _skin_key(skins.skin_of(request))
    key = f"list-page:{digest}:{skin}:{audience}:{listings.stamp()}"
    cached = cache.get(key)
    if not isinstance(cached, tuple):
        request.META[_MISSED_SHARED_KEY] = key
        # A guest's menu is everyone's: only a signed-in reader's is a part of their own.
        request.META[reader_parts.MAKING_SHARED_PAGE] = isinstance(user, User)
        return None
    shared, names = cached
    if not isinstance(user, User):
        return filled_page(request, shared.encode())
    token = get_token(request)
    shared = reader_parts.filled_list(request, shared, names, token)
    return filled_page(request, shared.encode(), token)


def keep_shared_page(request: HttpRequest, response: HttpResponseBase, key: str) -> None:
    """Keep the page the view made to share (a signed-in reader's work page, or a list of
    works) under `key`, and take the markers of its parts out of this reader's copy."""
    if not isinstance(response, HttpResponse) or response.status_code != 200:
        return
    content = response.content.decode()
    response.content = reader_parts.unmarked(content).encode()
    if (
        request.META.get(OWN_PAGE)
        or request.session.modified
        or response.cookies.keys() - {settings.CSRF_COOKIE_NAME}
    ):
        return
    if len(messages.get_messages(request)):
        return
    shared, names = reader_parts.shared_page(content)
    shared = _CSRF_INPUT.sub(rb"\g<1>" + _CSRF_SLOT + rb"\g<2>", shared.encode()).decode()
    if key.startswith("list-page:"):
        cache.set(key, (shared, names), LIST_PAGE_SECONDS)
        return
    reading = request.META.get(reader_parts.READING_PAGE)
    if reading is None:
        return
    adult, chapter_id = reading
    cache.set(key, (shared, names, adult, chapter_id), ANONYMOUS_PAGE_SECONDS)


class AnonymousPageCacheMiddleware:
    """Serve logged-out readers a work page rendered once a minute, and still count their hits.

    `process_view` reads the URL Django has already resolved (`request.resolver_match`), so the
    cache costs other pages one set lookup."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        shared_key = request.META.pop(_MISSED_SHARED_KEY, None)
        if shared_key is not None:
            keep_shared_page(request, response, shared_key)
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
        if request.method != "GET" or match is None:
            return None
        if match.view_name in CACHED_LISTS:
            return list_page(request)
        if match.view_name not in CACHED_PAGES:
            return None
        work_id = int(str(kwargs["work_id"]))
        if request.user.is_authenticated:
            return reader_page(request, work_id)
        key = anonymous_page_key(request, work_id)
        if key is None:
            return None
        cached = cache.get(key)
        if isinstance(cached, tuple):
            content, counts_hit = cached
            if counts_hit:
                hits.count_cached_hit(request, work_id)
            return filled_page(request, content)
        request.META[_MISSED_KEY] = key
        return None
