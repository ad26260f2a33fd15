"""The overlap check on the web: starting a check, following it, and what its report may show."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from ficarchive.accounts.models import User
from ficarchive.jobs.services import work_off
from ficarchive.overlap.models import Check
from ficarchive.overlap.views import highlighted, matching_words
from ficarchive.works.models import Work
from ficarchive.works.services import ChapterData, post_work, update_chapter
from tests.cast import PASSWORD, make_user, make_work
from tests.markup import runnable_markup

pytestmark = pytest.mark.django_db

# The paragraph one work copies from another: long enough that any check must find it.
LIGHTHOUSE = (
    "The lighthouse keeper's daughter climbed the last of the spiral stairs with a lantern in "
    "one hand and her father's logbook in the other, counting the steps under her breath the "
    "way he had taught her when she was small. At the top the wind was already worrying at the "
    "glass, and out past the breakwater the fishing boats were coming home in a ragged line, "
    "their sails grey against a sky the colour of old pewter."
)
INN = (
    "Nobody in the village remembered who had first called the inn the Crooked Anchor, but "
    "everyone agreed the name suited it. The floor sloped toward the hearth, the beams sagged "
    "in the middle, and the landlord kept a parrot that swore in three languages and bit anyone "
    "who tried to teach it a fourth."
)
CARDS = (
    "By the time the rain started in earnest, Tomas had lost two games of cards and most of his "
    "patience. He folded his hand, drained the dregs of his cider, and went to stand by the "
    "window, where the harbour lights swam and doubled in the wet glass."
)
WINTER = (
    "Winter came early to the northern cliffs that year. The gulls left first, then the seals, "
    "and by the first week of November the only sound on the headland was the long complaint "
    "of the foghorn, calling out every thirty seconds to ships that were no longer there."
)
SOURCE_TITLE = "The Keeper of Saltmarsh Light"
SOURCE_BODY = f"{WINTER}\n\n{LIGHTHOUSE}"
COPY_BODY = f"{INN}\n\n{LIGHTHOUSE}\n\n{CARDS}"

Committed = Callable[[], AbstractContextManager[Any]]


@pytest.fixture
def committed(django_capture_on_commit_callbacks: Any) -> Committed:
    """Run the on-commit hooks of what happens inside (queueing index and check jobs), as a
    real request's commit would; the test database never commits."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def writer() -> User:
    return make_user("writer")


@pytest.fixture
def other_writer() -> User:
    return make_user("other")


