"""A battery of malformed requests against every public GET route: none may answer 500.

The routes come from the URL configuration itself (a new route is covered the day it is added),
with each path's parameters filled from a small archive (a work with two chapters, a series, a
tag, a comment, a bookmark). Each route gets every malformed value in every query parameter any
page reads at once, logged out and signed in, and one at a time (and repeated) in the parameters
its own page reads, logged out; its path parameters get huge numbers, NUL characters and very
long names.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from ficarchive.community import bookmarks, comments
from ficarchive.works.models import Series, Work
from ficarchive.works.queries import with_blurb_data
from tests.cast import PASSWORD, make_user, make_work

pytestmark = pytest.mark.django_db

HUGE = "9" * 40  # past every 64-bit integer column
MALFORMED = {
    "nul": "%00",
    "nul inside": "jess%00rory",
    "huge int": HUGE,
    "huge negative": "-" + HUGE,
    "negative": "-1",
    "too many digits for int()": "9" * 5000,
    "superscript digit": quote("²"),  # str.isdigit() says yes, int() says no
    "bad utf-8": "%ff%fe%c3%28",
    "lone surrogate escape": "%ed%a0%80",
    "long": "the+" * 400,  # 1.6 KB, read by every view
    "very long": "the+" * 4000,  # 16 KB, past what the archive reads
    "control characters": "%01%02%1b%7f",
    "empty": "",
}

# Every query parameter a public page reads (grep request.GET), with the routes that read it.
PARAMETERS: dict[str, tuple[str, ...]] = {
    "q": ("search:search", "search:describe", "community:bookmark_search"),
    "sort": ("search:search", "community:stats"),
    "include": ("search:search",),
    "exclude": ("search:search",),
    "page": (
        "search:works",
        "search:search",
        "search:tag_works",
        "accounts:user",
        "accounts:pseud",
        "community:work_bookmarks",
        "community:user_bookmarks",
        "community:bookmark_search",
        "community:readings",
        "community:subscriptions",
        "community:inbox",
        "exports:opds_recent",
        "exports:opds_tag",
        "exports:opds_search",
    ),
    "fandom_page": ("search:search",),
    "freeform_page": ("search:search",),
    "comments_page": ("works:work", "works:chapter", "community:comment"),
    "view_adult": ("works:work", "works:chapter"),
    "view_full_work": ("works:work",),
    "chapter_id": ("community:comment_form",),
    "work": ("community:report", "community:stats"),
    "comment": ("community:report",),
    "period": ("community:stats",),
    "show": ("community:readings",),
    "filter": ("community:inbox",),
    "state": ("community:moderation",),
    "rating": ("exports:opds_recent", "exports:opds_search"),
    "status": ("exports:opds_recent",),
    "query": ("exports:opds_search", "exports:opds2_search"),
    "term": ("works:tag_autocomplete",),
    "type": ("works:tag_autocomplete",),
    "next": ("accounts:login", "accounts:signup"),
    "tag": ("community:bookmark_search",),
    "user": ("community:bookmark_search",),
    "rec": ("community:bookmark_search",),
}


def _routes(
    patterns: list[URLPattern | URLResolver], prefix: str = "", namespace: str = ""
) -> Iterator[tuple[str, str]]:
    """(name, route) of every named URL, as `namespace:name` and its path with <converters>."""
    for entry in patterns:
        if isinstance(entry, URLResolver):
            if entry.namespace == "admin":
                continue  # Django's own admin; its access is tested in tests/accounts
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _routes(entry.url_patterns, prefix + str(entry.pattern), inner)
        elif entry.name:
            yield f"{namespace}{entry.name}", prefix + str(entry.pattern)


@pytest.fixture
def archive() -> dict[str, Any]:
    author = make_user("author")
    reader = make_user("reader")
    work = make_work(
        author, chapters=2, freeforms=["Coffee Shop AU"], new_series_title="The Runaways"
    )
    series = Series.objects.get(title="The Runaways")
    comment = comments.post_comment(
        with_blurb_data(Work.objects.filter(pk=work.pk)).get(),
        reader,
        comments.CommentInput(body="It was lovely."),
    )
    bookmark = bookmarks.create_bookmark(reader, bookmarks.BookmarkData(notes="yes"), work=work)
    return {
        "work_id": work.pk,
        "chapter_id": work.chapters.order_by("position")[1].pk,
        "series_id": series.pk,
        "comment_id": comment.pk,
        "bookmark_id": bookmark.pk,
        "username": "author",
        "pseud": "author",
        "name": "Coffee Shop AU",
        "extension": "epub",
    }


def _path(
    route: str, values: dict[str, Any], *, bad: str | None = None, converter: str = "int"
) -> str:
    """The route with its parameters filled, or with `bad` (sent as is) in every parameter of
    the converter."""

    def fill(match: re.Match[str]) -> str:
        if bad is not None and match.group(1) == converter:
            return bad
        return quote(str(values.get(match.group(2), 1)))

    path = re.sub(r"<(?:(\w+):)?(\w+)>", fill, route)
    path = path.replace("^", "").replace("$", "").replace("\\.", ".")
    # The download route is a regular expression: fill its groups the same way.
    path = re.sub(r"\(\?P<(\w+)>[^)]*\)", lambda m: quote(str(values.get(m[1], "x"))), path)
    return "/" + path


def _clients() -> list[tuple[str, Client]]:
    stranger = Client(raise_request_exception=False)
    reader = Client(raise_request_exception=False)
    assert reader.login(username="reader", password=PASSWORD)
    return [("logged out", stranger), ("signed in", reader)]


def _get(client: Client, path: str, query: str) -> int:
    return client.get(f"{path}?{query}" if query else path).status_code


@pytest.mark.parametrize("label", MALFORMED)
def test_no_malformed_query_parameter_gives_a_server_error(
    archive: dict[str, Any], label: str
) -> None:
    value = MALFORMED[label]
    routes = dict(_routes(get_resolver().url_patterns))
    assert {"search:search", "works:work", "exports:opds_search"} <= set(routes)  # walked
    failures = []
    for who, client in _clients():
        for name, route in routes.items():
            path = _path(route, archive)
            queries = ["&".join(f"{param}={value}" for param in PARAMETERS)]
            if who == "logged out":
                own = [param for param, readers in PARAMETERS.items() if name in readers]
                queries += [f"{param}={value}" for param in own]
                # Repeated: the same parameter many times over.
                queries += ["&".join([f"{param}={value}"] * 50) for param in own[:1]]
            for query in queries:
                status = _get(client, path, query)
                if status >= 500:
                    failures.append(f"{who} {name}: {status} for {query[:80]}")
    assert failures == [], "\n".join(failures)


def test_no_malformed_path_parameter_gives_a_server_error(archive: dict[str, Any]) -> None:
    routes = dict(_routes(get_resolver().url_patterns))
    failures = []
    for who, client in _clients():
        for name, route in routes.items():
            for bad in (HUGE, "9" * 5000, "0", "a%00b", "%ff%fe", "x" * 3000):
                numbers_only = bad.isdigit()
                if ("<int:" if numbers_only else "<str:") not in route:
                    continue
                path = _path(route, archive, bad=bad, converter="int" if numbers_only else "str")
                status = _get(client, path, "")
                if status >= 500:
                    failures.append(f"{who} {name} {bad[:12]}: {status}")
    assert failures == [], "\n".join(failures)
