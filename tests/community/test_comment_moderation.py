"""Moderated works: held comments show to the work's creators and their commenter only, until a
creator approves them; and the comment settings page that turns moderation on."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from ficarchive.community import comments
from ficarchive.community.models import Comment, CommentSettings
from ficarchive.works.models import Work
from tests.cast import make_user, make_work
from tests.community.comment_cast import comment_on, make_reader, post_form, text

pytestmark = pytest.mark.django_db


def _moderated_work() -> Work:
    work = make_work(make_user("author"))
    CommentSettings.objects.create(work=work, moderated=True)
    return work


def _count(work: Work) -> int:
    return Work.objects.values_list("comments_count", flat=True).get(pk=work.pk)


def test_held_comments_show_only_to_creators_and_the_commenter(client: Client) -> None:
    work = _moderated_work()
    author = work.creators[0].user
    commenter = make_reader("commenter")
    client.force_login(commenter)
    response = post_form(client, work, "Held words.")
    assert response.status_code == 302
    comment = Comment.objects.get()
    assert not comment.approved
    assert _count(work) == 0
    page = text(client.get(work.get_absolute_url()))
    assert "Held words." in page
    assert "Waiting for approval" in page
    client.force_login(make_reader("stranger"))
    assert "Held words." not in text(client.get(work.get_absolute_url()))
    assert client.get(reverse("community:comment", args=[comment.pk])).status_code == 404
    client.logout()
    assert "Held words." not in text(client.get(work.get_absolute_url()))
    client.force_login(author)
    page = text(client.get(work.get_absolute_url()))
    assert "Held words." in page
    assert "Approve" in page


def test_a_guest_sees_their_own_held_comment_but_other_guests_do_not(client: Client) -> None:
    work = _moderated_work()
    assert post_form(client, work, "Guest held.", guest_name="Guest").status_code == 302
    assert "Guest held." in text(client.get(work.get_absolute_url()))
    other_guest = Client()
    assert "Guest held." not in text(other_guest.get(work.get_absolute_url()))


def test_approving_shows_the_comment_to_everyone_and_counts_it(client: Client) -> None:
    work = _moderated_work()
    author = work.creators[0].user
    comment = comment_on(work, make_reader("commenter"), "Please approve me.")
    client.force_login(make_reader("stranger"))
    assert client.post(reverse("community:comment_approve", args=[comment.pk])).status_code == 404
    client.force_login(author)
    response = client.post(reverse("community:comment_approve", args=[comment.pk]))
    assert response.status_code == 302
    comment.refresh_from_db()
    assert comment.approved
    assert _count(work) == 1
    client.logout()
    assert "Please approve me." in text(client.get(work.get_absolute_url()))
    # Approving twice counts once.
    comments.approve(comment, author)
    assert _count(work) == 1


def test_only_creators_approve(client: Client) -> None:
    work = _moderated_work()
    commenter = make_reader("commenter")
    comment = comment_on(work, commenter, "Self-approval?")
    client.force_login(commenter)
    response = client.post(reverse("community:comment_approve", args=[comment.pk]))
    assert response.status_code == 403
    assert "Only the work's creators can approve" in text(response)
    comment.refresh_from_db()
    assert not comment.approved


def test_creators_own_comments_are_never_held() -> None:
    work = _moderated_work()
    comment = comment_on(work, work.creators[0].user, "Thanks for reading!")
    assert comment.approved
    assert _count(work) == 1


def test_a_creators_reply_approves_the_held_comment() -> None:
    work = _moderated_work()
    held = comment_on(work, make_reader("commenter"), "Hello?")
    comment_on(work, work.creators[0].user, "Hi!", parent=held)
    held.refresh_from_db()
    assert held.approved
    assert _count(work) == 2


def test_others_cannot_reply_to_a_held_comment() -> None:
    work = _moderated_work()
    held = comment_on(work, make_reader("commenter"), "Hello?")
    with pytest.raises(comments.CommentError, match="waiting for the creator's approval"):
        comment_on(work, make_reader("other"), "Me too", parent=held)


def test_deleting_a_held_comment_leaves_the_count_alone() -> None:
    work = _moderated_work()
    held = comment_on(work, make_reader("commenter"), "Spam")
    comments.delete_comment(held, work.creators[0].user)
    assert not Comment.objects.exists()
    assert _count(work) == 0


def test_creators_change_the_comment_settings(client: Client) -> None:
    work = make_work(make_user("author"))
    url = reverse("community:comment_settings", args=[work.pk])
    client.force_login(make_reader("stranger"))
    assert client.get(url).status_code == 403
    assert client.post(url, {"who": "nobody"}).status_code == 403
    assert not CommentSettings.objects.exists()
    client.force_login(work.creators[0].user)
    page = text(client.get(url))
    assert "Who may comment" in page
    assert "Moderate comments" in page
    assert client.post(url, {"who": "users", "moderated": "on"}).status_code == 302
    found = CommentSettings.objects.get(work=work)
    assert (found.who, found.moderated) == ("users", True)
    response = client.post(url, {"who": "martians"})
    assert response.status_code == 400
    assert "not one of the available choices" in text(response)


def test_the_settings_page_of_a_draft_is_hidden_from_strangers(client: Client) -> None:
    work = make_work(make_user("author"), posted=False)
    client.force_login(make_reader("stranger"))
    assert client.get(reverse("community:comment_settings", args=[work.pk])).status_code == 404
