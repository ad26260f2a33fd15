"""A series' page, its edit page and a user's series (issue 19): description, notes and the
*complete* flag kept by the series' creators; words and dates counted over the parts the reader
may see, so a draft or a restricted part never shows through them."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from ficarchive.works.models import Series, Work
from tests.cast import make_user, make_work

pytestmark = pytest.mark.django_db


class Saga:
    """One series: an open part, a restricted part, a draft part."""

    def __init__(self) -> None:
        self.author = make_user("author")
        self.open = make_work(self.author, title="Opening", new_series_title="Saga")
        self.series = Series.objects.get()
        self.locked = make_work(
            self.author,
            title="Members Part",
            restricted=True,
            series_id=self.series.pk,
            body="Only members read these seven words here.",
        )
        self.draft = make_work(
            self.author,
            title="Draft Part",
            posted=False,
            series_id=self.series.pk,
            body="A draft of many words " * 50,
        )
        self._date(self.open, "2024-01-02", "2024-01-03")
        self._date(self.locked, "2025-05-06", "2025-05-07")
        self._date(self.draft, "2023-01-01", "2026-09-09")

    @staticmethod
    def _date(work: Work, published: str, updated: str) -> None:
        Work.objects.filter(pk=work.pk).update(
            published_at=datetime.fromisoformat(published).replace(tzinfo=UTC),
            updated_at=datetime.fromisoformat(updated).replace(tzinfo=UTC),
        )
        work.refresh_from_db()

    @property
    def edit_url(self) -> str:
        return reverse("works:series_edit", args=[self.series.pk])


def _edit(client: Client, saga: Saga, **overrides: object) -> Any:
    form: dict[str, object] = {
        "title": "The Saga",
        "summary": "A <em>long</em> road.<script>alert(1)</script>",
        "notes": '<p onclick="x()">Thanks to my beta.</p>',
        "complete": "on",
    }
    form.update(overrides)
    return client.post(saga.edit_url, form)


def test_a_creator_edits_the_series_and_its_page_shows_it_sanitized(client: Client) -> None:
    saga = Saga()
    client.force_login(saga.author)
    form = client.get(saga.edit_url).content.decode()
    assert 'value="Saga"' in form
    response = _edit(client, saga)
    assert response.status_code == 302
    series = Series.objects.get()
    assert series.title == "The Saga"
    assert series.complete
    assert "<script" not in series.summary
    assert "<em>long</em>" in series.summary
    assert "onclick" not in series.notes
    assert "Thanks to my beta." in series.notes
    page = client.get(series.get_absolute_url()).content.decode()
    assert "<em>long</em> road." in page
    assert "Thanks to my beta." in page
    assert "<dt>Complete:</dt><dd>Yes</dd>" in page
    assert "alert(1)" not in page


def test_renaming_a_series_moves_its_parts_on(client: Client) -> None:
    saga = Saga()
    client.force_login(saga.author)
    before = saga.open.revision
    _edit(client, saga)
    saga.open.refresh_from_db()
    assert saga.open.revision == before + 1
    page = client.get(saga.open.get_absolute_url()).content.decode()
    assert "The Saga" in page


def test_an_empty_title_is_an_error_at_the_field(client: Client) -> None:
    saga = Saga()
    client.force_login(saga.author)
    response = _edit(client, saga, title="   ")
    assert response.status_code == 200
    page = response.content.decode()
    assert 'class="field invalid" id="field-title"' in page
    assert Series.objects.get().title == "Saga"


def test_only_the_creators_may_edit_a_series(client: Client) -> None:
    saga = Saga()
    assert client.get(saga.edit_url).status_code == 302  # to the log-in page
    client.force_login(make_user("reader"))
    assert client.get(saga.edit_url).status_code == 403
    assert _edit(client, saga).status_code == 403
    assert Series.objects.get().title == "Saga"
    hidden = Series.objects.create(title="Drafts only")
    hidden.pseuds.add(saga.author.pseuds.get())
    make_work(saga.author, title="Unposted", posted=False, series_id=hidden.pk)
    url = reverse("works:series_edit", args=[hidden.pk])
    assert client.get(url).status_code == 404


def test_the_edit_link_shows_only_to_creators(client: Client) -> None:
    saga = Saga()
    url = saga.series.get_absolute_url()
    assert saga.edit_url not in client.get(url).content.decode()
    client.force_login(make_user("reader"))
    assert saga.edit_url not in client.get(url).content.decode()
    client.force_login(saga.author)
    assert saga.edit_url in client.get(url).content.decode()


def _stats(page: str) -> tuple[str, str, str]:
    def after(label: str) -> str:
        start = page.index(f"<dt>{label}:</dt>")
        rest = page[start:].split("<dd>", 1)[1]
        return rest.split("</dd>", 1)[0]

    words = after("Words")
    begun = after("Series Begun").split(">")[1].split("<")[0]
    updated = after("Series Updated").split(">")[1].split("<")[0]
    return words, begun, updated


def test_words_and_dates_count_only_the_parts_the_reader_may_see(client: Client) -> None:
    saga = Saga()
    url = saga.series.get_absolute_url()
    public = saga.open.word_count
    assert _stats(client.get(url).content.decode()) == (str(public), "2024-01-02", "2024-01-03")
    client.force_login(make_user("reader"))
    members = public + saga.locked.word_count
    assert _stats(client.get(url).content.decode()) == (str(members), "2024-01-02", "2025-05-07")
    # The creator's own draft is not a part readers see: it is not counted for them either.
    client.force_login(saga.author)
    assert _stats(client.get(url).content.decode()) == (str(members), "2024-01-02", "2025-05-07")


def test_the_user_page_lists_the_users_series(client: Client) -> None:
    saga = Saga()
    Series.objects.filter(pk=saga.series.pk).update(complete=True)
    user_page = client.get(reverse("accounts:user", args=["author"])).content.decode()
    listing_url = reverse("works:user_series", args=["author"])
    assert listing_url in user_page
    listing = client.get(listing_url).content.decode()
    entry = listing[listing.index(f'id="series_{saga.series.pk}"') :]
    assert "Saga" in entry
    assert "<dt>Works:</dt><dd>1</dd>" in entry  # the restricted and draft parts are not shown
    assert "<dt>Complete:</dt><dd>Yes</dd>" in entry
    client.force_login(make_user("reader"))
    assert "<dt>Works:</dt><dd>2</dd>" in client.get(listing_url).content.decode()


def test_a_series_of_drafts_is_listed_only_for_its_creator(client: Client) -> None:
    author = make_user("author")
    make_work(author, title="Unposted", posted=False, new_series_title="Secret Saga")
    listing_url = reverse("works:user_series", args=["author"])
    assert "Secret Saga" not in client.get(listing_url).content.decode()
    client.force_login(author)
    assert "Secret Saga" in client.get(listing_url).content.decode()


def test_the_users_series_list_does_not_query_per_series(client: Client) -> None:
    author = make_user("author")
    make_work(author, title="One", new_series_title="First Saga")
    listing_url = reverse("works:user_series", args=["author"])
    with CaptureQueriesContext(connection) as few:
        client.get(listing_url)
    for number in range(4):
        make_work(author, title=f"Part {number}", new_series_title=f"Saga {number}")
    with CaptureQueriesContext(connection) as many:
        page = client.get(listing_url).content.decode()
    assert page.count('class="series blurb group"') == 5
    assert len(many) == len(few)
