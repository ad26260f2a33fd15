"""Readers and writers together in real Chromium: reader A leaves kudos and a comment on writer
B's chapter, B replies from the inbox, A finds the reply in their inbox, A bookmarks the work
with a private note, and a stranger sees neither the note nor the bookmark."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from ficarchive.community.models import Bookmark
from tests.cast import PASSWORD, make_user, make_work
from tests.chromium import watched_page

COMMENT = "The way Jess waited by the bridge in this chapter undid me."
REPLY = "Thank you! That scene was the first one I wrote."
NOTE = "Secret reread list: the bridge chapter."


@pytest.fixture
def people(browser: Browser) -> Iterator[tuple[dict[str, Page], list[str]]]:
    """Three separate browsers (reader A, writer B, a stranger) and the script errors they log."""
    problems: list[str] = []
    contexts: list[BrowserContext] = []
    pages: dict[str, Page] = {}
    for name in ("reader", "writer", "stranger"):
        context, pages[name] = watched_page(browser, problems)
        contexts.append(context)
    try:
        yield pages, problems
    finally:
        for context in contexts:
            context.close()


def _log_in(page: Page, base: str, username: str) -> None:
    page.goto(f"{base}/users/login")
    page.get_by_label("User name", exact=True).fill(username)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("link", name=f"Hi, {username}!")).to_be_visible()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_kudos_comment_inbox_reply_and_a_private_bookmark(
    live_server: Any, people: tuple[dict[str, Page], list[str]]
) -> None:
    pages, problems = people
    base = live_server.url
    writer = make_user("lauren")
    make_user("rory")
    work = make_work(writer, title="Everything Back But You", chapters=2)
    chapter = work.chapters.get(position=2)

    # Reader A leaves kudos and a comment on writer B's second chapter.
    reader = pages["reader"]
    _log_in(reader, base, "rory")
    reader.goto(f"{base}{chapter.get_absolute_url()}")
    expect(reader.get_by_role("heading", name="Chapter 2: Part 2")).to_be_visible()
    # The Kudos button at the end of the chapter, after the text, as AO3 readers press it.
    reader.locator("#feedback").get_by_role("button", name="Kudos ♥").click()
    expect(reader.locator("p.kudos")).to_contain_text("rory left kudos on this work!")
    comments = reader.locator("#comments")
    comments.get_by_label("Comment", exact=True).fill(COMMENT)
    comments.get_by_role("button", name="Comment", exact=True).click()
    expect(reader.locator("ul.flash")).to_contain_text("Your comment was posted.")
    expect(reader.locator("li.comment", has_text=COMMENT)).to_be_visible()

    # Writer B finds it in the inbox and replies from there.
    writer_page = pages["writer"]
    _log_in(writer_page, base, "lauren")
    writer_page.get_by_role("link", name="Inbox (1)").click()
    item = writer_page.locator("li.inbox-item", has_text=COMMENT)
    expect(item).to_contain_text("(Unread)")
    item.locator("summary", has_text="Reply").click()
    item.get_by_label("Your reply").fill(REPLY)
    item.get_by_role("button", name="Post Reply").click()
    expect(writer_page.locator("li.inbox-item", has_text=COMMENT)).to_contain_text("(Replied)")

    # Reader A sees the reply in their inbox, and under their comment on the chapter.
    reader.goto(base)
    reader.get_by_role("link", name="Inbox (1)").click()
    reply = reader.locator("li.inbox-item", has_text=REPLY)
    expect(reply).to_contain_text("lauren")
    reader.goto(f"{base}{chapter.get_absolute_url()}")
    expect(reader.locator("li.comment.depth-1", has_text=REPLY)).to_be_visible()

    # Reader A bookmarks the work with a private note.
    reader.get_by_role("link", name="Bookmark", exact=True).click()
    reader.get_by_label("Notes", exact=True).fill(NOTE)
    reader.get_by_label("Private bookmark", exact=True).check()
    reader.get_by_role("button", name="Create").click()
    expect(reader.locator("ul.flash")).to_contain_text("Bookmark was successfully created.")
    reader.goto(f"{base}/users/rory/bookmarks")
    expect(reader.get_by_text(NOTE)).to_be_visible()
    assert Bookmark.objects.filter(user__username="rory", private=True).count() == 1

    # A stranger sees neither the note nor the bookmark, anywhere.
    stranger = pages["stranger"]
    for path in (
        "/users/rory/bookmarks",
        f"/works/{work.pk}/bookmarks",
        "/bookmarks/search?q=bridge",
        "/bookmarks/search?user=rory",
        work.get_absolute_url(),
    ):
        stranger.goto(f"{base}{path}")
        expect(stranger.locator("main")).to_be_visible()
        expect(stranger.get_by_text(NOTE)).to_have_count(0)
        expect(stranger.locator("li.bookmark")).to_have_count(0)
    stranger.goto(f"{base}{work.get_absolute_url()}")
    expect(stranger.locator("dd.bookmarks")).to_have_count(0)
    expect(stranger.locator("dd.kudos")).to_have_text("1")
    assert problems == []
