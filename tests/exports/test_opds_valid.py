"""The catalog and the Atom feeds pass the real validators: jing with the OPDS 1.2 and Atom
RELAX NG schemas, jsonschema with the OPDS 2.0 schemas, feedparser as apps read them, and the
EPUBs their download links give pass EPUBCheck."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import quote

import feedparser  # type: ignore[import-untyped]
import pytest
from django.test import Client

from tests.exports.library import Library, get, make_library
from tests.validators import epubcheck
from tests.validators.opds import jing, opds2_errors

pytestmark = pytest.mark.django_db

ACQUISITION = "http://opds-spec.org/acquisition"


def _catalog_urls(library: Library, prefix: str) -> dict[str, str]:
    series = library.series.pk
    return {
        "root": prefix,
        "fandoms": f"{prefix}fandoms",
        "top_tags": f"{prefix}top-tags",
        "series_list": f"{prefix}series",
        "recent": f"{prefix}recent",
        "recent_faceted": f"{prefix}recent?rating=teen&status=complete",
        "fandom": f"{prefix}tags/{quote('Gilmore Girls')}",
        "fandom_faceted": f"{prefix}tags/{quote('Gilmore Girls')}?status=in-progress",
        "relationship": f"{prefix}tags/{quote('Rory Gilmore*s*Jess Mariano')}",
        "series": f"{prefix}series/{series}",
        "search": f"{prefix}search?query=rory",
        "search_faceted": f"{prefix}search?query=reunions&rating=general",
        "empty_search": f"{prefix}search?query=nothing+matches+this",
        "empty_facet": f"{prefix}recent?rating=not-rated",
    }


def test_the_opds1_catalog_validates_with_jing(client: Client, tmp_path: Path) -> None:
    library = make_library()
    feeds = {
        f"{name}.xml": get(client, url) for name, url in _catalog_urls(library, "/opds/").items()
    }
    assert jing("opds.rnc", feeds, tmp_path) == ""


def test_the_opds1_catalog_validates_for_a_logged_in_reader(client: Client, tmp_path: Path) -> None:
    library = make_library()
    client.force_login(library.reader)
    feeds = {
        f"{name}.xml": get(client, url) for name, url in _catalog_urls(library, "/opds/").items()
    }
    assert jing("opds.rnc", feeds, tmp_path) == ""


def test_a_paginated_feed_validates(client: Client, tmp_path: Path) -> None:
    from tests.cast import make_user, make_work

    author = make_user("prolific")
    for number in range(27):
        make_work(author, title=f"Drabble {number}", fandoms=["Drabbles"])
    feeds = {
        "first.xml": get(client, "/opds/recent"),
        "second.xml": get(client, "/opds/recent?page=2"),
    }
    assert jing("opds.rnc", feeds, tmp_path) == ""
    assert feedparser.parse(feeds["second.xml"]).entries


def test_the_opds2_catalog_validates_against_the_schemas(client: Client) -> None:
    library = make_library()
    for name, url in _catalog_urls(library, "/opds/v2/").items():
        response = client.get(url)
        assert response.status_code == 200
        assert response["Content-Type"] == "application/opds+json"
        assert opds2_errors(json.loads(response.content)) == [], name


def test_the_opds2_schema_check_is_real() -> None:
    """The validator rejects what the schema forbids, so a pass above means something."""
    assert opds2_errors({"metadata": {"title": "x"}, "links": []})
    publication = {
        "metadata": {"title": "t", "language": "not a language!"},
        "links": [{"href": "/a.epub", "rel": ACQUISITION, "type": "application/epub+zip"}],
    }
    feed = {
        "metadata": {"title": "x"},
        "links": [{"href": "/", "rel": "self"}],
        "publications": [publication],
    }
    assert any("language" in error for error in opds2_errors(feed))


def test_the_atom_feeds_validate_with_jing(client: Client, tmp_path: Path) -> None:
    library = make_library()
    feeds = {
        "pseud.xml": get(client, "/users/author/pseuds/author/works.atom"),
        "series.xml": get(client, f"/series/{library.series.pk}/works.atom"),
        "empty.xml": get(client, "/users/reader/pseuds/reader/works.atom"),
    }
    assert jing("atom.rnc", feeds, tmp_path) == ""


def test_the_jing_check_is_real(tmp_path: Path) -> None:
    broken = b'<feed xmlns="http://www.w3.org/2005/Atom"><title>No id</title></feed>'
    assert "id" in jing("opds.rnc", {"broken.xml": broken}, tmp_path)


def test_feedparser_reads_titles_authors_and_links(client: Client) -> None:
    library = make_library()
    root = feedparser.parse(get(client, "/opds/"))
    assert not root.bozo
    assert root.feed.title == "ficarchive"
    assert {entry.title for entry in root.entries} == {
        "Recently updated",
        "Fandoms",
        "Popular tags",
        "Series",
    }
    rels = {link.rel: link for link in root.feed.links}
    assert rels["search"].type == "application/opensearchdescription+xml"
    assert rels["start"].href == "http://testserver/opds/"

    recent = feedparser.parse(get(client, "/opds/recent"))
    assert not recent.bozo
    shared = next(entry for entry in recent.entries if entry.title == "Pemberley in Winter")
    assert [author.name for author in shared.authors] == ["author", "coauthor"]
    assert shared.authors[1].href == "http://testserver/users/coauthor/pseuds/coauthor"
    assert shared.summary == "Two writers, one ballroom."
    assert shared.link == f"http://testserver/works/{library.shared.pk}"
    acquisitions = [link for link in shared.links if link.rel == ACQUISITION]
    assert acquisitions[0].type == "application/epub+zip"
    assert acquisitions[0].href.endswith(f"/downloads/{library.shared.pk}/Pemberley_in_Winter.epub")
    assert {"Pride and Prejudice", "Explicit"} <= {tag.term for tag in shared.tags}
    fandom = next(tag for tag in shared.tags if tag.term == "Pride and Prejudice")
    assert fandom.scheme == "urn:ficarchive:tag-type:fandom"
    japanese = next(entry for entry in recent.entries if entry.title == "帰り道")
    assert japanese.dcterms_language == "ja"  # OPDS writes Dublin Core terms as dc:


def test_the_catalogs_epub_link_downloads_a_valid_epub(client: Client, tmp_path: Path) -> None:
    library = make_library()
    recent = feedparser.parse(get(client, "/opds/recent"))
    entry = next(entry for entry in recent.entries if entry.title == library.founding.title)
    epub = next(link for link in entry.links if link.rel == ACQUISITION)
    assert epub.type == "application/epub+zip"
    response = client.get(epub.href)
    assert response.status_code == 200
    path = tmp_path / "founding.epub"
    path.write_bytes(b"".join(response.streaming_content))  # type: ignore[attr-defined]
    assert epubcheck(path) == ""


def test_the_opds2_acquisition_link_downloads_the_epub(client: Client) -> None:
    library = make_library()
    feed = json.loads(get(client, f"/opds/v2/series/{library.series.pk}"))
    first = feed["publications"][0]
    epub = next(link for link in first["links"] if link["type"] == "application/epub+zip")
    response = client.get(epub["href"])
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"PK")  # type: ignore[attr-defined]
