"""The writer's stats page and the counts on blurbs and work pages."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from ficarchive.community.charts import daily_chart, tick_step
from ficarchive.community.models import Bookmark, Hit, Kudos, Subscription
from ficarchive.community.stats import writer_stats
from ficarchive.works.models import Work
from tests.cast import make_user, make_work
from tests.markup import runnable_markup

pytestmark = pytest.mark.django_db


def _figures(work: Work, **counts: int) -> Work:
    Work.objects.filter(pk=work.pk).update(**counts)
    work.refresh_from_db()
    return work


def _rows(page: str) -> list[str]:
    return re.findall(r'<tr id="stats-work-\d+"><th scope="row"><a [^>]*>([^<]+)</a>', page)


def _stats_page(client: Client, query: str = "") -> str:
    response = client.get(f"/users/writer/stats{query}")
    assert response.status_code == 200
    return response.content.decode()


@pytest.fixture
def writer(client: Client) -> Client:
    author = make_user("writer")
    popular = make_work(author, title="Popular")
    loved = make_work(author, title="Loved")
    make_work(author, title="A draft", posted=False)
    make_work(make_user("other"), title="Someone else's")
    _figures(popular, hits=50, kudos_count=2, comments_count=1, bookmarks_count=0)
    _figures(loved, hits=10, kudos_count=9, comments_count=4, bookmarks_count=3)
    for name in ["sub1", "sub2"]:
        Subscription.objects.create(user=make_user(name), work=loved)
    client.force_login(author)
    return client


def test_only_the_writer_sees_their_stats(client: Client) -> None:
    make_work(make_user("writer"))
    assert client.get("/users/writer/stats").status_code == 403
    client.force_login(make_user("stranger"))
    assert client.get("/users/writer/stats").status_code == 403
    assert client.get("/users/nobody/stats").status_code == 404


def test_the_table_lists_posted_works_with_their_figures_and_totals(writer: Client) -> None:
    page = _stats_page(writer)
    assert _rows(page) == ["Popular", "Loved"]  # most hits first
    assert "A draft" not in page
    assert "Someone else" not in page
    totals = re.search(r'<tr class="totals">(.*?)</tr>', page)
    assert totals
    assert re.findall(r"<td class=\"\w+\">(\d+)</td>", totals[1]) == ["60", "11", "5", "3", "2"]


@pytest.mark.parametrize(
    ("sort", "order"),
    [
        ("hits", ["Popular", "Loved"]),
        ("kudos", ["Loved", "Popular"]),
        ("comments", ["Loved", "Popular"]),
        ("bookmarks", ["Loved", "Popular"]),
        ("subscriptions", ["Loved", "Popular"]),
        ("title", ["Loved", "Popular"]),
    ],
)
def test_the_table_sorts_by_each_figure(writer: Client, sort: str, order: list[str]) -> None:
    assert _rows(_stats_page(writer, f"?sort={sort}")) == order


@pytest.mark.parametrize(
    ("query", "named"),
    [("?sort=shoe_size", "sort"), ("?period=7", "period"), ("?work=abc", "work")],
)
def test_a_bad_parameter_is_a_400_naming_it(writer: Client, query: str, named: str) -> None:
    response = writer.get(f"/users/writer/stats{query}")
    assert response.status_code == 400
    assert f"{named}: " in response.content.decode()


def test_another_writers_work_is_refused(writer: Client) -> None:
    theirs = Work.objects.get(title="Someone else's")
    response = writer.get(f"/users/writer/stats?work={theirs.pk}")
    assert response.status_code == 400
    assert "not one of your posted works" in response.content.decode()


def test_the_chart_is_an_accessible_svg_with_the_days_figures(writer: Client) -> None:
    work = Work.objects.get(title="Popular")
    today = timezone.localdate()
    for number in range(3):
        Hit.objects.create(work=work, day=today, reader=f"r{number}")
    Hit.objects.create(work=work, day=today - timedelta(days=2), reader="r0")
    Kudos.objects.create(work=work, guest_key="g1")
    page = _stats_page(writer, "?period=30")
    svg = re.search(r"<svg[^>]*>.*?</svg>", page, re.S)
    assert svg
    for part in ['role="img"', "<title", "<desc", "<polyline", ">Kudos</text>", ">Hits</text>"]:
        assert part in svg[0]
    assert svg[0].count("<rect x=") == 1 + 2  # the legend's swatch, two days with hits
    assert "4 hits and 1 kudos in all" in page
    day_row = f'<time datetime="{today:%Y-%m-%d}">'
    assert re.search(re.escape(day_row) + r"[^<]*</time></th><td>3</td><td>1</td>", page)
    assert runnable_markup(page) == ["<svg>"]  # the chart, and nothing in it runs


def test_a_hostile_title_stays_text_in_the_chart(writer: Client) -> None:
    work = Work.objects.get(title="Loved")
    Work.objects.filter(pk=work.pk).update(title='<script>alert(1)</script><svg onload="x()">')
    Hit.objects.create(work=work, day=timezone.localdate(), reader="r")
    page = _stats_page(writer, f"?work={work.pk}")
    assert runnable_markup(page) == ["<svg>"]
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_one_works_chart_counts_only_that_work(writer: Client) -> None:
    popular, loved = Work.objects.get(title="Popular"), Work.objects.get(title="Loved")
    today = timezone.localdate()
    Hit.objects.create(work=popular, day=today, reader="a")
    Hit.objects.create(work=loved, day=today, reader="a")
    Hit.objects.create(work=loved, day=today, reader="b")
    assert "2 hits and 0 kudos" in _stats_page(writer, f"?work={loved.pk}")
    assert "3 hits and 0 kudos" in _stats_page(writer)


def test_daily_figures_group_by_day_over_the_period() -> None:
    author = make_user("writer")
    work = make_work(author)
    today = date(2026, 3, 31)
    for days_ago, readers in [(0, 2), (29, 1), (30, 5)]:
        for number in range(readers):
            Hit.objects.create(work=work, day=today - timedelta(days=days_ago), reader=f"{number}")
    kudos = Kudos.objects.create(work=work, guest_key="g")
    noon = timezone.make_aware(datetime(2026, 3, 30, 12))
    Kudos.objects.filter(pk=kudos.pk).update(created_at=noon)
    stats = writer_stats(author, period="30", today=today)
    assert len(stats.days) == 30
    assert (stats.days[0].day, stats.days[0].hits) == (date(2026, 3, 2), 1)
    assert (stats.days[-1].hits, stats.days[-2].kudos) == (2, 1)
    assert stats.period_hits == 3  # the day before the period is left out


def test_the_stats_page_costs_the_same_queries_for_more_works_and_days(writer: Client) -> None:
    def queries() -> int:
        with CaptureQueriesContext(connection) as context:
            _stats_page(writer, "?period=365")
        return len(context.captured_queries)

    few = queries()
    author = Work.objects.get(title="Popular").creators[0].user
    today = timezone.localdate()
    for number in range(5):
        work = make_work(author, title=f"More {number}")
        Hit.objects.bulk_create(
            Hit(work=work, day=today - timedelta(days=day), reader="r") for day in range(40)
        )
        Kudos.objects.create(work=work, guest_key=f"g{number}")
    assert queries() == few


def test_chart_steps_are_round_numbers() -> None:
    assert [tick_step(peak) for peak in (0, 3, 4, 9, 41, 399, 1001)] == [1, 1, 1, 5, 20, 100, 500]
    chart = daily_chart([], "nothing")
    assert chart.bars == []
    assert chart.y_ticks[-1].label == "4"


def test_blurbs_and_work_pages_show_the_counts(client: Client) -> None:
    work = _figures(
        make_work(make_user("author"), title="Counted"),
        hits=7,
        kudos_count=3,
        comments_count=2,
        bookmarks_count=1,
    )
    for url in ["/works", work.get_absolute_url()]:
        page = client.get(url).content.decode()
        stats = re.sub(r"<[^>]+>", "", page)
        stats = re.sub(r"\s+", " ", stats)
        assert "Comments:2 Kudos:3 Bookmarks:1 Hits:" in stats
        assert f'href="/works/{work.pk}/bookmarks"' in page


def test_blurbs_hide_zero_counts_except_hits(client: Client) -> None:
    make_work(make_user("author"), title="Quiet")
    page = client.get("/works").content.decode()
    assert '<dt class="hits">Hits:</dt><dd class="hits">0</dd>' in page
    for label in ["Comments:", "Kudos:", "Bookmarks:"]:
        assert label not in page


def test_a_public_bookmark_count_links_to_the_works_bookmarks(client: Client) -> None:
    work = make_work(make_user("author"))
    Bookmark.objects.create(user=make_user("reader"), work=work)
    _figures(work, bookmarks_count=1)
    response = client.get(f"/works/{work.pk}/bookmarks")
    assert response.status_code == 200
