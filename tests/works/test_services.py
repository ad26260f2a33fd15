"""`start_work` and `edit_work`: the whole posting-form change as one service call, all of it or
nothing, usable without a request (command line, API)."""

from __future__ import annotations

import pytest

from ficarchive.accounts.services import default_pseud
from ficarchive.works.models import Chapter, CreatorInvitation, Work
from ficarchive.works.services import (
    ChapterData,
    WorkData,
    WorkError,
    co_creator_pseuds,
    edit_work,
    start_work,
)
from tests.cast import make_user, make_work

pytestmark = pytest.mark.django_db


def _data(title: str = "Together Again") -> WorkData:
    return WorkData(title=title, fandoms=["Gilmore Girls"], warnings=["No Archive Warnings Apply"])


def test_starting_a_work_makes_a_draft_and_invites_the_named_co_creators() -> None:
    author, coauthor = make_user("author"), make_user("coauthor")
    saved = start_work(
        author,
        [default_pseud(author)],
        _data(),
        ChapterData(body="They wrote it together."),
        co_creators=["coauthor", " "],
    )
    assert saved.work.title == "Together Again"
    assert not saved.work.posted
    assert [p.user.username for p in saved.work.creators] == ["author"]
    assert saved.invited == [default_pseud(coauthor)]
    assert CreatorInvitation.objects.get().pseud.user == coauthor


def test_starting_a_work_with_post_posts_it() -> None:
    author = make_user("author")
    saved = start_work(author, [default_pseud(author)], _data(), ChapterData(body="Hi."), post=True)
    assert saved.work.posted
    assert saved.invited == []


def test_starting_a_work_with_an_unknown_co_creator_leaves_no_work() -> None:
    author = make_user("author")
    with pytest.raises(WorkError, match="There is no user 'nobody' to invite") as raised:
        start_work(
            author,
            [default_pseud(author)],
            _data(),
            ChapterData(body="Hi."),
            co_creators=["nobody"],
        )
    assert raised.value.field == "co_creators"
    assert not Work.objects.exists()
    assert not Chapter.objects.exists()


def test_a_writer_cannot_invite_themself_as_co_creator() -> None:
    author = make_user("author")
    with pytest.raises(WorkError, match="your own account: you cannot invite yourself") as raised:
        co_creator_pseuds(author, ["AUTHOR"])
    assert raised.value.field == "co_creators"


def test_editing_a_work_keeps_credited_co_creators_replaces_fields_and_the_first_chapter() -> None:
    author, coauthor, third = make_user("author"), make_user("coauthor"), make_user("third")
    work = make_work(author, coauthor, title="Shared", posted=False)
    saved = edit_work(
        author,
        work,
        [default_pseud(author)],
        _data("Shared Again"),
        ChapterData(body="New words."),
        co_creators=["third"],
        post=True,
    )
    work.refresh_from_db()
    assert saved.work == work
    assert work.title == "Shared Again"
    assert work.posted
    assert "New words." in work.chapters.get().body
    assert [p.user.username for p in work.creators] == ["author", "coauthor"]
    assert saved.invited == [default_pseud(third)]


def test_editing_without_chapter_data_leaves_the_chapters_alone() -> None:
    author = make_user("author")
    work = make_work(author, chapters=2)
    bodies = list(work.chapters.values_list("body", flat=True))
    edit_work(author, work, [default_pseud(author)], _data("Renamed"))
    work.refresh_from_db()
    assert work.title == "Renamed"
    assert list(work.chapters.values_list("body", flat=True)) == bodies


def test_an_edit_with_an_unknown_co_creator_leaves_the_work_unchanged() -> None:
    author, coauthor = make_user("author"), make_user("coauthor")
    work = make_work(author, coauthor, title="Shared")
    before = (work.title, work.revision, work.chapters.get().body)
    with pytest.raises(WorkError, match="There is no user 'ghost' to invite") as raised:
        edit_work(
            author,
            work,
            [default_pseud(author)],
            _data("Changed"),
            ChapterData(body="Changed words."),
            co_creators=["coauthor", "ghost"],
        )
    assert raised.value.field == "co_creators"
    work = Work.objects.get(pk=work.pk)
    assert (work.title, work.revision, work.chapters.get().body) == before
    assert not CreatorInvitation.objects.exists()


def test_a_bad_field_late_in_an_edit_undoes_the_byline_and_invitations() -> None:
    author = make_user("author")
    make_user("coauthor")
    second = author.pseuds.create(name="Second")
    work = make_work(author, title="Alone")
    with pytest.raises(WorkError) as raised:
        edit_work(
            author,
            work,
            [second],
            _data("Changed"),
            ChapterData(body="   "),
            co_creators=["coauthor"],
        )
    assert raised.value.field == "body"
    work = Work.objects.get(pk=work.pk)
    assert work.title == "Alone"
    assert [p.name for p in work.creators] == ["author"]
    assert not CreatorInvitation.objects.exists()


def test_an_edit_needs_one_of_the_writers_own_pseuds() -> None:
    author = make_user("author")
    work = make_work(author)
    with pytest.raises(WorkError, match="at least one creator") as raised:
        edit_work(author, work, [], _data())
    assert raised.value.field == "pseuds"
