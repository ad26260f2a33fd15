"""Sort and Filter in real Chromium: the form sits beside a tag's works at desktop width,
ticking an exclude box and submitting narrows the list, and the address keeps it."""

from __future__ import annotations

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
