"""Forgotten passwords: a link by email that sets a new one.

The link carries the account's id and a token from Django's `default_token_generator`: it works
for PASSWORD_RESET_TIMEOUT (a day) and only once, since the token is made from the password hash
and the last log-in, which setting the password and logging in change. Asking never tells
whether an address has an account: the page says the same either way, and an account without an
email address (or without a usable password, such as a claimable import) gets nothing.

Links are built on SITE_URL, never on the request's Host header, so a forged host cannot send a
reader a link to someone else's site. One address gets at most one mail per RESET_INTERVAL, and
one client may ask RESETS_PER_HOUR times an hour (with the same message for every address).
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_decode, urlsafe_base64_encode

from ficarchive.accounts import throttle
from ficarchive.accounts.guests import address_block
from ficarchive.accounts.models import User

RESET_INTERVAL = timedelta(minutes=5)
RESETS_PER_HOUR = 10

# One mail per address per interval: a refusal is silent (it would say the address has one).
MAILS = throttle.Limit("password-reset-mail", 1, RESET_INTERVAL)
ASKS = throttle.Limit(
    "password-reset",
    RESETS_PER_HOUR,
    timedelta(hours=1),
    message="Too many password reset requests from here. Please wait {wait} and try again.",
)


def accounts_with_email(email: str) -> list[User]:
    """The active accounts with this email address (any case) that have a password to reset."""
    address = email.strip()
    if not address:
        return []
    users = User.objects.filter(email__iexact=address, is_active=True).order_by("pk")
    return [user for user in users if user.has_usable_password()]


def reset_link(user: User) -> str:
    """The absolute link that lets `user` set a new password, on SITE_URL."""
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    path = reverse("accounts:password_reset_confirm", args=[uid, token])
    return f"{settings.SITE_URL}{path}"


def send_reset_links(email: str, client: str) -> int:
    """Mail a reset link to each account with `email`, as the limits allow; `client`: the
    asker's address. Raises throttle.Throttled when this client asked too often (that refusal
    says nothing about the email address). Returns how many mails were sent, for tests only:
    the page must not show it."""
    throttle.check(ASKS.on(address_block(client)))
    users = accounts_with_email(email)
    if not users:
        return 0
    try:
        throttle.check(MAILS.on(email.strip().lower()))
    except throttle.Throttled:
        return 0
    for user in users:
        context = {
            "user": user,
            "link": reset_link(user),
            "site_name": settings.SITE_NAME,
            "hours": settings.PASSWORD_RESET_TIMEOUT // 3600,
        }
        body = render_to_string("accounts/password_reset_email.txt", context)
        send_mail(f"Reset your {settings.SITE_NAME} password", body, None, [user.email])
    return len(users)


def user_for_link(uidb64: str, token: str) -> User | None:
    """The account a reset link is for, or None when the link is wrong, expired or used."""
    try:
        pk = int(urlsafe_base64_decode(uidb64).decode())
    except (ValueError, UnicodeDecodeError):
        return None
    user = User.objects.filter(pk=pk, is_active=True).first()
    if user is None or not default_token_generator.check_token(user, token):
        return None
    return user
