"""Changing one's email address or user name, each asked with the account's password.

**Email.** The new address gets a link; the account keeps its old address until the link is
followed, then the old address is told of the change (someone who took over a session cannot
quietly move the account's password resets to their own mailbox). The link is signed with
SECRET_KEY (`django.core.signing`), works for PASSWORD_RESET_TIMEOUT like a reset link, and
carries the address it replaces: once the address has changed, the link no longer works.

**User name.** As on AO3, a user may change their name once every RENAME_INTERVAL (7 days). The
default pseud named like the account takes the new name (other pseuds keep theirs); works,
bookmarks and the rest follow by their foreign keys. The old name is kept (`UsernameChange`) so
that `/users/{old}/…` redirects to the new name for RENAME_REDIRECT_DAYS (90), during which
nobody else may sign up with it or take it (`ficarchive.server.middleware` redirects).

Mail goes out as the password reset's does: `send_mail` with links built on SITE_URL.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.dispatch import Signal
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from ficarchive.accounts import throttle
from ficarchive.accounts.models import (
    RENAME_INTERVAL,
    Pseud,
    User,
    UsernameChange,
    username_validator,
)
from ficarchive.accounts.services import NAME_HELD, RESERVED_USERNAMES, AccountError

# Sent with `sender=User, user_id=…` in the transaction that renamed a user: `works` moves their
# works on to a new revision, as their bylines changed (DESIGN.md: news goes up by events).
user_renamed = Signal()

EMAIL_LINK_SALT = "ficarchive.accounts.email-change"

# Wrong passwords on these forms, per account: a borrowed session cannot guess at the password.
PASSWORD_TRIES = throttle.Limit(
    "identity-password",
    5,
    timedelta(hours=1),
    message="Too many wrong passwords. Please wait {wait} and try again.",
)

# Confirmation links per account: an account cannot be used to mail strangers over and over.
EMAIL_LINKS = throttle.Limit(
    "email-change",
    5,
    timedelta(hours=1),
    message="You asked for 5 links in the last hour. Please wait {wait} and try again.",
)


class LinkRefused(Exception):
    """An email confirmation link that does not work, with a message that says why."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def check_password(user: User, password: str) -> None:
    """Refuse a wrong password at the field, and too many of them for a while."""
    counter = PASSWORD_TRIES.on(user.pk)
    try:
        throttle.check(counter)
    except throttle.Throttled as refused:
        raise AccountError(refused.message, "password", retry_after=refused.seconds) from None
    if not user.check_password(password):
        raise AccountError("The password is incorrect.", field="password")
    throttle.give_back(counter)


def _site_context(**context: Any) -> dict[str, Any]:
    return {"site_name": settings.SITE_NAME, "site_url": settings.SITE_URL, **context}


# Email -------------------------------------------------------------------------------------


def link_hours() -> int:
    return int(settings.PASSWORD_RESET_TIMEOUT) // 3600


def email_change_link(user: User, email: str) -> str:
    """The absolute link, on SITE_URL, that makes `email` the address of `user`."""
    token = signing.dumps(
        {"user": user.pk, "old": user.email, "new": email}, salt=EMAIL_LINK_SALT, compress=True
    )
    return settings.SITE_URL + reverse("accounts:email_confirm", args=[token])


def request_email_change(user: User, email: str, password: str) -> str:
    """Mail a confirmation link to the new address `email` (the account's address stays as it
    is until the link is followed); returns the address, as it was cleaned."""
    email = email.strip()
    try:
        validate_email(email)
    except ValidationError:
        raise AccountError("Enter a valid email address.", field="email") from None
    if email.lower() == user.email.lower():
        raise AccountError(f"{email} is already your email address.", field="email")
    check_password(user, password)
    try:
        throttle.check(EMAIL_LINKS.on(user.pk))
    except throttle.Throttled as refused:
        raise AccountError(refused.message, "email", retry_after=refused.seconds) from None
    context = _site_context(user=user, email=email, link=email_change_link(user, email))
    context["hours"] = link_hours()
    body = render_to_string("accounts/email_change_email.txt", context)
    send_mail(f"Confirm your new email address on {settings.SITE_NAME}", body, None, [email])
    return email


@dataclass(frozen=True)
class EmailLink:
    """What a working confirmation link asks: this user's address becomes `new`."""

    user: User
    new: str


def read_email_link(token: str) -> EmailLink:
    """The change a link asks for, or LinkRefused saying why it does not work."""
    hours = link_hours()
    try:
        data = signing.loads(
            token, salt=EMAIL_LINK_SALT, max_age=int(settings.PASSWORD_RESET_TIMEOUT)
        )
    except signing.SignatureExpired:
        raise LinkRefused(
            f"This link has expired: a link to confirm an email address works for {hours} "
            f"hour{'s' if hours != 1 else ''}. Ask for a new one."
        ) from None
    except signing.BadSignature:
        raise LinkRefused(
            "This link is not valid: it was changed or cut short. Open the whole link from the "
            "email, or ask for a new one."
        ) from None
    user = User.objects.filter(pk=data["user"], is_active=True).first()
    if user is None:
        raise LinkRefused("This link is not valid: its account is no longer active.")
    if user.email != data["old"]:
        if user.email == data["new"]:
            raise LinkRefused(f"This link was already used: your email address is {user.email}.")
        raise LinkRefused(
            "This link no longer works: your email address was changed after it was sent."
        )
    return EmailLink(user, data["new"])


