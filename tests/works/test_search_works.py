"""The simple search: every word must match a work's title, summary, pseud or tag names."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser

from ficarchive.accounts.services import create_user
from ficarchive.works.models import Work
from ficarchive.works.queries import listed_works, search_works
from tests.cast import make_work

pytestmark = pytest.mark.django_db


def _titles(query: str) -> list[str]:
    return [work.title for work in search_works(listed_works(AnonymousUser()), query)]


def test_a_work_matching_through_several_tags_is_found_once() -> None:
    make_work(
        create_user("author", None),
        title="Tagged",
        characters=["Rory Gilmore", "Lorelai Gilmore"],
        fandoms=["Gilmore Girls"],
    )
    assert _titles("gilmore") == ["Tagged"]


def test_it_ignores_case_and_needs_every_word() -> None:
    author = create_user("author", None)
    make_work(author, title="The Bridge at Night", summary="Rain.")
    make_work(author, title="The Bridge at Noon", summary="Sun.")
    assert _titles("BRIDGE rain") == ["The Bridge at Night"]
    assert sorted(_titles("bridge")) == ["The Bridge at Night", "The Bridge at Noon"]


def test_it_narrows_the_queryset_it_is_given() -> None:
    author = create_user("author", None)
    make_work(author, title="Open Secret")
    make_work(author, title="Closed Secret", restricted=True)
    make_work(author, title="Draft Secret", posted=False)
    assert _titles("secret") == ["Open Secret"]
    assert search_works(Work.objects.all(), "secret").count() == 3


def test_an_empty_query_finds_nothing() -> None:
    make_work(create_user("author", None), title="Anything")
    assert _titles("   ") == []
