"""A reader's and a writer's whole day, in real Chromium: sign up, post a draft with two
chapters, post it, read it chapter by chapter and whole, log out and read it again; and a
reader downloading the EPUB from the work page."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import (
    Locator,
    Page,
    expect,
)

from tests.cast import PASSWORD, make_work
from tests.chromium import watch
from tests.validators import epubcheck

USERNAME = "rory_writes"
TITLE = "Everything Back But You"
CHAPTER_ONE = [
    "It was not weird, Rory told herself, to walk past the diner twice.",
    "The bell over the door rang anyway. Luke looked up, then down again.",
    "She ordered coffee. She drank it standing, the way you drink something you regret.",
]
CHAPTER_TWO = [
    "Jess came back on a Tuesday, which was the least dramatic day he could have chosen.",
    "He had a book under his arm and no apology ready.",
    "Rory found she did not need one, and that was the worst part.",
    "They walked to the bridge without deciding to.",
]


def _plain_text(paragraphs: list[str]) -> str:
    return "\n\n".join(paragraphs) + "\n"


def _header(page: Page) -> Locator:
    return page.get_by_role("navigation", name="Site")


def _work_nav(page: Page) -> Locator:
    return page.get_by_role("navigation", name="Work")


def _flash(page: Page) -> Locator:
    return page.locator("ul.flash")


def _expect_paragraphs(page: Page, paragraphs: list[str]) -> None:
    """The chapter text on the page is these paragraphs, in this order, and nothing else."""
    expect(page.locator("div.userstuff p")).to_have_text(paragraphs)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_sign_up_post_a_two_chapter_work_and_read_it(live_server: Any, page: Page) -> None:
    problems: list[str] = []
    watch(page, problems)

    # 1. Sign up from the home page.
    page.goto(live_server.url)
    _header(page).get_by_role("link", name="Sign up", exact=True).click()
    expect(page.get_by_role("heading", name="Create an account")).to_be_visible()
    page.get_by_label("User name", exact=True).fill(USERNAME)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Confirm password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Create account").click()
    expect(_header(page).get_by_role("link", name=f"Hi, {USERNAME}!")).to_be_visible()
    expect(_header(page).get_by_role("button", name="Log out")).to_be_visible()
    expect(_header(page).get_by_role("link", name="Log in")).to_have_count(0)

    # 2. Post new work: save it as a draft, then add a second chapter.
    _header(page).get_by_role("link", name="Post new work").click()
    expect(page.get_by_role("heading", name="Post new work")).to_be_visible()
    page.get_by_label("Rating", exact=True).select_option("General Audiences")
    warnings = page.get_by_role("group", name="Archive warnings")
    warnings.get_by_label("No Archive Warnings Apply").check()
    page.get_by_label("Fandoms", exact=True).fill("Gilmore Girls")
    page.get_by_label("Work title", exact=True).fill(TITLE)
    creators = page.get_by_role("group", name="Creator/pseud(s)")
    expect(creators.get_by_label(USERNAME, exact=True)).to_be_checked()
    page.get_by_label("Chapter title", exact=True).fill("Coffee")
    text_format = page.get_by_role("group", name="The text is")
    expect(text_format.get_by_role("radio", name=re.compile(r"^Plain text"))).to_be_checked()
    page.get_by_label("Work text", exact=True).fill(_plain_text(CHAPTER_ONE))
    page.get_by_role("button", name="Save as draft").click()

    draft_notice = page.locator(".notice.draft")
    expect(draft_notice).to_contain_text("This work is a draft and is not posted yet.")
    expect(_flash(page)).to_contain_text("Your work was saved as a draft.")
    expect(page.get_by_role("heading", name=TITLE, exact=True)).to_be_visible()
    work_url = page.url
    assert re.fullmatch(rf"{re.escape(live_server.url)}/works/\d+", work_url), work_url
    _expect_paragraphs(page, CHAPTER_ONE)

    _work_nav(page).get_by_role("link", name="Add Chapter").click()
    expect(page.get_by_role("heading", name=f"Add a chapter to {TITLE}")).to_be_visible()
    page.get_by_label("Chapter title", exact=True).fill("The Bridge")
    page.get_by_label("Chapter text", exact=True).fill(_plain_text(CHAPTER_TWO))
    page.get_by_role("button", name="Post", exact=True).click()
    expect(_flash(page)).to_contain_text("was added")
    expect(page.get_by_role("heading", name="Chapter 2: The Bridge")).to_be_visible()
    _expect_paragraphs(page, CHAPTER_TWO)
    expect(draft_notice).to_be_visible()

    # 3. Post the draft from its draft notice.
    draft_notice.get_by_role("button", name="Post", exact=True).click()
    expect(_flash(page)).to_contain_text("Your work was posted.")
    expect(draft_notice).to_have_count(0)

    # 4. Read it chapter by chapter, then whole.
    page.goto(work_url)
    expect(draft_notice).to_have_count(0)
    expect(page.get_by_role("heading", name="Chapter 1: Coffee")).to_be_visible()
    _expect_paragraphs(page, CHAPTER_ONE)
    expect(_work_nav(page).get_by_role("link", name="← Previous Chapter")).to_have_count(0)

    _work_nav(page).get_by_role("link", name="Next Chapter →").click()
    expect(page.get_by_role("heading", name="Chapter 2: The Bridge")).to_be_visible()
    _expect_paragraphs(page, CHAPTER_TWO)
    expect(page.get_by_text(CHAPTER_ONE[0])).to_have_count(0)
    expect(_work_nav(page).get_by_role("link", name="Next Chapter →")).to_have_count(0)

    _work_nav(page).get_by_role("link", name="← Previous Chapter").click()
    expect(page.get_by_role("heading", name="Chapter 1: Coffee")).to_be_visible()
    _expect_paragraphs(page, CHAPTER_ONE)
    expect(page.get_by_text(CHAPTER_TWO[0])).to_have_count(0)

    _work_nav(page).get_by_role("link", name="Entire Work").click()
    expect(page.get_by_role("heading", name="Chapter 1: Coffee")).to_be_visible()
    expect(page.get_by_role("heading", name="Chapter 2: The Bridge")).to_be_visible()
    _expect_paragraphs(page, CHAPTER_ONE + CHAPTER_TWO)
    expect(_work_nav(page).get_by_role("link", name="Chapter by Chapter")).to_be_visible()

    # 5. Log out; the work is still there for anyone to read.
    _header(page).get_by_role("button", name="Log out").click()
    expect(_header(page).get_by_role("link", name="Log in", exact=True)).to_be_visible()
    expect(_header(page).get_by_role("link", name=f"Hi, {USERNAME}!")).to_have_count(0)
    expect(_flash(page)).to_contain_text("You have logged out.")

    page.get_by_role("article").get_by_role("link", name=TITLE, exact=True).click()
    expect(page).to_have_url(work_url)
    expect(page.get_by_text("This work could have adult content")).to_have_count(0)
    expect(page.get_by_role("heading", name=TITLE, exact=True)).to_be_visible()
    expect(page.get_by_role("heading", name="Chapter 1: Coffee")).to_be_visible()
    _expect_paragraphs(page, CHAPTER_ONE)
    expect(_work_nav(page).get_by_role("link", name="Add Chapter")).to_have_count(0)
    _work_nav(page).get_by_role("link", name="Next Chapter →").click()
    _expect_paragraphs(page, CHAPTER_TWO)

    assert not problems, "the browser reported errors:\n" + "\n".join(problems)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_download_an_epub_from_the_work_page(live_server: Any, page: Page, tmp_path: Path) -> None:
    work = make_work(title=TITLE, chapters=2, body=_plain_text(CHAPTER_ONE))
    page.goto(live_server.url + work.get_absolute_url())
    menu = _work_nav(page).get_by_text("Download", exact=True)
    menu.click()
    with page.expect_download() as started:
        _work_nav(page).get_by_role("link", name="EPUB", exact=True).click()
    download = started.value
    assert download.suggested_filename == "Everything_Back_But_You.epub"
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    assert saved.read_bytes()[:2] == b"PK"
    assert epubcheck(saved) == ""


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_tag_fields_offer_existing_tags_canonical_first(live_server: Any, page: Page) -> None:
    from ficarchive.tags.models import Tag, TagType
    from tests.cast import make_user

    make_user(USERNAME)
    Tag.objects.create(name="Rory Gilmore", type=TagType.CHARACTER, canonical=True)
    # A tag no wrangler has made canonical is offered once a posted work uses it.
    make_work(characters=["Rory (Gilmore Girls)"])
    page.goto(live_server.url + "/users/login")
    page.get_by_label("User name").fill(USERNAME)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.goto(live_server.url + "/works/new")
    field = page.get_by_label("Characters")
    field.press_sequentially("Jess Mariano, Ror")
    options = page.locator("#id_characters-suggestions option")
    expect(options).to_have_count(2)
    assert options.first.get_attribute("value") == "Jess Mariano, Rory Gilmore"
