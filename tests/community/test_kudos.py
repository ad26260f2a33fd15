"""Kudos: once per reader and work, never on one's own work, not from blocked readers, only on
works the reader may see; the list of who left them; and the shared page cache's CSRF tokens."""

from __future__ import annotations

import html
import re

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from ficarchive.accounts.guests import guest_key
from ficarchive.accounts.models import Block
from ficarchive.community.kudos import ALREADY_LEFT, BLOCKED, GUEST_COOKIE, OWN_WORK
from ficarchive.community.models import Kudos
from ficarchive.works.models import Work
from tests.cast import make_user, make_work

pytestmark = pytest.mark.django_db


def _kudos(client: Client, work: Work, **extra: str) -> str:
    """Press the kudos button; the text of the page it leads to."""
    response = client.post(f"/works/{work.pk}/kudos", follow=True, **extra)  # type: ignore[arg-type]
    assert response.status_code == 200
    return html.unescape(response.content.decode())


def _count(work: Work) -> int:
    work.refresh_from_db()
    assert work.kudos_count == Kudos.objects.filter(work=work).count()
    return work.kudos_count


def test_a_reader_leaves_kudos_once(client: Client) -> None:
    work = make_work(make_user("author"))
    client.force_login(make_user("reader"))
    assert "Thank you for leaving kudos!" in _kudos(client, work)
    assert ALREADY_LEFT in _kudos(client, work)
    assert _count(work) == 1


def test_a_guest_cannot_leave_two_kudos_on_one_work(client: Client) -> None:
    work = make_work(make_user("author"))
    assert "Thank you for leaving kudos!" in _kudos(client, work)
    assert ALREADY_LEFT in _kudos(client, work)
    assert _count(work) == 1


def test_guests_at_two_addresses_both_count_and_no_address_is_stored(client: Client) -> None:
    work = make_work(make_user("author"))
    _kudos(client, work, REMOTE_ADDR="203.0.113.7")
    _kudos(Client(), work, REMOTE_ADDR="198.51.100.9")
    assert _count(work) == 2
    keys = set(Kudos.objects.values_list("guest_key", flat=True))
    assert keys == {
        guest_key("kudos", work.pk, "203.0.113.7"),
        guest_key("kudos", work.pk, "198.51.100.9"),
    }
    assert not any("203.0.113.7" in key or "198.51.100.9" in key for key in keys)


def test_the_same_guest_gets_unlinkable_keys_on_two_works(client: Client) -> None:
    author = make_user("author")
    first, second = make_work(author, title="One"), make_work(author, title="Two")
    _kudos(client, first)
    _kudos(client, second)
    assert Kudos.objects.get(work=first).guest_key != Kudos.objects.get(work=second).guest_key


def test_a_creator_cannot_leave_kudos_on_their_own_work(client: Client) -> None:
    author = make_user("author")
    work = make_work(author, make_user("coauthor"))
    client.force_login(author)
    assert OWN_WORK in _kudos(client, work)
    assert _count(work) == 0


def test_the_creators_page_has_no_kudos_button(client: Client) -> None:
    author = make_user("author")
    work = make_work(author)
    client.force_login(author)
    assert "community/kudos" not in client.get(work.get_absolute_url()).content.decode()
    assert f"/works/{work.pk}/kudos" not in client.get(work.get_absolute_url()).content.decode()


def test_a_blocked_reader_is_refused_with_the_reason(client: Client) -> None:
    author, reader = make_user("author"), make_user("reader")
    work = make_work(author)
    Block.objects.create(blocker=author, blocked=reader)
    client.force_login(reader)
    assert BLOCKED in _kudos(client, work)
    assert _count(work) == 0


def test_no_kudos_on_drafts(client: Client) -> None:
    work = make_work(make_user("author"), posted=False)
    client.force_login(make_user("reader"))
    assert client.post(f"/works/{work.pk}/kudos").status_code == 404
    assert _count(work) == 0


def test_restricted_works_take_kudos_from_users_but_not_guests(client: Client) -> None:
    work = make_work(make_user("author"), restricted=True)
    assert client.post(f"/works/{work.pk}/kudos").status_code == 404
    client.force_login(make_user("reader"))
    _kudos(client, work)
    assert _count(work) == 1


