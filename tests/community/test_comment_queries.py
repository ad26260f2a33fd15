"""The comments on a reading page cost a fixed number of queries, however many comments; pages
of threads; the tree comes out in thread order with its depth."""

from __future__ import annotations

import re

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from ficarchive.accounts.models import User
from ficarchive.community.comment_queries import THREADS_PER_PAGE
from ficarchive.community.models import Comment
from ficarchive.works.models import Work
from tests.cast import make_user, make_work
from tests.community.comment_cast import comment_on, make_reader, text

pytestmark = pytest.mark.django_db


def _add_threads(work: Work, readers: list[User], threads: int, replies: int) -> None:
    for number in range(threads):
        top = comment_on(work, readers[number % len(readers)], f"Thread {number}")
        parent = top
        for depth in range(replies):
            parent = comment_on(
                work, readers[(number + depth + 1) % len(readers)], "Re", parent=parent
            )


def _queries(client: Client, url: str) -> int:
    # Cold page cache; a first visit already made, so hits and history only update rows.
    client.get(url)
    cache.clear()
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
    assert response.status_code == 200
    return len(context.captured_queries)


@pytest.mark.parametrize("logged_in", [False, True])
def test_the_work_page_does_not_query_per_comment(client: Client, logged_in: bool) -> None:
    author = make_user("author")
    work = make_work(author)
    readers = [make_reader(f"reader{number}") for number in range(6)]
    viewer = make_reader("viewer")
    if logged_in:
        client.force_login(viewer)
    _add_threads(work, readers, threads=1, replies=4)  # 5 comments
    few = _queries(client, work.get_absolute_url())
    _add_threads(work, readers, threads=15, replies=3)  # 65 comments in 16 threads
    assert Comment.objects.count() == 65
    assert _queries(client, work.get_absolute_url()) == few


def test_the_creators_page_does_not_query_per_comment(client: Client) -> None:
    author = make_user("author")
    work = make_work(author, chapters=2)
    chapter = work.chapters.order_by("position").first()
    assert chapter is not None
    readers = [make_reader(f"reader{number}") for number in range(4)]
    client.force_login(author)
    comment_on(work, readers[0], chapter_id=chapter.pk)
    few = _queries(client, chapter.get_absolute_url())
    for number in range(30):
        top = comment_on(work, readers[number % 4], chapter_id=chapter.pk)
        comment_on(work, readers[(number + 1) % 4], parent=top)
    assert _queries(client, chapter.get_absolute_url()) == few


def test_threads_come_in_pages(client: Client) -> None:
    work = make_work(make_user("author"))
    readers = [make_reader(f"reader{number}") for number in range(3)]
    _add_threads(work, readers, threads=THREADS_PER_PAGE + 2, replies=1)
    first = text(client.get(work.get_absolute_url()))
    assert f"Thread {THREADS_PER_PAGE - 1}<" in first
    assert f"Thread {THREADS_PER_PAGE}<" not in first
    assert "Page 1 of 2" in first
    second = text(client.get(work.get_absolute_url() + "?comments_page=2"))
    assert f"Thread {THREADS_PER_PAGE}<" in second
    assert "Thread 0<" not in second
    last = Comment.objects.filter(parent__isnull=True).order_by("-id").first()
    assert last is not None
    response = client.get(f"/comments/{last.pk}")
    assert response["Location"].endswith(f"?comments_page=2#comment_{last.pk}")


def test_replies_follow_their_parents_with_deeper_indentation(client: Client) -> None:
    work = make_work(make_user("author"))
    one, two, three = (make_reader(name) for name in ["one", "two", "three"])
    first = comment_on(work, one, "First top")
    second = comment_on(work, two, "Second top")
    reply = comment_on(work, three, "Reply to first", parent=first)
    deeper = comment_on(work, one, "Reply to reply", parent=reply)
    page = text(client.get(work.get_absolute_url()))
    order = [int(found) for found in re.findall(r'id="comment_(\d+)"', page)]
    assert order == [first.pk, reply.pk, deeper.pk, second.pk]
    assert f'id="comment_{deeper.pk}" class="comment depth-2 indent-2"' in page
