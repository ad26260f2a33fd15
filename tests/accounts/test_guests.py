"""accounts.guests: the reader's address, from the proxy's header only behind a proxy."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import RequestFactory

from ficarchive.accounts.guests import address_block, client_address


def _address(**meta: Any) -> str:
    return client_address(RequestFactory().get("/", **meta))


def test_without_a_proxy_the_address_is_the_connections_whatever_the_header_says(
    settings: Any,
) -> None:
    settings.BEHIND_HTTPS_PROXY = False
    assert _address(REMOTE_ADDR="203.0.113.7", HTTP_X_FORWARDED_FOR="192.0.2.1") == "203.0.113.7"


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("203.0.113.7", "203.0.113.7"),
        # The proxy appends what it saw; what stands to its left came from the client.
        ("192.0.2.1, 203.0.113.7", "203.0.113.7"),
        ("192.0.2.1,203.0.113.7", "203.0.113.7"),
        ("2001:db8::1", "2001:db8::1"),
        # Nothing usable from the proxy: its own connection's address, never a made-up one.
        ("", "10.0.0.1"),
        ("203.0.113.7, not-an-address", "10.0.0.1"),
        ("203.0.113.7, unknown", "10.0.0.1"),
    ],
)
def test_behind_a_proxy_the_address_is_the_last_one_it_added(
    settings: Any, header: str, expected: str
) -> None:
    settings.BEHIND_HTTPS_PROXY = True
    assert _address(REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR=header) == expected


@pytest.mark.parametrize(
    ("address", "block"),
    [
        ("203.0.113.7", "203.0.113.7"),
        ("2001:db8:1:2::1", "2001:db8:1:2::/64"),
        ("2001:db8:1:2:ffff:ffff:ffff:ffff", "2001:db8:1:2::/64"),
        ("::ffff:203.0.113.7", "203.0.113.7"),
        ("", ""),
    ],
)
def test_an_ipv6_address_stands_for_its_64_block_in_limits(address: str, block: str) -> None:
    assert address_block(address) == block
