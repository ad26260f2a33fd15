"""Whatever a writer types into any field, no script reaches a reader's page."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from ficarchive.works.models import Work
from tests.cast import make_user
from tests.markup import runnable_markup

pytestmark = pytest.mark.django_db

SCRIPT = '<script>alert("pwned")</script>'
ONERROR = '<img src="x" onerror="alert(1)">'
PAYLOAD = f'Hello {SCRIPT} {ONERROR} <a href="javascript:alert(1)">x</a>'


def _assert_clean(html: str) -> None:
    assert runnable_markup(html) == []
    assert "<script>alert" not in html.lower()


@pytest.mark.parametrize("text_format", ["html", "text"])
def test_no_script_in_any_field_reaches_the_page(client: Client, text_format: str) -> None:
    author = make_user("author")
    client.force_login(author)
    form = {
        "title": f"Title {SCRIPT}{ONERROR}",
        "pseuds": [author.pseuds.get().pk],
        "rating": "General Audiences",
        "warnings": ["No Archive Warnings Apply"],
        "fandoms": "Gilmore Girls",
        "relationships": "A/B",
        "characters": "C",
        "freeforms": "Free",
        "summary": PAYLOAD,
        "notes": PAYLOAD,
        "end_notes": PAYLOAD,
        "language": "en",
        "chapter_title": f"Chapter {SCRIPT}",
        "text_format": text_format,
        "body": PAYLOAD,
        "action": "post",
    }
    response = client.post(reverse("works:new"), form)
    work = Work.objects.get(posted=True)
    assert response.status_code == 302
    client.logout()
    for url in ["/", work.get_absolute_url(), "/works", reverse("accounts:user", args=["author"])]:
        page = client.get(url).content.decode()
        _assert_clean(page)


def test_a_tag_with_markup_is_refused_with_a_clear_error(client: Client) -> None:
    author = make_user("author")
    client.force_login(author)
    response = client.post(
        reverse("works:new"),
        {
            "title": "T",
            "pseuds": [author.pseuds.get().pk],
            "rating": "General Audiences",
            "warnings": ["No Archive Warnings Apply"],
            "fandoms": "Fandom <script>x</script>",
            "language": "en",
            "text_format": "text",
            "body": "Text.",
            "action": "post",
        },
    )
    assert response.status_code == 400
    assert b"contains a character tags may not use" in response.content
    assert runnable_markup(response.content.decode()) == []
    assert not Work.objects.exists()
