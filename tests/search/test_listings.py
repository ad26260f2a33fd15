"""The keys of the shared copies of lists of works (search/listings.py): the lists' revision,
moved on by every works event, and a reader's mutes."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.cache import cache

from ficarchive.search import listings
from ficarchive.search.saved import mute_tag, mute_user
from ficarchive.works.services import delete_work
from tests.cast import make_user, make_work

pytestmark = pytest.mark.django_db


def test_the_revision_moves_on_when_a_work_is_posted_edited_or_deleted(
    django_capture_on_commit_callbacks: Any,
) -> None:
    author = make_user("author")
    before = listings.revision()
    assert listings.revision() == before  # nothing changed
    with django_capture_on_commit_callbacks(execute=True):
        work = make_work(author)
    posted = listings.revision()
    assert posted != before
    with django_capture_on_commit_callbacks(execute=True):
        delete_work(work)
    assert listings.revision() not in (before, posted)


def test_a_revision_lost_from_the_cache_does_not_come_back() -> None:
    first = listings.revision()
    cache.clear()
    assert listings.revision() != first


def test_readers_muting_the_same_tags_and_users_share_a_key() -> None:
    make_work(make_user("author"), fandoms=["Orchards"])
    ash, birch, cedar = make_user("ash"), make_user("birch"), make_user("cedar")
    assert listings.mutes_key(ash) == ""
    for reader in (ash, birch):
        mute_tag(reader, "Orchards")
        mute_user(reader, "author")
    assert listings.mutes_key(ash) == listings.mutes_key(birch) != ""
    mute_tag(cedar, "Orchards")
    assert listings.mutes_key(cedar) not in ("", listings.mutes_key(ash))


def test_the_stamp_moves_on_when_any_process_posts_a_work() -> None:
    # No works event reaches this process (none runs here): the database's latest update does.
    make_work(make_user("author"), title="First")
    before = listings.stamp()
    make_work(make_user("other"), title="Second")
    assert listings.stamp() != before
