"""A reader's bookmark and Marked for Later in real Chromium: bookmark a work from its page with
notes and tags, see it on their bookmarks page, mark the work for later and find it in History."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.cast import PASSWORD, make_user, make_work


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_reader_bookmarks_a_work_and_marks_it_for_later(live_server: Any, page: Page) -> None:
    work = make_work(make_user("author"), title="Coffee at Luke's")
    make_user("reader")
    page.goto(f"{live_server.url}/users/login")
    page.get_by_label("User name", exact=True).fill("reader")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()

    page.goto(f"{live_server.url}{work.get_absolute_url()}")
    page.get_by_role("link", name="Bookmark", exact=True).click()
    page.get_by_label("Notes", exact=True).fill("The <b>diner</b> scene.")
    page.get_by_label("Your tags", exact=True).fill("comfort, coffee")
    page.get_by_label("Rec", exact=True).check()
    page.get_by_role("button", name="Create").click()
    expect(page.locator("ul.flash")).to_contain_text("Bookmark was successfully created.")
    expect(page.get_by_role("link", name="Edit Bookmark", exact=True)).to_be_visible()

    page.get_by_role("button", name="Mark for Later").click()
    expect(page.locator("ul.flash")).to_contain_text("Marked for Later")
    expect(page.get_by_role("button", name="Mark as Read")).to_be_visible()

    page.goto(f"{live_server.url}/users/reader/bookmarks")
    bookmark = page.locator("li.bookmark.blurb")
    expect(bookmark).to_have_count(1)
    expect(bookmark).to_contain_text("Coffee at Luke's")
    expect(bookmark.locator("blockquote.notes b")).to_have_text("diner")
    expect(bookmark.get_by_role("link", name="coffee", exact=True)).to_be_visible()

    page.goto(f"{live_server.url}/users/reader/readings?show=later")
    expect(page.locator("li.reading.blurb")).to_contain_text("Coffee at Luke's")
