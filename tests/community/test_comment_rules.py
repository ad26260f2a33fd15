"""Who may reply to, edit, delete, approve and freeze a comment, and who may comment on a work at
all: the rules both the writes (`comments`) and the reading page (`comment_queries`) obey."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import Client
from django.urls import reverse

from ficarchive.accounts.models import Block
from ficarchive.community import comments
from ficarchive.community.comment_rules import (
    Actor,
    CommentFacts,
    actor,
    approve_refusal,
    delete_refusal,
    edit_refusal,
    freeze_refusal,
    may_approve,
    may_delete,
    may_edit,
    may_freeze,
    may_reply,
    refusal_on,
    reply_refusal,
)
from ficarchive.community.models import CommentSettings
from ficarchive.works.models import Work
from ficarchive.works.queries import with_blurb_data
from tests.cast import make_user, make_work
from tests.community.comment_cast import comment_on, loaded, make_reader, text

AUTHOR = 1
OTHER = 2

GUEST = Actor(None, creator=False, moderator=False)
READER = Actor(OTHER, creator=False, moderator=False)
COMMENTER = Actor(AUTHOR, creator=False, moderator=False)
CREATOR = Actor(OTHER, creator=True, moderator=False)
MODERATOR = Actor(OTHER, creator=False, moderator=True)


def _comment(
    *, approved: bool = True, deleted: bool = False, frozen: bool = False, author: int | None = 1
) -> CommentFacts:
    return CommentFacts(author, approved, deleted, frozen)


# -- reply ---------------------------------------------------------------------------------


def test_anyone_may_reply_to_a_shown_comment_in_an_open_thread() -> None:
    for who in (GUEST, READER, COMMENTER, CREATOR, MODERATOR):
        assert may_reply(_comment(), who)


def test_no_one_replies_where_they_may_not_comment_on_the_work() -> None:
    assert not may_reply(_comment(), CREATOR, work_refusal="Comments on this work are turned off.")


def test_a_deleted_comment_takes_no_replies() -> None:
    reason = reply_refusal(_comment(deleted=True), CREATOR)
    assert reason is not None
    assert "deleted" in reason.message
    assert not may_reply(_comment(deleted=True), CREATOR)


def test_a_frozen_thread_takes_no_replies_even_from_creators() -> None:
    reason = reply_refusal(_comment(frozen=True), CREATOR)
    assert reason is not None
    assert reason.status == 403
    assert not may_reply(_comment(frozen=True), MODERATOR)


def test_a_held_comment_takes_replies_from_creators_and_its_commenter_only() -> None:
    held = _comment(approved=False)
    assert may_reply(held, CREATOR)
    assert may_reply(held, COMMENTER)
    assert not may_reply(held, READER)
    assert not may_reply(held, GUEST)
    assert not may_reply(held, MODERATOR)


def test_a_commenter_who_blocked_you_takes_no_reply_from_you() -> None:
    reason = reply_refusal(_comment(), READER, blocked=True, author="Lorelai")
    assert reason is not None
    assert reason.message == "Lorelai has blocked you: you can't reply to their comments."
    assert not may_reply(_comment(), READER, blocked=True)


# -- edit ----------------------------------------------------------------------------------


def test_only_the_author_edits_a_comment() -> None:
    assert may_edit(_comment(), COMMENTER)
    for who in (GUEST, READER, CREATOR, MODERATOR):
        assert not may_edit(_comment(), who)
    reason = edit_refusal(_comment(), CREATOR)
    assert reason is not None
    assert reason.message == "Only the comment's author can edit it."


def test_a_guest_edits_no_guest_comment() -> None:
    assert not may_edit(_comment(author=None), GUEST)


def test_a_deleted_or_frozen_comment_is_not_edited_even_by_its_author() -> None:
    assert not may_edit(_comment(deleted=True), COMMENTER)
    assert not may_edit(_comment(frozen=True), COMMENTER)


# -- delete --------------------------------------------------------------------------------


def test_the_author_creators_and_moderators_delete_a_comment() -> None:
    for who in (COMMENTER, CREATOR, MODERATOR):
        assert may_delete(_comment(), who)
    assert may_delete(_comment(approved=False, frozen=True), CREATOR)


def test_other_readers_and_guests_delete_nothing() -> None:
    assert not may_delete(_comment(), READER)
    assert not may_delete(_comment(author=None), GUEST)
    reason = delete_refusal(_comment(), READER)
    assert reason is not None
    assert reason.status == 403


def test_a_deleted_comment_is_not_deleted_again() -> None:
    assert not may_delete(_comment(deleted=True), MODERATOR)


# -- approve -------------------------------------------------------------------------------


def test_creators_approve_held_comments() -> None:
    assert may_approve(_comment(approved=False), CREATOR)


def test_only_creators_approve() -> None:
    for who in (COMMENTER, READER, MODERATOR, GUEST):
        assert not may_approve(_comment(approved=False, author=AUTHOR), who)
    reason = approve_refusal(_comment(approved=False), MODERATOR)
    assert reason is not None
    assert reason.status == 403


def test_a_shown_comment_offers_nothing_to_approve_but_approving_it_is_no_refusal() -> None:
    assert not may_approve(_comment(), CREATOR)
    assert approve_refusal(_comment(), CREATOR) is None


def test_a_deleted_held_comment_is_not_approved() -> None:
    assert not may_approve(_comment(approved=False, deleted=True), CREATOR)
    assert approve_refusal(_comment(approved=False, deleted=True), CREATOR) is not None


# -- freeze --------------------------------------------------------------------------------


def test_creators_and_moderators_freeze_threads() -> None:
    assert may_freeze(CREATOR)
    assert may_freeze(MODERATOR)


def test_commenters_and_readers_freeze_nothing() -> None:
    for who in (COMMENTER, READER, GUEST):
        assert not may_freeze(who)
    reason = freeze_refusal(READER)
    assert reason is not None
    assert reason.status == 403


# -- on a real work ------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_actor_knows_a_creator_a_moderator_and_a_guest() -> None:
    author = make_user("author")
    moderator = make_user("moderator")
    moderator.is_moderator = True
    moderator.save(update_fields=["is_moderator"])
    work = with_blurb_data(Work.objects.all()).get(pk=make_work(author).pk)
    assert actor(author, work) == Actor(author.pk, creator=True, moderator=False)
    assert actor(moderator, work) == Actor(moderator.pk, creator=False, moderator=True)
    assert actor(AnonymousUser(), work) == GUEST


@pytest.mark.django_db
def test_who_may_comment_on_a_work_at_all() -> None:
    author = make_user("author")
    reader = make_reader("reader")
    work = loaded(make_work(author))
    assert refusal_on(work, reader) is None
    assert refusal_on(work, AnonymousUser()) is None
    CommentSettings.objects.create(work=work, who=CommentSettings.Who.USERS)
    assert refusal_on(work, reader) is None
    assert "Only registered users" in (refusal_on(work, AnonymousUser()) or "")
    Block.objects.create(blocker=author, blocked=reader)
    assert "has blocked you" in (refusal_on(work, reader) or "")
    draft = loaded(make_work(author, title="Draft", posted=False))
    assert "Drafts take no comments" in (refusal_on(draft, reader) or "")


@pytest.mark.django_db
def test_the_page_offers_a_reply_to_ones_own_held_comment_as_the_write_allows(
    client: Client,
) -> None:
    work = make_work(make_user("author"))
    CommentSettings.objects.create(work=work, moderated=True)
    commenter = make_reader("commenter")
    held = comment_on(work, commenter, "Held words.")
    client.force_login(commenter)
    page = text(client.get(work.get_absolute_url()))
    assert f"/comments/{held.pk}/reply" in page
    reply = comment_on(work, commenter, "And more.", parent=held)
    assert reply.parent_id == held.pk


@pytest.mark.django_db
def test_the_page_offers_no_reply_to_a_commenter_who_blocked_the_reader(client: Client) -> None:
    work = make_work(make_user("author"))
    commenter = make_reader("commenter")
    reader = make_reader("reader")
    comment = comment_on(work, commenter, "Hello.")
    Block.objects.create(blocker=commenter, blocked=reader)
    client.force_login(reader)
    page = text(client.get(work.get_absolute_url()))
    assert "Hello." in page
    assert f"/comments/{comment.pk}/reply" not in page
    with pytest.raises(comments.CommentError, match="has blocked you"):
        comment_on(work, reader, "Hi.", parent=comment)
    assert client.get(reverse("community:comment_edit", args=[comment.pk])).status_code == 403
