"""AO3's posting rules on the web form: rating, warnings and a fandom asked for, none chosen for
the writer; refusals shown at their field under the label the writer sees; a text over the limit
given back whole."""

from __future__ import annotations

import html
import re
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from ficarchive.accounts.models import User
from ficarchive.works.models import Work
from tests.cast import make_user, make_work

pytestmark = pytest.mark.django_db


def _form(user: User, **overrides: object) -> dict[str, object]:
    form: dict[str, object] = {
        "title": "Everything Back But You",
        "pseuds": [user.pseuds.get(is_default=True).pk],
        "rating": "Teen And Up Audiences",
        "warnings": ["No Archive Warnings Apply"],
        "fandoms": "Gilmore Girls",
        "freeforms": "Getting Back Together",
        "language": "en",
        "text_format": "text",
        "body": "One.\n\nTwo.",
        "action": "post",
    }
    form.update(overrides)
    return form


def _field(page: str, name: str) -> str:
    """The HTML of one field's block on the form."""
    start = page.index(f'id="field-{name}"')
    end = page.find('<div class="field', start)
    return page[start : end if end > 0 else page.index("</form>", start)]


def _new(client: Client, user: User, **overrides: object) -> str:
    client.force_login(user)
    response = client.post(reverse("works:new"), _form(user, **overrides))
    assert response.status_code == 400
    return response.content.decode()


def test_the_new_work_form_chooses_no_rating_and_no_warning(client: Client) -> None:
    author = make_user("author")
    client.force_login(author)
    page = client.get(reverse("works:new")).content.decode()
    assert re.findall(r'<option value="([^"]*)" selected', _field(page, "rating")) == [""]
    assert "checked" not in _field(page, "warnings")
    assert '<option value="" selected>Choose a rating</option>' in page


def test_rating_warnings_and_fandoms_are_marked_required(client: Client) -> None:
    author = make_user("author")
    client.force_login(author)
    page = client.get(reverse("works:new")).content.decode()
    assert re.search(r"<select[^>]*required", _field(page, "rating"))
    assert 'aria-required="true"' in _field(page, "fandoms")
    for name in ("rating", "warnings", "fandoms"):
        assert 'class="required-field"' in _field(page, name)
    assert '<span class="visually-hidden"> (required)</span>' in _field(page, "warnings")
    assert "required-field" not in _field(page, "relationships")
    assert "* marks a required field (a draft may be saved without a fandom)" in html.unescape(
        re.sub(r"<[^>]+>", "", page)
    )


def test_a_work_without_rating_or_warning_is_refused_at_those_fields(client: Client) -> None:
    page = _new(client, make_user("author"), rating="", warnings=[])
    assert "Rating: Choose a rating." in _field(page, "rating")
    assert "Archive warnings: Choose at least one archive warning." in _field(page, "warnings")
    assert not Work.objects.exists()


def test_a_work_posted_without_a_fandom_is_refused_at_the_fandom_field(client: Client) -> None:
    page = _new(client, make_user("author"), fandoms=" , ")
    field = _field(page, "fandoms")
    assert "Fandoms: A work needs at least one fandom to be posted" in field
    # The box names its message, so a screen reader reads it with the field.
    assert re.search(r'<input[^>]*aria-describedby="[^"]*id_fandoms_error', field)
    assert '<div class="error" id="id_fandoms_error">' in field
    assert not Work.objects.exists()


def test_a_draft_may_be_saved_without_a_fandom(client: Client) -> None:
    author = make_user("author")
    client.force_login(author)
    response = client.post(reverse("works:new"), _form(author, fandoms="", action="save"))
    assert response.status_code == 302
    work = Work.objects.get()
    assert not work.posted
    assert work.fandoms == []


