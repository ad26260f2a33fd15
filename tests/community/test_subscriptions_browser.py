"""A reader's subscription in real Chromium: subscribe on the work page, the writer adds a
chapter, the worker delivers it, the reader finds it on the updates page and follows it."""

from __future__ import annotations

from typing import Any

import pytest
from django.core import mail
from playwright.sync_api import Page, expect

from ficarchive.jobs.services import work_off
from ficarchive.works.services import ChapterData, add_chapter
from tests.cast import PASSWORD, make_user, make_work


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_subscriber_hears_of_a_new_chapter_and_reads_it(live_server: Any, page: Page) -> None:
    author = make_user("author")
    work = make_work(author, title="Everything Back But You")
    make_user("reader")

    page.goto(live_server.url + "/users/login")
    page.get_by_label("User name").fill("reader")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.goto(live_server.url + work.get_absolute_url())
    work_nav = page.get_by_role("navigation", name="Work")
    work_nav.get_by_role("button", name="Subscribe").click()
    expect(page.locator("ul.flash")).to_contain_text("You are now subscribed")
    expect(work_nav.get_by_role("button", name="Unsubscribe")).to_be_visible()

    # The writer adds a chapter; its transaction commits for real, and the worker delivers.
    chapter = add_chapter(work, ChapterData(body="Jess came back.", title="The Bridge"))
    work_off()
    assert [message.to for message in mail.outbox] == [["reader@example.org"]]

    page.goto(live_server.url + "/updates")
    expect(page.get_by_role("heading", name="Updates (1 unread)")).to_be_visible()
    page.get_by_role("button", name="Mark all read").click()
    expect(page.get_by_role("heading", name="Updates", exact=True)).to_be_visible()
    page.get_by_role("link", name="Chapter 2: The Bridge").click()
    expect(page.get_by_role("heading", name="Chapter 2: The Bridge")).to_be_visible()
    assert page.url == live_server.url + chapter.get_absolute_url()
