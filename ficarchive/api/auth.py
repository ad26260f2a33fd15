"""Who calls the API: a personal access token (`Authorization: Bearer fa_…`), a logged-in
browser session (with its CSRF token on writes, as the web's forms), or nobody.

Every operation accepts all three, in that order, and `request.auth` is the `Caller`; a token
that is sent but not valid is refused (401), never taken for a guest. A token call sets
`request.user` to the token's user, so the web's own rules (`visible_work` and the rest) apply
as they are; it reads no session cookie and sets none. Operations that change something ask
`writer(request)`: a write token, or a session.

Rate limits (`CallLimit`): per token and, for calls without one, per address, in the cache
(shared by every process with `CACHE_URL`): `API_RATE_TOKEN` and `API_RATE_ADDRESS` calls a
minute (settings), then 429 with `Retry-After`.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.cache import cache
from django.http import HttpRequest
from ninja.errors import AuthenticationError
from ninja.security import HttpBearer, SessionAuth
from ninja.throttling import BaseThrottle

from ficarchive.accounts import tokens
from ficarchive.accounts.guests import client_address, guest_key
from ficarchive.accounts.models import AccessToken, User
from ficarchive.api.problems import Problem


@dataclass(frozen=True)
class Caller:
    user: User | AnonymousUser
    token: AccessToken | None = None
    via: str = "anonymous"  # "token", "session" or "anonymous"

    @property
    def writes(self) -> bool:
        return self.via == "session" or (self.token is not None and self.token.writes)


class TokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Caller | None:
        found = tokens.user_for(token)
        if found is None:
            raise AuthenticationError()
        user, access = found
        request.user = user
        return Caller(user, access, "token")


class BrowserSession(SessionAuth):
    """Django's session (logged in on the web), with the CSRF check on writes."""

    def authenticate(self, request: HttpRequest, key: str | None) -> Caller | None:
        user = super().authenticate(request, key)
        if isinstance(user, User):
            return Caller(user, None, "session")
        return None


def anonymous(request: HttpRequest) -> Caller:
    if request.headers.get("Authorization"):
        raise AuthenticationError()  # a scheme other than Bearer, or an empty one
    request.user = AnonymousUser()
    return Caller(AnonymousUser())


CALLERS: list[Callable[..., Any]] = [TokenAuth(), BrowserSession(), anonymous]


def caller(request: HttpRequest) -> Caller:
    found = getattr(request, "auth", None)
    return found if isinstance(found, Caller) else Caller(AnonymousUser())


def writer(request: HttpRequest) -> User:
    """The user of a call that may change things: 401 without one, 403 with a read token."""
    who = caller(request)
    if not isinstance(who.user, User):
        raise AuthenticationError()
    if not who.writes:
        raise Problem(403, "This token has the read scope; this needs a token with write.")
    return who.user


def reader(request: HttpRequest) -> User:
    """The user of a call that reads their own things: 401 without one."""
    who = caller(request)
    if not isinstance(who.user, User):
        raise AuthenticationError()
    return who.user


class CallLimit(BaseThrottle):
    """So many calls a minute per token, or per address without one: a fixed window counted
    with the cache's atomic add and incr."""

    def allow_request(self, request: HttpRequest) -> bool:
        who = caller(request)
        if who.token is not None:
            key, allowed = f"t{who.token.pk}", settings.API_RATE_TOKEN
        else:
            key, allowed = guest_key("api-rate", client_address(request)), settings.API_RATE_ADDRESS
        if not allowed:
            return True  # 0: no limit
        now = time.time()
        window = int(now // 60)
        name = f"api-rate:{key}:{window}"
        cache.add(name, 0, timeout=120)
        try:
            count = cache.incr(name)
        except ValueError:  # gone between add and incr
            cache.add(name, 1, timeout=120)
            count = 1
        return int(count) <= allowed

    def wait(self) -> float | None:
        return 60 - time.time() % 60  # until the next minute's window
