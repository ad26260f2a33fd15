"""Updates: what posting a chapter or a work tells subscribers, by update and by email, once."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from io import StringIO
from typing import Any

import pytest
from django.conf import settings
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from ficarchive.accounts.models import Block, User
from ficarchive.community import subscriptions
from ficarchive.community.models import Subscription, Update
from ficarchive.community.subscriptions import (
    DIGEST,
    NOTIFY,
    mark_all_read,
    send_digests,
    subscribe_to_series,
    subscribe_to_user,
    subscribe_to_work,
    unread_updates,
)
from ficarchive.jobs.models import Job
from ficarchive.jobs.services import claim, enqueue, run
from ficarchive.works.models import Chapter, Series, Work
from ficarchive.works.services import ChapterData, add_chapter, post_work, set_creators
from tests.cast import make_user, make_work
from tests.markup import runnable_markup

pytestmark = pytest.mark.django_db

Committed = Callable[[], AbstractContextManager[Any]]


@pytest.fixture
def committed(django_capture_on_commit_callbacks: Any) -> Committed:
    """Runs what the block schedules after its commit, as a real request would."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


def _run_community_jobs() -> list[Job]:
    """Run the queued community jobs the way a worker does (other apps' jobs are dropped)."""
    Job.objects.exclude(kind__startswith="community.").delete()
    ran = []
    while (job := claim()) is not None:
        ran.append(run(job))
    return ran


def _new_chapter(work: Work, title: str = "The Bridge") -> Chapter:
    return add_chapter(work, ChapterData(body="Jess came back on a Tuesday.", title=title))


def _events(user: User) -> list[str]:
    return sorted(Update.objects.filter(user=user).values_list("event", flat=True))


def _mailed_to() -> list[str]:
    return sorted(address for message in mail.outbox for address in message.to)


# -- the acceptance item -------------------------------------------------------------------


def test_posting_a_new_chapter_notifies_each_subscriber_exactly_once(committed: Committed) -> None:
    author = make_user("author")
    work = make_work(author, title="Everything Back But You")
    readers = [make_user(f"reader{number}") for number in range(3)]
    for reader in readers:
        subscribe_to_work(reader, work)

    with committed():
        chapter = _new_chapter(work)
    queued = Job.objects.filter(kind=NOTIFY)
    assert [job.payload for job in queued] == [{"chapter_id": chapter.pk}]
    ran = _run_community_jobs()
    assert [job.state for job in ran] == [Job.State.DONE]

    # The worker died after the handler ran: the same job runs again ...
    retried = ran[0]
    retried.state = Job.State.RUNNING
    retried.save()
    assert run(retried).state == Job.State.DONE
    # ... and a second job for the same event is queued and run.
    enqueue(NOTIFY, {"chapter_id": chapter.pk})
    assert len(_run_community_jobs()) == 1

    for reader in readers:
        assert list(Update.objects.filter(user=reader).values_list("event", flat=True)) == [
            f"chapter:{chapter.pk}"
        ]
    assert _mailed_to() == sorted(reader.email for reader in readers)
    assert not Update.objects.filter(user=author).exists()
    message = mail.outbox[0]
    assert "Everything Back But You" in message.subject
    assert "Chapter 2: The Bridge" in message.body
    assert f"{settings.SITE_URL}{chapter.get_absolute_url()}" in message.body


# -- which events there are ----------------------------------------------------------------


def test_a_new_work_tells_its_creators_and_its_series_subscribers(committed: Committed) -> None:
    author = make_user("author")
    first = make_work(author, title="Part One", new_series_title="The Bridge Years")
    series = Series.objects.get()
    fan_of_author, fan_of_series = make_user("fan_of_author"), make_user("fan_of_series")
    subscribe_to_user(fan_of_author, "author")
    subscribe_to_series(fan_of_series, series)

    with committed():
        second = make_work(author, title="Part Two", chapters=3, series_id=series.pk)
    _run_community_jobs()
    # A new work with three chapters is one piece of news, not four.
    assert _events(fan_of_author) == [f"work:{second.pk}"]
    assert _events(fan_of_series) == [f"series:{series.pk}:work:{second.pk}"]
    assert first.pk != second.pk
    text = Update.objects.get(user=fan_of_series).text
    assert text == "New part of The Bridge Years by author: Part 2, Part Two"


