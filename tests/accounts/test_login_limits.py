"""Log-in and sign-up limits through the pages: a growing delay per account and address instead
of a lock-out, the owner never locked out by someone else's guesses, the reader's own address
behind a proxy, and a few accounts per address a day."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from django.db.models import F
from django.test import Client
from django.urls import reverse

from ficarchive.accounts.models import Throttle, User
from tests.cast import PASSWORD, make_user

pytestmark = pytest.mark.django_db

ATTACKER = "203.0.113.7"
OWNER = "198.51.100.9"
PROXY = "10.0.0.1"


def _log_in(client: Client, name: str, password: str, address: str, **headers: Any) -> Any:
    return client.post(
        reverse("accounts:login"),
        {"username": name, "password": password},
        REMOTE_ADDR=address,
        **headers,
    )


def _later(seconds: float) -> None:
    """As if `seconds` had passed since every try counted so far."""
    gap = timedelta(seconds=seconds)
    Throttle.objects.update(last_at=F("last_at") - gap, expires_at=F("expires_at") - gap)


def _waits(response: Any, expected: int) -> None:
    """A refused try, told (in its message and Retry-After) to wait `expected` seconds after
    the last try counted; a little less, as that try took time (the exact delays are in
    test_throttle.py)."""
    assert response.status_code == 429, response.content.decode()[:500]
    seconds = int(response["Retry-After"])
    assert f"Please wait {seconds} second" in response.content.decode()
    assert max(1, expected - 2) <= seconds <= expected


def _incorrect(response: Any) -> bool:
    return response.status_code == 400 and "incorrect" in response.content.decode()


def test_each_try_past_the_limit_waits_twice_as_long_up_to_the_longest_delay(
    client: Client, settings: Any
) -> None:
    settings.LOGIN_ATTEMPTS = 3
    settings.LOGIN_MAX_DELAY_SECONDS = 6
    make_user("rory")
    for _ in range(3):
        assert _incorrect(_log_in(client, "rory", "bad", ATTACKER))
    for delay in (2, 4, 6, 6):
        _waits(_log_in(client, "rory", "bad", ATTACKER), delay)
        _later(delay)
        assert _incorrect(_log_in(client, "rory", "bad", ATTACKER))


def test_logging_in_forgives_the_failures_from_that_address(client: Client, settings: Any) -> None:
    settings.LOGIN_ATTEMPTS = 2
    make_user("rory")
    for _ in range(2):
        assert _incorrect(_log_in(client, "rory", "bad", OWNER))
    _later(2)
    assert _log_in(client, "rory", PASSWORD, OWNER).status_code == 302
    client.logout()
    for _ in range(2):
        assert _incorrect(_log_in(client, "rory", "bad", OWNER))


def test_the_owner_logs_in_while_another_address_is_throttled_for_their_account(
    client: Client, settings: Any
) -> None:
    settings.LOGIN_ATTEMPTS = 3
    make_user("rory")
    attacker = Client()
    for _ in range(3):
        assert _incorrect(_log_in(attacker, "rory", "bad", ATTACKER))
    _waits(_log_in(attacker, "rory", "bad", ATTACKER), 2)
    response = _log_in(client, "rory", PASSWORD, OWNER)
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(User.objects.get(username="rory").pk)


def test_behind_the_proxy_each_reader_is_counted_by_their_own_address(
    client: Client, settings: Any
) -> None:
    settings.BEHIND_HTTPS_PROXY = True
    settings.LOGIN_ATTEMPTS = 3
    make_user("rory")
    make_user("jess")
    attacker = Client()
    # Whatever the guesser puts in the header, the proxy appends the address it saw.
    for number in range(3):
        spoofed = {"HTTP_X_FORWARDED_FOR": f"192.0.2.{number}, {ATTACKER}"}
        assert _incorrect(_log_in(attacker, "rory", "bad", PROXY, **spoofed))
    spoofed = {"HTTP_X_FORWARDED_FOR": f"192.0.2.99, {ATTACKER}"}
    _waits(_log_in(attacker, "rory", "bad", PROXY, **spoofed), 2)
    for name in ("rory", "jess"):
        reader = Client()
        response = _log_in(reader, name, PASSWORD, PROXY, HTTP_X_FORWARDED_FOR=OWNER)
        assert response.status_code == 302


def test_without_the_proxy_setting_a_forwarded_address_changes_nothing(
    client: Client, settings: Any
) -> None:
    settings.LOGIN_ATTEMPTS = 3
    make_user("rory")
    for number in range(3):
        forged = {"HTTP_X_FORWARDED_FOR": f"192.0.2.{number}"}
        assert _incorrect(_log_in(client, "rory", "bad", ATTACKER, **forged))
    forged = {"HTTP_X_FORWARDED_FOR": "192.0.2.200"}
    _waits(_log_in(client, "rory", "bad", ATTACKER, **forged), 2)


def test_one_address_guessing_at_many_accounts_waits(client: Client, settings: Any) -> None:
    settings.LOGIN_ADDRESS_ATTEMPTS = 4
    make_user("rory")
    for name in ("ann", "bob", "cat", "dan"):
        assert _incorrect(_log_in(client, name, "bad", ATTACKER))
    _waits(_log_in(client, "eve", "bad", ATTACKER), 2)
    assert _log_in(Client(), "rory", PASSWORD, OWNER).status_code == 302


def test_an_ipv6_guesser_cannot_escape_by_hopping_within_its_block(
    client: Client, settings: Any
) -> None:
    settings.LOGIN_ATTEMPTS = 3
    make_user("rory")
    for number in range(3):
        assert _incorrect(_log_in(client, "rory", "bad", f"2001:db8:1:2::{number + 1}"))
    _waits(_log_in(client, "rory", "bad", "2001:db8:1:2:ffff::9"), 2)
    assert _log_in(Client(), "rory", PASSWORD, "2001:db8:1:3::1").status_code == 302


def test_failures_from_many_addresses_slow_an_account_by_at_most_a_minute(
    client: Client, settings: Any
) -> None:
    settings.LOGIN_ACCOUNT_ATTEMPTS = 4
    make_user("rory")
    for number in range(4):
        assert _incorrect(_log_in(client, "rory", "bad", f"192.0.2.{number}"))
    _waits(_log_in(client, "rory", PASSWORD, OWNER), 2)
    for number in range(10, 20):
        _later(3600)
        assert _incorrect(_log_in(client, "rory", "bad", f"192.0.2.{number}"))
    refused = _log_in(client, "rory", PASSWORD, OWNER)
    _waits(refused, 60)
    assert "for this account from many places" in refused.content.decode()
    _later(60)
    assert _log_in(client, "rory", PASSWORD, OWNER).status_code == 302


def test_failures_are_forgotten_a_day_after_the_last(client: Client, settings: Any) -> None:
    settings.LOGIN_ATTEMPTS = 2
    make_user("rory")
    for _ in range(2):
        assert _incorrect(_log_in(client, "rory", "bad", ATTACKER))
    _later(23 * 3600)
    assert _incorrect(_log_in(client, "rory", "bad", ATTACKER))
    # Still remembered: the next delay is the second one.
    _waits(_log_in(client, "rory", "bad", ATTACKER), 4)
    _later(24 * 3600)
    for _ in range(2):
        assert _incorrect(_log_in(client, "rory", "bad", ATTACKER))
    _waits(_log_in(client, "rory", "bad", ATTACKER), 2)


def _sign_up(name: str, address: str) -> Any:
    return Client().post(
        reverse("accounts:signup"),
        {"username": name, "password": PASSWORD, "password_again": PASSWORD},
        REMOTE_ADDR=address,
    )


def test_an_address_makes_only_so_many_accounts_a_day(settings: Any) -> None:
    settings.SIGNUPS_PER_DAY = 2
    make_user("taken")
    assert _sign_up("taken", ATTACKER).status_code == 400  # refused: not counted
    assert _sign_up("first", ATTACKER).status_code == 302
    assert _sign_up("second", ATTACKER).status_code == 302
    refused = _sign_up("third", ATTACKER)
    assert refused.status_code == 429
    assert 24 * 3600 - 60 <= int(refused["Retry-After"]) <= 24 * 3600
    page = refused.content.decode()
    assert "This address has made 2 accounts today" in page
    assert "Please wait 24 hours and try again." in page
    assert not User.objects.filter(username="third").exists()
    assert _sign_up("elsewhere", OWNER).status_code == 302
    _later(24 * 3600)
    assert _sign_up("third", ATTACKER).status_code == 302


def test_the_stored_counts_hold_no_address_or_name(client: Client) -> None:
    make_user("rory")
    _log_in(client, "rory", "bad", ATTACKER)
    _sign_up("newcomer", ATTACKER)
    keys = list(Throttle.objects.values_list("key", flat=True))
    assert len(keys) == 4
    assert all(re.fullmatch("[0-9a-f]{64}", key) for key in keys)