def confirm_email_change(token: str) -> User:
    """Follow a confirmation link: the account takes its new address, and the old one (if it
    had one) is told."""
    with transaction.atomic():
        link = read_email_link(token)
        user = User.objects.select_for_update().get(pk=link.user.pk)
        if user.email != link.user.email:
            raise LinkRefused("This link no longer works: your email address was just changed.")
        old = user.email
        user.email = link.new
        user.save(update_fields=["email"])
    if old:
        context = _site_context(user=user, old=old, new=link.new)
        body = render_to_string("accounts/email_changed_notice.txt", context)
        send_mail(f"Your email address on {settings.SITE_NAME} was changed", body, None, [old])
    return user


# User name ---------------------------------------------------------------------------------


def next_rename_at(user: User, now: datetime | None = None) -> datetime | None:
    """When `user` may change their name again, or None when they may now."""
    last = UsernameChange.objects.filter(user=user).order_by("-changed_at").first()
    if last is None:
        return None
    free = last.changed_at + RENAME_INTERVAL
    return free if free > (now or timezone.now()) else None


def _check_new_username(user: User, name: str, now: datetime) -> None:
    if name == user.username:
        raise AccountError(f"{name} is already your user name.", field="username")
    try:
        username_validator(name)
    except ValidationError as error:
        raise AccountError(" ".join(error.messages), field="username") from None
    taken = User.objects.filter(username__iexact=name).exclude(pk=user.pk).exists()
    if taken or name.lower() in RESERVED_USERNAMES:
        raise AccountError("That user name is taken.", field="username")
    if UsernameChange.objects.holding(name, now).exclude(user=user).exists():
        raise AccountError(NAME_HELD, field="username")
    free = next_rename_at(user, now)
    if free is not None:
        days = RENAME_INTERVAL.days
        raise AccountError(
            f"You changed your user name less than {days} days ago; a name may change once "
            f"every {days} days. You may change it again from {free:%-d %B %Y, %H:%M} UTC.",
            field="username",
        )


@dataclass(frozen=True)
class Renamed:
    user: User
    old: str
    # The default pseud that took the new name; None when the default pseud had another name,
    # or another pseud of the user's already had the new one.
    pseud: Pseud | None


def change_username(user: User, name: str, password: str, now: datetime | None = None) -> Renamed:
    """Give `user` the user name `name`, checked as sign-up checks it, once per RENAME_INTERVAL;
    the old name redirects for RENAME_REDIRECT_DAYS."""
    name = name.strip()
    now = now or timezone.now()
    _check_new_username(user, name, now)
    check_password(user, password)
    old = user.username
    try:
        with transaction.atomic():
            # One change at a time per account: the interval is checked again under the lock.
            User.objects.select_for_update().filter(pk=user.pk).first()
            _check_new_username(user, name, now)
            UsernameChange.objects.create(
                user=user, old_username=old, new_username=name, changed_at=now
            )
            user.username = name
            user.save(update_fields=["username"])
            pseud = _rename_default_pseud(user, old, name)
            user_renamed.send(sender=User, user_id=user.pk)
    except IntegrityError:
        user.username = old
        raise AccountError("That user name is taken.", field="username") from None
    return Renamed(user, old, pseud)


def _rename_default_pseud(user: User, old: str, name: str) -> Pseud | None:
    pseud = Pseud.objects.filter(user=user, is_default=True, name__iexact=old).first()
    if pseud is None:
        return None
    if Pseud.objects.filter(user=user, name__iexact=name).exclude(pk=pseud.pk).exists():
        return None
    pseud.name = name
    pseud.save(update_fields=["name"])
    return pseud


USERS_PREFIX = "/users/"


def renamed_path(path: str, now: datetime | None = None) -> str | None:
    """`/users/{old}/…` with the current name of the active user who gave up `old` in the last
    RENAME_REDIRECT_DAYS, or None: when the path is not a user's, or someone has the name now."""
    if not path.startswith(USERS_PREFIX):
        return None
    name, slash, rest = path.removeprefix(USERS_PREFIX).partition("/")
    if not name or User.objects.filter(username__iexact=name).exists():
        return None
    change = (
        UsernameChange.objects.holding(name, now)
        .filter(user__is_active=True)
        .select_related("user")
        .first()
    )
    if change is None:
        return None
    return f"{USERS_PREFIX}{change.user.username}{slash}{rest}"
