"""Drafts never appear in any feed; restricted works appear in the catalog for logged-in readers
only, and in the Atom feeds for nobody."""

from __future__ import annotations

from urllib.parse import quote

import pytest
from django.test import Client

from tests.exports.library import Library, get, make_library

pytestmark = pytest.mark.django_db

RESTRICTED = "Members Only Story"
DRAFT = "Unfinished Draft Story"


def _catalog_urls(library: Library) -> list[str]:
    urls = []
    for prefix in ("/opds/", "/opds/v2/"):
        urls += [
            f"{prefix}recent",
            f"{prefix}recent?rating=general",
            f"{prefix}recent?status=in-progress",
            f"{prefix}tags/{quote('Gilmore Girls')}",
            f"{prefix}tags/Reunions",
            f"{prefix}series/{library.series.pk}",
            f"{prefix}search?query=story",
            f"{prefix}search?query=members",
            f"{prefix}search?query=unfinished",
        ]
    return urls


def _atom_urls(library: Library) -> list[str]:
    return ["/users/author/pseuds/author/works.atom", f"/series/{library.series.pk}/works.atom"]


def test_a_logged_out_reader_sees_no_draft_and_no_restricted_work(client: Client) -> None:
    library = make_library()
    for url in _catalog_urls(library) + _atom_urls(library):
        page = get(client, url).decode()
        assert RESTRICTED not in page, url
        assert DRAFT not in page, url


def test_a_logged_in_reader_sees_restricted_works_in_the_catalog_but_no_draft(
    client: Client,
) -> None:
    library = make_library()
    client.force_login(library.reader)
    shown = set()
    for url in _catalog_urls(library):
        page = get(client, url).decode()
        assert DRAFT not in page, url
        if RESTRICTED in page:
            shown.add(url)
    assert {
        "/opds/recent",
        "/opds/tags/Gilmore%20Girls",
        f"/opds/series/{library.series.pk}",
        "/opds/search?query=members",
        "/opds/v2/recent",
        "/opds/v2/search?query=members",
    } <= shown


def test_even_its_creator_finds_no_draft_in_the_catalog(client: Client) -> None:
    library = make_library()
    client.force_login(library.author)
    for url in _catalog_urls(library):
        assert DRAFT not in get(client, url).decode(), url


def test_the_atom_feeds_never_show_restricted_works_even_to_logged_in_readers(
    client: Client,
) -> None:
    library = make_library()
    client.force_login(library.author)
    for url in _atom_urls(library):
        page = get(client, url).decode()
        assert RESTRICTED not in page, url
        assert DRAFT not in page, url


def test_counts_leave_out_what_the_reader_may_not_see(client: Client) -> None:
    library = make_library()
    assert "2 works" in get(client, "/opds/fandoms").decode()  # Gilmore Girls, logged out
    client.force_login(library.reader)
    assert "3 works" in get(client, "/opds/fandoms").decode()  # and the restricted one


def test_a_series_of_restricted_works_is_hidden_from_logged_out_readers(client: Client) -> None:
    from tests.cast import make_work

    library = make_library()
    hidden = make_work(
        library.author, title="Secret Saga Part 1", restricted=True, new_series_title="Secret Saga"
    )
    series = hidden.serial_works.get().series
    assert "Secret Saga" not in get(client, "/opds/series").decode()
    assert "Secret Saga" not in get(client, "/opds/v2/series").decode()
    assert client.get(f"/opds/series/{series.pk}").status_code == 404
    assert client.get(f"/opds/v2/series/{series.pk}").status_code == 404
    assert client.get(f"/series/{series.pk}/works.atom").status_code == 404
    client.force_login(library.reader)
    assert "Secret Saga" in get(client, "/opds/series").decode()
    assert "Secret Saga Part 1" in get(client, f"/opds/series/{series.pk}").decode()
    assert client.get(f"/series/{series.pk}/works.atom").status_code == 404


def test_a_restricted_works_download_link_does_not_open_for_logged_out_readers(
    client: Client,
) -> None:
    library = make_library()
    client.force_login(library.reader)
    page = get(client, "/opds/search?query=members").decode()
    href = page.split('href="http://testserver/downloads/')[1].split('"')[0]
    client.logout()
    assert client.get(f"/downloads/{href}").status_code == 404