def test_a_draft_tells_no_one_until_it_is_posted(committed: Committed) -> None:
    author = make_user("author")
    fan = make_user("fan")
    subscribe_to_user(fan, "author")
    with committed():
        draft = make_work(author, posted=False)
        _new_chapter(draft)
    assert not Job.objects.filter(kind=NOTIFY).exists()
    _run_community_jobs()
    assert not Update.objects.exists()
    assert mail.outbox == []

    with committed():
        post_work(draft)
    _run_community_jobs()
    # Posting tells of the work; its chapters written as a draft are not news of their own.
    assert _events(fan) == [f"work:{draft.pk}"]
    assert len(mail.outbox) == 1


def test_posting_an_already_posted_work_again_tells_no_one_twice(committed: Committed) -> None:
    author, fan = make_user("author"), make_user("fan")
    subscribe_to_user(fan, "author")
    with committed():
        work = make_work(author)
    _run_community_jobs()
    with committed():
        post_work(Work.objects.get(pk=work.pk))
        work.title = "Edited title"
        work.save()
    assert not Job.objects.filter(kind=NOTIFY, state=Job.State.QUEUED).exists()
    assert Update.objects.filter(user=fan).count() == 1


def test_nobody_following_means_no_job(committed: Committed) -> None:
    with committed():
        work = make_work(make_user("author"))
        _new_chapter(work)
    assert not Job.objects.filter(kind=NOTIFY).exists()


def test_creators_are_never_told_of_their_own_works(committed: Committed) -> None:
    author, coauthor, reader = make_user("author"), make_user("coauthor"), make_user("reader")
    work = make_work(author)
    # Subscribed before they became co-creators, or to each other.
    Subscription.objects.create(user=coauthor, work=work)
    subscribe_to_work(reader, work)
    subscribe_to_user(author, "coauthor")
    set_creators(work, [author.pseuds.get(), coauthor.pseuds.get()])
    with committed():
        _new_chapter(work)
        make_work(author, coauthor, title="Together")
    _run_community_jobs()
    assert not Update.objects.filter(user__in=[author, coauthor]).exists()
    assert Update.objects.filter(user=reader).count() == 1


def test_users_a_creator_blocked_are_not_told(committed: Committed) -> None:
    author, blocked, reader = make_user("author"), make_user("blocked"), make_user("reader")
    work = make_work(author)
    subscribe_to_work(blocked, work)
    subscribe_to_work(reader, work)
    Block.objects.create(blocker=author, blocked=blocked)
    with committed():
        _new_chapter(work)
    _run_community_jobs()
    assert not Update.objects.filter(user=blocked).exists()
    assert _mailed_to() == [reader.email]


def test_restricted_works_tell_their_subscribers(committed: Committed) -> None:
    work = make_work(make_user("author"), restricted=True)
    reader = make_user("reader")
    subscribe_to_work(reader, work)
    with committed():
        chapter = _new_chapter(work)
    _run_community_jobs()
    assert _events(reader) == [f"chapter:{chapter.pk}"]


def test_a_deleted_chapter_tells_no_one(committed: Committed) -> None:
    work = make_work(make_user("author"))
    subscribe_to_work(make_user("reader"), work)
    with committed():
        chapter = _new_chapter(work)
    chapter.delete()
    assert [job.state for job in _run_community_jobs()] == [Job.State.DONE]
    assert not Update.objects.exists()


# -- email ---------------------------------------------------------------------------------


def test_email_follows_each_readers_preference(committed: Committed) -> None:
    work = make_work(make_user("author"))
    readers = {}
    for choice in ("each", "daily", "off"):
        readers[choice] = make_user(f"reader_{choice}")
        readers[choice].update_emails = choice
        readers[choice].save()
        subscribe_to_work(readers[choice], work)
    with committed():
        _new_chapter(work)
    _run_community_jobs()
    assert Update.objects.count() == 3
    assert _mailed_to() == [readers["each"].email]
    assert Update.objects.filter(emailed_at__isnull=False).count() == 1


def test_a_failed_send_is_retried_and_mailed_once(
    committed: Committed, monkeypatch: pytest.MonkeyPatch
) -> None:
    work = make_work(make_user("author"))
    reader = make_user("reader")
    subscribe_to_work(reader, work)
    with committed():
        _new_chapter(work)

    def broken(*args: object, **kwargs: object) -> int:
        raise OSError("mail server down")

    monkeypatch.setattr(subscriptions, "send_mail", broken)
    Job.objects.exclude(kind=NOTIFY).delete()
    job = claim()
    assert job is not None
    assert run(job).state == Job.State.QUEUED  # to be retried later
    update = Update.objects.get(user=reader)
    assert update.emailed_at is None  # the claim was given back

    monkeypatch.undo()
    job.state = Job.State.RUNNING
    assert run(job).state == Job.State.DONE
    assert _mailed_to() == [reader.email]


