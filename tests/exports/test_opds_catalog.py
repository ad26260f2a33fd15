"""What the OPDS catalog shows: its sections, counts, order, facets, pagination and search."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote

import feedparser  # type: ignore[import-untyped]
import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from lxml import etree

from ficarchive.works.models import Series
from tests.cast import make_user, make_work
from tests.exports.library import get, make_library

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"
OPDS = "{http://opds-spec.org/2010/catalog}"
FACET = "http://opds-spec.org/facet"
NAVIGATION = "application/atom+xml;profile=opds-catalog;kind=navigation"
ACQUISITION_FEED = "application/atom+xml;profile=opds-catalog;kind=acquisition"


def _titles(client: Client, url: str) -> list[str]:
    return [entry.title for entry in feedparser.parse(get(client, url)).entries]


def _links(client: Client, url: str) -> dict[str, str]:
    return {link.rel: link.href for link in feedparser.parse(get(client, url)).feed.links}


def _v2(client: Client, url: str) -> Any:
    return json.loads(get(client, url))


def _v2_titles(feed: Any) -> list[str]:
    return [publication["metadata"]["title"] for publication in feed.get("publications", [])]


def _facets(client: Client, url: str) -> list[Any]:
    tree = etree.fromstring(get(client, url))
    return [link for link in tree.iterfind(f"{ATOM}link") if link.get("rel") == FACET]


# -- structure -----------------------------------------------------------------------------


def test_the_root_leads_to_recent_works_fandoms_tags_series_and_search(client: Client) -> None:
    make_library()
    response = client.get("/opds/")
    assert response["Content-Type"] == NAVIGATION
    root = feedparser.parse(response.content)
    entries = {entry.title: entry.links[0] for entry in root.entries}
    assert entries["Recently updated"].href == "http://testserver/opds/recent"
    assert entries["Recently updated"].type == ACQUISITION_FEED
    assert entries["Fandoms"].type == NAVIGATION
    assert entries["Popular tags"].href == "http://testserver/opds/top-tags"
    assert entries["Series"].href == "http://testserver/opds/series"
    links = _links(client, "/opds/")
    assert links["search"] == "http://testserver/opds/opensearch.xml"
    assert "up" not in links


@pytest.mark.parametrize(
    "url",
    ["/opds/recent", "/opds/fandoms", "/opds/top-tags", "/opds/series", "/opds/search?query=a"],
)
def test_every_feed_has_id_title_updated_author_self_start_and_up(client: Client, url: str) -> None:
    make_library()
    tree = etree.fromstring(get(client, url))
    for child in ("id", "title", "updated", "author"):
        assert tree.find(f"{ATOM}{child}") is not None, child
    rels = {link.get("rel") for link in tree.iterfind(f"{ATOM}link")}
    assert {"self", "start", "up", "search"} <= rels


def test_the_opensearch_description_leads_to_the_search_feed(client: Client) -> None:
    make_library()
    response = client.get("/opds/opensearch.xml")
    assert response["Content-Type"] == "application/opensearchdescription+xml"
    tree = etree.fromstring(response.content)
    url = tree.find("{http://a9.com/-/spec/opensearch/1.1/}Url")
    assert url is not None
    assert url.get("type") == ACQUISITION_FEED
    template = url.get("template", "")
    assert "{searchTerms}" in template
    found = template.replace("{searchTerms}", "runaways").removeprefix("http://testserver")
    assert _titles(client, found) == ["The Runaways"]


def test_the_opds2_root_has_navigation_and_a_templated_search(client: Client) -> None:
    make_library()
    root = _v2(client, "/opds/v2/")
    assert [item["title"] for item in root["navigation"]] == [
        "Recently updated",
        "Fandoms",
        "Popular tags",
        "Series",
    ]
    search = next(link for link in root["links"] if link["rel"] == "search")
    assert search["templated"] is True
    assert search["href"] == "http://testserver/opds/v2/search{?query}"
    found = _v2(client, "/opds/v2/search?query=runaways")
    assert _v2_titles(found) == ["The Runaways"]


# -- what each feed lists ------------------------------------------------------------------


def test_recent_works_come_newest_update_first(client: Client) -> None:
    library = make_library()
    from ficarchive.works.services import ChapterData, add_chapter

    add_chapter(library.founding, ChapterData(body="A new chapter."))
    titles = _titles(client, "/opds/recent")
    assert titles[0] == library.founding.title
    assert sorted(titles) == sorted(work.title for work in library.public)


def test_fandoms_are_listed_with_counts_leading_to_their_works(client: Client) -> None:
    make_library()
    fandoms = feedparser.parse(get(client, "/opds/fandoms"))
    counts = {entry.title: entry.content[0].value for entry in fandoms.entries}
    # The restricted work and the draft are not counted for a logged-out reader.
    assert counts == {
        "Gilmore Girls": "2 works",
        "Original Work": "1 work",
        "Pride and Prejudice": "1 work",
    }
    gilmore = next(entry for entry in fandoms.entries if entry.title == "Gilmore Girls")
    assert gilmore.links[0].href == "http://testserver/opds/tags/Gilmore%20Girls"
    assert gilmore.links[0].type == ACQUISITION_FEED
    assert sorted(_titles(client, "/opds/tags/Gilmore%20Girls")) == [
        "Everything Back But You",
        "The Runaways",
    ]
    assert _links(client, "/opds/tags/Gilmore%20Girls")["up"].endswith("/opds/fandoms")


def test_popular_tags_are_the_most_used_relationships_characters_and_freeforms(
    client: Client,
) -> None:
    make_library()
    titles = _titles(client, "/opds/top-tags")
    assert titles[:2] == ["Reunions", "Rory Gilmore/Jess Mariano"]
    assert "Gilmore Girls" not in titles  # a fandom
    assert "Explicit" not in titles  # a rating
    relationship = quote("Rory Gilmore*s*Jess Mariano")
    assert sorted(_titles(client, f"/opds/tags/{relationship}")) == [
        "Everything Back But You",
        "The Runaways",
    ]


def test_series_are_listed_and_their_works_come_in_series_order(client: Client) -> None:
    library = make_library()
    series = feedparser.parse(get(client, "/opds/series"))
    assert [entry.title for entry in series.entries] == ["Back Again"]
    assert series.entries[0].content[0].value == "2 works"
    url = f"/opds/series/{library.series.pk}"
    assert _titles(client, url) == ["Everything Back But You", "The Runaways"]
    from ficarchive.works.services import ChapterData, add_chapter

    add_chapter(library.founding, ChapterData(body="Newer."))  # newer, but still part 1
    assert _titles(client, url) == ["Everything Back But You", "The Runaways"]
    assert _v2_titles(_v2(client, f"/opds/v2/series/{library.series.pk}")) == [
        "Everything Back But You",
        "The Runaways",
    ]


def test_entries_link_to_their_series(client: Client) -> None:
    library = make_library()
    recent = feedparser.parse(get(client, "/opds/recent"))
    sequel = next(entry for entry in recent.entries if entry.title == "The Runaways")
    related = [link for link in sequel.links if link.rel == "related"]
    assert related[0].title == "Part 2 of Back Again"
    assert related[0].href == f"http://testserver/opds/series/{library.series.pk}"
    feed = _v2(client, "/opds/v2/recent")
    publication = next(p for p in feed["publications"] if p["metadata"]["title"] == "The Runaways")
    series = publication["metadata"]["belongsTo"]["series"][0]
    assert (series["name"], series["position"]) == ("Back Again", 2)


def test_entries_offer_every_ready_download_format_epub_first(client: Client) -> None:
    from ficarchive.exports.formats import export_formats

    library = make_library()
    recent = feedparser.parse(get(client, "/opds/recent"))
    entry = next(entry for entry in recent.entries if entry.title == library.founding.title)
    assert entry.links[0].rel == "alternate"
    assert entry.links[0].href == f"http://testserver/works/{library.founding.pk}"
    acquisitions = [link for link in entry.links if link.rel == "http://opds-spec.org/acquisition"]
    assert acquisitions[0].type == "application/epub+zip"
    # calibre's formats are made by a background job, so they are offered once made.
    ready = {f.media_type for f in export_formats() if not f.slow}
    assert {link.type for link in acquisitions} == ready
    assert all("/Everything_Back_But_You." in link.href for link in acquisitions)


def test_a_format_still_to_be_made_is_offered_once_its_file_exists(
    client: Client, settings: Any
) -> None:
    from ficarchive.jobs.services import work_off

    settings.EXPORT_INLINE_WORDS = 3  # every work here is "big": its files come from a job
    work = make_work(make_user("author"), title="Long Enough", body="Five words of story here.")

    def epub_links() -> list[str]:
        entry = feedparser.parse(get(client, "/opds/recent")).entries[0]
        return [link.href for link in entry.links if link.type == "application/epub+zip"]

    assert epub_links() == [], "an app cannot wait on a 'being prepared' page"
    url = f"/downloads/{work.pk}/Long_Enough.epub"
    assert client.get(url).status_code == 202
    work_off()
    assert epub_links() == [f"http://testserver{url}"]


def test_the_summary_is_plain_text_and_the_content_sanitized_html(client: Client) -> None:
    make_work(
        make_user("author"),
        title="Tricky",
        summary='<em>Bold</em> move<script>alert("x")</script>',
        text_format="html",
    )
    tree = etree.fromstring(get(client, "/opds/recent"))
    entry = tree.find(f"{ATOM}entry")
    assert entry is not None
    assert entry.findtext(f"{ATOM}summary") == "Bold move"
    content = entry.findtext(f"{ATOM}content") or ""
    assert "<em>Bold</em>" in content
    assert "script" not in content


# -- facets --------------------------------------------------------------------------------


def test_the_rating_facet_filters_and_marks_itself_active(client: Client) -> None:
    make_library()
    assert _titles(client, "/opds/recent?rating=explicit") == ["Pemberley in Winter"]
    active = _facets(client, "/opds/recent?rating=explicit")
    marked = {
        link.get(f"{OPDS}facetGroup"): link.get("title")
        for link in active
        if link.get(f"{OPDS}activeFacet") == "true"
    }
    assert marked == {"Rating": "Explicit", "Status": "Complete and in progress"}


def test_the_status_facet_filters_complete_and_in_progress_works(client: Client) -> None:
    make_library()
    assert sorted(_titles(client, "/opds/recent?status=complete")) == [
        "Everything Back But You",
        "Pemberley in Winter",
    ]
    assert sorted(_titles(client, "/opds/recent?status=in-progress")) == ["The Runaways", "帰り道"]


def test_facets_combine_with_each_other_with_tags_and_with_search(client: Client) -> None:
    make_library()
    assert _titles(client, "/opds/recent?rating=teen&status=complete") == [
        "Everything Back But You"
    ]
    assert _titles(client, "/opds/tags/Gilmore%20Girls?status=in-progress") == ["The Runaways"]
    assert _titles(client, "/opds/search?query=reunions&rating=general") == [
        "帰り道",
        "The Runaways",
    ]
    # Each facet link keeps the search and the other facet, and goes back to page 1.
    links = _facets(client, "/opds/search?query=reunions&rating=general&page=1")
    complete = next(link for link in links if link.get("title") == "Complete")
    assert complete.get("href") == (
        "http://testserver/opds/search?query=reunions&rating=general&status=complete"
    )


def test_opds2_facets_are_grouped_with_the_active_one_as_self(client: Client) -> None:
    make_library()
    feed = _v2(client, "/opds/v2/recent?rating=explicit")
    assert _v2_titles(feed) == ["Pemberley in Winter"]
    groups = {group["metadata"]["title"]: group["links"] for group in feed["facets"]}
    assert set(groups) == {"Rating", "Status"}
    active = [link["title"] for link in groups["Rating"] if link.get("rel") == "self"]
    assert active == ["Explicit"]


def test_an_unknown_facet_value_is_a_clear_error(client: Client) -> None:
    response = client.get("/opds/recent?rating=spicy")
    assert response.status_code == 400
    assert "There is no rating 'spicy'" in response.content.decode()
    assert client.get("/opds/v2/recent?status=abandoned").status_code == 400


# -- pagination ----------------------------------------------------------------------------


def _add_works(count: int, prefix: str = "Drabble") -> list[str]:
    author = make_user(f"{prefix.lower()}writer")
    return [
        make_work(author, title=f"{prefix} {number}", fandoms=["Drabbles"]).title
        for number in range(count)
    ]


@pytest.mark.parametrize("start", ["/opds/recent", "/opds/tags/Drabbles?rating=general"])
def test_next_links_lead_through_every_work_once(client: Client, start: str) -> None:
    titles = _add_works(57)
    seen: list[str] = []
    url: str | None = start
    pages = 0
    while url:
        feed = feedparser.parse(get(client, url))
        seen += [entry.title for entry in feed.entries]
        links = {link.rel: link.href for link in feed.feed.links}
        if pages == 0:
            assert "previous" not in links
            assert links["last"].endswith("page=3")
        url = links.get("next")
        pages += 1
    assert pages == 3
    assert len(seen) == len(set(seen)) == 57
    assert sorted(seen) == sorted(titles)


def test_pagination_keeps_the_facets(client: Client) -> None:
    _add_works(30)
    links = _links(client, "/opds/recent?rating=general&page=2")
    assert links["previous"] == "http://testserver/opds/recent?rating=general"
    assert links["first"] == "http://testserver/opds/recent?rating=general"
    assert "next" not in links
    assert len(_titles(client, "/opds/recent?rating=general&page=2")) == 5


def test_opds2_next_links_lead_through_every_work_once(client: Client) -> None:
    titles = _add_works(30)
    first = _v2(client, "/opds/v2/recent")
    assert first["metadata"]["numberOfItems"] == 30
    assert first["metadata"]["itemsPerPage"] == 25
    following = next(link["href"] for link in first["links"] if link["rel"] == "next")
    second = _v2(client, following)
    assert not any(link["rel"] == "next" for link in second["links"])
    seen = _v2_titles(first) + _v2_titles(second)
    assert sorted(seen) == sorted(titles)


def test_a_page_past_the_end_shows_the_last_page(client: Client) -> None:
    _add_works(27)
    assert len(_titles(client, "/opds/recent?page=99")) == 2
    assert len(_titles(client, "/opds/recent?page=nonsense")) == 25


# -- search --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("RUNAWAYS", ["The Runaways"]),  # title, any case
        ("ballroom", ["Pemberley in Winter"]),  # summary
        ("coauthor", ["帰り道", "Pemberley in Winter"]),  # a creator's pseud
        ("mariano", ["The Runaways", "Everything Back But You"]),  # a tag
        ("reunions rory", ["The Runaways", "Everything Back But You"]),  # every word
        ("", []),
        ("zebra", []),
    ],
)
def test_search_matches_title_summary_pseud_and_tags(
    client: Client, query: str, expected: list[str]
) -> None:
    make_library()
    # The archive's full-text search orders by best match; which works, not their order, here.
    assert sorted(_titles(client, f"/opds/search?query={quote(query)}")) == sorted(expected)


def test_an_empty_opds2_search_still_leads_somewhere(client: Client) -> None:
    make_library()
    feed = _v2(client, "/opds/v2/search?query=zebra")
    assert "publications" not in feed
    assert feed["navigation"][0]["href"] == "http://testserver/opds/v2/"


def test_unknown_tags_and_series_are_not_found(client: Client) -> None:
    assert client.get("/opds/tags/No%20Such%20Tag").status_code == 404
    assert client.get("/opds/series/999").status_code == 404
    assert client.get("/opds/v2/series/999").status_code == 404


# -- queries -------------------------------------------------------------------------------


def _queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as context:
        get(client, url)
    return len(context.captured_queries)


def _add_varied_works(count: int, prefix: str) -> None:
    from ficarchive.accounts.services import create_user

    for number in range(count):
        make_work(
            create_user(f"{prefix}{number}", None),  # no password: quick to make
            title=f"{prefix} {number}",
            fandoms=["Shared Fandom", f"Fandom {prefix} {number}"],
            characters=["A", "B"],
            freeforms=["Shared Tag"],
            new_series_title=f"Series {prefix} {number}",
        )


URLS = [
    "/opds/",
    "/opds/recent",
    "/opds/recent?rating=general&status=in-progress",
    "/opds/fandoms",
    "/opds/top-tags",
    "/opds/series",
    "/opds/series/{series}",
    "/opds/tags/Shared%20Fandom",
    "/opds/search?query=shared",
    "/opds/v2/",
    "/opds/v2/recent",
    "/opds/v2/fandoms",
    "/opds/v2/search?query=shared",
    "/users/few0/pseuds/few0/works.atom",
    "/series/{series}/works.atom",
]


@pytest.mark.parametrize("logged_in", [False, True])
def test_feeds_do_not_query_per_work(client: Client, logged_in: bool) -> None:
    if logged_in:
        client.force_login(make_user("reader"))
    _add_varied_works(2, "few")
    series = Series.objects.get(title="Series few 0").pk
    urls = [url.format(series=series) for url in URLS]
    few = {url: _queries(client, url) for url in urls}
    _add_varied_works(30, "many")  # more than a page of works, fandoms and series
    assert {url: _queries(client, url) for url in urls} == few


def test_an_acquisition_feed_costs_a_handful_of_queries(client: Client) -> None:
    _add_varied_works(3, "few")
    # Count, page, then creators, tags and series of the page's works.
    assert _queries(client, "/opds/recent") <= 5
