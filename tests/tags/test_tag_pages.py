"""A tag's works page and Atom feed list works through the filter table, keep drafts and
restricted works private, and cost the same number of queries for 1 work as for 10."""

from __future__ import annotations

import feedparser  # type: ignore[import-untyped]
import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tests.cast import make_user, make_work
from tests.tags.wrangled import wrangle_gilmore_girls

pytestmark = pytest.mark.django_db

RELATIONSHIP_PAGE = "/tags/Rory Gilmore*s*Jess Mariano/works"


def _titles(client: Client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def test_a_work_tagged_literati_is_listed_under_the_relationship_and_the_fandom(
    client: Client,
) -> None:
    wrangle_gilmore_girls()
    make_work(title="Coffee At Luke's", relationships=["Literati"])
    assert "Coffee At Luke&#x27;s" in _titles(client, RELATIONSHIP_PAGE)
    assert "Coffee At Luke&#x27;s" in _titles(client, "/tags/Gilmore Girls/works")
    assert "Coffee At Luke&#x27;s" in _titles(client, "/tags/TV Shows/works")


def test_a_synonyms_page_redirects_to_its_canonical_tag(client: Client) -> None:
    wrangle_gilmore_girls()
    make_work(title="Coffee", relationships=["Literati"])
    response = client.get("/tags/Literati/works")
    assert response.status_code == 302
    assert response["Location"] == "/tags/Rory%20Gilmore*s*Jess%20Mariano/works"


def test_an_unwrangled_tag_still_lists_its_own_works(client: Client) -> None:
    make_work(title="Snow", freeforms=["Snow Day"])
    assert "Snow" in _titles(client, "/tags/Snow Day/works")


def test_restricted_works_are_shown_only_to_logged_in_readers(client: Client) -> None:
    wrangle_gilmore_girls()
    make_work(title="Members Only Story", relationships=["Literati"], restricted=True)
    assert "Members Only Story" not in _titles(client, "/tags/Gilmore Girls/works")
    client.force_login(make_user("reader"))
    assert "Members Only Story" in _titles(client, "/tags/Gilmore Girls/works")


def test_drafts_are_never_listed_even_to_their_author(client: Client) -> None:
    wrangle_gilmore_girls()
    author = make_user("author")
    make_work(author, title="Unfinished Draft Story", relationships=["Literati"], posted=False)
    client.force_login(author)
    page = _titles(client, "/tags/Gilmore Girls/works")
    assert "Unfinished Draft Story" not in page
    assert "0 Works" in page


def test_the_tag_feed_lists_public_works_found_under_the_tag(client: Client) -> None:
    wrangle_gilmore_girls()
    author = make_user("author")
    make_work(author, title="Coffee", relationships=["Literati"])
    make_work(author, title="Members Only Story", characters=["Jess"], restricted=True)
    make_work(author, title="Unfinished Draft Story", characters=["Rory"], posted=False)
    response = client.get("/tags/Gilmore Girls/feed.atom")
    assert response["Content-Type"] == "application/atom+xml; charset=utf-8"
    feed = feedparser.parse(response.content)
    assert not feed.bozo
    assert feed.feed.title == "Works in Gilmore Girls"
    assert [entry.title for entry in feed.entries] == ["Coffee"]


def test_a_logged_in_reader_gets_the_same_public_feed(client: Client) -> None:
    wrangle_gilmore_girls()
    make_work(title="Members Only Story", relationships=["Literati"], restricted=True)
    client.force_login(make_user("reader"))
    feed = feedparser.parse(client.get("/tags/Gilmore Girls/feed.atom").content)
    assert feed.entries == []


def test_a_synonyms_feed_redirects_and_an_unknown_tags_feed_is_missing(client: Client) -> None:
    wrangle_gilmore_girls()
    make_work(title="Coffee", relationships=["Literati"])
    response = client.get("/tags/Literati/feed.atom")
    assert response.status_code == 302
    assert response["Location"].endswith("/feed.atom")
    assert client.get("/tags/No Such Tag/feed.atom").status_code == 404


class TestHiddenTags:
    """Issue 14, finding 11: a tag used only on works hidden from the reader is as missing as
    a tag never made: page, feed and catalog list are 404, and a synonym does not redirect."""

    def _missing(self, client: Client, name: str) -> None:
        segment = name.replace("/", "*s*")
        for url in (
            f"/tags/{segment}/works",
            f"/tags/{segment}/feed.atom",
            f"/opds/tags/{segment}",
            f"/opds/v2/tags/{segment}",
        ):
            assert client.get(url).status_code == 404, url

    def test_a_tag_only_on_someone_elses_draft_is_missing_for_everyone_else(
        self, client: Client
    ) -> None:
        writer = make_user("writer")
        make_work(writer, title="Secret", posted=False, freeforms=["Hush Hush"])
        self._missing(client, "Hush Hush")
        self._missing(client, "No Such Tag")
        client.force_login(make_user("reader"))
        self._missing(client, "Hush Hush")
        client.force_login(writer)  # its writer knows it; the page lists no draft
        assert "0 Works" in _titles(client, "/tags/Hush Hush/works")

    def test_a_tag_only_on_restricted_works_is_missing_for_logged_out_readers(
        self, client: Client
    ) -> None:
        make_work(title="Members", restricted=True, freeforms=["Members Trope"])
        self._missing(client, "Members Trope")
        client.force_login(make_user("reader"))
        assert "Members" in _titles(client, "/tags/Members Trope/works")
        assert client.get("/opds/tags/Members Trope").status_code == 200
        # The feed is what a logged-out reader finds, whoever fetches it.
        assert client.get("/tags/Members Trope/feed.atom").status_code == 404

    def test_a_synonym_used_only_on_a_draft_does_not_redirect(self, client: Client) -> None:
        wrangle_gilmore_girls()
        make_work(title="Unfinished", relationships=["Literati"], posted=False)
        self._missing(client, "Literati")
        # The canonical tag is the archive's own: it stays, with no work listed.
        assert "0 Works" in _titles(client, "/tags/Rory Gilmore*s*Jess Mariano/works")

    def test_a_tag_left_by_a_deleted_draft_is_missing(self, client: Client) -> None:
        from ficarchive.works.services import delete_work

        delete_work(make_work(title="Gone", posted=False, fandoms=["Secret Fandom"]))
        self._missing(client, "Secret Fandom")


def _queries(client: Client, url: str) -> int:
    cache.clear()
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
    assert response.status_code == 200
    return len(context.captured_queries)


def _add_works(count: int, prefix: str) -> None:
    for number in range(count):
        make_work(
            make_user(f"{prefix}{number}"),
            title=f"Work {number}",
            relationships=["Literati"],
            characters=["Rory", "Jess"],
            new_series_title=f"Series {number}",
        )


@pytest.mark.parametrize("url", [RELATIONSHIP_PAGE, "/tags/Gilmore Girls/feed.atom"])
def test_the_tag_page_does_not_query_per_work(client: Client, url: str) -> None:
    wrangle_gilmore_girls()
    _add_works(1, "one")
    few = _queries(client, url)
    _add_works(9, "nine")
    assert _queries(client, url) == few
