"""Series parts are numbered 1..n among the parts a reader may see (issue 14, finding 11): a
logged-out reader of a series whose part 2 is restricted, or a draft, must not read "Part 1,
Part 3" anywhere a part number shows, or learn that a hidden part exists."""

from __future__ import annotations

import re
import zipfile
from io import BytesIO

import pytest
from django.test import Client
from django.urls import reverse

from ficarchive.accounts.services import default_pseud
from ficarchive.exports.formats import file_name
from ficarchive.works.models import Series, Work
from ficarchive.works.services import WorkData, delete_work, post_work, update_work
from tests.cast import make_user, make_work
from tests.markup import body

pytestmark = pytest.mark.django_db


class Saga:
    """Four works in one series: open, restricted, draft, open."""

    def __init__(self) -> None:
        self.author = make_user("author")
        self.first = make_work(self.author, title="Opening", new_series_title="Saga")
        self.series = Series.objects.get()
        saga = self.series.pk
        self.locked = make_work(self.author, title="Members Part", restricted=True, series_id=saga)
        self.draft = make_work(self.author, title="Draft Part", posted=False, series_id=saga)
        self.last = make_work(self.author, title="Finale", series_id=saga)

    def refresh(self) -> None:
        for work in (self.first, self.locked, self.draft, self.last):
            work.refresh_from_db()


def _parts(html: str) -> list[str]:
    """Every "Part N" the page says, in order (blurbs bold the number)."""
    text = re.sub(r"<[^>]+>", "", html)
    return re.findall(r"Part (\d+) of", text)


def _download(client: Client, work: Work, extension: str) -> bytes:
    response = client.get(
        reverse("exports:download", args=[work.pk, file_name(work.title), extension])
    )
    assert response.status_code == 200
    return body(response)


def test_a_logged_out_reader_sees_the_parts_numbered_one_and_two(client: Client) -> None:
    saga = Saga()
    series_page = client.get(saga.series.get_absolute_url()).content.decode()
    assert _parts(series_page) == ["1", "2"]
    assert "Members Part" not in series_page
    assert _parts(client.get(saga.last.get_absolute_url()).content.decode()) == ["2"]
    assert _parts(client.get("/works").content.decode()) == ["2", "1"]  # newest first
    user_page = reverse("accounts:user", args=["author"])
    assert _parts(client.get(user_page).content.decode()) == ["2", "1"]


def test_a_logged_in_reader_counts_the_restricted_part_but_never_the_draft(
    client: Client,
) -> None:
    saga = Saga()
    client.force_login(make_user("reader"))
    assert _parts(client.get(saga.series.get_absolute_url()).content.decode()) == ["1", "2", "3"]
    assert _parts(client.get(saga.last.get_absolute_url()).content.decode()) == ["3"]
    assert _parts(client.get("/works").content.decode()) == ["3", "2", "1"]


def test_the_blurb_cache_keeps_each_audiences_numbers_apart(client: Client) -> None:
    Saga()
    assert _parts(client.get("/works").content.decode()) == ["2", "1"]
    client.force_login(make_user("reader"))
    assert _parts(client.get("/works").content.decode()) == ["3", "2", "1"]
    client.logout()
    assert "Part 3" not in client.get("/works").content.decode()


def test_downloads_number_the_parts_their_readers_see(client: Client) -> None:
    saga = Saga()
    assert _parts(_download(client, saga.last, "html").decode()) == ["2"]
    assert "part: 2" in _download(client, saga.last, "md").decode()
    epub = zipfile.ZipFile(BytesIO(_download(client, saga.last, "epub")))
    package = next(epub.read(n).decode() for n in epub.namelist() if n.endswith(".opf"))
    assert 'property="group-position">2<' in package
    assert 'name="calibre:series_index" content="2"' in package
    # A restricted work is downloaded by logged-in readers only: it counts as they do.
    client.force_login(make_user("reader"))
    assert _parts(_download(client, saga.locked, "html").decode()) == ["2"]


def test_feeds_and_catalogs_number_the_parts_their_readers_see(client: Client) -> None:
    saga = Saga()
    atom = client.get(reverse("exports:series_feed", args=[saga.series.pk])).content.decode()
    assert "Part 2 of" in atom
    assert "Part 3" not in atom
    opds = client.get(f"/opds/series/{saga.series.pk}").content.decode()
    assert "Part 2 of" in opds
    assert "Part 3" not in opds
    opds2 = client.get(f"/opds/v2/series/{saga.series.pk}").json()
    positions = [p["metadata"]["belongsTo"]["series"][0]["position"] for p in opds2["publications"]]
    assert sorted(positions) == [1, 2]


def test_posting_the_draft_renumbers_the_later_parts_everywhere(client: Client) -> None:
    saga = Saga()
    assert _parts(client.get(saga.last.get_absolute_url()).content.decode()) == ["2"]
    assert _parts(_download(client, saga.last, "html").decode()) == ["2"]
    assert _parts(client.get("/works").content.decode()) == ["2", "1"]
    post_work(saga.draft)
    saga.refresh()
    # The anonymous page cache, the blurb cache and the download file all moved on.
    assert _parts(client.get(saga.last.get_absolute_url()).content.decode()) == ["3"]
    assert _parts(_download(client, saga.last, "html").decode()) == ["3"]
    assert _parts(client.get("/works").content.decode()) == ["2", "3", "1"]


def test_restricting_or_deleting_a_part_renumbers_the_others(client: Client) -> None:
    saga = Saga()
    assert _parts(client.get(saga.last.get_absolute_url()).content.decode()) == ["2"]
    data = WorkData(title="Members Part", rating="General Audiences", restricted=False)
    update_work(saga.locked, data, default_pseud(saga.author))
    saga.last.refresh_from_db()
    assert _parts(client.get(saga.last.get_absolute_url()).content.decode()) == ["3"]
    delete_work(saga.first)
    saga.last.refresh_from_db()
    assert _parts(client.get(saga.last.get_absolute_url()).content.decode()) == ["2"]
    assert _parts(_download(client, saga.last, "html").decode()) == ["2"]
