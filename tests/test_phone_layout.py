"""The archive on a phone, in real Chromium at 390x844 and 360x640: no page scrolls sideways,
the header folds into a Menu button that opens by keyboard, and a work's title shows on the
first screen (its actions and tags fold into buttons)."""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from playwright.sync_api import Browser, Page, ViewportSize, expect

from ficarchive.accounts.models import User
from ficarchive.community.bookmarks import BookmarkData, create_bookmark
from ficarchive.community.comments import CommentInput, post_comment
from ficarchive.overlap import services as overlap
from ficarchive.overlap.models import Check
from ficarchive.search import services as search
from ficarchive.works.models import Series, Work
from tests.cast import make_user, make_work
from tests.chromium import watched_page
from tests.overlap.test_views import COPY_BODY, SOURCE_BODY, SOURCE_TITLE

PHONES = [ViewportSize(width=390, height=844), ViewportSize(width=360, height=640)]
LONG_TAG = "Unbroken" * 12  # a tag name without a space to break at
LONG_URL = "https://example.org/" + "a-very-long-path-segment" * 6


def _archive() -> tuple[User, Work, Check]:
    """A writer with a work that has every tag kind, long names, a deep comment thread, a
    bookmark and an overlap report; everything indexed for search."""
    wren = make_user("wren")
    readers = [make_user("reader"), make_user("rook")]  # new accounts post 5 comments at most
    work = make_work(
        wren,
        title="The Keeper of Saltmarsh Light and the Long Winter of the Northern Coast",
        body=f"{SOURCE_BODY}\n\nRead more at {LONG_URL} tonight.",
        fandoms=["Original Work", "A Fandom With A Rather Long Name: The Series (2026)"],
        relationships=["Character One/Character Two", "Someone & Someone Else"],
        characters=["Character One", "Character Two", "A Third Character With A Long Name"],
        freeforms=[LONG_TAG, "Angst", "Hurt/Comfort", "Slow Burn", "Alternate Universe"],
        summary="A keeper, a lighthouse and a winter.",
        new_series_title="The Saltmarsh Cycle: Lighthouses, Keepers and the Winters Between Them",
    )
    parent = None
    for depth in range(9):  # a reply to a reply, nine deep
        comment = post_comment(
            work,
            readers[depth % 2],
            CommentInput(body=f"Reply {depth}. {LONG_URL}", parent_id=parent),
        )
        parent = comment.pk
    create_bookmark(
        readers[0], BookmarkData(notes=f"Loved it. {LONG_URL}", tags=LONG_TAG), work=work
    )
    create_bookmark(wren, BookmarkData(notes="Mine.", tags="favourite"), work=work)
    draft = make_work(wren, title="Harbour Lights", body=COPY_BODY, posted=False)
    source = make_work(wren, title=SOURCE_TITLE, body=SOURCE_BODY)
    overlap.index_work(source.pk)
    check = overlap.run_check(Check.objects.create(work=draft, user=wren, scope="all"))
    for indexed in (work, source):
        search.index_work(indexed.pk)
    return wren, work, check


def _log_in(page: Page, live_server: Any, user: User) -> None:
    """Log the browser in with a session made here (the log-in form has its own tests)."""
    client = Client()
    client.force_login(user)
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    page.context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": session, "url": live_server.url}]
    )


