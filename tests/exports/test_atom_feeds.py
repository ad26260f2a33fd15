"""Atom feeds of a pseud's and a series' recent works, and where pages advertise them."""

from __future__ import annotations

import feedparser  # type: ignore[import-untyped]
import pytest
from django.test import Client

from ficarchive.works.series import SeriesData, edit_series
from tests.exports.library import get, make_library

pytestmark = pytest.mark.django_db


def test_a_pseuds_feed_lists_its_works_newest_first_with_summary_and_tags(
    client: Client,
) -> None:
    library = make_library()
    response = client.get("/users/coauthor/pseuds/coauthor/works.atom")
    assert response["Content-Type"] == "application/atom+xml; charset=utf-8"
    feed = feedparser.parse(response.content)
    assert not feed.bozo
    assert feed.feed.title == "Works by coauthor"
    assert feed.feed.link == "http://testserver/users/coauthor/pseuds/coauthor"
    assert [entry.title for entry in feed.entries] == ["帰り道", "Pemberley in Winter"]
    shared = feed.entries[1]
    assert shared.link == f"http://testserver/works/{library.shared.pk}"
    assert [author.name for author in shared.authors] == ["author", "coauthor"]
    assert shared.summary == "Two writers, one ballroom."
    assert {"Pride and Prejudice", "Elizabeth Bennet & Jane Bennet"} <= {
        tag.term for tag in shared.tags
    }
    content = shared.content[0].value
    assert "Two writers, one ballroom." in content
    assert 'href="http://testserver/tags/Pride%20and%20Prejudice/works"' in content


def test_a_pseud_with_another_name_gets_its_own_feed(client: Client) -> None:
    from ficarchive.accounts.models import Pseud
    from ficarchive.works.services import ChapterData, WorkData, create_work

    library = make_library()
    pen_name = Pseud.objects.create(user=library.author, name="Night Owl")
    create_work([pen_name], WorkData(title="Owl Work"), ChapterData(body="Hoot."), post=True)
    feed = feedparser.parse(get(client, "/users/author/pseuds/Night%20Owl/works.atom"))
    assert feed.feed.title == "Works by Night Owl (author)"
    assert [entry.title for entry in feed.entries] == ["Owl Work"]
    assert "Owl Work" not in get(client, "/users/author/pseuds/author/works.atom").decode()


def test_a_series_feed_lists_its_public_works(client: Client) -> None:
    library = make_library()
    feed = feedparser.parse(get(client, f"/series/{library.series.pk}/works.atom"))
    assert feed.feed.title == "Back Again"
    assert feed.feed.link == f"http://testserver/series/{library.series.pk}"
    assert [entry.title for entry in feed.entries] == ["The Runaways", "Everything Back But You"]
    assert "Series: Part 2 of" in feed.entries[0].content[0].value


def test_a_series_feed_shows_the_series_description(client: Client) -> None:
    library = make_library()
    data = SeriesData(title="Back Again", summary="Rory and Jess, <em>again</em>.")
    edit_series(library.author, library.series, data)
    raw = get(client, f"/series/{library.series.pk}/works.atom")
    feed = feedparser.parse(raw)
    assert not feed.bozo
    assert feed.feed.subtitle == "<p>Rory and Jess, <em>again</em>.</p>"
    # A series without a description has no subtitle.
    edit_series(library.author, library.series, SeriesData(title="Back Again"))
    assert b"<subtitle" not in get(client, f"/series/{library.series.pk}/works.atom")


def test_the_feeds_offer_no_downloads_or_facets(client: Client) -> None:
    make_library()
    page = get(client, "/users/author/pseuds/author/works.atom").decode()
    assert "opds-spec.org" not in page
    assert "opensearch" not in page


def test_unknown_pseuds_and_series_have_no_feed(client: Client) -> None:
    make_library()
    assert client.get("/users/author/pseuds/nobody/works.atom").status_code == 404
    assert client.get("/users/nobody/pseuds/nobody/works.atom").status_code == 404
    assert client.get("/series/999999/works.atom").status_code == 404


def test_pseud_and_series_pages_advertise_their_feeds(client: Client) -> None:
    library = make_library()
    pseud_page = get(client, "/users/author/pseuds/author").decode()
    head = pseud_page.split("</head>")[0]
    assert (
        '<link rel="alternate" type="application/atom+xml" title="Works by author" '
        'href="/users/author/pseuds/author/works.atom">'
    ) in head
    series_page = get(client, f"/series/{library.series.pk}").decode()
    head = series_page.split("</head>")[0]
    assert f'href="/series/{library.series.pk}/works.atom"' in head
    assert 'type="application/atom+xml"' in head


def test_every_page_links_to_the_opds_catalog(client: Client) -> None:
    page = get(client, "/").decode()
    footer = page.split('<footer id="footer">')[1]
    assert 'href="/opds/"' in footer
    assert 'href="/opds/v2/"' in footer
