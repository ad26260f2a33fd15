"""Sort and Filter in real Chromium: the form sits beside a tag's works at desktop width,
ticking an exclude box and submitting narrows the list, and the address keeps it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.cast import make_user, make_work


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_form_beside_a_tag_page_narrows_it(live_server: Any, page: Page) -> None:
    author = make_user("lauren")
    make_work(author, title="Diner", fandoms=["Gilmore Girls"], freeforms=["Angst"])
    make_work(author, title="Bridge", fandoms=["Gilmore Girls"], freeforms=["Fluff"])
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{live_server.url}/tags/Gilmore Girls/works")

    works = page.locator("section.works").bounding_box()
    form = page.locator("aside.filters").bounding_box()
    assert works is not None
    assert form is not None
    assert form["x"] >= works["x"] + works["width"]  # beside the list, not under it

    page.get_by_role("checkbox", name="Exclude Angst (1)").check()
    page.get_by_role("button", name="Sort and Filter").first.click()
    expect(page.locator("li.work.blurb")).to_have_count(1)
    expect(page.locator("li.work.blurb")).to_contain_text("Bridge")
    assert "exclude=" in page.url
    expect(page.get_by_role("checkbox", name="Exclude Angst (0)")).to_be_checked()


DOCS = Path(__file__).resolve().parents[2] / "docs"
# The README's pictures of a tag page with Sort and Filter: made here, from a small archive.
STORIES = [
    ("Town Meeting", "lauren", "General Audiences", [], ["Humor", "Small Town"]),
    ("Yale Years", "amy", "Mature", ["Rory Gilmore/Logan Huntzberger"], ["Angst", "College"]),
    (
        "Stars Hollow Winter",
        "amy",
        "Teen And Up Audiences",
        ["Lorelai Gilmore/Luke Danes"],
        ["Fluff", "Snow"],
    ),
    (
        "The Bridge",
        "lauren",
        "General Audiences",
        ["Rory Gilmore/Jess Mariano"],
        ["Fluff", "Hurt/Comfort"],
    ),
    (
        "Coffee at Luke's",
        "paris",
        "Teen And Up Audiences",
        ["Rory Gilmore/Jess Mariano"],
        ["Angst", "Coffee Shop AU"],
    ),
]


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_screenshots_of_a_tag_page_with_sort_and_filter(live_server: Any, page: Page) -> None:
    writers = {name: make_user(name) for name in {story[1] for story in STORIES}}
    for title, writer, rating, relationships, freeforms in STORIES:
        make_work(
            writers[writer],
            title=title,
            rating=rating,
            fandoms=["Gilmore Girls"],
            relationships=relationships,
            freeforms=freeforms,
            summary="<p>Rory and Jess meet again at the diner.</p>",
            body="Word " * 1400,
        )
    url = f"{live_server.url}/tags/Gilmore Girls/works?sort=title"

    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(url)
    expect(page.locator("form.filters")).to_be_visible()
    page.screenshot(path=str(DOCS / "sort-and-filter.png"))

    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(url)
    toggle = page.get_by_text("Show filters")
    toggle.click()
    expect(page.locator("form.filters")).to_be_visible()
    page.locator("aside.filters").scroll_into_view_if_needed()
    page.evaluate("() => document.querySelector('aside.filters').scrollIntoView()")
    page.screenshot(path=str(DOCS / "sort-and-filter-phone.png"))
    for name in ("sort-and-filter.png", "sort-and-filter-phone.png"):
        assert (DOCS / name).stat().st_size > 10_000
