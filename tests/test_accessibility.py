"""Accessibility measured with axe-core in real Chromium: the pages readers and writers use most,
logged out and logged in, in the light and the dark colour scheme, have no serious or critical
violation (tests/axe.py runs the rules)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Browser, Page

from ficarchive.community.bookmarks import BookmarkData, create_bookmark
from ficarchive.community.comments import CommentInput, post_comment
from ficarchive.overlap.services import run_check, start_check
from ficarchive.works.models import Series
from ficarchive.works.services import ChapterData, add_chapter
from tests import axe
from tests.cast import PASSWORD, make_user, make_work
from tests.chromium import TIMEOUT_MS

LOGGED_OUT = [
    "/",
    "/works",
    "/works/{work}",
    "/works/{work}/chapters/{chapter}",
    "/works/{work}/navigate",
    "/tags/Angst/works",
    "/search",
    "/search?q=apart",
    "/search/describe?q=two+friends+grow+apart",
    "/users/writer",
    "/series/{series}",
    "/users/writer/series",
    "/bookmarks/search",
    "/users/login",
    "/signup",
    "/no/such/page",
]
LOGGED_IN = [
    "/works/new",
    "/works/{work}/edit",
    "/works/{work}/chapters/new",
    "/works/{work}/chapters/{draft_chapter}",
    "/works/{work}/overlap",
    "/works/{work}/overlap/{check}",
    "/users/writer/works/drafts",
    "/series/{series}/edit",
    "/users/writer/stats",
    "/users/writer/bookmarks",
    "/account/preferences",
    "/account/email",
    "/account/username",
    "/account/export",
    "/account/delete",
    "/inbox",
    "/updates",
    "/search/saved",
    "/search/mutes",
]


def _archive() -> dict[str, int]:
    """A writer with a posted work of three chapters in a series, a draft, a comment from a
    reader, a bookmark and a finished overlap check."""
    writer, reader = make_user("writer"), make_user("reader")
    work = make_work(
        writer,
        title="Everything Back But You",
        chapters=3,
        fandoms=["Gilmore Girls"],
        relationships=["Jess Mariano/Rory Gilmore"],
        characters=["Rory Gilmore"],
        freeforms=["Angst"],
        summary="<p>They had grown apart.</p>",
        new_series_title="Stars Hollow",
    )
    make_work(writer, title="A draft", posted=False)
    series = Series.objects.get(serial_works__work=work)
    post_comment(work, reader, CommentInput(body="Lovely."))
    create_bookmark(reader, BookmarkData(notes="Read it twice.", tags="Favourites"), work=work)
    create_bookmark(writer, BookmarkData(notes="Mine."), work=work)
    check = run_check(start_check(work, writer))
    draft_chapter = add_chapter(work, ChapterData(body="Not yet.", title="Soon"), draft=True)
    return {
        "work": work.pk,
        "chapter": work.chapters.order_by("position")[1].pk,
        "draft_chapter": draft_chapter.pk,
        "series": series.pk,
        "check": check.pk,
    }


@pytest.fixture
def scheme_page(browser: Browser, request: pytest.FixtureRequest) -> Iterator[Page]:
    # The tests put axe's script into the page, which the archive's CSP would refuse.
    context = browser.new_context(
        bypass_csp=True, color_scheme=request.param, viewport={"width": 1280, "height": 900}
    )
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    try:
        yield page
    finally:
        context.close()


def _check_pages(page: Page, base: str, paths: list[str], ids: dict[str, int]) -> list[str]:
    problems = []
    for path in paths:
        page.goto(base + path.format(**ids))
        problems.extend(axe.blocking(page))
    return problems


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.parametrize("scheme_page", ["light", "dark"], indirect=True)
def test_pages_have_no_serious_accessibility_violations(
    live_server: Any, scheme_page: Page
) -> None:
    ids = _archive()
    page = scheme_page
    problems = _check_pages(page, live_server.url, LOGGED_OUT, ids)
    page.goto(live_server.url + "/users/login")
    page.get_by_label("User name").fill("writer")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(lambda url: "/users/login" not in url)
    problems += _check_pages(page, live_server.url, LOGGED_IN + LOGGED_OUT[:5], ids)
    assert len(LOGGED_OUT) + len(LOGGED_IN) >= 15
    assert not problems, "\n".join(problems)