def test_kudos_take_post_only(client: Client) -> None:
    work = make_work(make_user("author"))
    assert client.get(f"/works/{work.pk}/kudos").status_code == 405
    assert _count(work) == 0


def test_kudos_do_not_touch_the_works_edit_time(client: Client) -> None:
    work = make_work(make_user("author"))
    before = work.edited_at
    _kudos(client, work)
    work.refresh_from_db()
    assert work.edited_at == before


def test_the_button_leads_back_to_the_chapter_it_was_pressed_on(client: Client) -> None:
    work = make_work(make_user("author"), chapters=2)
    chapter = work.chapters.order_by("position").last()
    assert chapter is not None
    url = chapter.get_absolute_url()
    response = client.post(f"/works/{work.pk}/kudos", {"next": url})
    assert response["Location"] == url
    elsewhere = client.post(f"/works/{work.pk}/kudos", {"next": "https://evil.example/"})
    assert elsewhere["Location"] == work.get_absolute_url()


def test_the_list_names_users_and_counts_guests(client: Client) -> None:
    work = make_work(make_user("author"))
    for name in ["lorelai", "rory"]:
        Kudos.objects.create(work=work, user=make_user(name))
    for number in range(3):
        Kudos.objects.create(work=work, guest_key=f"guest{number}")
    page = client.get(work.get_absolute_url()).content.decode()
    text = re.sub(r"<[^>]+>", "", page)
    assert "rory, lorelai as well as 3 guests left kudos on this work!" in text
    assert 'href="/users/rory"' in page


def test_a_reader_who_left_kudos_sees_so_instead_of_the_button(client: Client) -> None:
    work = make_work(make_user("author"))
    reader = make_user("reader")
    Kudos.objects.create(work=work, user=reader)
    client.force_login(reader)
    page = client.get(work.get_absolute_url()).content.decode()
    assert "You left kudos" in page
    assert f'action="/works/{work.pk}/kudos"' not in page


def test_the_kudos_list_costs_the_same_queries_for_many_kudos(client: Client) -> None:
    work = make_work(make_user("author"))
    reader = make_user("reader")
    client.force_login(reader)
    Kudos.objects.create(work=work, user=make_user("first"))
    Kudos.objects.create(work=work, guest_key="guest0")

    def queries() -> int:
        cache.clear()  # the page as the view makes it, not the signed-in readers' shared copy
        with CaptureQueriesContext(connection) as context:
            assert client.get(work.get_absolute_url()).status_code == 200
        return len(context.captured_queries)

    queries()  # the reader's hit for today is counted on the first visit
    few = queries()
    for number in range(60):
        Kudos.objects.create(work=work, user=make_user(f"fan{number}"))
        Kudos.objects.create(work=work, guest_key=f"more{number}")
    Work.objects.filter(pk=work.pk).update(kudos_count=Kudos.objects.filter(work=work).count())
    assert queries() == few
    text = re.sub(r"<[^>]+>", "", client.get(work.get_absolute_url()).content.decode())
    assert "and 11 more users as well as 61 guests left kudos" in text


def test_a_cached_pages_kudos_form_works_for_each_guest() -> None:
    work = make_work(make_user("author"))
    first = Client(enforce_csrf_checks=True, REMOTE_ADDR="203.0.113.1")
    second = Client(enforce_csrf_checks=True, REMOTE_ADDR="203.0.113.2")
    first_page = first.get(work.get_absolute_url())
    with CaptureQueriesContext(connection) as context:
        second_page = second.get(work.get_absolute_url())  # from the page cache
    # The cache stamp and the second guest's hit: its row and the work's count.
    assert len(context.captured_queries) == 3
    tokens = [
        re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode())
        for page in (first_page, second_page)
    ]
    assert tokens[0]
    assert tokens[1]
    assert tokens[0][1] != tokens[1][1]
    assert "csrftoken" in second_page.cookies  # the second guest got a token of their own
    response = second.post(f"/works/{work.pk}/kudos", {"csrfmiddlewaretoken": tokens[1][1]})
    assert response.status_code == 302
    assert _count(work) == 1
    # The first guest's token is not the second guest's: it does not pass with their cookie.
    refused = Client(enforce_csrf_checks=True, REMOTE_ADDR="203.0.113.3")
    refused.cookies["csrftoken"] = second_page.cookies["csrftoken"].value
    forged = refused.post(f"/works/{work.pk}/kudos", {"csrfmiddlewaretoken": "x" * 64})
    assert forged.status_code == 403


