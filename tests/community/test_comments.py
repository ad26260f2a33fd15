"""Posting, editing and deleting comments: the rules a commenter meets, and the work's count."""

from __future__ import annotations

import html
import re
from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from ficarchive.accounts.blocks import block
from ficarchive.community import comments
from ficarchive.community.models import Comment, CommentSettings
from ficarchive.search.saved import mute_user
from ficarchive.works.models import Work
from tests.cast import make_user, make_work
from tests.community.comment_cast import comment_on, make_reader, post_form, text
from tests.markup import runnable_markup

pytestmark = pytest.mark.django_db


def _count(work: Work) -> int:
    return Work.objects.values_list("comments_count", flat=True).get(pk=work.pk)


def test_a_reader_comments_as_their_default_pseud(client: Client) -> None:
    work = make_work(make_user("author"))
    reader = make_reader()
    client.force_login(reader)
    chapter_id = work.chapters.get().pk
    response = post_form(
        client, work, "What a lovely ending.\n\nThe bridge!", chapter_id=chapter_id
    )
    comment = Comment.objects.get()
    assert response.status_code == 302
    assert response["Location"].endswith(f"#comment_{comment.pk}")
    assert comment.pseud is not None
    assert comment.pseud.name == "reader"
    assert comment.thread_id == comment.pk
    assert comment.depth == 0
    assert comment.chapter_id == chapter_id
    assert comment.body == "<p>What a lovely ending.</p>\n<p>The bridge!</p>"
    page = text(client.get(work.get_absolute_url()))
    assert "Comments (1)" in page
    assert "What a lovely ending." in page
    assert f'id="comment_{comment.pk}"' in page


def test_a_reply_joins_its_parents_thread_one_level_deeper() -> None:
    work = make_work(make_user("author"), chapters=2)
    chapter = work.chapters.order_by("position").last()
    assert chapter is not None
    top = comment_on(work, make_reader("first"), chapter_id=chapter.pk)
    reply = comment_on(work, make_reader("second"), "Agreed.", parent=top)
    deeper = comment_on(work, make_reader("third"), "Me too.", parent=reply)
    assert (reply.thread_id, reply.depth, reply.chapter_id) == (top.pk, 1, chapter.pk)
    assert (deeper.thread_id, deeper.depth) == (top.pk, 2)


def test_a_guest_comments_with_a_name(client: Client) -> None:
    work = make_work(make_user("author"))
    response = post_form(client, work, "Guest words.", guest_name="Lorelai", guest_email="")
    assert response.status_code == 302
    comment = Comment.objects.get()
    assert (comment.user, comment.guest_name) == (None, "Lorelai")
    assert len(comment.guest_key) == 64
    assert "192" not in comment.guest_key
    assert "Lorelai" in text(client.get(work.get_absolute_url()))


def test_a_guest_without_a_name_is_told_to_give_one(client: Client) -> None:
    work = make_work(make_user("author"))
    response = post_form(client, work, "Nameless.")
    assert response.status_code == 400
    assert "Name: guests must give a name" in text(response)
    assert "Nameless." in text(response)  # what they typed is kept
    assert not Comment.objects.exists()


def test_a_comment_with_script_or_onclick_is_stored_harmlessly(client: Client) -> None:
    work = make_work(make_user("author"))
    client.force_login(make_reader())
    hostile = (
        '<p onclick="steal()">Nice <a href="javascript:alert(1)">link</a></p>'
        "<script>alert('x')</script><img src=x onerror=alert(2)>"
    )
    assert post_form(client, work, hostile).status_code == 302
    stored = Comment.objects.get().body
    assert runnable_markup(stored) == []
    assert "Nice" in stored
    page = text(client.get(work.get_absolute_url()))
    assert runnable_markup(page) == []


