"""Counts readers see are grouped with commas, as AO3 shows them (154,920), in every template
and whatever language the reader's browser asks for."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from django.template import Context, Template
from django.test import Client
from django.urls import reverse

from ficarchive.community.charts import daily_chart
from ficarchive.community.stats import DayFigures
from ficarchive.exports.catalog import entry_html
from ficarchive.exports.formats import file_name
from ficarchive.works.models import Series, Work
from tests.cast import make_user, make_work


def _text(page: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", page))


def test_intcomma_groups_thousands_in_any_template_without_a_load() -> None:
    rendered = Template("{{ words|intcomma }} {{ hits|intcomma }} {{ few|intcomma }}").render(
        Context({"words": 154920, "hits": 1234567, "few": 999})
    )
    assert rendered == "154,920 1,234,567 999"


def test_the_chapters_label_groups_thousands() -> None:
    assert Work(chapter_count=1024, expected_chapters=None).chapters_label == "1,024/?"
    assert Work(chapter_count=12, expected_chapters=2000).chapters_label == "12/2,000"
    assert Work(chapter_count=1500, complete=True).chapters_label == "1,500/1,500"


def test_the_stats_chart_groups_thousands_in_its_labels() -> None:
    start = date(2026, 1, 1)
    days = [DayFigures(start + timedelta(days=n), 12000 + n, 1500) for n in range(3)]
    chart = daily_chart(days, "all works")
    assert "36,003 hits and 4,500 kudos in all" in chart.description
    assert chart.y_ticks[-1].label == "20,000"
    assert chart.bars[0].label == "Jan 1: 12,000 hits"


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["en", "de", "fr-CH"])
def test_blurbs_and_work_pages_group_counts_whatever_the_browsers_language(
    client: Client, language: str
) -> None:
    work = make_work(make_user("author"), title="Long")
    counts = {"kudos_count": 2500, "comments_count": 1001, "bookmarks_count": 10000}
    Work.objects.filter(pk=work.pk).update(word_count=154920, hits=1234567, **counts)
    for url in ["/works", work.get_absolute_url()]:
        stats = _text(client.get(url, HTTP_ACCEPT_LANGUAGE=language).content.decode())
        assert "Words:154,920" in stats
        assert "Comments:1,001 Kudos:2,500 Bookmarks:10,000 Hits:1,234,56" in stats


@pytest.mark.django_db
def test_the_series_page_shows_its_words_grouped(client: Client) -> None:
    author = make_user("author")
    work = make_work(author, new_series_title="Tides")
    Work.objects.filter(pk=work.pk).update(word_count=154920)
    series = Series.objects.get(serial_works__work=work)
    stats = _text(client.get(series.get_absolute_url()).content.decode())
    assert "Words:154,920 Works:1" in stats


@pytest.mark.django_db
def test_downloads_and_feeds_group_the_word_count_as_ao3s_do(client: Client) -> None:
    work = make_work(make_user("writer"), title="Long One", body="word " * 1400)
    assert work.word_count == 1400
    download = reverse("exports:download", args=[work.pk, file_name(work.title), "html"])
    response = client.get(download)
    assert response.status_code == 200
    assert "Words: 1,400" in _text(b"".join(response).decode())
    assert "Words: 1,400" in entry_html(work, "http://testserver")
