"""Site skins in real Chromium: every skin, light and dark, meets WCAG AA contrast with a focus
ring that shows (on the coloured header too); a reader without JavaScript switches skin and sees
it at once; "follow my device" follows the device."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from ficarchive.accounts.skins import SKINS
from tests import axe
from tests.cast import make_user, make_work
from tests.chromium import TIMEOUT_MS, watched_page

# The colour pairs a page shows text in (4.5:1 at least) and its focus rings against what they
# sit on (3:1 at least, WCAG 1.4.11): custom properties of site.css.
TEXT_PAIRS = [
    ("--fg", "--bg"),
    ("--fg", "--panel"),
    ("--muted", "--bg"),
    ("--muted", "--panel"),
    ("--link", "--bg"),
    ("--link", "--panel"),
    ("--error", "--bg"),
    ("--error", "--panel"),
    ("--accent-fg", "--accent"),  # the header
]
RING_PAIRS = [("--focus", "--bg"), ("--focus", "--panel"), ("--accent-fg", "--accent")]


def _luminance(rgb: tuple[int, ...]) -> float:
    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(value) for value in rgb[:3])
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(one: tuple[int, ...], other: tuple[int, ...]) -> float:
    """The WCAG 2 contrast ratio of two colours."""
    light, dark = sorted([_luminance(one), _luminance(other)], reverse=True)
    return (light + 0.05) / (dark + 0.05)


def _colours(page: Page) -> dict[str, tuple[int, ...]]:
    """Each colour custom property of the page, as the browser resolves it (light-dark())."""
    names = sorted({name for pair in TEXT_PAIRS + RING_PAIRS for name in pair})
    resolved: dict[str, str] = page.evaluate(
        """names => {
            const probe = document.createElement('span');
            document.body.append(probe);
            const out = {};
            for (const name of names) {
                probe.style.color = `var(${name})`;
                out[name] = getComputedStyle(probe).color;
            }
            probe.remove();
            return out;
        }""",
        names,
    )
    return {
        name: tuple(int(part) for part in re.findall(r"\d+", value)[:3])
        for name, value in resolved.items()
    }


def _background(page: Page) -> tuple[int, ...]:
    value = page.evaluate("getComputedStyle(document.body).backgroundColor")
    return tuple(int(part) for part in re.findall(r"\d+", value)[:3])


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_every_skin_light_and_dark_meets_wcag_aa_contrast_and_shows_focus(
    live_server: Any, browser: Browser
) -> None:
    make_user("reader")
    problems: list[str] = []
    context, page = watched_page(browser, problems)
    failures: list[str] = []
    try:
        for skin, _ in SKINS:
            for scheme in ("light", "dark"):
                context.add_cookies(
                    [{"name": "skin", "value": f"{skin}.{scheme}", "url": live_server.url}]
                )
                page.goto(live_server.url + "/")
                colours = _colours(page)
                for pairs, least in ((TEXT_PAIRS, 4.5), (RING_PAIRS, 3.0)):
                    for text, ground in pairs:
                        ratio = contrast(colours[text], colours[ground])
                        if ratio < least:
                            failures.append(f"{skin}/{scheme}: {text} on {ground} {ratio:.2f}")
                # The focus ring on the coloured header is drawn in its text colour.
                page.locator("#header a.logo").focus()
                page.keyboard.press("Tab")
                page.keyboard.press("Shift+Tab")  # focused by keyboard: :focus-visible
                ring = page.evaluate(
                    "(() => { const s = getComputedStyle(document.activeElement);"
                    " return [s.outlineStyle, s.outlineWidth, s.outlineColor]; })()"
                )
                assert ring[:2] == ["solid", "3px"], (skin, scheme, ring)
                ring_colour = tuple(int(part) for part in re.findall(r"\d+", ring[2])[:3])
                assert ring_colour == colours["--accent-fg"], (skin, scheme)
    finally:
        context.close()
    assert failures == []
    assert problems == []


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_reader_without_javascript_switches_to_dark_and_sees_it_at_once(
    live_server: Any, browser: Browser
) -> None:
    work = make_work(make_user("author"))
    context = browser.new_context(java_script_enabled=False)
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    try:
        page.goto(live_server.url + work.get_absolute_url())
        light = _background(page)
        page.get_by_role("link", name="Site skin, light or dark, text size").click()
        page.get_by_label("Site skin").select_option(label="Dark")
        page.get_by_label("Text size").select_option(label="Large (130%)")
        page.get_by_role("button", name="Use this skin").click()
        expect(page).to_have_url(live_server.url + work.get_absolute_url())
        expect(page.locator("ul.flash")).to_contain_text("Your site skin is now: Dark")
        dark = _background(page)
        assert contrast(light, dark) > 10  # from near white to near black
        size = page.evaluate("getComputedStyle(document.documentElement).fontSize")
        assert size == "20.8px"  # 130% of 16px
        # It stays: the next page, and the same page again (now from the page cache).
        page.goto(live_server.url + "/works")
        assert _background(page) == dark
        page.goto(live_server.url + work.get_absolute_url())
        page.goto(live_server.url + work.get_absolute_url())
        assert _background(page) == dark
    finally:
        context.close()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_follow_my_device_follows_the_device_and_light_or_dark_overrides_it(
    live_server: Any, browser: Browser
) -> None:
    problems: list[str] = []
    context, page = watched_page(browser, problems)
    try:
        page.emulate_media(color_scheme="dark")
        page.goto(live_server.url + "/")
        device_dark = _background(page)
        page.emulate_media(color_scheme="light")
        device_light = _background(page)
        assert contrast(device_dark, device_light) > 10
        context.add_cookies([{"name": "skin", "value": "default.light", "url": live_server.url}])
        page.emulate_media(color_scheme="dark")
        page.goto(live_server.url + "/")
        assert _background(page) == device_light
        context.add_cookies([{"name": "skin", "value": "dark.light", "url": live_server.url}])
        page.reload()
        assert _background(page) == device_dark  # the Dark skin is always dark
    finally:
        context.close()
    assert problems == []


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_skin_page_shows_each_choice_as_it_is_picked(
    live_server: Any, browser: Browser
) -> None:
    problems: list[str] = []
    context, page = watched_page(browser, problems)
    try:
        page.emulate_media(color_scheme="light")
        page.goto(live_server.url + "/skins")
        light = _background(page)
        page.get_by_label("Site skin").select_option(label="High contrast")
        page.get_by_label("Light or dark").select_option(label="Dark")
        assert _background(page) == (0, 0, 0)  # before saving: nothing posted yet
        assert page.url == live_server.url + "/skins"
        page.reload()
        assert _background(page) == light  # not kept until saved
    finally:
        context.close()
    assert problems == []


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_every_skin_passes_axe_on_a_phone_with_its_menus_open(
    live_server: Any, browser: Browser
) -> None:
    work = make_work(make_user("author"), freeforms=["Angst"], summary="A summary.")
    # axe's script goes into the page, which the archive's CSP would refuse.
    context = browser.new_context(bypass_csp=True, viewport={"width": 390, "height": 844})
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    problems: list[str] = []
    try:
        for skin, _ in SKINS:
            for scheme in ("light", "dark"):
                context.add_cookies(
                    [{"name": "skin", "value": f"{skin}.{scheme}", "url": live_server.url}]
                )
                page.goto(live_server.url + work.get_absolute_url())
                for summary in ("Actions", "Show tags", "Menu"):  # the menu opens over the page
                    page.locator("summary", has_text=summary).click()
                problems += [f"{skin}/{scheme} {line}" for line in axe.blocking(page)]
                page.goto(live_server.url + "/skins")
                problems += [f"{skin}/{scheme} {line}" for line in axe.blocking(page)]
    finally:
        context.close()
    assert not problems, "\n".join(problems)
