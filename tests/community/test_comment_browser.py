"""Comments in real Chromium: a reader comments and replies, the reply sits under its parent,
and a guest comments from the form under the work; no page logs a script error."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.cast import PASSWORD, make_user, make_work
from tests.chromium import watched_page

FIRST = "The bridge scene made me cry."
REPLY = "Same here, every single time."
GUEST = "Lurker here: thank you for writing this."


@pytest.fixture
def pages(browser: Browser) -> Iterator[tuple[Page, Page, list[str]]]:
    """Two separate browsers' pages (a reader's, a guest's) and the problems they log."""
    problems: list[str] = []
    (reader_context, reader), (guest_context, guest) = (
        watched_page(browser, problems) for _ in range(2)
    )
    try:
        yield reader, guest, problems
    finally:
        reader_context.close()
        guest_context.close()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_reader_comments_and_replies_and_a_guest_comments(
    live_server: Any, pages: tuple[Page, Page, list[str]]
) -> None:
    reader_page, guest_page, problems = pages
    work = make_work(make_user("author"), title="The Bridge")
    make_user("rory")
    work_url = f"{live_server.url}{work.get_absolute_url()}"

    # A reader logs in and comments from the work page.
    reader_page.goto(f"{live_server.url}/users/login")
    reader_page.get_by_label("User name").fill("rory")
    reader_page.get_by_label("Password").fill(PASSWORD)
    reader_page.get_by_role("button", name="Log in").click()
    reader_page.goto(work_url)
    comments = reader_page.locator("#comments")
    expect(comments.get_by_role("heading", name="Comments (0)")).to_be_visible()
    comments.get_by_label("Comment", exact=True).fill(FIRST)
    comments.get_by_role("button", name="Comment", exact=True).click()
    expect(reader_page.locator("ul.flash")).to_contain_text("Your comment was posted.")
    first = reader_page.locator("li.comment", has_text=FIRST)
    expect(first).to_be_visible()
    expect(first.locator("h4.byline")).to_contain_text("rory")

    # … and replies to it from its Reply link.
    first.get_by_role("link", name="Reply").click()
    reader_page.get_by_label("Comment", exact=True).fill(REPLY)
    reader_page.get_by_role("button", name="Reply", exact=True).click()
    reply = reader_page.locator("li.comment.depth-1", has_text=REPLY)
    expect(reply).to_be_visible()
    expect(
        reader_page.locator("#comments").get_by_role("heading", name="Comments (2)")
    ).to_be_visible()
    assert reply.evaluate("node => getComputedStyle(node).marginLeft") != "0px"

    # A guest comments from the guest form.
    guest_page.goto(work_url)
    guest_form = guest_page.locator("#comments")
    guest_form.get_by_label("Name").fill("Paris")
    guest_form.get_by_label("Comment", exact=True).fill(GUEST)
    guest_form.get_by_role("button", name="Comment", exact=True).click()
    guest_comment = guest_page.locator("li.comment", has_text=GUEST)
    expect(guest_comment).to_be_visible()
    expect(guest_comment.locator("h4.byline")).to_contain_text("Paris (Guest)")
    assert problems == []