def test_an_empty_comment_is_refused_with_a_clear_error(client: Client) -> None:
    work = make_work(make_user("author"))
    client.force_login(make_reader())
    for body in ["", "   \n ", "<script>only()</script>"]:
        response = post_form(client, work, body)
        assert response.status_code == 400
        assert "Comment:" in text(response)
    assert not Comment.objects.exists()


def test_a_too_long_comment_is_refused_with_the_limit() -> None:
    work = make_work(make_user("author"))
    with pytest.raises(comments.CommentError, match="at most 10,000 characters"):
        comment_on(work, make_reader(), "a" * (comments.BODY_MAX + 1))
    assert not Comment.objects.exists()


def test_drafts_take_no_comments(client: Client) -> None:
    author = make_user("author")
    work = make_work(author, posted=False)
    client.force_login(make_reader())
    assert post_form(client, work).status_code == 404
    client.force_login(author)
    response = post_form(client, work)
    assert response.status_code == 403
    assert "Drafts take no comments" in text(response)
    assert not Comment.objects.exists()


def test_restricted_works_take_no_guest_comments(client: Client) -> None:
    work = make_work(make_user("author"), restricted=True)
    assert post_form(client, work, guest_name="Guest").status_code == 404
    assert not Comment.objects.exists()


def test_the_author_edits_and_the_comment_shows_edited(client: Client) -> None:
    work = make_work(make_user("author"))
    reader = make_reader()
    comment = comment_on(work, reader, "Frist!")
    client.force_login(reader)
    url = reverse("community:comment_edit", args=[comment.pk])
    assert "Frist!" in text(client.get(url))
    assert client.post(url, {"body": "First!"}).status_code == 302
    comment.refresh_from_db()
    assert comment.edited_at is not None
    assert comment.body == "<p>First!</p>"
    assert "(Edited)" in text(client.get(work.get_absolute_url()))


def test_only_the_author_may_edit_a_comment(client: Client) -> None:
    author = make_user("author")
    work = make_work(author)
    comment = comment_on(work, make_reader(), "Mine.")
    client.force_login(author)
    url = reverse("community:comment_edit", args=[comment.pk])
    response = client.post(url, {"body": "Changed by the creator."})
    assert response.status_code == 403
    assert "Only the comment's author can edit it." in text(response)
    comment.refresh_from_db()
    assert comment.body == "<p>Mine.</p>"
    assert comment.edited_at is None


def test_a_deleted_comment_with_replies_leaves_a_placeholder(client: Client) -> None:
    work = make_work(make_user("author"))
    reader = make_reader()
    top = comment_on(work, reader, "Something I regret.")
    reply = comment_on(work, make_reader("other"), "A reply.", parent=top)
    assert _count(work) == 2
    client.force_login(reader)
    response = client.post(reverse("community:comment_delete", args=[top.pk]))
    assert response.status_code == 302
    top.refresh_from_db()
    assert top.deleted
    assert top.body == ""
    assert _count(work) == 1
    page = text(client.get(work.get_absolute_url()))
    assert "(Previous comment deleted.)" in page
    assert "Something I regret." not in page
    assert "A reply." in page
    # Once its last reply goes, the placeholder goes too.
    comments.delete_comment(reply, reply.user)  # type: ignore[arg-type]
    assert not Comment.objects.exists()
    assert _count(work) == 0


def test_a_deleted_comment_without_replies_is_removed() -> None:
    author = make_user("author")
    work = make_work(author)
    comment = comment_on(work, make_reader(), "Rude.")
    assert comments.delete_comment(comment, author) is True  # a creator may delete it
    assert not Comment.objects.exists()
    assert _count(work) == 0


def test_strangers_cannot_delete_others_comments(client: Client) -> None:
    work = make_work(make_user("author"))
    comment = comment_on(work, make_reader(), "Stay.")
    client.force_login(make_reader("stranger"))
    response = client.post(reverse("community:comment_delete", args=[comment.pk]))
    assert response.status_code == 403
    assert "Only the comment's author" in text(response)
    assert Comment.objects.filter(pk=comment.pk, deleted=False).exists()


