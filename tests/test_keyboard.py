"""A keyboard-only journey in real Chromium: Tab, Shift+Tab, Enter, Space and typing, no mouse.

A writer signs up and posts a work; a reader signs up, finds it with Sort and Filter, leaves
kudos (the button at the end of the chapter) and a comment, and downloads the EPUB. After every
key that moves the focus, the focused element must show it: an outline or a ring, on the
coloured header as on the page.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.chromium import TIMEOUT_MS, watch

# The most Tab presses any step needs on these pages; a step that needs more has lost its way.
MAX_TABS = 250
# True when the focused element shows where the focus is (outline or box-shadow ring).
FOCUS_SHOWN = """el => {
    const style = getComputedStyle(el);
    const outline = style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0;
    return outline || style.boxShadow !== 'none';
}"""


def _describe(page: Page) -> str:
    described: str = page.evaluate(
        "() => { const el = document.activeElement;"
        " return el ? el.outerHTML.slice(0, 160) : 'nothing'; }"
    )
    return described


def tab_to(page: Page, wanted: str) -> None:
    """Press Tab until the focused element matches `wanted` (a JS expression of `el`),
    checking at each stop that the focus is visible."""
    for _ in range(MAX_TABS):
        page.keyboard.press("Tab")
        if page.evaluate("() => document.activeElement === document.body"):
            continue
        assert page.evaluate(f"() => ({FOCUS_SHOWN})(document.activeElement)"), (
            f"focus is not visible on {page.url}: {_describe(page)}"
        )
        if page.evaluate(f"() => {{ const el = document.activeElement; return {wanted}; }}"):
            return
    raise AssertionError(f"{MAX_TABS} Tabs on {page.url} never reached {wanted}")


def named(tag: str, text: str) -> str:
    """A matcher for an element of the tag whose text (or value, for inputs) is `text`."""
    return f"el.matches({tag!r}) && (el.textContent || el.value || '').trim() === {text!r}"


def follow(page: Page) -> None:
    """Press Enter on the focused link or button and wait for the page it leads to."""
    with page.expect_navigation():
        page.keyboard.press("Enter")


def by_id(element_id: str) -> str:
    return f"el.id === {element_id!r}"


def type_into(page: Page, element_id: str, text: str) -> None:
    tab_to(page, by_id(element_id))
    page.keyboard.type(text)


def sign_up(page: Page, base: str, name: str) -> None:
    page.goto(base)
    tab_to(page, named("a", "Sign up"))
    follow(page)
    expect(page.get_by_role("heading", name="Create an account")).to_be_visible()
    type_into(page, "id_username", name)
    type_into(page, "id_password", "correct horse battery staple")
    type_into(page, "id_password_again", "correct horse battery staple")
    tab_to(page, named("button", "Create account"))
    follow(page)
    expect(page.get_by_role("link", name=f"Hi, {name}!")).to_be_attached()


@pytest.fixture
def second_page(browser: Browser) -> Any:
    context = browser.new_context(accept_downloads=True)
    context.set_default_timeout(TIMEOUT_MS)
    try:
        yield context.new_page()
    finally:
        context.close()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_keyboard_alone_posts_finds_kudos_comments_and_downloads(
    live_server: Any, page: Page, second_page: Page
) -> None:
    problems: list[str] = []
    watch(page, problems)
    page.set_viewport_size({"width": 1280, "height": 900})

    # The writer: sign up, post a work.
    sign_up(page, live_server.url, "quillfeather")
    tab_to(page, named("a", "Post new work"))
    follow(page)
    expect(page.get_by_role("heading", name="Post new work")).to_be_visible()
    tab_to(page, by_id("id_rating"))
    page.keyboard.press("g")  # a closed select jumps to the option starting with the letter
    expect(page.get_by_label("Rating", exact=True)).to_have_value("General Audiences")
    tab_to(page, "el.type === 'checkbox' && el.value === 'No Archive Warnings Apply'")
    page.keyboard.press("Space")
    type_into(page, "id_fandoms", "Keyboard Fandom")
    type_into(page, "id_title", "Tabbed Through")
    type_into(page, "id_body", "Every key was a choice.\n\nAnd the last one was Enter.")
    tab_to(page, named("button", "Post"))
    follow(page)
    expect(page.get_by_role("heading", name="Tabbed Through", exact=True)).to_be_visible()

    # The reader: sign up, find the work with Sort and Filter on the Works list.
    reader = second_page
    watch(reader, problems)
    reader.set_viewport_size({"width": 1280, "height": 900})
    sign_up(reader, live_server.url, "pageturner")
    tab_to(reader, named("a", "Works"))
    follow(reader)
    tab_to(
        reader,
        "el.name === 'include' && el.closest('label').textContent.includes('Keyboard Fandom')",
    )
    reader.keyboard.press("Space")
    tab_to(reader, named("button", "Sort and Filter"))
    follow(reader)
    expect(reader).to_have_url(re.compile(r"include=\d+"))
    tab_to(reader, named("a", "Tabbed Through"))
    follow(reader)
    expect(reader.get_by_role("heading", name="Tabbed Through", exact=True)).to_be_visible()

    # Kudos from the end of the chapter, then a comment.
    tab_to(reader, "el.closest('#new_kudo_end') !== null && el.matches('button')")
    follow(reader)
    expect(reader.get_by_text("pageturner left kudos on this work!")).to_be_visible()
    type_into(reader, "comment-body", "Read it without touching the mouse.")
    tab_to(reader, named("button", "Comment"))
    follow(reader)
    expect(reader.get_by_text("Read it without touching the mouse.")).to_be_visible()

    # Download the EPUB from the Download menu.
    reader.keyboard.press("Control+Home")
    reader.evaluate("() => document.activeElement && document.activeElement.blur()")
    tab_to(reader, "el.matches('li.download summary')")
    reader.keyboard.press("Enter")
    tab_to(reader, named("a", "EPUB"))
    with reader.expect_download() as download:
        reader.keyboard.press("Enter")
    assert download.value.suggested_filename.endswith(".epub")
    path = download.value.path()
    assert path is not None
    assert path.read_bytes()[:2] == b"PK"
    assert not problems, problems
