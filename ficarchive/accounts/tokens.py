"""Personal access tokens for the API: made, listed, revoked, and the user a token names.

A token's secret is `fa_` and 43 random URL-safe characters (256 bits). The archive keeps only
its SHA-256 (`AccessToken.digest`): the secret is shown once, when made, and a stolen database
gives no token. A plain hash, not argon2 as for passwords: a secret of 256 random bits cannot be
guessed from its hash, and every API call looks its token up.

`ficarchive token create|list|revoke` and the Tokens page in Preferences call these; the API's
authentication (`ficarchive.api.auth`) calls `user_for`.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.db.models import Q, QuerySet
from django.utils import timezone

from ficarchive.accounts.models import AccessToken, User

PREFIX = "fa_"
# At most this many live tokens per user: enough for every script and app, and a bound on rows.
MAX_TOKENS = 50
# The longest a token may be made to last; none given, it lasts until revoked.
MAX_DAYS = 3650
# `last_used_at` is written at most this often per token: not a write on every API call.
TOUCH_EVERY = timedelta(minutes=1)


class TokenError(ValueError):
    """Why a token cannot be made or revoked; `field` names the form field."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


@dataclass(frozen=True)
class NewToken:
    token: AccessToken
    secret: str  # shown once


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def create_token(user: User, name: str, scope: str, days: int | None = None) -> NewToken:
    """A new token of `scope` (read or write) for the user, lasting `days` (None: until
    revoked); TokenError naming the field when a value is wrong."""
    name = " ".join(name.split())
    if not name:
        raise TokenError("Give the token a name, so you can tell it from your others.", "name")
    if len(name) > 100:
        raise TokenError(f"The name is {len(name)} characters; 100 at most.", "name")
    if scope not in AccessToken.Scope.values:
        raise TokenError(f"{scope!r} is not a scope; use read or write.", "scope")
    if days is not None and not 1 <= days <= MAX_DAYS:
        raise TokenError(f"A token lasts 1 to {MAX_DAYS} days, or until revoked.", "expires")
    if live_tokens(user).count() >= MAX_TOKENS:
        raise TokenError(f"You have {MAX_TOKENS} tokens; revoke one you no longer use first.")
    secret = PREFIX + secrets.token_urlsafe(32)
    token = AccessToken.objects.create(
        user=user,
        name=name,
        scope=scope,
        digest=digest(secret),
        prefix=secret[: len(PREFIX) + 6],
        expires_at=timezone.now() + timedelta(days=days) if days else None,
    )
    return NewToken(token, secret)


def live_tokens(user: User) -> QuerySet[AccessToken]:
    """The user's tokens that work: not revoked, not expired; newest first."""
    now = timezone.now()
    return AccessToken.objects.filter(
        Q(expires_at__isnull=True) | Q(expires_at__gt=now), user=user, revoked_at__isnull=True
    )


def tokens_of(user: User) -> QuerySet[AccessToken]:
    """Every token of the user, revoked and expired ones too (their page lists them)."""
    return AccessToken.objects.filter(user=user)


def revoke(user: User, token_id: int) -> AccessToken:
    """Revoke one of the user's tokens (revoking twice keeps the first time)."""
    token = AccessToken.objects.filter(user=user, pk=token_id).first()
    if token is None:
        raise TokenError("You have no token with that id.", "token")
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
    return token


def user_for(secret: str) -> tuple[User, AccessToken] | None:
    """The active user and the live token this secret is, or None. Notes the time of use."""
    if not secret.startswith(PREFIX) or len(secret) > 200:
        return None
    token = (
        AccessToken.objects.select_related("user")
        .filter(digest=digest(secret), revoked_at__isnull=True)
        .first()
    )
    now = timezone.now()
    if token is None or not token.is_live(now) or not token.user.is_active:
        return None
    if token.last_used_at is None or now - token.last_used_at >= TOUCH_EVERY:
        AccessToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token.user, token