def test_a_moderator_may_delete_any_comment() -> None:
    work = make_work(make_user("author"))
    comment = comment_on(work, make_reader(), "Spam spam.")
    moderator = make_user("moderator")
    moderator.is_moderator = True
    moderator.save()
    comments.delete_comment(comment, moderator)
    assert not Comment.objects.exists()


def test_a_frozen_thread_refuses_replies(client: Client) -> None:
    author = make_user("author")
    work = make_work(author)
    top = comment_on(work, make_reader(), "Heated.")
    reply = comment_on(work, make_reader("other"), "Even more heated.", parent=top)
    client.force_login(author)
    assert client.post(reverse("community:comment_freeze", args=[top.pk])).status_code == 302
    assert Comment.objects.filter(thread=top, frozen=True).count() == 2
    client.force_login(make_reader("third"))
    response = post_form(client, work, "One more thing.", parent_id=reply.pk)
    assert response.status_code == 403
    assert "This thread is frozen: it takes no new replies." in text(response)
    assert Comment.objects.count() == 2
    client.force_login(author)
    client.post(reverse("community:comment_unfreeze", args=[top.pk]))
    comment_on(work, make_reader("fourth"), "Calmer now.", parent=reply)
    assert Comment.objects.count() == 3


def test_readers_cannot_freeze_threads(client: Client) -> None:
    work = make_work(make_user("author"))
    top = comment_on(work, make_reader(), "Hello.")
    client.force_login(make_reader("other"))
    response = client.post(reverse("community:comment_freeze", args=[top.pk]))
    assert response.status_code == 403
    assert not Comment.objects.filter(frozen=True).exists()


def test_a_blocked_users_comment_is_refused_with_a_clear_message(client: Client) -> None:
    author = make_user("author")
    work = make_work(author)
    troll = make_reader("troll")
    block(author, "troll")
    client.force_login(troll)
    response = post_form(client, work, "You again.")
    assert response.status_code == 403
    assert "author has blocked you" in text(response)
    assert not Comment.objects.exists()
    # The work page says so instead of showing the form.
    page = text(client.get(work.get_absolute_url()))
    assert "author has blocked you" in page
    assert 'name="body"' not in page


def test_a_blocked_users_old_comments_are_hidden_on_the_blockers_works(client: Client) -> None:
    author = make_user("author")
    work = make_work(author)
    troll = make_reader("troll")
    comment_on(work, troll, "Before the block.")
    block(author, "troll")
    client.force_login(make_reader("someone"))
    assert "Before the block." not in text(client.get(work.get_absolute_url()))
    client.logout()
    assert "Before the block." not in text(client.get(work.get_absolute_url()))


def test_a_user_blocked_by_a_commenter_cannot_reply_to_them() -> None:
    work = make_work(make_user("author"))
    reader, pest = make_reader(), make_reader("pest")
    top = comment_on(work, reader, "My thoughts.")
    block(reader, "pest")
    with pytest.raises(comments.CommentError, match="reader has blocked you"):
        comment_on(work, pest, "But…", parent=top)


def test_comments_by_muted_users_are_not_shown_to_the_muter(client: Client) -> None:
    work = make_work(make_user("author"))
    noisy, muter = make_reader("noisy"), make_reader("muter")
    comment_on(work, noisy, "Loud opinion.")
    mute_user(muter, "noisy")
    client.force_login(muter)
    assert "Loud opinion." not in text(client.get(work.get_absolute_url()))
    client.force_login(make_reader("other"))
    assert "Loud opinion." in text(client.get(work.get_absolute_url()))


