"""A new chapter in real Chromium: previewed, then posted from the preview, it keeps its
paragraphs (the text travels through the preview's form, stored nowhere in between)."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page, expect

from ficarchive.works.models import Chapter
from tests.cast import PASSWORD, make_user, make_work
from tests.chromium import watch

TEXT = "Jess came back on a Tuesday.\nHe had a book.\n\nRory was at the diner."


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_chapter_previewed_then_posted_keeps_its_paragraphs(live_server: Any, page: Page) -> None:
    problems: list[str] = []
    watch(page, problems)
    work = make_work(make_user("author"))
    page.goto(f"{live_server.url}/users/login")
    page.get_by_label("User name").fill("author")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(lambda url: "/users/login" not in url)

    page.goto(f"{live_server.url}/works/{work.pk}/chapters/new")
    page.get_by_label("Chapter title", exact=True).fill("The Bridge")
    page.get_by_label("Chapter text", exact=True).fill(TEXT)
    page.get_by_role("button", name="Preview").click()
    expect(page.locator(".notice.draft")).to_contain_text("Chapter 2: The Bridge as readers")
    expect(page.locator("#chapters .userstuff p")).to_have_count(2)
    assert not Chapter.objects.filter(work=work, position=2).exists()

    page.get_by_role("button", name="Edit").click()
    expect(page.get_by_label("Chapter text", exact=True)).to_have_value(TEXT)
    page.get_by_role("button", name="Preview").click()
    page.get_by_role("button", name="Post", exact=True).click()
    expect(page.get_by_role("heading", name="Chapter 2: The Bridge")).to_be_visible()
    expect(page.locator("#chapters .userstuff p")).to_have_count(2)
    chapter = Chapter.objects.get(work=work, position=2)
    assert not chapter.draft
    assert chapter.body.count("<p>") == 2
    assert problems == []