def test_a_guest_with_only_a_csrf_cookie_still_gets_the_shared_page() -> None:
    work = make_work(make_user("author"))
    reader = Client(enforce_csrf_checks=True)
    reader.get(work.get_absolute_url())
    assert "csrftoken" in reader.cookies
    with CaptureQueriesContext(connection) as context:
        page = reader.get(work.get_absolute_url())
    assert len(context.captured_queries) == 1  # the stamp; the hit was counted already today
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode())
    assert token
    response = reader.post(f"/works/{work.pk}/kudos", {"csrfmiddlewaretoken": token[1]})
    assert response.status_code == 302
    assert _count(work) == 1


def test_no_cached_page_holds_a_readers_csrf_token() -> None:
    from django.core.cache import cache

    work = make_work(make_user("author"))
    page = Client().get(work.get_absolute_url()).content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    assert token
    # The local-memory cache keeps pickled values: a token in a page would show in the bytes.
    stored: list[bytes] = list(cache._cache.values())  # type: ignore[attr-defined]
    assert any(b"{csrf-token-slot}" in value for value in stored)
    assert not any(token[1].encode() in value for value in stored)


def _guests_left(page: str) -> list[str]:
    return re.findall(r"(\d+ guests?) left kudos", re.sub(r"<[^>]+>", "", page))


def test_a_guest_sees_their_kudos_and_the_count_on_the_page_they_return_to() -> None:
    work = make_work(make_user("author"), chapters=2)
    guest = Client(REMOTE_ADDR="203.0.113.20")
    chapter = work.chapters.order_by("position")[1].get_absolute_url()
    before = guest.get(chapter).content.decode()  # kept in the page cache for everyone
    assert before.count(f'action="/works/{work.pk}/kudos"') == 2  # top and end of chapter
    page = html.unescape(
        guest.post(f"/works/{work.pk}/kudos", {"next": chapter}, follow=True).content.decode()
    )
    assert _guests_left(page) == ["1 guest"]
    assert page.count("You left kudos") == 2
    assert f'action="/works/{work.pk}/kudos"' not in page
    # Coming back later shows the same, not the copy cached before the kudos.
    again = guest.get(chapter).content.decode()
    assert _guests_left(again) == ["1 guest"]
    assert "You left kudos" in again
    assert "You left kudos" in guest.get(work.get_absolute_url()).content.decode()


def test_another_guests_cached_page_shows_new_kudos_at_once() -> None:
    work = make_work(make_user("author"))
    other = Client(REMOTE_ADDR="203.0.113.21")
    assert _guests_left(other.get(work.get_absolute_url()).content.decode()) == []
    Client(REMOTE_ADDR="203.0.113.22").post(f"/works/{work.pk}/kudos")
    page = other.get(work.get_absolute_url()).content.decode()
    assert _guests_left(page) == ["1 guest"]
    # Their page is still the shared one: they have not left kudos, so the button is there.
    assert "You left kudos" not in page
    assert f'action="/works/{work.pk}/kudos"' in page


def test_already_left_kudos_is_said_once() -> None:
    work = make_work(make_user("author"))
    guest = Client(REMOTE_ADDR="203.0.113.23")
    _kudos(guest, work)
    # A second press (an old tab, say) is refused with one message, and no button is offered.
    page = _kudos(guest, work)
    assert page.count(ALREADY_LEFT) == 1
    assert f'action="/works/{work.pk}/kudos"' not in page
    assert ALREADY_LEFT not in html.unescape(guest.get(work.get_absolute_url()).content.decode())
    assert _count(work) == 1


def test_the_guest_kudos_cookie_covers_only_that_works_pages() -> None:
    work = make_work(make_user("author"))
    response = Client(REMOTE_ADDR="203.0.113.24").post(f"/works/{work.pk}/kudos")
    cookie = response.cookies[GUEST_COOKIE]
    assert cookie["path"] == f"/works/{work.pk}"
    assert cookie["httponly"]
    assert int(cookie["max-age"]) > 0
    assert cookie.value == "1"  # it names no one: their kudos are found by their address