def test_guest_comments_can_be_turned_off_per_work(client: Client) -> None:
    author = make_user("author")
    work = make_work(author)
    CommentSettings.objects.create(work=work, who=CommentSettings.Who.USERS)
    response = post_form(client, work, "Guest here.", guest_name="Guest")
    assert response.status_code == 403
    assert "Only registered users can comment on this work." in text(response)
    assert "Only registered users can comment" in text(client.get(work.get_absolute_url()))
    client.force_login(make_reader())
    assert post_form(client, work, "Member here.").status_code == 302
    assert Comment.objects.count() == 1


def test_comments_can_be_turned_off_per_work(client: Client) -> None:
    work = make_work(make_user("author"))
    CommentSettings.objects.create(work=work, who=CommentSettings.Who.NOBODY)
    client.force_login(make_reader())
    response = post_form(client, work)
    assert response.status_code == 403
    assert "Comments on this work are turned off." in text(response)


def test_new_accounts_are_rate_limited(client: Client) -> None:
    work = make_work(make_user("author"))
    newcomer = make_user("newcomer")
    client.force_login(newcomer)
    for number in range(comments.NEW_ACCOUNT_LIMIT):
        assert post_form(client, work, f"Comment {number}").status_code == 302
    response = post_form(client, work, "One too many")
    assert response.status_code == 429
    assert "new accounts may post 5 comments every 10 minutes" in text(response)
    assert Comment.objects.count() == comments.NEW_ACCOUNT_LIMIT
    # A week later the account is trusted.
    newcomer.date_joined = timezone.now() - timedelta(days=8)
    newcomer.save()
    assert post_form(client, work, "Now fine").status_code == 302


def test_guests_are_rate_limited_by_address(client: Client) -> None:
    work = make_work(make_user("author"))
    for number in range(comments.GUEST_LIMIT):
        assert post_form(client, work, f"G {number}", guest_name="Guest").status_code == 302
    response = post_form(client, work, "More", guest_name="Guest")
    assert response.status_code == 429
    assert "guests may post 3 comments" in text(response)
    other = Client(REMOTE_ADDR="198.51.100.7")
    assert post_form(other, work, "Elsewhere", guest_name="Other").status_code == 302


def test_creators_are_not_rate_limited_on_their_own_works() -> None:
    author = make_user("author")  # a brand-new account
    work = make_work(author)
    for number in range(comments.NEW_ACCOUNT_LIMIT + 2):
        comment_on(work, author, f"Thanks {number}!")
    assert Comment.objects.count() == comments.NEW_ACCOUNT_LIMIT + 2


def test_a_filled_honeypot_is_refused_and_nothing_is_stored(client: Client) -> None:
    work = make_work(make_user("author"))
    response = post_form(client, work, "Buy now", guest_name="Bot", website="http://spam.example")
    assert response.status_code == 400
    assert "looked like spam" in text(response)
    assert not Comment.objects.exists()
    assert _count(work) == 0


def test_bad_ids_get_a_400_with_a_message(client: Client) -> None:
    work = make_work(make_user("author"))
    client.force_login(make_reader())
    response = post_form(client, work, "Hi", parent_id="abc")
    assert response.status_code == 400
    assert "Reply: 'abc' is not a number." in text(response)
    response = post_form(client, work, "Hi", parent_id="999999")
    assert response.status_code == 400
    assert "no comment 999999" in text(response)
    other = make_work(make_user("other_author"), title="Other")
    response = post_form(client, work, "Hi", chapter_id=str(other.chapters.get().pk))
    assert response.status_code == 400
    assert "Chapter: there is no chapter" in text(response)
    assert client.get(reverse("community:comment_new", args=[work.pk])).status_code == 405


def test_the_count_follows_comments_made_and_deleted() -> None:
    author = make_user("author")
    work = make_work(author)
    first = comment_on(work, make_reader("one"))
    comment_on(work, make_reader("two"), parent=first)
    comment_on(work, AnonymousUser(), guest_name="Guest")
    assert _count(work) == 3
    comments.delete_comment(first, author)  # has a reply: placeholder
    assert _count(work) == 2
    assert Comment.objects.count() == 3


