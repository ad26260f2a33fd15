"""Stored script never runs in real Chromium: markup written through the ORM is sanitized before
it is stored, and markup that reached the database around it (raw SQL) is still stopped by the
Content-Security-Policy. A moderator's admin pages work under that policy."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.db import connection
from playwright.sync_api import Browser, ConsoleMessage, Page, expect

from ficarchive.works.models import Chapter, Work
from tests.cast import PASSWORD, make_user, make_work
from tests.chromium import watched_page

# Each piece sets window.__xss if it runs; none may.
PAYLOAD = (
    "<p>Marker paragraph.</p>"
    "<script>window.__xss = 'script'</script>"
    '<img src="/no-such-image.png" onerror="window.__xss = \'onerror\'">'
    "<svg><animate onbegin=\"window.__xss = 'svg'\" attributeName=x dur=1s></animate></svg>"
    "<details open ontoggle=\"window.__xss = 'ontoggle'\"><summary>s</summary></details>"
    '<a class="hostile-link" href="javascript:window.__xss = \'link\'">link</a>'
)


@pytest.fixture
def watched(browser: Browser) -> Iterator[tuple[Page, list[str], list[str]]]:
    """A reader's page, the problems it logs, and every console message (CSP reports among them)."""
    problems: list[str] = []
    context, page = watched_page(browser, problems)
    messages: list[str] = []

    def on_console(message: ConsoleMessage) -> None:
        messages.append(message.text)

    page.on("console", on_console)
    page.on("dialog", lambda dialog: problems.append(f"a dialog opened: {dialog.message}"))
    try:
        yield page, problems, messages
    finally:
        context.close()


def _ran(page: Page) -> Any:
    return page.evaluate("() => window.__xss")


def _unexpected(problems: list[str], *expected: str) -> list[str]:
    """Problems other than the missing image the payload names (its error is the bait for
    onerror) and those that contain one of `expected`."""
    return [
        problem
        for problem in problems
        if "/no-such-image.png" not in problem and not any(text in problem for text in expected)
    ]


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_markup_stored_through_the_orm_does_not_run_on_the_work_page(
    live_server: Any, watched: tuple[Page, list[str], list[str]]
) -> None:
    page, problems, messages = watched
    work = make_work(make_user("author"))
    Work.objects.filter(pk=work.pk).update(summary=PAYLOAD, notes=PAYLOAD)
    Chapter.objects.filter(work=work).update(body=PAYLOAD)

    page.goto(f"{live_server.url}{work.get_absolute_url()}")
    expect(page.get_by_text("Marker paragraph.").first).to_be_visible()
    page.locator("a.hostile-link").first.click()
    page.wait_for_timeout(300)  # time for an image error or an animation to fire
    assert _ran(page) is None
    # Nothing was left for the Content-Security-Policy to stop: the sanitizer removed it all.
    assert not [message for message in messages if "Content Security Policy" in message]
    assert _unexpected(problems) == []


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_content_security_policy_stops_markup_that_got_past_the_sanitizer(
    live_server: Any, watched: tuple[Page, list[str], list[str]]
) -> None:
    page, problems, messages = watched
    work = make_work(make_user("author"))
    # What no ficarchive code path can store any more: raw SQL, around the model layer.
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {Work._meta.db_table} SET summary = %s WHERE id = %s", [PAYLOAD, work.pk]
        )

    page.goto(f"{live_server.url}{work.get_absolute_url()}")
    expect(page.get_by_text("Marker paragraph.").first).to_be_visible()
    page.wait_for_timeout(300)
    assert _ran(page) is None
    assert any("Content Security Policy" in message for message in messages), messages
    # The only problems are the policy's own refusals.
    assert _unexpected(problems, "Content Security Policy") == []


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_moderators_admin_pages_work_under_the_policy(
    live_server: Any, watched: tuple[Page, list[str], list[str]]
) -> None:
    page, problems, _ = watched
    moderator = make_user("moderator")
    moderator.is_moderator = True
    moderator.save(update_fields=["is_moderator"])
    work = make_work(make_user("author"), title="Admin Edit")

    page.goto(f"{live_server.url}/users/login")
    page.get_by_label("User name").fill("moderator")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.goto(f"{live_server.url}/admin/works/work/{work.pk}/change/")
    page.locator("#id_summary").fill("<p>Summary by a moderator</p><script>x</script>")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator("ul.messagelist")).to_contain_text("was changed successfully")
    assert Work.objects.get(pk=work.pk).summary == "<p>Summary by a moderator</p>"
    # The admin's pages name no icon, so the browser asks for /favicon.ico: not the policy's doing.
    assert [problem for problem in problems if "/favicon.ico" not in problem] == []
