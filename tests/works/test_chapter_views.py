"""Adding a chapter on the web: its form, Preview, Save As Draft, Post, and a draft chapter's
page (issue 19)."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from ficarchive.community.models import Update
from ficarchive.community.subscriptions import subscribe_to_work
from ficarchive.jobs.models import Job
from ficarchive.jobs.services import claim, run
from ficarchive.works.models import Chapter, Work
from ficarchive.works.services import ChapterData, add_chapter
from tests.cast import make_user, make_work

pytestmark = pytest.mark.django_db

Committed = Callable[[], AbstractContextManager[Any]]
NEW_TEXT = "Jess came back on a Tuesday.\n\nRory was at the diner."


@pytest.fixture
def committed(django_capture_on_commit_callbacks: Any) -> Committed:
    """Runs what a request schedules after its commit, as a real request would."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


def _fields(action: str, **overrides: str) -> dict[str, str]:
    fields = {
        "chapter_title": "The Bridge",
        "chapter_summary": "",
        "chapter_notes": "",
        "chapter_end_notes": "",
        "text_format": "text",
        "body": NEW_TEXT,
        "action": action,
    }
    fields.update(overrides)
    return fields


def _new_url(work: Work) -> str:
    return reverse("works:chapter_new", args=[work.pk])


def _notifications() -> list[str]:
    """Run the queued notification jobs as a worker does; the events subscribers were told."""
    Job.objects.exclude(kind__startswith="community.").delete()
    while (job := claim()) is not None:
        run(job)
    return sorted(Update.objects.values_list("event", flat=True))


def _author_and_work(client: Client) -> Work:
    author = make_user("author")
    client.force_login(author)
    return make_work(author)


# -- the form ------------------------------------------------------------------------------


def test_the_text_box_is_labelled_chapter_text_with_its_limit_under_it(client: Client) -> None:
    work = _author_and_work(client)
    page = client.get(_new_url(work)).content.decode()
    assert '<label for="id_body" class="required-field">Chapter text</label>' in page
    assert f"Up to {settings.CHAPTER_MAX_CHARACTERS:,} characters" in page
    assert f'data-max-chars="{settings.CHAPTER_MAX_CHARACTERS}"' in page
    for button in ('value="preview">Preview', 'value="save">Save As Draft', 'value="post"'):
        assert f'<button type="submit" name="action" {button}' in page


def test_an_empty_text_is_refused_at_the_field_with_a_summary(client: Client) -> None:
    work = _author_and_work(client)
    response = client.post(_new_url(work), _fields("post", body="  "))
    page = response.content.decode()
    assert response.status_code == 400
    assert 'id="error-summary"' in page
    assert '<a href="#id_body">Chapter text:' in page
    assert 'id="id_body_error"' in page
    assert work.chapters.count() == 1


def test_a_text_over_the_limit_is_refused_and_kept(client: Client, settings: Any) -> None:
    settings.CHAPTER_MAX_CHARACTERS = 20
    work = _author_and_work(client)
    response = client.post(_new_url(work), _fields("save", body="x" * 25))
    assert response.status_code == 400
    assert "one chapter may have up to 20 characters" in response.content.decode()
    assert "x" * 25 in response.content.decode()
    assert work.chapters.count() == 1


# -- preview -------------------------------------------------------------------------------


def test_preview_shows_the_chapter_as_readers_will_and_stores_nothing(
    client: Client, committed: Committed
) -> None:
    work = _author_and_work(client)
    subscribe_to_work(make_user("reader"), work)
    with committed():
        response = client.post(_new_url(work), _fields("preview"))
    page = response.content.decode()
    assert response.status_code == 200
    assert "<strong>Preview.</strong> This is Chapter 2: The Bridge" in page
    assert "<p>Jess came back on a Tuesday.</p>" in page
    for button in ('value="edit">Edit', 'value="save">Save As Draft', 'value="post">Post'):
        assert button in page
    assert work.chapters.count() == 1
    work.refresh_from_db()
    assert work.chapter_count == 1
    assert _notifications() == []


def test_edit_from_the_preview_opens_the_form_with_the_text_kept(client: Client) -> None:
    work = _author_and_work(client)
    response = client.post(_new_url(work), _fields("edit"))
    page = response.content.decode()
    assert response.status_code == 200
    assert "Jess came back on a Tuesday." in page
    assert 'value="The Bridge"' in page
    assert 'id="error-summary"' not in page
    assert work.chapters.count() == 1


# -- save as draft, then post ----------------------------------------------------------------


