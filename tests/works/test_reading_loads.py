"""The reads of a reading page in plain SQL (works.queries.reading_work, chapter_index,
work_chapter; works.related.related_of) give what the ORM's queries gave, in the same order."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from ficarchive.accounts.models import User
from ficarchive.accounts.services import add_pseud, default_pseud
from ficarchive.works.models import Work
from ficarchive.works.queries import (
    chapter_index,
    reading_chapters,
    reading_work,
    tags_in_order,
    with_creators,
    work_chapter,
)
from ficarchive.works.related import link_works, reader, related_of
from ficarchive.works.services import ChapterData, WorkData, add_chapter, create_work
from tests.cast import make_user, make_work

pytestmark = pytest.mark.django_db


def _co_created() -> Work:
    """A work of three pseuds of two users, in a byline order unlike the pseuds' ids."""
    first, second = make_user("first"), make_user("second")
    other = add_pseud(first, "Other Name")
    pseuds = [default_pseud(second), other, default_pseud(first)]
    data = WorkData(
        title="Three Bylines",
        rating="Teen And Up Audiences",
        fandoms=["Zeta Fandom", "Alpha Fandom"],
        characters=["Zed", "Amy"],
    )
    return create_work(pseuds, data, ChapterData(body="Text."), post=True)


def test_the_work_its_creators_and_tags_are_those_the_orm_prefetches() -> None:
    work = _co_created()
    expected = with_creators(Work.objects.all()).prefetch_related(tags_in_order()).get(pk=work.pk)

    loaded = reading_work(work.pk)

    assert loaded is not None
    fields = [field.attname for field in Work._meta.concrete_fields]
    assert [getattr(loaded, name) for name in fields] == [
        getattr(expected, name) for name in fields
    ]
    with CaptureQueriesContext(connection) as context:
        bylines = [(pseud.name, pseud.user.username) for pseud in loaded.creators]
        credits = [(c.pk, c.position, c.work_id, c.work.pk) for c in loaded.creatorships.all()]
        tags = [tag.name for tag in loaded.tags.all()]
        fandoms = [tag.name for tag in loaded.fandoms]
    assert context.captured_queries == []  # all of it loaded
    assert bylines == [(p.name, p.user.username) for p in expected.creators]
    assert bylines[0] == ("second", "second")
    assert credits == [(c.pk, c.position, c.work_id, work.pk) for c in expected.creatorships.all()]
    assert tags == [tag.name for tag in expected.tags.all()]
    assert fandoms == ["Zeta Fandom", "Alpha Fandom"]  # the writer's order, not the alphabet
    assert loaded.rating == "Teen And Up Audiences"


def test_a_filter_on_the_loaded_creators_still_asks_the_database() -> None:
    work = _co_created()
    loaded = reading_work(work.pk)
    assert loaded is not None

    found = loaded.creatorships.filter(pseud__name="Other Name")

    assert [c.pseud.name for c in found] == ["Other Name"]


@pytest.mark.parametrize("work_id", [0, 999_999, 2**63, -(2**63) - 1])
def test_no_work_is_loaded_for_an_id_without_one(work_id: int) -> None:
    make_work()
    assert reading_work(work_id) is None


@pytest.fixture
def drafted() -> tuple[Work, User]:
    """A work of two posted chapters and a draft one, and its author."""
    author = make_user("author")
    work = make_work(author, chapters=2)
    add_chapter(work, ChapterData(body="Not yet.", title="Draft"), draft=True)
    return work, author


def test_the_chapter_index_has_draft_chapters_for_the_creators_only(
    drafted: tuple[Work, User],
) -> None:
    work, author = drafted
    readers = chapter_index(work, make_user("reader"))
    creators = chapter_index(work, author)

    assert [(c.position, c.title) for c in readers] == [(1, "Chapter One"), (2, "Part 2")]
    assert [c.title for c in creators] == ["Chapter One", "Part 2", "Draft"]
    assert all(not chapter.draft for chapter in readers)


def test_a_whole_work_reads_its_chapters_whole_drafts_for_the_creators_only(
    drafted: tuple[Work, User],
) -> None:
    work, author = drafted
    readers = reading_chapters(work, make_user("reader"))
    creators = reading_chapters(work, author)

    with CaptureQueriesContext(connection) as context:
        texts = [(chapter.title, chapter.body, chapter.work.pk) for chapter in readers]
    assert context.captured_queries == []
    assert [title for title, _, _ in texts] == ["Chapter One", "Part 2"]
    assert "Chapter 2 text." in texts[1][1]
    assert {pk for _, _, pk in texts} == {work.pk}
    assert [chapter.title for chapter in creators] == ["Chapter One", "Part 2", "Draft"]


def test_a_chapter_is_loaded_whole_and_only_from_its_own_work() -> None:
    work = make_work(chapters=2)
    elsewhere = make_work(make_user("other"), title="Elsewhere")
    second = work.chapters.get(position=2)

    chapter = work_chapter(work, second.pk)

    assert chapter is not None
    assert chapter.body == second.body
    assert chapter.title == "Part 2"
    assert chapter.work is work
    assert work_chapter(elsewhere, second.pk) is None
    assert work_chapter(work, 2**64) is None


def test_related_works_read_nothing_more_when_a_work_has_no_links() -> None:
    work, shown = make_work(), reader(make_user("reader"))
    with CaptureQueriesContext(connection) as context:
        related = related_of(work, shown)
    assert (related.parents, related.children) == ([], [])
    assert len(context.captured_queries) == 1


def test_a_link_waiting_for_approval_shows_on_the_child_only() -> None:
    parent_author, child_author = make_user("parent"), make_user("child")
    parent = make_work(parent_author, title="Parent")
    child = make_work(child_author, title="Child")
    link_works(child_author, child, parent, "inspired")
    someone = reader(make_user("reader"))

    assert [item.work.title for item in related_of(child, someone).parents] == ["Parent"]
    assert related_of(parent, someone).children == []
