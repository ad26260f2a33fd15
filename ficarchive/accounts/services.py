"""Accounts: sign-up, log-in with a rate limit, pseuds, invitations."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import authenticate
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from ficarchive.accounts.guests import client_address
from ficarchive.accounts.models import Invitation, LoginFailure, Pseud, User


class AccountError(Exception):
    """A sign-up, log-in or pseud change that cannot be done, with a message for the user."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


@dataclass(frozen=True)
class SignUp:
    username: str
    email: str
    password: str
    invitation_code: str = ""


@transaction.atomic
def create_user(
    username: str,
    password: str | None,
    email: str = "",
    *,
    claimable: bool = False,
) -> User:
    """A new account with its default pseud named like it."""
    if User.objects.filter(username__iexact=username).exists():
        raise AccountError("That user name is taken.", field="username")
    user = User(username=username, email=email, claimable=claimable)
    if password is None:
        user.set_unusable_password()
    else:
        user.set_password(password)
    try:
        user.full_clean(exclude=["password"])
    except ValidationError as error:
        field, messages = next(iter(error.message_dict.items()))
        raise AccountError(" ".join(messages), field=field) from None
    user.save()
    Pseud.objects.create(user=user, name=username, is_default=True)
    return user


@transaction.atomic
def sign_up(form: SignUp) -> User:
    """Create an account as the REGISTRATION setting allows."""
    mode = settings.REGISTRATION
    if mode == "closed":
        raise AccountError("Sign-up is closed on this archive.")
    invitation: Invitation | None = None
    if mode == "invite":
        invitation = (
            Invitation.objects.select_for_update()
            .filter(code=form.invitation_code.strip(), used_by__isnull=True, used_at__isnull=True)
            .first()
        )
        if invitation is None:
            raise AccountError(
                "That invitation code is not valid or was already used.", field="invitation_code"
            )
    user = create_user(form.username, form.password, form.email)
    if invitation is not None:
        invitation.used_by = user
        invitation.used_at = timezone.now()
        invitation.save(update_fields=["used_by", "used_at"])
    return user


def _rate_keys(request: HttpRequest, username: str) -> list[str]:
    # Hashed with the secret key, so the table never holds a raw address or a guessable name.
    def digest(kind: str, value: str) -> str:
        data = f"{settings.SECRET_KEY}:{kind}:{value}".encode()
        return hashlib.sha256(data).hexdigest()

    return [digest("user", username.strip().lower()), digest("addr", client_address(request))]


def other_user(actor: User, username: str, verb: str) -> User:
    """The active user named `username` (any case) whom `actor` wants to `verb`: never
    themself. The message of the AccountError says what is wrong, with the name."""
    name = username.strip()
    if not name:
        raise AccountError(f"Enter the user name of the user to {verb}.")
    other = User.objects.filter(username__iexact=name, is_active=True).first()
    if other is None:
        raise AccountError(f"There is no user {name!r} to {verb}.")
    if other.pk == actor.pk:
        raise AccountError(f"{other.username!r} is your own account: you cannot {verb} yourself.")
    return other


def log_in(request: HttpRequest, username: str, password: str) -> User:
    """Check the credentials, refusing once too many recent attempts failed."""
    keys = _rate_keys(request, username)
    now = timezone.now()
    window_start = now - timedelta(seconds=settings.LOGIN_WINDOW_SECONDS)
    LoginFailure.objects.filter(at__lt=window_start).delete()
    recent = LoginFailure.objects.filter(at__gte=window_start)
    if any(recent.filter(key=key).count() >= settings.LOGIN_ATTEMPTS for key in keys):
        minutes = max(1, settings.LOGIN_WINDOW_SECONDS // 60)
        raise AccountError(
            f"Too many failed log-in attempts. Please wait {minutes} minutes and try again."
        )
    user = authenticate(request, username=username, password=password)
    if not isinstance(user, User):
        LoginFailure.objects.bulk_create([LoginFailure(key=key, at=now) for key in keys])
        raise AccountError("The user name or password is incorrect.")
    LoginFailure.objects.filter(key=keys[0]).delete()
    return user


@transaction.atomic
def add_pseud(user: User, name: str, description: str = "", *, make_default: bool = False) -> Pseud:
    from ficarchive.texts.sanitize import sanitize_html

    name = name.strip()
    if user.pseuds.filter(name__iexact=name).exists():
        raise AccountError(f"You already have a pseud named {name!r}.", field="name")
    pseud = Pseud(user=user, name=name, description=sanitize_html(description))
    try:
        pseud.full_clean(exclude=["user"])
    except ValidationError as error:
        field, messages = next(iter(error.message_dict.items()))
        raise AccountError(" ".join(messages), field=field) from None
    pseud.save()
    if make_default:
        set_default_pseud(pseud)
    return pseud


@transaction.atomic
def set_default_pseud(pseud: Pseud) -> None:
    Pseud.objects.filter(user_id=pseud.user_id, is_default=True).update(is_default=False)
    Pseud.objects.filter(pk=pseud.pk).update(is_default=True)
    pseud.is_default = True


def find_pseud(username: str, name: str) -> Pseud | None:
    """An active user's pseud by the names in its URL (`/users/{user}/pseuds/{pseud}`)."""
    return (
        Pseud.objects.select_related("user")
        .filter(user__username__iexact=username, user__is_active=True, name__iexact=name)
        .first()
    )


def default_pseud(user: User) -> Pseud:
    pseud = user.pseuds.filter(is_default=True).first() or user.pseuds.first()
    if pseud is None:
        pseud = Pseud.objects.create(user=user, name=user.username, is_default=True)
    return pseud


def find_or_create_author(name: str, pseud_name: str | None = None) -> Pseud:
    """The pseud an import credits: an existing account's, or a new claimable account's."""
    user = User.objects.filter(username__iexact=name).first()
    if user is None:
        user = create_user(name, None, claimable=True)
    if not pseud_name:
        return default_pseud(user)
    pseud = user.pseuds.filter(name__iexact=pseud_name).first()
    return pseud or add_pseud(user, pseud_name)