def test_a_draft_chapter_is_seen_only_by_the_works_creators(client: Client) -> None:
    work = _author_and_work(client)
    response = client.post(_new_url(work), _fields("save"))
    draft = work.chapters.get(position=2)
    assert draft.draft
    assert draft.published_at is None
    assert response["Location"] == draft.get_absolute_url()

    own = client.get(draft.get_absolute_url()).content.decode()
    assert "This chapter is a <strong>draft</strong>" in own
    assert reverse("works:chapter_post", args=[work.pk, draft.pk]) in own
    index = client.get(reverse("works:navigate", args=[work.pk])).content.decode()
    assert '<span class="draft-mark">(Draft)</span>' in index

    reader = Client()
    assert reader.get(draft.get_absolute_url()).status_code == 404
    reader.force_login(make_user("stranger"))
    assert reader.get(draft.get_absolute_url()).status_code == 404
    for url in (work.get_absolute_url(), work.get_absolute_url() + "?view_full_work=true"):
        page = reader.get(url).content.decode()
        assert "Jess came back" not in page
        assert "The Bridge" not in page
        assert 'Chapters:</dt><dd class="chapters">1/' in page
    index = reader.get(reverse("works:navigate", args=[work.pk])).content.decode()
    assert "The Bridge" not in index


def test_posting_the_draft_chapter_tells_subscribers_then_and_only_then(
    client: Client, committed: Committed
) -> None:
    work = _author_and_work(client)
    subscribe_to_work(make_user("reader"), work)
    with committed():
        client.post(_new_url(work), _fields("save"))
    assert _notifications() == []
    draft = work.chapters.get(position=2)

    with committed():
        response = client.post(reverse("works:chapter_post", args=[work.pk, draft.pk]))
    assert response.status_code == 302
    assert _notifications() == [f"chapter:{draft.pk}"]
    draft.refresh_from_db()
    work.refresh_from_db()
    assert not draft.draft
    assert draft.published_at is not None
    assert work.chapter_count == 2
    assert work.updated_at is not None
    assert work.updated_at >= draft.published_at

    # Posting it again (a second click) tells no one twice.
    with committed():
        client.post(reverse("works:chapter_post", args=[work.pk, draft.pk]))
    assert _notifications() == [f"chapter:{draft.pk}"]
    page = Client().get(draft.get_absolute_url()).content.decode()
    assert "Jess came back on a Tuesday." in page


def test_posting_a_new_chapter_at_once_tells_subscribers(
    client: Client, committed: Committed
) -> None:
    work = _author_and_work(client)
    subscribe_to_work(make_user("reader"), work)
    with committed():
        client.post(_new_url(work), _fields("post"))
    chapter = work.chapters.get(position=2)
    assert not chapter.draft
    assert _notifications() == [f"chapter:{chapter.pk}"]


def test_a_draft_chapter_can_be_edited_then_posted_from_its_form(client: Client) -> None:
    work = _author_and_work(client)
    draft = add_chapter(work, ChapterData(body="First try."), draft=True)
    url = reverse("works:chapter_edit", args=[work.pk, draft.pk])
    assert 'value="post">Post' in client.get(url).content.decode()
    client.post(url, _fields("save", body="Second try."))
    draft.refresh_from_db()
    assert draft.draft
    assert "Second try." in draft.body
    client.post(url, _fields("post", body="Third try."))
    draft.refresh_from_db()
    assert not draft.draft
    assert "Third try." in draft.body


def test_only_a_creator_can_post_a_draft_chapter(client: Client) -> None:
    work = make_work(make_user("author"))
    draft = add_chapter(work, ChapterData(body="Not yet."), draft=True)
    client.force_login(make_user("stranger"))
    response = client.post(reverse("works:chapter_post", args=[work.pk, draft.pk]))
    assert response.status_code in (403, 404)
    assert Chapter.objects.get(pk=draft.pk).draft


def test_a_draft_chapter_cannot_be_moved_before_a_posted_one(client: Client) -> None:
    work = _author_and_work(client)
    first = work.chapters.get()
    draft = add_chapter(work, ChapterData(body="Not yet."), draft=True)
    url = reverse("works:chapters_manage", args=[work.pk])
    response = client.post(url, {f"position_{first.pk}": "2", f"position_{draft.pk}": "1"})
    assert response.status_code == 400
    assert "Draft chapters come after the posted ones" in response.content.decode()
    assert list(work.chapters.values_list("pk", flat=True)) == [first.pk, draft.pk]
