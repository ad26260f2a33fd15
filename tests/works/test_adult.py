"""Mature, Explicit and Not Rated works ask first; readers can say yes once or for good."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from tests.cast import make_user, make_work

pytestmark = pytest.mark.django_db

WARNING = b"This work could have adult content"


@pytest.mark.parametrize("rating", ["Mature", "Explicit", "Not Rated"])
def test_adult_works_ask_before_showing_the_text(client: Client, rating: str) -> None:
    work = make_work(rating=rating, body="The secret text.")
    response = client.get(work.get_absolute_url())
    assert WARNING in response.content
    assert b"The secret text." not in response.content


def test_view_adult_true_shows_the_work(client: Client) -> None:
    work = make_work(rating="Explicit", body="The secret text.", chapters=2)
    response = client.get(work.get_absolute_url() + "?view_adult=true")
    assert WARNING not in response.content
    assert b"The secret text." in response.content
    # Chapter links keep the answer, so the reader is not asked again on every chapter.
    assert b"?view_adult=true" in response.content


def test_general_works_never_ask(client: Client) -> None:
    work = make_work(rating="General Audiences", body="Plain text.")
    assert b"Plain text." in client.get(work.get_absolute_url()).content


def test_a_readers_preference_skips_the_question(client: Client) -> None:
    work = make_work(make_user("author"), rating="Explicit", body="The secret text.")
    reader = make_user("reader")
    client.force_login(reader)
    assert WARNING in client.get(work.get_absolute_url()).content
    client.post(reverse("accounts:preferences"), {"view_adult": "on"})
    reader.refresh_from_db()
    assert reader.view_adult
    assert b"The secret text." in client.get(work.get_absolute_url()).content


def test_dont_ask_again_lasts_for_the_session(client: Client) -> None:
    work = make_work(rating="Mature", body="The secret text.")
    other = make_work(work.creators[0].user, title="Other", rating="Explicit", body="Other text.")
    response = client.post(reverse("works:adult", args=[work.pk]))
    assert response.status_code == 302
    assert b"The secret text." in client.get(work.get_absolute_url()).content
    assert b"Other text." in client.get(other.get_absolute_url()).content


def test_creators_are_not_asked_about_their_own_work(client: Client) -> None:
    author = make_user("author")
    work = make_work(author, rating="Explicit", body="My text.")
    client.force_login(author)
    assert b"My text." in client.get(work.get_absolute_url()).content
