"""Posting through the web form: preview, draft, post, edit, chapters, delete."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

from ficarchive.accounts.models import User
from ficarchive.works.models import Work
from ficarchive.works.services import answer_invitation
from tests.cast import make_user, make_work
from tests.markup import paragraphs_in

pytestmark = pytest.mark.django_db

FOUNDING_STORY = Path(__file__).parent.parent / "fixtures" / "everything-back-but-you.txt"


def _form(user: User, **overrides: object) -> dict[str, object]:
    form: dict[str, object] = {
        "title": "Everything Back But You",
        "pseuds": [user.pseuds.get(is_default=True).pk],
        "rating": "Teen And Up Audiences",
        "warnings": ["No Archive Warnings Apply"],
        "categories": ["F/M"],
        "fandoms": "Gilmore Girls",
        "relationships": "Rory Gilmore/Jess Mariano",
        "characters": "Rory Gilmore, Jess Mariano, Dean Forester",
        "freeforms": "Getting Back Together",
        "summary": "Rory and Dean break up; Jess comes back.",
        "language": "en",
        "text_format": "text",
        "body": "One.\n\nTwo.",
        "action": "post",
    }
    form.update(overrides)
    return form


def _expected_paragraphs(text: str) -> list[str]:
    # Independent of the product's splitter: paragraphs are runs of non-blank lines.
    paragraphs, current = [], []
    for line in text.replace("\r\n", "\n").split("\n"):
        if line.strip():
            current.append(line.strip())
        elif current:
            paragraphs.append("\n".join(current))
            current = []
    if current:
        paragraphs.append("\n".join(current))
    return paragraphs


def test_the_founding_story_keeps_every_paragraph(client: Client) -> None:
    author = make_user("author")
    client.force_login(author)
    text = FOUNDING_STORY.read_text(encoding="utf-8")
    response = client.post(reverse("works:new"), _form(author, body=text))
    assert response.status_code == 302
    work = Work.objects.get()
    assert work.posted
    client.logout()
    page = client.get(work.get_absolute_url()).content.decode()
    expected = _expected_paragraphs(text)
    assert len(expected) > 30
    assert paragraphs_in(page) == expected
    # A word is a whitespace-separated run with a letter or digit in it (a lone dash is not).
    assert work.word_count == sum(1 for token in text.split() if re.search(r"\w", token))


def test_save_as_draft_keeps_the_work_unposted(client: Client) -> None:
    author = make_user("author")
    client.force_login(author)
    response = client.post(reverse("works:new"), _form(author, action="save"))
    work = Work.objects.get()
    assert response["Location"] == work.get_absolute_url()
    assert not work.posted
    assert work.published_at is None
    page = client.get(reverse("works:drafts", args=["author"])).content.decode()
    assert "Everything Back But You" in page


def test_preview_saves_a_draft_and_shows_it_whole(client: Client) -> None:
    author = make_user("author")
    client.force_login(author)
    response = client.post(reverse("works:new"), _form(author, action="preview"))
    work = Work.objects.get()
    assert response["Location"] == reverse("works:preview", args=[work.pk])
    page = client.get(response["Location"]).content.decode()
    assert "Preview." in page
    assert "<p>One.</p>" in page
    assert not work.posted


def test_posting_a_draft_gives_it_dates_and_lists_it(client: Client) -> None:
    author = make_user("author")
    work = make_work(author, title="Soon Posted", posted=False, fandoms=["Gilmore Girls"])
    client.force_login(author)
    response = client.post(reverse("works:post", args=[work.pk]))
    assert response.status_code == 302
    work.refresh_from_db()
    assert work.posted
    assert work.published_at is not None
    client.logout()
    assert "Soon Posted" in client.get("/").content.decode()


def test_a_bad_form_names_the_field_and_stores_nothing(client: Client) -> None:
    author = make_user("author")
    client.force_login(author)
    response = client.post(reverse("works:new"), _form(author, title="   ", body=""))
    assert response.status_code == 400
    page = response.content.decode()
    assert "Work title: This field is required." in page or "Work title:" in page
    assert "Work text:" in page
    assert not Work.objects.exists()


def test_a_wrong_rating_is_refused(client: Client) -> None:
    author = make_user("author")
    client.force_login(author)
    response = client.post(reverse("works:new"), _form(author, rating="Very Explicit"))
    assert response.status_code == 400
    assert "Rating:" in response.content.decode()
    assert not Work.objects.exists()


def test_editing_changes_the_work_and_its_text(client: Client) -> None:
    author = make_user("author")
    work = make_work(author, title="Old Title")
    client.force_login(author)
    response = client.post(
        reverse("works:edit", args=[work.pk]), _form(author, title="New Title", body="New text.")
    )
    assert response.status_code == 302
    work.refresh_from_db()
    assert work.title == "New Title"
    assert work.chapters.get().body == "<p>New text.</p>"
    assert [t.name for t in work.fandoms] == ["Gilmore Girls"]


def test_co_creators_can_be_added_and_may_edit_once_they_accept(client: Client) -> None:
    author, coauthor = make_user("author"), make_user("coauthor")
    client.force_login(author)
    client.post(reverse("works:new"), {**_form(author), "co_creators": "coauthor"})
    work = Work.objects.get()
    assert [p.user.username for p in work.creators] == ["author"]  # invited, not yet credited
    client.force_login(coauthor)
    assert client.get(reverse("works:edit", args=[work.pk])).status_code == 403
    invitation = work.creator_invitations.get()
    answer_invitation(coauthor, invitation.pk, accept=True)
    assert [p.user.username for p in work.creators] == ["author", "coauthor"]
    assert client.get(reverse("works:edit", args=[work.pk])).status_code == 200


def test_chapters_can_be_added_reordered_and_deleted(client: Client) -> None:
    author = make_user("author")
    work = make_work(author, title="Long One")
    client.force_login(author)
    response = client.post(
        reverse("works:chapter_new", args=[work.pk]),
        {"chapter_title": "The Bridge", "text_format": "text", "body": "Second chapter text."},
    )
    assert response.status_code == 302
    work.refresh_from_db()
    assert work.chapter_count == 2
    first, second = work.chapters.all()
    assert second.heading == "Chapter 2: The Bridge"

    client.post(
        reverse("works:chapters_manage", args=[work.pk]),
        {f"position_{first.pk}": "2", f"position_{second.pk}": "1"},
    )
    assert [c.pk for c in work.chapters.all()] == [second.pk, first.pk]

    confirm = client.get(reverse("works:chapter_delete", args=[work.pk, first.pk]))
    assert b"This cannot be undone" in confirm.content
    client.post(reverse("works:chapter_delete", args=[work.pk, first.pk]))
    work.refresh_from_db()
    assert work.chapter_count == 1
    assert work.chapters.get().position == 1


def test_the_last_chapter_cannot_be_deleted(client: Client) -> None:
    author = make_user("author")
    work = make_work(author)
    client.force_login(author)
    response = client.post(
        reverse("works:chapter_delete", args=[work.pk, work.chapters.get().pk]), follow=True
    )
    assert b"delete the work instead" in response.content
    assert work.chapters.count() == 1


def test_deleting_a_work_asks_first(client: Client) -> None:
    author = make_user("author")
    work = make_work(author, title="Going Away")
    client.force_login(author)
    confirm = client.get(reverse("works:delete", args=[work.pk]))
    assert b"Are you sure" in confirm.content
    assert Work.objects.filter(pk=work.pk).exists()
    client.post(reverse("works:delete", args=[work.pk]))
    assert not Work.objects.filter(pk=work.pk).exists()


def test_forms_refuse_posts_without_the_csrf_token() -> None:
    author = make_user("author")
    client = Client(enforce_csrf_checks=True)
    client.force_login(author)
    response = client.post(reverse("works:new"), _form(author))
    assert response.status_code == 403
    assert b"This form has expired" in response.content
    assert not Work.objects.exists()


def test_a_new_series_shows_its_parts_in_order(client: Client) -> None:
    author = make_user("author")
    client.force_login(author)
    client.post(reverse("works:new"), _form(author, title="First", new_series_title="Runaways"))
    series_id = Work.objects.get().serial_works.get().series_id
    client.post(reverse("works:new"), _form(author, title="Second", series=str(series_id)))
    page = client.get(reverse("works:series", args=[series_id])).content.decode()
    assert page.index("First") < page.index("Second")
    second = Work.objects.get(title="Second")
    assert "Part <strong>2</strong> of" in page
    assert "Part 2 of" in client.get(second.get_absolute_url()).content.decode()


def test_a_summary_of_markup_the_summary_does_not_allow_is_left_empty() -> None:
    embed = '<iframe src="https://www.youtube.com/embed/x"></iframe>'
    work = make_work(make_user(), summary=embed, notes=f'{embed}\n\n<b class="x">Notes</b>')
    stored = Work.objects.values_list("summary", "notes").get(pk=work.pk)
    assert stored == ("", '<p><b class="x">Notes</b></p>')
