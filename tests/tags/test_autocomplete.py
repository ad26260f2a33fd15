"""Autocomplete offers canonical tags first, prefix matches before infix ones, 15 at most."""

from __future__ import annotations

import pytest
from django.test import Client

from ficarchive.tags.models import Tag, TagType

pytestmark = pytest.mark.django_db


def _names(client: Client, query: str) -> list[str]:
    response = client.get(f"/tags/autocomplete?{query}")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    return response.json()


def test_canonical_tags_come_first_then_prefix_matches(client: Client) -> None:
    for name, canonical in [
        ("Rory", False),
        ("Rory Gilmore", True),
        ("Leigh Rory", True),
        ("Rorya", False),
        ("Aurora", False),
    ]:
        Tag.objects.create(name=name, type=TagType.CHARACTER, canonical=canonical)
    Tag.objects.create(name="Rory Gilmore/Jess Mariano", type=TagType.RELATIONSHIP)
    assert _names(client, "type=character&term=ror") == [
        "Rory Gilmore",
        "Leigh Rory",
        "Rory",
        "Rorya",
        "Aurora",
    ]


def test_it_returns_at_most_fifteen_names(client: Client) -> None:
    Tag.objects.bulk_create(
        Tag(name=f"Fluff {number:02}", type=TagType.FREEFORM) for number in range(20)
    )
    assert len(_names(client, "type=freeform&term=fluff")) == 15


def test_an_empty_term_matches_nothing_and_an_unknown_type_is_refused(client: Client) -> None:
    assert _names(client, "type=character&term=") == []
    assert client.get("/tags/autocomplete?type=nonsense&term=a").status_code == 400