def test_a_draft_without_a_fandom_is_not_posted_from_its_page(client: Client) -> None:
    author = make_user("author")
    work = make_work(author, posted=False)
    client.force_login(author)
    response = client.post(reverse("works:post", args=[work.pk]), follow=True)
    work.refresh_from_db()
    assert not work.posted
    page = html.unescape(response.content.decode())
    assert "Your work was not posted: A work needs at least one fandom" in page
    assert response.redirect_chain[-1][0] == reverse("works:edit", args=[work.pk])


def test_a_posted_work_cannot_lose_its_last_fandom(client: Client) -> None:
    author = make_user("author")
    work = make_work(author, fandoms=["Gilmore Girls"])
    client.force_login(author)
    response = client.post(reverse("works:edit", args=[work.pk]), _form(author, fandoms=""))
    assert response.status_code == 400
    assert "Fandoms: A work needs" in _field(response.content.decode(), "fandoms")
    assert [tag.name for tag in Work.objects.get().fandoms] == ["Gilmore Girls"]


def test_errors_are_summed_up_at_the_top_with_links_to_their_fields(client: Client) -> None:
    page = _new(client, make_user("author"), rating="", fandoms="", body="")
    summary = re.search(r'<div class="errors error-summary" role="alert".*?</div>', page, re.S)
    assert summary, page
    links = re.findall(r'<a href="#([^"]+)">([^<]+)</a>', summary.group(0))
    assert [(target, text.split(":")[0]) for target, text in links] == [
        ("id_rating", "Rating"),
        ("id_fandoms", "Fandoms"),
        ("id_body", "Work text"),
    ]
    assert page.index("error-summary") < page.index('id="field-rating"')


def test_a_refused_tag_is_shown_at_its_field_under_the_label_the_writer_sees(
    client: Client,
) -> None:
    page = _new(client, make_user("author"), freeforms="x" * 200)
    field = html.unescape(_field(page, "freeforms"))
    assert "Additional Tags: " in field
    assert "Freeform" not in html.unescape(page)


def test_a_paste_over_the_limit_comes_back_whole_with_the_limit(client: Client) -> None:
    author = make_user("author")
    paragraph = "It wasn't weird. They had grown apart, and now Jess was back. " * 20
    text = "\n\n".join([paragraph] * 2500)  # about 3 MB
    assert len(text) > 3_000_000
    page = _new(client, author, body=text)
    assert not Work.objects.exists()
    box = re.search(r'<textarea name="body"[^>]*>\n?(.*?)</textarea>', page, re.S)
    assert box
    assert html.unescape(box.group(1)) == text
    limit = f"{settings.CHAPTER_MAX_CHARACTERS:,}"
    message = html.unescape(_field(page, "body"))
    assert f"Work text: The text is {len(text):,} characters" in message
    assert f"up to {limit} characters (about 83,000 words)" in message


def test_the_limit_is_stated_under_the_text_box(client: Client) -> None:
    author = make_user("author")
    work = make_work(author)
    client.force_login(author)
    for url in (reverse("works:new"), reverse("works:chapter_new", args=[work.pk])):
        body = _field(client.get(url).content.decode(), "body")
        assert f"Up to {settings.CHAPTER_MAX_CHARACTERS:,} characters" in body
        assert f'data-max-chars="{settings.CHAPTER_MAX_CHARACTERS}"' in body
        assert "maxlength" not in body


def test_a_chapter_over_the_limit_comes_back_whole(client: Client, settings: Any) -> None:
    settings.CHAPTER_MAX_CHARACTERS = 1000
    author = make_user("author")
    work = make_work(author)
    client.force_login(author)
    text = "word " * 300
    response = client.post(
        reverse("works:chapter_new", args=[work.pk]), {"text_format": "text", "body": text}
    )
    assert response.status_code == 400
    page = response.content.decode()
    box = re.search(r'<textarea name="body"[^>]*>\n?(.*?)</textarea>', page, re.S)
    assert box
    assert html.unescape(box.group(1)) == text
    assert "The text is 1,500 characters (300 words); one chapter may have up to 1,000" in page
    assert work.chapters.count() == 1
