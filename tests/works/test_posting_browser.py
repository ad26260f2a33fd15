"""The posting limits in real Chromium: the counter under the text box counts as one types, and
a paste over the limit comes back in the box, whole; the comment box counts too."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.conf import settings
from playwright.sync_api import Browser, Page, expect

from ficarchive.texts.counting import count_words
from ficarchive.works.models import Work
from tests.axe import blocking
from tests.cast import PASSWORD, make_user, make_work
from tests.chromium import watch


def _log_in(page: Page, base: str, username: str) -> None:
    page.goto(f"{base}/users/login")
    page.get_by_label("User name").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()


def _besides_the_refusal(problems: list[str]) -> list[str]:
    # Chromium logs the refused form's 400 as a console error; that one is the point.
    return [problem for problem in problems if "status of 400 (Bad Request)" not in problem]


def _set_text(page: Page, selector: str, text: str) -> None:
    # fill() types a long text far too slowly; this is what a paste does to the box.
    page.eval_on_selector(
        selector,
        "(box, text) => { box.value = text; box.dispatchEvent(new Event('input')); }",
        text,
    )


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_word_counter_counts_as_the_writer_types(live_server: Any, page: Page) -> None:
    problems: list[str] = []
    watch(page, problems)
    make_user("author")
    _log_in(page, live_server.url, "author")
    page.goto(f"{live_server.url}/works/new")
    counter = page.locator("#id_body-counter")
    limit = f"{settings.CHAPTER_MAX_CHARACTERS:,}"
    expect(counter).to_have_text(f"0 words, 0 of {limit} characters")
    text = "It wasn't weird.\n\nThey had — grown apart, Jess & Rory."
    page.get_by_label("Work text", exact=True).fill(text)
    # The dash and the ampersand are no words, here as on the work's page (texts.counting).
    assert count_words(text) == 9
    expect(counter).to_have_text(f"9 words, {len(text)} of {limit} characters")
    described = page.get_by_label("Work text", exact=True).get_attribute("aria-describedby")
    assert described is not None
    assert "id_body-counter" in described.split()
    assert problems == []


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_three_megabyte_paste_comes_back_in_the_box(live_server: Any, page: Page) -> None:
    problems: list[str] = []
    watch(page, problems)
    make_user("author")
    _log_in(page, live_server.url, "author")
    page.goto(f"{live_server.url}/works/new")
    page.get_by_label("Rating", exact=True).select_option("General Audiences")
    page.get_by_role("group", name="Archive warnings").get_by_label(
        "No Archive Warnings Apply"
    ).check()
    page.get_by_label("Fandoms", exact=True).fill("Gilmore Girls")
    page.get_by_label("Work title", exact=True).fill("Too Long")
    paragraph = "It wasn't weird. They had grown apart, and now Jess was back. " * 20
    text = "\n\n".join([paragraph] * 2500)
    _set_text(page, "#id_body", text)
    expect(page.locator(".counter-warning")).to_contain_text("Too long by")
    page.get_by_role("button", name="Post", exact=True).click()

    summary = page.locator(".error-summary")
    expect(summary).to_contain_text("Work text: The text is")
    expect(
        summary.get_by_role("link", name="Work text: The text is", exact=False)
    ).to_have_attribute("href", "#id_body")
    kept = page.eval_on_selector("#id_body", "box => box.value")
    assert kept == text
    assert not Work.objects.exists()
    assert _besides_the_refusal(problems) == []


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_long_comment_is_counted_and_refused_with_its_text_kept(
    live_server: Any, page: Page
) -> None:
    problems: list[str] = []
    watch(page, problems)
    work = make_work(make_user("author"), title="The Bridge")
    make_user("rory")
    _log_in(page, live_server.url, "rory")
    page.goto(f"{live_server.url}{work.get_absolute_url()}")
    comments = page.locator("#comments")
    box = comments.get_by_label("Comment", exact=True)
    assert box.get_attribute("maxlength") is None
    text = "So good. " * 1200  # 10,800 characters: a maxlength box would have cut it
    _set_text(page, "#comment-body", text)
    expect(comments.locator(".counter")).to_have_text("2,400 words, 10,800 of 10,000 characters")
    expect(comments.locator(".counter-warning")).to_contain_text("Too long by 800 characters")
    comments.get_by_role("button", name="Comment", exact=True).click()

    expect(page.get_by_role("alert")).to_contain_text(
        "Comment: 10,800 characters is too long; comments may have at most 10,000 characters."
    )
    assert page.eval_on_selector("#comment-body", "box => box.value") == text
    assert _besides_the_refusal(problems) == []


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_refused_form_passes_the_accessibility_checks(live_server: Any, browser: Browser) -> None:
    # axe is injected as an inline script, which the archive's CSP refuses: bypassed here only.
    context = browser.new_context(bypass_csp=True)
    try:
        page = context.new_page()
        make_user("author")
        _log_in(page, live_server.url, "author")
        page.goto(f"{live_server.url}/works/new")
        page.get_by_label("Work title", exact=True).fill("No Rating Yet")
        page.get_by_label("Work text", exact=True).fill("One.\n\nTwo.")
        # The browser itself stops a form whose rating is unchosen; the server's answer is
        # what is checked here.
        page.eval_on_selector("form.work-form", "form => { form.noValidate = true; }")
        page.get_by_role("button", name="Post", exact=True).click()
        summary = page.locator(".error-summary")
        expect(summary.get_by_role("link")).to_have_text(
            [
                "Rating: Choose a rating.",
                "Archive warnings: Choose at least one archive warning.",
                re.compile(r"^Fandoms: A work needs at least one fandom"),
            ]
        )
        summary.get_by_role("link", name="Rating: Choose a rating.").click()
        expect(page.locator("#id_rating")).to_be_focused()
        assert blocking(page) == []
    finally:
        context.close()
