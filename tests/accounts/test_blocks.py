"""The blocked-users page, muting users on the mutes page, and the Block and Mute buttons on a
user's page."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from ficarchive.accounts.blocks import blocked_by_any
from ficarchive.accounts.models import Block, User
from ficarchive.search.models import MutedUser
from ficarchive.search.saved import without_muted
from ficarchive.works.queries import blocked_by_creators, listed_works
from tests.cast import make_user, make_work

pytestmark = pytest.mark.django_db


def _logged_in(client: Client, name: str = "author") -> User:
    user = make_user(name)
    client.force_login(user)
    return user


def test_blocking_through_the_page_lists_the_user_and_unblocking_lifts_it(client: Client) -> None:
    author = _logged_in(client)
    troll = make_user("troll")
    response = client.post(reverse("accounts:block"), {"username": "TROLL"}, follow=True)
    assert response.status_code == 200
    assert Block.objects.filter(blocker=author, blocked=troll).exists()
    page = client.get(reverse("accounts:blocked")).content.decode()
    assert 'href="/users/troll"' in page
    assert "You blocked troll" in response.content.decode()

    response = client.post(reverse("accounts:unblock"), {"user": troll.pk}, follow=True)
    assert not Block.objects.filter(blocker=author).exists()
    assert "You unblocked troll." in response.content.decode()
    assert 'href="/users/troll"' not in client.get(reverse("accounts:blocked")).content.decode()


def test_a_block_made_through_the_page_keeps_the_user_from_the_blockers_works(
    client: Client,
) -> None:
    author = _logged_in(client)
    troll = make_user("troll")
    work = make_work(author)
    assert not blocked_by_creators(work, troll)
    client.post(reverse("accounts:block"), {"username": "troll"})
    assert blocked_by_creators(work, troll)
    # One way only: the troll's works are not closed to the author.
    assert not blocked_by_creators(make_work(troll, title="Theirs"), author)


def test_blocking_twice_keeps_one_block(client: Client) -> None:
    author = _logged_in(client)
    make_user("troll")
    client.post(reverse("accounts:block"), {"username": "troll"})
    client.post(reverse("accounts:block"), {"username": "troll"})
    assert Block.objects.filter(blocker=author).count() == 1


def test_it_refuses_to_block_yourself_with_a_message(client: Client) -> None:
    _logged_in(client)
    response = client.post(reverse("accounts:block"), {"username": "author"})
    assert response.status_code == 400
    assert "&#x27;author&#x27; is your own account: you cannot block yourself." in (
        response.content.decode()
    )
    assert not Block.objects.exists()


def test_it_refuses_to_block_an_unknown_user_with_a_message_naming_them(client: Client) -> None:
    _logged_in(client)
    response = client.post(reverse("accounts:block"), {"username": "nobody_here"})
    assert response.status_code == 400
    assert "There is no user &#x27;nobody_here&#x27; to block." in response.content.decode()
    assert not Block.objects.exists()


def test_unblocking_someone_not_blocked_is_a_bad_request(client: Client) -> None:
    _logged_in(client)
    other = make_user("other")
    for data in ({"user": other.pk}, {"user": "x"}, {}):
        response = client.post(reverse("accounts:unblock"), data)
        assert response.status_code == 400
        assert "did not name a user you have blocked" in response.content.decode()


def _mute(username: str) -> dict[str, str]:
    return {"action": "mute_user", "name": username}


def _unmute(user_id: int) -> dict[str, str]:
    return {"action": "unmute_user", "id": str(user_id)}


def test_muting_and_unmuting_through_the_page(client: Client) -> None:
    reader = _logged_in(client, "reader")
    writer = make_user("writer")
    response = client.post(reverse("search:mutes"), _mute("writer"), follow=True)
    assert MutedUser.objects.filter(user=reader, muted=writer).exists()
    assert "You muted writer." in response.content.decode()
    assert "<li>writer" in client.get(reverse("search:mutes")).content.decode()

    response = client.post(reverse("search:mutes"), _unmute(writer.pk), follow=True)
    assert not MutedUser.objects.filter(user=reader).exists()
    assert "You unmuted writer." in response.content.decode()


def test_a_mute_made_through_the_page_leaves_the_users_works_out_of_listed_works(
    client: Client,
) -> None:
    reader = _logged_in(client, "reader")
    muted_work = make_work(make_user("writer"), title="Muted Story")
    other_work = make_work(make_user("other"), title="Other Story")
    client.post(reverse("search:mutes"), _mute("writer"))
    listed = set(without_muted(listed_works(reader), reader))
    assert other_work in listed
    assert muted_work not in listed


def test_it_refuses_to_mute_yourself_or_an_unknown_user(client: Client) -> None:
    _logged_in(client, "reader")
    response = client.post(reverse("search:mutes"), _mute("reader"))
    assert response.status_code == 400
    assert "you cannot mute yourself" in response.content.decode()
    response = client.post(reverse("search:mutes"), _unmute(12345))
    assert response.status_code == 400
    assert "did not name a user you have muted" in response.content.decode()
    response = client.post(reverse("search:mutes"), _mute("ghost"))
    assert response.status_code == 400
    assert "There is no user &#x27;ghost&#x27; to mute." in response.content.decode()
    assert not MutedUser.objects.exists()


def test_the_pages_explain_what_blocking_and_muting_do(client: Client) -> None:
    _logged_in(client)
    blocked = client.get(reverse("accounts:blocked")).content.decode()
    assert "cannot comment on or leave kudos on your works" in blocked
    assert "comments they already left on your works are hidden" in blocked
    muted = client.get(reverse("search:mutes")).content.decode()
    assert "left out of your lists" in muted
    assert "out of their counts" in muted


def test_logged_out_visitors_are_sent_to_log_in(client: Client) -> None:
    make_user("troll")
    for name in ("accounts:blocked", "search:mutes"):
        response = client.get(reverse(name))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:login"))
    response = client.post(reverse("accounts:block"), {"username": "troll"})
    assert response.status_code == 302
    assert not Block.objects.exists()


def test_block_and_mute_change_nothing_on_get(client: Client) -> None:
    _logged_in(client)
    make_user("troll")
    assert client.get(reverse("accounts:block"), {"username": "troll"}).status_code == 405
    client.get(reverse("search:mutes"), _mute("troll"))
    assert not Block.objects.exists()
    assert not MutedUser.objects.exists()


def test_a_users_page_has_block_and_mute_buttons_that_come_back_to_it(client: Client) -> None:
    _logged_in(client, "reader")
    writer = make_user("writer")
    page = client.get(writer.get_absolute_url()).content.decode()
    assert 'action="/account/blocked/add"' in page
    assert ">Block</button>" in page
    assert ">Mute</button>" in page

    response = client.post(
        reverse("accounts:block"), {"username": "writer", "next": writer.get_absolute_url()}
    )
    assert response.status_code == 302
    assert response["Location"] == writer.get_absolute_url()
    response = client.post(
        reverse("search:mutes"), {**_mute("writer"), "next": "https://evil.example/"}
    )
    assert response["Location"] == reverse("search:mutes")
    page = client.get(writer.get_absolute_url()).content.decode()
    assert ">Unblock</button>" in page
    assert ">Unmute</button>" in page


def test_a_users_page_has_no_block_buttons_for_the_user_or_guests(client: Client) -> None:
    writer = make_user("writer")
    assert ">Block</button>" not in client.get(writer.get_absolute_url()).content.decode()
    client.force_login(writer)
    own = client.get(writer.get_absolute_url()).content.decode()
    assert ">Block</button>" not in own
    assert reverse("accounts:blocked") in own


def test_the_blocked_page_costs_the_same_queries_however_many_blocks(client: Client) -> None:
    author = _logged_in(client)

    def count() -> int:
        with CaptureQueriesContext(connection) as context:
            assert client.get(reverse("accounts:blocked")).status_code == 200
        return len(context.captured_queries)

    Block.objects.create(blocker=author, blocked=make_user("one"))
    few = count()
    for name in ("two", "three", "four"):
        Block.objects.create(blocker=author, blocked=make_user(name))
    assert count() == few


def test_blocked_by_any_is_true_only_for_a_signed_in_user_one_of_the_blockers_blocked() -> None:
    author, other, troll = make_user("author"), make_user("other"), make_user("troll")
    Block.objects.create(blocker=author, blocked=troll)
    assert blocked_by_any({author.pk, other.pk}, troll)
    assert not blocked_by_any({other.pk}, troll)
    assert not blocked_by_any({author.pk}, AnonymousUser())
