"""The overlap report in real Chromium: a writer reads a finding against her own earlier story,
sees the verdict, the coverage and her three next steps, and marks it as intended; both works'
pages then show the related-work link."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Browser, expect

from ficarchive.overlap import services
from ficarchive.overlap.models import Check
from tests.cast import PASSWORD, make_user, make_work
from tests.chromium import watched_page
from tests.overlap.test_views import COPY_BODY, LIGHTHOUSE, SOURCE_BODY, SOURCE_TITLE


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_report_shows_what_to_do_and_mark_as_intended_links_both_works(
    live_server: Any, browser: Browser
) -> None:
    wren = make_user("wren")
    source = make_work(wren, title=SOURCE_TITLE, body=SOURCE_BODY)
    draft = make_work(wren, title="Harbour Lights", body=COPY_BODY, posted=False)
    services.index_work(source.pk)
    check = services.run_check(Check.objects.create(work=draft, user=wren, scope="all"))
    assert check.state == Check.State.DONE

    problems: list[str] = []
    context, page = watched_page(browser, problems)
    try:
        page.goto(f"{live_server.url}/users/login")
        page.get_by_label("User name", exact=True).fill("wren")
        page.get_by_label("Password", exact=True).fill(PASSWORD)
        page.get_by_role("button", name="Log in").click()

        page.goto(f"{live_server.url}/works/{draft.pk}/overlap/{check.pk}")
        finding = page.locator("section.overlap.finding").first
        expect(finding.locator(".verdict")).to_have_text("Very likely reused")
        expect(finding.locator("p.source")).to_contain_text(f"your work {SOURCE_TITLE}")
        words = len(LIGHTHOUSE.split())
        expect(finding.locator(".coverage")).to_contain_text(f"It covers {words} words, ")
        expect(finding.get_by_role("link", name="Edit this chapter")).to_be_visible()
        expect(finding.get_by_role("button", name="Post anyway")).to_be_visible()
        expect(finding.get_by_role("button", name="Mark as intended")).to_be_visible()

        finding.get_by_label("This work").select_option(label="is a sequel to")
        finding.get_by_role("button", name="Mark as intended").click()
        expect(page.locator("ul.flash")).to_contain_text("Marked as intended")
        marked = page.locator("section.overlap.finding.acknowledged").first
        expect(marked).to_contain_text("Marked as intended: this work is a sequel to it.")
        expect(marked.get_by_role("button", name="Mark as intended")).to_have_count(0)

        page.goto(f"{live_server.url}{draft.get_absolute_url()}")
        expect(page.locator(".preface .notes ul.associations")).to_contain_text(
            f"A sequel to {SOURCE_TITLE} by wren"
        )
        page.goto(f"{live_server.url}{source.get_absolute_url()}")
        children = page.locator(".afterword #children")
        expect(children).to_contain_text("Works inspired by this one:")
        # The draft is its writer's to see: she is logged in, so it is listed for her.
        expect(children.get_by_role("link", name="Harbour Lights")).to_be_visible()

        page.goto(f"{live_server.url}/works/{draft.pk}/overlap/{check.pk}")
        page.locator("section.overlap.finding").first.get_by_role(
            "link", name="Edit this chapter"
        ).click()
        box = page.locator("#id_body")
        expect(box).to_be_focused()
        expect(page.locator("#passage")).to_contain_text("The passage from the overlap check")
        assert page.url.endswith("#id_body")
        # The passage (the second paragraph of the chapter's HTML) is selected, from its
        # first word.
        start, selected = box.evaluate(
            "b => [b.selectionStart, b.value.slice(b.selectionStart, b.selectionEnd)]"
        )
        assert start > 0
        assert selected.startswith("The lighthouse keeper's daughter climbed")
        assert LIGHTHOUSE.startswith(selected.rstrip("."))
    finally:
        context.close()
    assert problems == []