def test_the_permalink_leads_to_the_chapter_and_anchor(client: Client) -> None:
    work = make_work(make_user("author"), chapters=2)
    chapter = work.chapters.order_by("position").last()
    assert chapter is not None
    comment = comment_on(work, make_reader(), chapter_id=chapter.pk)
    response = client.get(reverse("community:comment", args=[comment.pk]))
    assert response["Location"] == f"{chapter.get_absolute_url()}#comment_{comment.pk}"
    whole = comment_on(work, make_reader("other"))
    response = client.get(reverse("community:comment", args=[whole.pk]))
    assert response["Location"] == (
        f"{work.get_absolute_url()}?view_full_work=true#comment_{whole.pk}"
    )


def test_the_whole_work_page_shows_every_chapters_comments(client: Client) -> None:
    work = make_work(make_user("author"), chapters=2)
    first, second = work.chapters.order_by("position")
    comment_on(work, make_reader("one"), "On one.", chapter_id=first.pk)
    comment_on(work, make_reader("two"), "On two.", chapter_id=second.pk)
    whole = text(client.get(work.get_absolute_url() + "?view_full_work=true"))
    assert "On one." in whole
    assert "On two." in whole
    assert "on Chapter 2" in whole
    only_two = text(client.get(second.get_absolute_url()))
    assert "On two." in only_two
    assert "On one." not in only_two


def test_guests_find_the_comment_form_on_the_page_and_on_a_page_of_its_own(
    client: Client,
) -> None:
    work = make_work(make_user("author"))
    chapter_id = work.chapters.get().pk
    page = text(client.get(work.get_absolute_url()))
    section = page[page.index('id="comments"') :]
    assert 'name="guest_name"' in section
    assert f'name="chapter_id" value="{chapter_id}"' in section
    form_url = reverse("community:comment_form", args=[work.pk]) + f"?chapter_id={chapter_id}"
    form = text(client.get(form_url))
    assert 'name="guest_name"' in form
    assert f'name="chapter_id" value="{chapter_id}"' in form
    response = post_form(
        client, work, "From the form page.", guest_name="Paris", chapter_id=chapter_id
    )
    assert response.status_code == 302
    assert Comment.objects.get().chapter_id == chapter_id


def test_the_reply_page_shows_the_comment_and_a_reply_form(client: Client) -> None:
    work = make_work(make_user("author"))
    top = comment_on(work, make_reader(), "Reply to me.")
    client.force_login(make_reader("other"))
    page = text(client.get(reverse("community:comment_reply", args=[top.pk])))
    assert "Reply to me." in page
    assert f'name="parent_id" value="{top.pk}"' in page


def test_a_comment_over_the_limit_comes_back_whole_in_a_box_that_cuts_nothing(
    client: Client,
) -> None:
    work = make_work(make_user("author"))
    client.force_login(make_reader())
    long = "So good.\r\n" * 1200  # 10,800 characters as the box counts them
    response = post_form(client, work, long)
    assert response.status_code == 400
    page = html.unescape(response.content.decode())
    assert "Comment: 10,800 characters is too long; comments may have at most 10,000" in page
    box = re.search(r'<textarea id="comment-body"([^>]*)>(.*?)</textarea>', page, re.S)
    assert box
    assert box.group(2).replace("\r\n", "\n") == long.replace("\r\n", "\n")
    assert 'data-max-chars="10000"' in box.group(1)
    assert "maxlength" not in box.group(1)
    assert not Comment.objects.exists()


def test_line_breaks_count_once_toward_the_comment_limit(client: Client) -> None:
    work = make_work(make_user("author"))
    client.force_login(make_reader())
    fits = "word\r\n" * 2000  # 12,000 characters as sent, 10,000 as typed in the box
    response = post_form(client, work, fits)
    assert response.status_code == 302
    assert Comment.objects.count() == 1
