from __future__ import annotations

from collections.abc import Callable

import pytest
from django.core.cache import cache
from django.test import Client

from ficarchive.accounts import tokens
from ficarchive.accounts.models import User


@pytest.fixture(autouse=True)
def _fresh_rate_limits() -> None:
    cache.clear()  # the API's rate-limit counters live in the cache


@pytest.fixture
def bearer() -> Callable[[User, str], Client]:
    """A client that sends a new token of the user, of the scope given."""

    def make(user: User, scope: str = "read") -> Client:
        secret = tokens.create_token(user, "tests", scope).secret
        return Client(HTTP_AUTHORIZATION=f"Bearer {secret}")

    return make
