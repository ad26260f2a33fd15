"""Real Chromium for the browser tests: what the `browser` and `page` fixtures of
tests/conftest.py open, and the settings they launch with. Only browser tests import this module,
so Playwright is not loaded for the rest of the suite."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

from playwright.sync_api import (
    Browser,
    BrowserContext,
    ConsoleMessage,
    Error,
    Page,
    expect,
    sync_playwright,
)

from tests.validators import require_tool

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
TIMEOUT_MS = 15_000


def launched_browser() -> Iterator[Browser]:
    """Chromium, headless, for one test (the `browser` fixture)."""
    # Playwright's sync API runs an event loop in the test's thread; Django's ORM, used there by
    # the database fixtures and their teardown, would otherwise refuse to run next to it.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    require_tool(
        CHROMIUM.exists(), f"Chromium is not installed at {CHROMIUM} (apt-get install chromium)"
    )
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield browser
        finally:
            browser.close()


def opened_page(browser: Browser) -> Iterator[Page]:
    """A fresh page in a context of its own (the `page` fixture)."""
    context = browser.new_context()
    context.set_default_timeout(TIMEOUT_MS)
    context.set_default_navigation_timeout(TIMEOUT_MS)
    expect.set_options(timeout=TIMEOUT_MS)
    page = context.new_page()
    try:
        yield page
    finally:
        context.close()


def watch(page: Page, problems: list[str]) -> None:
    """Write each script error the page logs and each uncaught exception into `problems`."""

    def on_console(message: ConsoleMessage) -> None:
        if message.type == "error":
            source = message.location.get("url") or page.url
            problems.append(f"console error from {source} (page {page.url}): {message.text}")

    def on_page_error(error: Error) -> None:
        problems.append(f"uncaught exception on {page.url}: {error}")

    page.on("console", on_console)
    page.on("pageerror", on_page_error)


def watched_page(browser: Browser, problems: list[str]) -> tuple[BrowserContext, Page]:
    """A page in a browser context of its own (its own cookies: another person), watched."""
    context = browser.new_context()
    context.set_default_timeout(TIMEOUT_MS)
    context.set_default_navigation_timeout(TIMEOUT_MS)
    expect.set_options(timeout=TIMEOUT_MS)
    page = context.new_page()
    watch(page, problems)
    return context, page
