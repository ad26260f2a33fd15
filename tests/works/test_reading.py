"""Reading: one chapter at a time or the whole work, the chapter index, blurbs."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from tests.cast import make_user, make_work

pytestmark = pytest.mark.django_db


def test_a_multi_chapter_work_opens_on_its_first_chapter(client: Client) -> None:
    work = make_work(chapters=3, body="First chapter text.")
    page = client.get(work.get_absolute_url()).content.decode()
    assert "First chapter text." in page
    assert "Chapter 2 text." not in page
    second = work.chapters.get(position=2)
    assert f'href="{second.get_absolute_url()}"' in page
    assert "Next Chapter →" in page
    assert "← Previous Chapter" not in page


def test_chapter_pages_link_to_their_neighbours(client: Client) -> None:
    work = make_work(chapters=3)
    first, second, third = work.chapters.all()
    page = client.get(second.get_absolute_url()).content.decode()
    assert "Chapter 2 text." in page
    assert "Chapter: Part 2" not in page
    assert f'rel="prev" href="{first.get_absolute_url()}"' in page
    assert f'rel="next" href="{third.get_absolute_url()}"' in page


def test_the_entire_work_shows_every_chapter_in_order(client: Client) -> None:
    work = make_work(chapters=3, body="First chapter text.")
    page = client.get(work.get_absolute_url() + "?view_full_work=true").content.decode()
    positions = [page.index(text) for text in ("First chapter", "Chapter 2 text", "Chapter 3 text")]
    assert positions == sorted(positions)


def test_the_chapter_index_lists_every_chapter(client: Client) -> None:
    work = make_work(chapters=3)
    page = client.get(reverse("works:navigate", args=[work.pk])).content.decode()
    for chapter in work.chapters.all():
        assert chapter.get_absolute_url() in page
    assert "2. Part 2" in page


def test_a_chapter_of_another_work_is_not_found(client: Client) -> None:
    author = make_user("author")
    work, other = make_work(author, chapters=2), make_work(author, title="Other", chapters=2)
    chapter = other.chapters.first()
    assert chapter is not None
    url = reverse("works:chapter", args=[work.pk, chapter.pk])
    assert client.get(url).status_code == 404


def test_blurbs_show_what_ao3_shows(client: Client) -> None:
    make_work(
        make_user("author"),
        title="Everything Back But You",
        chapters=2,
        rating="Teen And Up Audiences",
        fandoms=["Gilmore Girls"],
        relationships=["Rory Gilmore/Jess Mariano"],
        freeforms=["Getting Back Together"],
        summary="Another spin.",
        expected_chapters=None,
    )
    page = client.get("/").content.decode()
    for shown in (
        "Everything Back But You",
        'rel="author"',
        "Gilmore Girls",
        "Rory Gilmore/Jess Mariano",
        "Getting Back Together",
        "Another spin.",
        "Teen And Up Audiences",
        "English",
        "2/?",
    ):
        assert shown in page, shown


def test_pages_of_users_and_pseuds_list_their_works(client: Client) -> None:
    author = make_user("author")
    make_work(author, title="By Author")
    make_work(make_user("other"), title="By Other")
    for url in ("/users/author", "/users/author/pseuds/author"):
        page = client.get(url).content.decode()
        assert "By Author" in page
        assert "By Other" not in page
    assert client.get("/users/nobody").status_code == 404
