"""Drafts are their creators' alone; restricted works are for logged-in readers only."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from ficarchive.works.models import Work
from tests.cast import make_user, make_work

pytestmark = pytest.mark.django_db

LIST_PAGES = ["/", "/works"]


def _lists(client: Client, work: Work) -> list[str]:
    author = work.creators[0]
    return [
        *LIST_PAGES,
        reverse("accounts:user", args=[author.user.username]),
        reverse("accounts:pseud", args=[author.user.username, author.name]),
        work.fandoms[0].get_absolute_url(),
    ]


def test_it_hides_drafts_from_strangers_and_logged_out_readers(client: Client) -> None:
    work = make_work(make_user("author"), title="Secret Draft", posted=False)
    stranger = make_user("stranger")
    for chapter_url in [work.get_absolute_url(), work.chapters.get().get_absolute_url()]:
        assert client.get(chapter_url).status_code == 404
        client.force_login(stranger)
        assert client.get(chapter_url).status_code == 404
        client.logout()
    assert client.get(reverse("works:navigate", args=[work.pk])).status_code == 404


def test_it_shows_drafts_to_every_creator(client: Client) -> None:
    author, coauthor = make_user("author"), make_user("coauthor")
    work = make_work(author, coauthor, title="Shared Draft", posted=False)
    for user in (author, coauthor):
        client.force_login(user)
        response = client.get(work.get_absolute_url())
        assert response.status_code == 200
        assert b"Shared Draft" in response.content
        assert b"draft" in response.content


def test_drafts_never_appear_in_lists(client: Client) -> None:
    author = make_user("author")
    make_work(author, title="Posted Work", fandoms=["Gilmore Girls"])
    draft = make_work(author, title="Secret Draft", posted=False, fandoms=["Gilmore Girls"])
    for user in (None, make_user("stranger"), author):
        if user is not None:
            client.force_login(user)
        for url in _lists(client, draft):
            page = client.get(url).content.decode()
            assert "Posted Work" in page, url
            assert "Secret Draft" not in page, url


def test_my_drafts_lists_only_my_own_drafts(client: Client) -> None:
    author, stranger = make_user("author"), make_user("stranger")
    make_work(author, title="Mine", posted=False)
    make_work(stranger, title="Theirs", posted=False)
    client.force_login(author)
    page = client.get(reverse("works:drafts", args=["author"])).content.decode()
    assert "Mine" in page
    assert "Theirs" not in page
    assert client.get(reverse("works:drafts", args=["stranger"])).status_code == 404


def test_it_hides_restricted_works_from_logged_out_readers(client: Client) -> None:
    work = make_work(make_user("author"), title="Members Only", restricted=True, fandoms=["GG"])
    make_work(work.creators[0].user, title="Open Work", fandoms=["GG"])
    response = client.get(work.get_absolute_url())
    assert response.status_code == 404
    assert b"Members Only" not in response.content
    for url in _lists(client, work):
        page = client.get(url).content.decode()
        assert "Open Work" in page, url
        assert "Members Only" not in page, url


def test_logged_in_readers_see_restricted_works(client: Client) -> None:
    work = make_work(make_user("author"), title="Members Only", restricted=True)
    client.force_login(make_user("reader"))
    assert b"Members Only" in client.get(work.get_absolute_url()).content
    assert b"Members Only" in client.get("/").content


def test_a_stranger_cannot_edit_or_delete_a_work(client: Client) -> None:
    work = make_work(make_user("author"), title="Not Yours", chapters=2)
    chapter = work.chapters.first()
    assert chapter is not None
    client.force_login(make_user("stranger"))
    urls = [
        reverse("works:edit", args=[work.pk]),
        reverse("works:delete", args=[work.pk]),
        reverse("works:chapter_new", args=[work.pk]),
        reverse("works:chapters_manage", args=[work.pk]),
        reverse("works:chapter_edit", args=[work.pk, chapter.pk]),
        reverse("works:chapter_delete", args=[work.pk, chapter.pk]),
    ]
    for url in urls:
        assert client.get(url).status_code == 403, url
        response = client.post(
            url, {"title": "Hijacked", "body": "x", "text_format": "text", "action": "post"}
        )
        assert response.status_code == 403, url
    work.refresh_from_db()
    assert work.title == "Not Yours"
    assert work.chapters.count() == 2


def test_logged_out_readers_are_sent_to_log_in_before_posting(client: Client) -> None:
    response = client.get(reverse("works:new"))
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


def test_restricted_works_are_marked_for_the_readers_who_see_them(client: Client) -> None:
    work = make_work(make_user("author"), title="Members Only", restricted=True)
    client.force_login(make_user("reader"))
    assert 'alt="(Restricted)"' in client.get(work.get_absolute_url()).content.decode()
    assert 'alt="(Restricted)"' in client.get("/").content.decode()