def _client(user: User | None = None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def _copying_work(
    committed: Committed, writer: User, source_owner: User, *, source_posted: bool = True
) -> tuple[Work, Work]:
    """A source work by `source_owner` and a draft by `writer` that copies a paragraph of it."""
    with committed():
        source = make_work(source_owner, title=SOURCE_TITLE, body=SOURCE_BODY, posted=source_posted)
        copy = make_work(writer, title="Harbour Lights", body=COPY_BODY, posted=False)
    return source, copy


def _start(client: Client, committed: Committed, work: Work, **form: str) -> Any:
    with committed():
        return client.post(reverse("overlap:checks", args=[work.pk]), form)


def _checked(committed: Committed, writer: User, work: Work, scope: str = "all") -> Check:
    """A check of the work run to the end, as the worker would."""
    response = _start(_client(writer), committed, work, scope=scope)
    assert response.status_code == 302
    work_off()
    return Check.objects.get(pk=response["Location"].rstrip("/").rsplit("/", 1)[1])


def _report(client: Client, check: Check) -> str:
    response = client.get(reverse("overlap:report", args=[check.work_id, check.pk]))
    assert response.status_code == 200
    return str(response.content.decode())


# -- starting and following a check --------------------------------------------------------


def test_a_creator_starts_a_check_and_reads_its_report_when_it_is_done(
    committed: Committed, writer: User, other_writer: User
) -> None:
    source, copy = _copying_work(committed, writer, other_writer)
    client = _client(writer)
    response = _start(client, committed, copy, scope="all")
    check = Check.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("overlap:report", args=[copy.pk, check.pk])
    assert check.scope == "all"

    waiting = _report(client, check)
    assert '<meta http-equiv="refresh" content="2">' in waiting
    assert "<progress" in waiting

    work_off()
    page = _report(client, check)
    assert "http-equiv" not in page
    assert SOURCE_TITLE in page
    chapter = source.chapters.get()
    assert reverse("works:chapter", args=[source.pk, chapter.pk]) in page
    assert "Verbatim" in page
    assert "The same words in the same order." in page


def test_the_draft_notice_button_starts_a_check_of_everything(
    committed: Committed, writer: User, other_writer: User
) -> None:
    _, copy = _copying_work(committed, writer, other_writer)
    response = _start(_client(writer), committed, copy)  # the button sends scope=all; none too
    assert response.status_code == 302
    assert Check.objects.get().scope == "all"


def test_a_second_start_while_one_is_pending_returns_the_pending_check(
    committed: Committed, writer: User, other_writer: User
) -> None:
    _, copy = _copying_work(committed, writer, other_writer)
    client = _client(writer)
    first = _start(client, committed, copy, scope="mine")
    second = _start(client, committed, copy, scope="mine")
    assert first["Location"] == second["Location"]
    assert Check.objects.count() == 1


def test_an_unknown_scope_is_refused_and_starts_nothing(
    committed: Committed, writer: User, other_writer: User
) -> None:
    _, copy = _copying_work(committed, writer, other_writer)
    response = _start(_client(writer), committed, copy, scope="everyone-ever")
    assert response.status_code == 400
    assert not Check.objects.exists()


def test_the_list_shows_the_writers_checks_newest_first(
    committed: Committed, writer: User, other_writer: User
) -> None:
    _, copy = _copying_work(committed, writer, other_writer)
    first = _checked(committed, writer, copy, scope="mine")
    second = _checked(committed, writer, copy, scope="archive")
    page = _client(writer).get(reverse("overlap:checks", args=[copy.pk])).content.decode()
    newer = page.index(reverse("overlap:report", args=[copy.pk, second.pk]))
    older = page.index(reverse("overlap:report", args=[copy.pk, first.pk]))
    assert newer < older
    assert 'name="scope"' in page
    assert "<label" in page


def test_the_list_page_costs_the_same_queries_however_many_checks(
    committed: Committed, writer: User, other_writer: User
) -> None:
    _, copy = _copying_work(committed, writer, other_writer)
    client = _client(writer)
    url = reverse("overlap:checks", args=[copy.pk])
    _checked(committed, writer, copy, scope="mine")
    with CaptureQueriesContext(connection) as one:
        client.get(url)
    _checked(committed, writer, copy, scope="archive")
    _checked(committed, writer, copy, scope="all")
    with CaptureQueriesContext(connection) as three:
        client.get(url)
    assert len(three) == len(one)


def test_a_failed_check_says_so_in_plain_words(
    committed: Committed, writer: User, other_writer: User
) -> None:
    _, copy = _copying_work(committed, writer, other_writer)
    check = Check.objects.create(
        work=copy,
        user=writer,
        state=Check.State.FAILED,
        error="The check could not finish: the index is being rebuilt.",
    )
    page = _report(_client(writer), check)
    assert "could not finish" in page
    assert "the index is being rebuilt" in page
    assert "<progress" not in page


def test_the_report_says_when_the_work_changed_since_the_check(
    committed: Committed, writer: User, other_writer: User
) -> None:
    _, copy = _copying_work(committed, writer, other_writer)
    check = _checked(committed, writer, copy)
    client = _client(writer)
    assert "changed since the check" not in _report(client, check)
    update_chapter(copy.chapters.get(), ChapterData(body=f"{COPY_BODY}\n\nThe end."))
    assert "This work changed since the check; run it again." in _report(client, check)


# -- who may see what ----------------------------------------------------------------------


@pytest.mark.parametrize("method", ["get", "post"])
def test_logged_out_visitors_are_sent_to_log_in(
    committed: Committed, writer: User, other_writer: User, method: str
) -> None:
    _, copy = _copying_work(committed, writer, other_writer)
    response = getattr(Client(), method)(reverse("overlap:checks", args=[copy.pk]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))
    assert not Check.objects.exists()


@pytest.mark.parametrize("posted", [True, False])
def test_strangers_cannot_list_or_start_checks_of_someone_elses_work(
    committed: Committed, writer: User, other_writer: User, posted: bool
) -> None:
    _, copy = _copying_work(committed, writer, other_writer)
    if posted:
        post_work(copy)
    stranger = _client(make_user("stranger"))
    url = reverse("overlap:checks", args=[copy.pk])
    assert stranger.get(url).status_code == 404
    with committed():
        assert stranger.post(url, {"scope": "all"}).status_code == 404
    assert not Check.objects.exists()


def test_a_report_is_only_for_the_writer_who_ran_it(
    committed: Committed, writer: User, other_writer: User
) -> None:
    co_author = make_user("coauthor")
    with committed():
        make_work(other_writer, title=SOURCE_TITLE, body=SOURCE_BODY)
        shared = make_work(writer, co_author, title="Harbour Lights", body=COPY_BODY)
    check = _checked(committed, writer, shared)
    url = reverse("overlap:report", args=[shared.pk, check.pk])
    assert _client(co_author).get(url).status_code == 404
    assert _client(make_user("stranger")).get(url).status_code == 404
    assert Client().get(url).status_code == 302
    # The co-author's list holds their own checks only.
    listing = _client(co_author).get(reverse("overlap:checks", args=[shared.pk]))
    assert url not in listing.content.decode()


def test_a_report_is_not_found_under_another_work(
    committed: Committed, writer: User, other_writer: User
) -> None:
    _, copy = _copying_work(committed, writer, other_writer)
    check = _checked(committed, writer, copy)
    with committed():
        other = make_work(writer, title="Another One", body=WINTER)
    url = reverse("overlap:report", args=[other.pk, check.pk])
    assert _client(writer).get(url).status_code == 404


def test_another_writers_draft_never_appears_in_a_report(
    committed: Committed, writer: User, other_writer: User
) -> None:
    _, copy = _copying_work(committed, writer, other_writer, source_posted=False)
    check = _checked(committed, writer, copy)
    page = _report(_client(writer), check)
    assert check.findings == []
    assert SOURCE_TITLE not in page
    assert "Winter came early" not in page
    assert "no longer shown" not in page


def test_a_source_made_a_draft_after_the_check_disappears_from_the_report(
    committed: Committed, writer: User, other_writer: User
) -> None:
    source, copy = _copying_work(committed, writer, other_writer)
    check = _checked(committed, writer, copy)
    client = _client(writer)
    assert SOURCE_TITLE in _report(client, check)
    hidden = len(check.findings)
    assert hidden >= 1

    Work.objects.filter(pk=source.pk).update(posted=False)
    page = _report(client, check)
    assert SOURCE_TITLE not in page
    assert "<mark>" not in page
    assert "lighthouse keeper" not in page.lower()
    assert f"{hidden} finding" in page
    assert "no longer shown because" in page


def test_a_deleted_source_disappears_from_the_report(
    committed: Committed, writer: User, other_writer: User
) -> None:
    source, copy = _copying_work(committed, writer, other_writer)
    check = _checked(committed, writer, copy)
    source.delete()
    page = _report(_client(writer), check)
    assert SOURCE_TITLE not in page
    assert "no longer shown because" in page


def test_the_writers_own_draft_is_a_source_for_their_own_check(
    committed: Committed, writer: User
) -> None:
    source, copy = _copying_work(committed, writer, writer, source_posted=False)
    check = _checked(committed, writer, copy, scope="mine")
    page = _report(_client(writer), check)
    assert SOURCE_TITLE in page
    assert reverse("works:chapter", args=[source.pk, source.chapters.get().pk]) in page


# -- what the report shows -----------------------------------------------------------------


def test_the_report_marks_the_words_both_passages_share(
    committed: Committed, writer: User, other_writer: User
) -> None:
    _, copy = _copying_work(committed, writer, other_writer)
    page = _report(_client(writer), _checked(committed, writer, copy))
    assert page.count("<mark>") >= 2  # one run on each side
    assert "sky the colour of old pewter." in page
    # Words only one side has are never marked.
    assert "<mark>Winter" not in page
    assert "<mark>Nobody" not in page


def test_user_text_with_script_is_escaped_in_the_report(
    committed: Committed, writer: User, other_writer: User
) -> None:
    payload = '<script>alert("pwned")</script> <img src=x onerror="alert(1)">'
    with committed():
        make_work(other_writer, title=f"Lights {payload}", body=f"{payload} {LIGHTHOUSE}")
        copy = make_work(writer, title="Harbour Lights", body=f"{INN}\n\n{payload} {LIGHTHOUSE}")
    page = _report(_client(writer), _checked(committed, writer, copy))
    assert "<mark>" in page
    assert runnable_markup(page) == []
    assert "<script>alert" not in page
    assert "&lt;script&gt;" in page


def test_matching_words_ignore_case_and_single_chance_words() -> None:
    this, other = matching_words(
        "She opened The Red Door slowly", "at dawn the red door creaked open, she said"
    )
    # "The Red Door" matches "the red door"; a lone shared "she" is not marked.
    assert this == {2, 3, 4}
    assert other == {2, 3, 4}


def test_highlighting_keeps_the_original_words_and_paragraphs() -> None:
    html = highlighted("One <b>bold</b> Word.\n\nTwo  words here", {1, 2, 3})
    assert html == (
        "<p>One <mark>&lt;b&gt;bold&lt;/b&gt; Word.</mark></p>\n<p><mark>Two</mark> words here</p>"
    )


# -- the buttons on work pages -------------------------------------------------------------


def test_the_draft_page_offers_the_check_to_its_creator(
    committed: Committed, writer: User, other_writer: User
) -> None:
    _, copy = _copying_work(committed, writer, other_writer)
    page = _client(writer).get(copy.get_absolute_url()).content.decode()
    assert "Check for overlap" in page
    assert f'action="{reverse("overlap:checks", args=[copy.pk])}"' in page
    assert "before you post" in page
    assert "Overlap check" in page
    assert _client(other_writer).get(copy.get_absolute_url()).status_code == 404


def test_readers_of_a_posted_work_see_no_overlap_actions(
    committed: Committed, writer: User, other_writer: User
) -> None:
    source, _ = _copying_work(committed, writer, other_writer)
    for client in (_client(writer), Client()):
        page = client.get(source.get_absolute_url()).content.decode()
        assert "Overlap check" not in page
        assert reverse("overlap:checks", args=[source.pk]) not in page
    own = _client(other_writer).get(source.get_absolute_url()).content.decode()
    assert "Overlap check" in own


def test_the_drafts_page_offers_the_check_next_to_each_post_button(
    committed: Committed, writer: User, other_writer: User
) -> None:
    _, copy = _copying_work(committed, writer, other_writer)
    page = _client(writer).get(reverse("works:drafts", args=[writer.username])).content.decode()
    assert "Check for overlap" in page
    assert f'action="{reverse("overlap:checks", args=[copy.pk])}"' in page


# -- CSRF ----------------------------------------------------------------------------------


def test_starting_a_check_without_a_csrf_token_is_refused(
    committed: Committed, writer: User, other_writer: User
) -> None:
    _, copy = _copying_work(committed, writer, other_writer)
    client = Client(enforce_csrf_checks=True)
    assert client.login(username=writer.username, password=PASSWORD)
    with committed():
        response = client.post(reverse("overlap:checks", args=[copy.pk]), {"scope": "all"})
    assert response.status_code == 403
    assert not Check.objects.exists()
