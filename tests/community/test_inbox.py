"""The inbox: who gets an item for a comment, reading, marking, deleting, approving and replying
from the list."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from ficarchive.community import inbox
from ficarchive.community.models import Comment, CommentSettings, InboxComment
from tests.cast import make_user, make_work
from tests.community.comment_cast import comment_on, make_reader, text

pytestmark = pytest.mark.django_db


def _owners(comment: Comment) -> set[str]:
    return {item.user.username for item in InboxComment.objects.filter(comment=comment)}


def test_a_comment_reaches_every_creator_but_not_the_commenter() -> None:
    author, coauthor = make_user("author"), make_user("coauthor")
    work = make_work(author, coauthor)
    comment = comment_on(work, make_reader(), "Hi both.")
    assert _owners(comment) == {"author", "coauthor"}
    own = comment_on(work, author, "Thanks!")
    assert _owners(own) == {"coauthor"}


def test_a_reply_reaches_the_parents_author() -> None:
    author = make_user("author")
    work = make_work(author)
    reader, other = make_reader(), make_reader("other")
    top = comment_on(work, reader, "Top.")
    reply = comment_on(work, other, "Reply.", parent=top)
    assert _owners(reply) == {"author", "reader"}
    self_reply = comment_on(work, reader, "Also…", parent=top)
    assert _owners(self_reply) == {"author"}


def test_held_replies_reach_the_parents_author_only_once_approved() -> None:
    author = make_user("author")
    work = make_work(author)
    reader = make_reader()
    top = comment_on(work, reader, "Before moderation.")
    CommentSettings.objects.create(work=work, moderated=True)
    reply = comment_on(work, make_reader("other"), "Held reply.", parent=top)
    assert _owners(reply) == {"author"}
    from ficarchive.community.comments import approve

    approve(reply, author)
    assert _owners(reply) == {"author", "reader"}


def test_the_inbox_lists_newest_first_with_unread_marks(client: Client) -> None:
    author = make_user("author")
    work = make_work(author, title="The Bridge")
    comment_on(work, make_reader("one"), "Older comment.")
    comment_on(work, make_reader("two"), "Newer comment.")
    client.force_login(author)
    page = text(client.get(reverse("community:inbox")))
    assert "My Inbox (2 unread)" in page
    assert page.index("Newer comment.") < page.index("Older comment.")
    assert "The Bridge" in page
    assert "(Unread)" in page
    assert inbox.unread_count(author) == 2


def test_marking_read_and_filtering_unread(client: Client) -> None:
    author = make_user("author")
    work = make_work(author)
    comment_on(work, make_reader("one"), "Read me.")
    comment_on(work, make_reader("two"), "Still unread.")
    first, second = InboxComment.objects.filter(user=author).order_by("id")
    client.force_login(author)
    update = reverse("community:inbox_update")
    assert client.post(update, {"action": "read", "items": [first.pk]}).status_code == 302
    assert inbox.unread_count(author) == 1
    unread = text(client.get(reverse("community:inbox") + "?filter=unread"))
    assert "Still unread." in unread
    assert "Read me." not in unread
    client.post(update, {"action": "read", "items": [first.pk, second.pk]})
    assert inbox.unread_count(author) == 0
    client.post(update, {"action": "unread", "items": [second.pk]})
    assert inbox.unread_count(author) == 1


def test_deleting_from_the_inbox_keeps_the_comment(client: Client) -> None:
    author = make_user("author")
    work = make_work(author)
    comment = comment_on(work, make_reader(), "Keep me on the work.")
    item = InboxComment.objects.get(user=author)
    client.force_login(author)
    client.post(reverse("community:inbox_update"), {"action": "delete", "items": [item.pk]})
    assert not InboxComment.objects.exists()
    assert Comment.objects.filter(pk=comment.pk).exists()


def test_nobody_changes_anothers_inbox(client: Client) -> None:
    author = make_user("author")
    work = make_work(author)
    comment_on(work, make_reader(), "Mine.")
    item = InboxComment.objects.get(user=author)
    client.force_login(make_reader("intruder"))
    client.post(reverse("community:inbox_update"), {"action": "delete", "items": [item.pk]})
    client.post(reverse("community:inbox_update"), {"action": "read", "items": [item.pk]})
    item.refresh_from_db()
    assert not item.read


def test_a_bad_inbox_action_is_a_400_with_a_message(client: Client) -> None:
    client.force_login(make_user("author"))
    response = client.post(reverse("community:inbox_update"), {"action": "explode", "items": ["1"]})
    assert response.status_code == 400
    assert "'explode' is not something the inbox can do" in text(response)
    assert client.get(reverse("community:inbox_update")).status_code == 405


def test_the_inbox_needs_a_login(client: Client) -> None:
    response = client.get(reverse("community:inbox"))
    assert response.status_code == 302
    assert "/users/login" in response["Location"]


def test_reply_from_the_inbox_posts_into_the_thread(client: Client) -> None:
    author = make_user("author")
    work = make_work(author)
    reader = make_reader()
    top = comment_on(work, reader, "Will there be more?")
    item = InboxComment.objects.get(user=author)
    client.force_login(author)
    inbox_url = reverse("community:inbox")
    page = text(client.get(inbox_url))
    assert f'name="inbox_item" value="{item.pk}"' in page
    response = client.post(
        reverse("community:comment_new", args=[work.pk]),
        {"body": "Yes, next week!", "parent_id": top.pk, "inbox_item": item.pk, "next": inbox_url},
    )
    assert response.status_code == 302
    assert response["Location"] == inbox_url
    reply = Comment.objects.get(parent=top)
    assert (reply.thread_id, reply.depth, reply.user) == (top.pk, 1, author)
    item.refresh_from_db()
    assert item.replied
    assert item.read
    assert "(Replied)" in text(client.get(inbox_url))
    assert _owners(reply) == {"reader"}


def test_approve_from_the_inbox(client: Client) -> None:
    author = make_user("author")
    work = make_work(author)
    CommentSettings.objects.create(work=work, moderated=True)
    held = comment_on(work, make_reader(), "Held for you.")
    client.force_login(author)
    inbox_url = reverse("community:inbox")
    page = text(client.get(inbox_url))
    assert "(Waiting for approval)" in page
    assert "Approve" in page
    response = client.post(
        reverse("community:comment_approve", args=[held.pk]), {"next": inbox_url}
    )
    assert response["Location"] == inbox_url
    held.refresh_from_db()
    assert held.approved


def test_the_inbox_page_does_not_query_per_item(client: Client) -> None:
    author = make_user("author")
    work = make_work(author, chapters=2)
    chapter = work.chapters.order_by("position").last()
    assert chapter is not None
    readers = [make_reader(f"reader{number}") for number in range(5)]
    comment_on(work, readers[0], chapter_id=chapter.pk)
    client.force_login(author)

    def queries() -> int:
        with CaptureQueriesContext(connection) as context:
            assert client.get(reverse("community:inbox")).status_code == 200
        return len(context.captured_queries)

    few = queries()
    for number in range(12):
        comment_on(work, readers[number % 5], chapter_id=chapter.pk)
    assert queries() == few
    assert "Chapter 2" in text(client.get(reverse("community:inbox")))


def test_a_deleted_comment_leaves_the_inbox() -> None:
    author = make_user("author")
    work = make_work(author)
    reader = make_reader()
    top = comment_on(work, reader, "Top.")
    comment_on(work, make_reader("other"), "Reply.", parent=top)
    from ficarchive.community.comments import delete_comment

    delete_comment(top, reader)  # a placeholder now
    assert not InboxComment.objects.filter(comment=top).exists()