def test_the_daily_digest_lists_every_update_and_mails_once(committed: Committed) -> None:
    author = make_user("author")
    work = make_work(author, title="Everything Back But You")
    reader, other = make_user("reader"), make_user("other")
    for user in (reader, other):
        user.update_emails = "daily"
        user.save()
        subscribe_to_work(user, work)
    subscribe_to_user(reader, "author")
    with committed():
        chapter = _new_chapter(work)
        new_work = make_work(author, title="A New Story")
    _run_community_jobs()
    assert mail.outbox == []

    assert send_digests() == 2
    assert send_digests() == 0
    assert _mailed_to() == sorted([reader.email, other.email])
    digest = next(message for message in mail.outbox if message.to == [reader.email])
    assert "(2)" in digest.subject
    assert f"{settings.SITE_URL}{chapter.get_absolute_url()}" in digest.body
    assert f"{settings.SITE_URL}{new_work.get_absolute_url()}" in digest.body
    assert "A New Story" in digest.body
    assert not Update.objects.filter(emailed_at__isnull=True).exists()


def test_the_digest_job_and_command_send_the_digest_once() -> None:
    work = make_work(make_user("author"))
    reader = make_user("reader")
    reader.update_emails = "daily"
    reader.save()
    Update.objects.create(user=reader, event="work:1", work=work, text="New work by author")

    out = StringIO()
    call_command("send_digests", "--queue", stdout=out)
    assert "queued" in out.getvalue()
    assert [job.kind for job in _run_community_jobs()] == [DIGEST]
    assert len(mail.outbox) == 1

    out = StringIO()
    call_command("send_digests", stdout=out)
    assert out.getvalue().strip() == "send_digests: sent 0 digest(s)"
    assert len(mail.outbox) == 1


# -- the updates page ----------------------------------------------------------------------


def _update(user: User, work: Work, number: int, *, read: bool = False) -> Update:
    return Update.objects.create(
        user=user, event=f"work:{number}", work=work, text=f"Update {number}", read=read
    )


def test_the_updates_page_lists_newest_first_and_marks_unread(client: Client) -> None:
    work = make_work(make_user("author"), title="<script>alert(1)</script>")
    reader = make_user("reader")
    _update(reader, work, 1, read=True)
    Update.objects.create(
        user=reader,
        event="chapter:9",
        work=work,
        chapter=work.chapters.get(),
        text="New chapter of <script>alert(1)</script>",
    )
    client.force_login(reader)
    page = client.get(reverse("community:updates")).content.decode()
    assert page.index("New chapter of") < page.index("Update 1")
    assert page.count('class="update unread"') == 1
    assert "(1 unread)" in page
    assert work.chapters.get().get_absolute_url() in page
    assert work.get_absolute_url() in page
    assert runnable_markup(page) == []


def test_mark_all_read_clears_the_unread_count(client: Client) -> None:
    work = make_work(make_user("author"))
    reader, other = make_user("reader"), make_user("other")
    for number in range(3):
        _update(reader, work, number)
    _update(other, work, 9)
    assert unread_updates(reader) == 3
    client.force_login(reader)
    assert client.get(reverse("community:updates_read")).status_code == 405
    response = client.post(reverse("community:updates_read"))
    assert response["Location"] == reverse("community:updates")
    assert unread_updates(reader) == 0
    assert unread_updates(other) == 1
    assert mark_all_read(reader) == 0


def test_guests_have_no_updates(client: Client) -> None:
    from django.contrib.auth.models import AnonymousUser

    assert unread_updates(AnonymousUser()) == 0
    response = client.get(reverse("community:updates"))
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


def test_the_updates_page_does_not_query_per_update(client: Client) -> None:
    reader = make_user("reader")
    work = make_work(make_user("author"))
    client.force_login(reader)

    def queries() -> int:
        with CaptureQueriesContext(connection) as context:
            assert client.get(reverse("community:updates")).status_code == 200
        return len(context.captured_queries)

    _update(reader, work, 0)
    few = queries()
    chapter = _new_chapter(work)
    for number in range(1, 6):
        Update.objects.create(
            user=reader, event=f"c:{number}", work=work, chapter=chapter, text=f"U{number}"
        )
    assert queries() == few
