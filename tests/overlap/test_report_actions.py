"""A report that says what to do: whose the source is, the score in words, how much of the
draft a finding covers, and the next steps (edit, post anyway, mark as intended)."""

from __future__ import annotations

from urllib.parse import urlencode

import pytest
from django.test import Client
from django.urls import reverse

from ficarchive.accounts.models import User
from ficarchive.overlap.calibration import DEFAULT_THRESHOLD
from ficarchive.overlap.explain import VERY_LIKELY, verdict
from ficarchive.overlap.models import Check
from ficarchive.works import related
from ficarchive.works.models import RelatedWork
from tests.cast import make_user
from tests.overlap.test_views import (
    COPY_BODY,
    LIGHTHOUSE,
    SOURCE_TITLE,
    Committed,
    _checked,
    _client,
    _copying_work,
    _report,
)
from tests.overlap.test_views import committed as committed_hooks

pytestmark = pytest.mark.django_db

committed = committed_hooks


@pytest.fixture
def writer() -> User:
    return make_user("writer")


@pytest.fixture
def other_writer() -> User:
    return make_user("other")


def test_the_verdict_names_the_calibrated_bands() -> None:
    assert verdict(1.0) == verdict(VERY_LIKELY) == "very likely reused"
    assert verdict(VERY_LIKELY - 0.01) == verdict(DEFAULT_THRESHOLD) == "possibly reused"
    assert verdict(DEFAULT_THRESHOLD - 0.01) == verdict(0.0) == "likely chance"


def _coverage() -> str:
    words = len(LIGHTHOUSE.split())
    return f"{words} words, {round(100 * words / len(COPY_BODY.split()))}% of chapter 1"


def test_a_finding_against_her_own_work_says_so_and_offers_three_next_steps(
    committed: Committed, writer: User
) -> None:
    _, copy = _copying_work(committed, writer, writer)
    check = _checked(committed, writer, copy)
    page = _report(_client(writer), check)
    assert "The source is your work <a href=" in page
    assert f"<em>{SOURCE_TITLE}</em></a>, chapter 1." in page
    assert '<span class="verdict">Very likely reused</span>' in page
    assert f"It covers {_coverage()} of this work." in page
    chapter = copy.chapters.get()
    editor = reverse("works:chapter_edit", args=[copy.pk, chapter.pk])
    opening = urlencode({"passage": " ".join(LIGHTHOUSE.split()[:12])})
    assert f'href="{editor}?{opening}#id_body"' in page
    assert f'action="{reverse("works:post", args=[copy.pk])}"' in page
    assert "Post anyway" in page
    assert f'action="{reverse("overlap:intended", args=[copy.pk, check.pk])}"' in page
    assert '<option value="retells">retells</option>' in page
    assert "Mark as intended" in page


def test_a_finding_against_someone_elses_work_offers_no_mark_as_intended(
    committed: Committed, writer: User, other_writer: User
) -> None:
    _, copy = _copying_work(committed, writer, other_writer)
    page = _report(_client(writer), _checked(committed, writer, copy))
    assert f"<em>{SOURCE_TITLE}</em></a> by someone else" in page
    assert "your work" not in page
    assert "Mark as intended" not in page
    assert "Edit this chapter" in page
    assert "Post anyway" in page


def test_mark_as_intended_links_the_works_and_later_checks_show_it_acknowledged(
    committed: Committed, writer: User
) -> None:
    source, copy = _copying_work(committed, writer, writer)
    check = _checked(committed, writer, copy)
    client = _client(writer)
    url = reverse("overlap:intended", args=[copy.pk, check.pk])
    response = client.post(url, {"finding": 0, "kind": "retells"})
    assert response.status_code == 302
    link = RelatedWork.objects.get()
    assert (link.child, link.parent, link.kind) == (copy, source, "retells")
    assert link.state == RelatedWork.State.APPROVED

    later = _checked(committed, writer, copy)
    assert later.pk != check.pk
    page = _report(client, later)
    assert "overlap finding verbatim acknowledged" in page
    assert "Marked as intended: this work retells it." in page
    assert SOURCE_TITLE in page  # shown, not hidden
    assert "Mark as intended</button>" not in page
    assert f'A retelling of <a href="{source.get_absolute_url()}">' in (
        client.get(copy.get_absolute_url()).content.decode()
    )


def test_mark_as_intended_is_refused_for_someone_elses_work_and_for_strangers(
    committed: Committed, writer: User, other_writer: User
) -> None:
    _, copy = _copying_work(committed, writer, other_writer)
    check = _checked(committed, writer, copy)
    url = reverse("overlap:intended", args=[copy.pk, check.pk])
    assert _client(writer).post(url, {"finding": 0, "kind": "retells"}).status_code == 302
    assert _client(other_writer).post(url, {"finding": 0, "kind": "retells"}).status_code == 404
    assert _client(writer).post(url, {"finding": 9, "kind": "retells"}).status_code == 404
    assert not RelatedWork.objects.exists()


def test_mark_as_intended_needs_a_csrf_token(committed: Committed, writer: User) -> None:
    _, copy = _copying_work(committed, writer, writer)
    check = _checked(committed, writer, copy)
    client = Client(enforce_csrf_checks=True)
    client.force_login(writer)
    url = reverse("overlap:intended", args=[copy.pk, check.pk])
    assert client.post(url, {"finding": 0, "kind": "retells"}).status_code == 403
    assert not RelatedWork.objects.exists()


def test_an_earlier_link_counts_as_acknowledged_whichever_way_it_points(
    committed: Committed, writer: User
) -> None:
    source, copy = _copying_work(committed, writer, writer)
    related.link_works(writer, source, copy, RelatedWork.Kind.INSPIRED)
    page = _report(_client(writer), _checked(committed, writer, copy))
    assert "Marked as intended: it is inspired by this work." in page
    assert Check.objects.count() == 1


def test_the_chapter_editor_opened_from_a_report_names_the_passage_as_text(
    committed: Committed, writer: User
) -> None:
    _, copy = _copying_work(committed, writer, writer)
    chapter = copy.chapters.get()
    editor = reverse("works:chapter_edit", args=[copy.pk, chapter.pk])
    client = _client(writer)
    opening = "The lighthouse <b>keeper's</b> daughter " + "x" * 400
    page = client.get(editor, {"passage": opening}).content.decode()
    assert 'id="passage"' in page
    assert "ficarchive/passage-focus.js" in page
    # Shown as text, never as markup, and cut to a link's worth.
    assert "<b>keeper" not in page
    assert "&lt;b&gt;keeper&#x27;s&lt;/b&gt; daughter " + "x" * 100 in page
    # (The footer's Site skin link carries the page's address, query and all, to come back to.)
    assert "x" * 400 not in page.split("<footer")[0]
    plain = client.get(editor).content.decode()
    assert 'id="passage"' not in plain
    assert "passage-focus.js" not in plain
