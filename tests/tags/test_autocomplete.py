"""Autocomplete offers canonical tags first, prefix matches before infix ones, 15 at most; and
only tags the reader may know: canonical ones, and others used on a work they may see."""

from __future__ import annotations

import pytest
from django.test import Client

from ficarchive.tags.models import Tag, TagType
from tests.cast import make_user, make_work

pytestmark = pytest.mark.django_db


def _names(client: Client, query: str) -> list[str]:
    response = client.get(f"/tags/autocomplete?{query}")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    names: list[str] = response.json()
    return names


def test_canonical_tags_come_first_then_prefix_matches(client: Client) -> None:
    for name, canonical in [
        ("Rory", False),
        ("Rory Gilmore", True),
        ("Leigh Rory", True),
        ("Rorya", False),
        ("Aurora", False),
    ]:
        Tag.objects.create(name=name, type=TagType.CHARACTER, canonical=canonical)
    # The unwrangled ones are offered because a posted work carries them.
    make_work(characters=["Rory", "Rorya", "Aurora"], relationships=["Rory Gilmore/Jess Mariano"])
    assert _names(client, "type=character&term=ror") == [
        "Rory Gilmore",
        "Leigh Rory",
        "Rory",
        "Rorya",
        "Aurora",
    ]


def test_it_returns_at_most_fifteen_names(client: Client) -> None:
    make_work(freeforms=[f"Fluff {number:02}" for number in range(20)])
    assert len(_names(client, "type=freeform&term=fluff")) == 15


def test_an_empty_term_matches_nothing_and_an_unknown_type_is_refused(client: Client) -> None:
    assert _names(client, "type=character&term=") == []
    assert client.get("/tags/autocomplete?type=nonsense&term=a").status_code == 400


def test_it_never_offers_a_tag_used_only_on_someone_elses_draft(client: Client) -> None:
    writer = make_user("writer")
    make_work(writer, title="Secret", posted=False, fandoms=["Hidden Fandom"], freeforms=["Hush"])
    for user in (None, make_user("reader")):
        if user is not None:
            client.force_login(user)
        assert _names(client, "type=fandom&term=hidden") == []
        assert _names(client, "term=hush") == []
    client.force_login(writer)  # the draft's own writer sees its tags
    assert _names(client, "type=fandom&term=hidden") == ["Hidden Fandom"]


def test_a_tag_of_a_restricted_work_is_offered_to_logged_in_readers_only(client: Client) -> None:
    make_work(title="Members", restricted=True, freeforms=["Members Only Trope"])
    assert _names(client, "term=members only") == []
    client.force_login(make_user("reader"))
    assert _names(client, "term=members only") == ["Members Only Trope"]


def test_a_tag_only_in_a_private_bookmark_is_not_offered(client: Client) -> None:
    from ficarchive.community.bookmarks import BookmarkData, create_bookmark

    reader = make_user("reader")
    data = BookmarkData(tags="My Secret Shelf", private=True)
    create_bookmark(reader, data, work=make_work(title="Open"))
    assert Tag.objects.filter(name="My Secret Shelf").exists()
    assert _names(client, "term=secret shelf") == []
    client.force_login(reader)
    assert _names(client, "term=secret shelf") == []


def test_canonical_tags_are_offered_with_no_work_and_unused_tags_are_not(client: Client) -> None:
    Tag.objects.create(name="Wrangled Fandom", type=TagType.FANDOM, canonical=True)
    Tag.objects.create(name="Left Over Fandom", type=TagType.FANDOM)  # its draft was deleted
    assert _names(client, "type=fandom&term=fandom") == ["Wrangled Fandom"]
