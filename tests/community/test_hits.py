"""Hits: once per reader per day, through the page cache too; never the creators' own visits,
drafts, or the "are you an adult?" page."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.cache import cache
from django.test import Client

from ficarchive.community import hits
from ficarchive.community.models import Hit
from ficarchive.works.models import Work
from tests.cast import make_user, make_work

pytestmark = pytest.mark.django_db


def _hits(work: Work) -> int:
    work.refresh_from_db()
    assert work.hits == Hit.objects.filter(work=work).count()
    return work.hits


def _on(monkeypatch: pytest.MonkeyPatch, day: date) -> None:
    monkeypatch.setattr(hits, "today", lambda: day)


def test_a_reader_counts_once_a_day(client: Client, monkeypatch: pytest.MonkeyPatch) -> None:
    work = make_work(make_user("author"))
    client.force_login(make_user("reader"))
    _on(monkeypatch, date(2026, 3, 1))
    client.get(work.get_absolute_url())
    cache.clear()  # another server process: only the database's constraint knows
    client.get(work.get_absolute_url())
    assert _hits(work) == 1
    _on(monkeypatch, date(2026, 3, 2))
    client.get(work.get_absolute_url())
    assert _hits(work) == 2


def test_every_chapter_of_a_work_counts_as_one_visit(client: Client) -> None:
    work = make_work(make_user("author"), chapters=3)
    client.force_login(make_user("reader"))
    for chapter in work.chapters.all():
        client.get(chapter.get_absolute_url())
    client.get(work.get_absolute_url() + "?view_full_work=true")
    assert _hits(work) == 1


def test_two_readers_count_two(client: Client) -> None:
    work = make_work(make_user("author"))
    client.force_login(make_user("reader"))
    client.get(work.get_absolute_url())
    Client().get(work.get_absolute_url())
    assert _hits(work) == 2
    assert Hit.objects.filter(reader=str(client.session["_auth_user_id"])).count() == 1


def test_guests_count_when_the_page_cache_answers(monkeypatch: pytest.MonkeyPatch) -> None:
    work = make_work(make_user("author"))
    _on(monkeypatch, date(2026, 3, 1))
    Client(REMOTE_ADDR="203.0.113.1").get(work.get_absolute_url())  # renders, then caches
    Client(REMOTE_ADDR="203.0.113.2").get(work.get_absolute_url())  # from the cache
    Client(REMOTE_ADDR="203.0.113.2").get(work.get_absolute_url())  # same guest, same day
    assert _hits(work) == 2
    _on(monkeypatch, date(2026, 3, 2))
    Client(REMOTE_ADDR="203.0.113.2").get(work.get_absolute_url())
    assert _hits(work) == 3


def test_a_guests_hit_does_not_store_their_address() -> None:
    work = make_work(make_user("author"))
    Client(REMOTE_ADDR="203.0.113.77").get(work.get_absolute_url())
    reader = Hit.objects.get(work=work).reader
    assert "203.0.113.77" not in reader
    assert len(reader) == 64


def test_creators_do_not_count(client: Client) -> None:
    author, coauthor = make_user("author"), make_user("coauthor")
    work = make_work(author, coauthor, chapters=2)
    for user in (author, coauthor):
        client.force_login(user)
        client.get(work.get_absolute_url())
        client.get(work.chapters.order_by("position")[1].get_absolute_url())
    assert _hits(work) == 0


def test_drafts_do_not_count(client: Client) -> None:
    author = make_user("author")
    work = make_work(author, posted=False)
    client.force_login(author)
    assert client.get(work.get_absolute_url()).status_code == 200
    client.force_login(make_user("reader"))
    assert client.get(work.get_absolute_url()).status_code == 404
    assert _hits(work) == 0


def test_the_adult_question_does_not_count_even_from_the_cache() -> None:
    work = make_work(make_user("author"), rating="Explicit")
    for address in ("203.0.113.1", "203.0.113.2"):
        page = Client(REMOTE_ADDR=address).get(work.get_absolute_url())
        assert b"view_adult=true" in page.content
    assert _hits(work) == 0
    Client(REMOTE_ADDR="203.0.113.3").get(work.get_absolute_url() + "?view_adult=true")
    assert _hits(work) == 1


def test_counting_a_hit_does_not_touch_the_works_edit_time(client: Client) -> None:
    work = make_work(make_user("author"))
    before = work.edited_at
    client.get(work.get_absolute_url())
    work.refresh_from_db()
    assert work.hits == 1
    assert work.edited_at == before
