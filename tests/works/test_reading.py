"""Reading: one chapter at a time or the whole work, the chapter index and drop-down, the end of
a chapter (notes, the next chapter, kudos, comments), blurbs."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from ficarchive.works.models import Work
from ficarchive.works.services import ChapterData, add_chapter
from tests.cast import make_user, make_work
from tests.markup import form_by_id

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


def _three_chapters_with_end_notes() -> Work:
    work = make_work(make_user("author"), body="First chapter text.", end_notes="Work end note.")
    for number in (2, 3):
        chapter = ChapterData(
            body=f"Chapter {number} text.", title=f"Part {number}", end_notes=f"End of {number}."
        )
        add_chapter(work, chapter)
    work.refresh_from_db()
    return work


def _in_order(page: str, *marks: str) -> list[int]:
    """Where each mark last appears in the page (the end of the page, not the top's links)."""
    places = [page.rfind(mark) for mark in marks]
    assert -1 not in places, dict(zip(marks, places, strict=True))
    return places


def test_a_chapter_ends_with_its_notes_then_the_next_chapter_then_kudos_then_comments(
    client: Client,
) -> None:
    work = _three_chapters_with_end_notes()
    first, second, third = work.chapters.all()
    client.force_login(make_user("reader"))
    page = client.get(second.get_absolute_url()).content.decode()
    places = _in_order(
        page,
        "End of 2.",
        f'rel="next" href="{third.get_absolute_url()}"',
        'id="new_kudo_end"',
        'id="comments"',
    )
    assert places == sorted(places)
    end_links = page[places[0] : places[2]]
    assert f'rel="prev" href="{first.get_absolute_url()}"' in end_links
    assert "?view_full_work=true" in end_links
    assert "Work end note." not in page


def test_the_last_chapter_ends_with_the_works_notes_before_kudos_and_comments(
    client: Client,
) -> None:
    work = _three_chapters_with_end_notes()
    last = work.chapters.get(position=3)
    page = client.get(last.get_absolute_url()).content.decode()
    places = _in_order(page, "End of 3.", "Work end note.", "← Previous Chapter", 'id="comments"')
    assert places == sorted(places)
    assert "Next Chapter →" not in page


def test_the_entire_work_ends_with_its_notes_then_kudos_then_comments(client: Client) -> None:
    work = _three_chapters_with_end_notes()
    client.force_login(make_user("reader"))
    page = client.get(work.get_absolute_url() + "?view_full_work=true").content.decode()
    places = _in_order(page, "End of 3.", "Work end note.", 'id="new_kudo_end"', 'id="comments"')
    assert places == sorted(places)


def test_the_kudos_button_at_the_end_of_a_chapter_leaves_kudos_without_javascript() -> None:
    work = _three_chapters_with_end_notes()
    second = work.chapters.get(position=2)
    client = Client(enforce_csrf_checks=True)
    client.force_login(make_user("reader"))
    form = form_by_id(client.get(second.get_absolute_url()).content.decode(), "new_kudo_end")
    assert form["method"] == "post"
    assert form["fields"]["csrfmiddlewaretoken"]
    response = client.post(form["action"], form["fields"])
    assert response.status_code == 302
    assert response["Location"] == second.get_absolute_url()
    work.refresh_from_db()
    assert work.kudos_count == 1
    page = client.get(second.get_absolute_url()).content.decode()
    assert 'id="new_kudo_end"' not in page
    assert "You left kudos" in page


def test_the_creator_gets_no_kudos_button_at_the_end(client: Client) -> None:
    work = _three_chapters_with_end_notes()
    author = work.pseuds.get().user
    client.force_login(author)
    page = client.get(work.get_absolute_url()).content.decode()
    assert 'id="comments"' in page
    assert "new_kudo" not in page


def test_the_chapter_drop_down_lists_every_chapter_and_selects_the_one_read(
    client: Client,
) -> None:
    work = make_work(chapters=3)
    first, second, third = work.chapters.all()
    page = client.get(second.get_absolute_url()).content.decode()
    form = form_by_id(page, "jump-to-chapter")
    assert form["method"] == "get"
    assert form["action"] == reverse("works:navigate", args=[work.pk])
    assert form["options"] == [str(first.pk), str(second.pk), str(third.pk)]
    assert '<label for="chapter-jump"' in page
    assert form["select_id"] == "chapter-jump"
    assert f'<option value="{second.pk}" selected>2. Part 2</option>' in page
    assert ">1. Chapter One</option>" in page


def test_the_chapter_drop_down_goes_to_the_chapter_chosen(client: Client) -> None:
    work = make_work(chapters=3)
    third = work.chapters.get(position=3)
    url = reverse("works:navigate", args=[work.pk])
    response = client.get(url, {"chapter": third.pk})
    assert response.status_code == 302
    assert response["Location"] == third.get_absolute_url()
    assert "Chapter 3 text." in client.get(url, {"chapter": third.pk}, follow=True).content.decode()


def test_the_chapter_drop_down_keeps_the_adult_answer(client: Client) -> None:
    work = make_work(chapters=2, rating="Explicit")
    second = work.chapters.get(position=2)
    page = client.get(work.get_absolute_url() + "?view_adult=true").content.decode()
    form = form_by_id(page, "jump-to-chapter")
    assert form["fields"]["view_adult"] == "true"
    # What the browser sends: the form's own fields, the chapter chosen in its select.
    response = client.get(form["action"], {**form["fields"], "chapter": str(second.pk)})
    assert response["Location"] == second.get_absolute_url() + "?view_adult=true"


def test_the_chapter_drop_down_refuses_a_chapter_of_another_work(client: Client) -> None:
    author = make_user("author")
    work, other = make_work(author, chapters=2), make_work(author, title="Other", chapters=2)
    chapter = other.chapters.get(position=2)
    url = reverse("works:navigate", args=[work.pk])
    assert client.get(url, {"chapter": chapter.pk}).status_code == 404
    assert client.get(url, {"chapter": "two"}).status_code == 404


def test_a_one_chapter_work_has_no_chapter_drop_down(client: Client) -> None:
    page = client.get(make_work().get_absolute_url()).content.decode()
    assert 'id="jump-to-chapter"' not in page