def _sideways(page: Page) -> int:
    """How far the page scrolls sideways, in CSS pixels (0: not at all)."""
    return int(page.evaluate("document.documentElement.scrollWidth - window.innerWidth"))


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.parametrize(
    ("screen", "skin"),
    [(PHONES[0], None), (PHONES[1], None), (PHONES[1], "lowvision.system.150.medium")],
    ids=["390x844", "360x640", "360x640-low-vision-largest-text"],
)
def test_no_page_scrolls_sideways_on_a_phone(
    live_server: Any, browser: Browser, screen: ViewportSize, skin: str | None
) -> None:
    wren, work, check = _archive()
    series = Series.objects.get()
    problems: list[str] = []
    context, page = watched_page(browser, problems)
    page.set_viewport_size(screen)
    if skin is not None:
        context.add_cookies([{"name": "skin", "value": skin, "url": live_server.url}])
    tag = LONG_TAG
    guest_pages = [
        "/",
        "/works",
        f"/tags/{tag}/works",
        "/search",
        "/search?q=keeper",
        "/search?q=Angst+OR+keeper&sort=kudos",
        work.get_absolute_url(),
        f"{work.get_absolute_url()}?view_full_work=true",
        "/bookmarks/search",
        "/skins",
        series.get_absolute_url(),
        "/users/wren/series",
    ]
    writer_pages = [
        f"{series.get_absolute_url()}/edit",
        "/works/new",
        f"/works/{check.work_id}/overlap/{check.pk}",
        "/users/wren/stats",
        "/inbox",
        "/users/wren/bookmarks",
        "/users/reader/bookmarks",
        "/account/preferences",
        "/account/username",
        "/account/export",
        "/account/delete",
        work.get_absolute_url(),
        f"/works/{work.pk}/chapters/new",
    ]
    wide: dict[str, int] = {}
    try:
        for who, paths in [("guest", guest_pages), ("wren", writer_pages)]:
            if who == "wren":
                _log_in(page, live_server, wren)
            for path in paths:
                response = page.goto(live_server.url + path)
                assert response is not None, path
                assert response.status == 200, path
                if _sideways(page) > 0:
                    wide[f"{who} {path}"] = _sideways(page)
    finally:
        context.close()
    assert wide == {}, f"pages wider than {screen['width']} px, by how much: {wide}"
    assert problems == []


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.parametrize("screen", PHONES, ids=["390x844", "360x640"])
def test_a_work_title_shows_on_the_first_screen_of_a_phone(
    live_server: Any, browser: Browser, screen: ViewportSize
) -> None:
    wren, work, _ = _archive()
    problems: list[str] = []
    context, page = watched_page(browser, problems)
    page.set_viewport_size(screen)
    try:
        _log_in(page, live_server, wren)  # the writer: the most action links
        page.goto(live_server.url + work.get_absolute_url())
        title = page.locator("#workskin h1.title")
        box = title.bounding_box()
        assert box is not None
        assert box["y"] + box["height"] <= screen["height"], box
        # The actions and tags are one button each until opened.
        expect(page.get_by_role("link", name="Edit", exact=True)).to_be_hidden()
        page.locator("summary", has_text="Actions").click()
        expect(page.get_by_role("link", name="Edit", exact=True)).to_be_visible()
        expect(page.get_by_role("link", name="Angst")).to_be_hidden()
        page.locator("summary", has_text="Show tags").click()
        expect(page.get_by_role("link", name="Angst")).to_be_visible()
        assert _sideways(page) == 0
        # On a wide screen, both are open and their buttons gone.
        page.set_viewport_size({"width": 1280, "height": 900})
        page.reload()
        expect(page.get_by_role("link", name="Edit", exact=True)).to_be_visible()
        expect(page.get_by_role("link", name="Angst")).to_be_visible()
        expect(page.locator("summary", has_text="Actions")).to_be_hidden()
        expect(page.locator("summary", has_text="Show tags")).to_be_hidden()
    finally:
        context.close()
    assert problems == []


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_menu_button_opens_the_site_menu_with_the_keyboard(
    live_server: Any, browser: Browser
) -> None:
    make_user("reader")
    problems: list[str] = []
    context, page = watched_page(browser, problems)
    page.set_viewport_size(PHONES[0])
    try:
        page.goto(live_server.url + "/")
        works = page.locator("#header").get_by_role("link", name="Works", exact=True)
        expect(works).to_be_hidden()
        search_box = page.get_by_role("search").get_by_label("Search works")
        expect(search_box).to_be_visible()
        # Tab from the top: skip link, logo, then the Menu button; Enter opens it.
        for _ in range(3):
            page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.textContent") == "Menu"
        outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
        assert outline == "solid"  # the focus ring shows on the coloured header
        page.keyboard.press("Enter")
        expect(works).to_be_visible()
        page.keyboard.press("Tab")
        expect(works).to_be_focused()
        page.keyboard.press("Enter")
        expect(page).to_have_url(live_server.url + "/works")
        # The search box in the header goes to the search page.
        search_box.fill("keeper")
        search_box.press("Enter")
        expect(page).to_have_url(live_server.url + "/search?q=keeper")
        # On a wide screen the links show without a Menu button.
        page.set_viewport_size({"width": 1280, "height": 900})
        expect(works).to_be_visible()
        expect(page.locator("#header summary")).to_be_hidden()
    finally:
        context.close()
    assert problems == []


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_sort_and_filter_sits_beside_the_results_and_folds_below_them_on_a_phone(
    live_server: Any, browser: Browser
) -> None:
    writer = make_user("writer")
    for number in range(3):
        make_work(writer, title=f"Work {number}", freeforms=[LONG_TAG, "Angst"])
    problems: list[str] = []
    context, page = watched_page(browser, problems)
    try:
        page.set_viewport_size(ViewportSize(width=1280, height=900))
        page.goto(live_server.url + "/works")
        results, form = page.locator("ol.work.index"), page.locator("form.filters")
        toggle = page.locator("aside.filters summary")
        expect(form).to_be_visible()
        expect(toggle).to_be_hidden()
        listing, filters = page.locator("section.works"), page.locator("aside.filters")
        beside = listing.bounding_box(), filters.bounding_box()
        assert beside[0] is not None
        assert beside[1] is not None
        assert beside[1]["x"] >= beside[0]["x"] + beside[0]["width"]  # to the right
        assert abs(beside[1]["y"] - beside[0]["y"]) <= 20  # level with the list's top
        page.set_viewport_size(PHONES[0])
        expect(form).to_be_hidden()
        below = results.bounding_box(), toggle.bounding_box()
        assert below[0] is not None
        assert below[1] is not None
        assert below[1]["y"] >= below[0]["y"] + below[0]["height"]
        expect(toggle).to_have_text("Show filters", use_inner_text=True)
        toggle.click()
        expect(form).to_be_visible()
        expect(toggle).to_have_text("Hide filters", use_inner_text=True)
        assert _sideways(page) == 0  # the long tag name wraps
    finally:
        context.close()
    assert problems == []
