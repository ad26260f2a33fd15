"""A writer's stats page in real Chromium: the chart draws its bars and line, the period and
work pickers work, and a screenshot of it goes to docs/stats.png."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from ficarchive.community.models import Hit, Kudos
from ficarchive.works.models import Work
from tests.cast import PASSWORD, make_user, make_work

SCREENSHOT = Path(__file__).resolve().parents[2] / "docs" / "stats.png"


def _readers_over_days(work_titles: list[str]) -> None:
    """Hits and kudos on each of the last 30 days, more on some days than others."""
    from django.utils import timezone

    writer = make_user("writer")
    today = timezone.localdate()
    for number, title in enumerate(work_titles):
        work = make_work(writer, title=title)
        hits = [
            Hit(work=work, day=today - timedelta(days=day), reader=f"r{reader}")
            for day in range(30)
            for reader in range((day * 7 + number * 3) % 11 + (5 if day % 7 == 2 else 0))
        ]
        Hit.objects.bulk_create(hits)
        for day in range(0, 30, 2 + number):
            kudos = Kudos.objects.create(work=work, guest_key=f"g{number}-{day}")
            when = datetime.combine(today - timedelta(days=day), time(12), tzinfo=UTC)
            Kudos.objects.filter(pk=kudos.pk).update(created_at=when)
        # The counters the table shows move with the rows in the archive; here, set them.
        Work.objects.filter(pk=work.pk).update(
            hits=len(hits), kudos_count=Kudos.objects.filter(work=work).count()
        )


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_writer_sees_their_stats_chart(live_server: Any, page: Page) -> None:
    _readers_over_days(["Everything Back But You", "The Bridge"])
    page.set_viewport_size({"width": 1000, "height": 900})
    page.goto(live_server.url + "/users/login")
    page.get_by_label("User name").fill("writer")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.goto(live_server.url + "/users/writer/stats")

    chart = page.get_by_role("img", name="Hits and kudos per day: all your works")
    expect(chart).to_be_visible()
    bars = chart.locator("g.bars rect")
    expect(bars).to_have_count(30)
    box = bars.first.bounding_box()
    assert box is not None
    assert box["height"] > 0
    assert box["width"] > 0
    line = chart.locator("g.line polyline")
    assert len((line.get_attribute("points") or "").split()) == 30
    expect(chart.locator("g.line circle").first).to_be_visible()
    expect(page.get_by_role("row", name="Total")).to_be_visible()

    page.get_by_label("Work", exact=True).select_option(label="The Bridge")
    page.get_by_role("button", name="Show").click()
    expect(page.get_by_role("img", name="Hits and kudos per day: “The Bridge”")).to_be_visible()
    page.get_by_label("Work", exact=True).select_option(label="All works")
    page.get_by_role("button", name="Show").click()
    expect(chart).to_be_visible()

    SCREENSHOT.parent.mkdir(exist_ok=True)
    page.locator("main").screenshot(path=str(SCREENSHOT))
    assert SCREENSHOT.stat().st_size > 10_000
