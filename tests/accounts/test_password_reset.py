"""Forgot password (a one-use link by email that expires) and Remember me at log-in."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any

import pytest
from django.conf import settings
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from ficarchive.accounts.services import create_user
from tests.cast import PASSWORD, make_user

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "a new password nobody guesses"
RESET = "/account/password/reset"


def _ask(client: Client, email: str) -> Any:
    return client.post(RESET, {"email": email}, follow=True)


def _link_in(body: str) -> str:
    match = re.search(r"https?://\S+/account/password/reset/\S+", body)
    assert match is not None, body
    return match.group(0)


def _path(link: str) -> str:
    return re.sub(r"^https?://[^/]+", "", link)


def _set_password(client: Client, link: str, password: str = NEW_PASSWORD) -> Any:
    return client.post(
        _path(link), {"new_password1": password, "new_password2": password}, follow=True
    )


def test_the_log_in_page_links_to_forgot_password(client: Client) -> None:
    page = client.get(reverse("accounts:login")).content.decode()
    assert f'href="{RESET}">Forgot password?</a>' in page


def test_a_reset_link_by_email_sets_a_new_password(client: Client) -> None:
    make_user("rory")
    response = _ask(client, "RORY@example.org")
    assert response.redirect_chain[-1][0] == "/account/password/reset/sent"
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["rory@example.org"]
    assert "Reset your ficarchive password" in message.subject
    link = _link_in(str(message.body))
    assert link.startswith(settings.SITE_URL)
    assert "24 hours" in message.body

    form = client.get(_path(link))
    assert form.status_code == 200
    assert "Set a new password" in form.content.decode()
    done = _set_password(client, link)
    assert done.redirect_chain[-1][0] == reverse("accounts:login")
    assert "Your password has been changed." in done.content.decode()
    assert client.login(username="rory", password=NEW_PASSWORD)
    assert not Client().login(username="rory", password=PASSWORD)


def test_an_unknown_address_gets_the_same_page_and_no_mail(client: Client) -> None:
    make_user("rory")
    known = _ask(client, "rory@example.org")
    unknown = _ask(Client(), "nobody@example.org")
    assert unknown.redirect_chain == known.redirect_chain
    assert unknown.content == known.content
    assert [m.to for m in mail.outbox] == [["rory@example.org"]]


def test_an_account_without_email_or_password_gets_no_mail_and_the_same_page(
    client: Client,
) -> None:
    create_user("no_mail", PASSWORD, "")
    create_user("imported", None, "imported@example.org", claimable=True)
    for email in ("imported@example.org", "nobody@example.org"):
        response = _ask(client, email)
        assert response.redirect_chain[-1][0] == "/account/password/reset/sent"
        assert "Accounts without an email address cannot reset" in response.content.decode()
    assert mail.outbox == []


def test_a_bad_email_is_refused_at_the_field(client: Client) -> None:
    response = client.post(RESET, {"email": "not an address"})
    assert response.status_code == 400
    assert "Email: Enter a valid email address." in response.content.decode()


def test_a_used_link_is_refused_with_a_clear_message(client: Client) -> None:
    make_user("rory")
    _ask(client, "rory@example.org")
    link = _link_in(str(mail.outbox[0].body))
    _set_password(client, link)
    again = client.get(_path(link))
    assert again.status_code == 400
    page = again.content.decode()
    assert "This password reset link has expired or was already used." in page
    assert f'href="{RESET}">Ask for a new link</a>' in page
    # Posting to it changes nothing.
    assert _set_password(client, link, "yet another long password").status_code == 400
    assert Client().login(username="rory", password=NEW_PASSWORD)


class _TwoDaysAgo(PasswordResetTokenGenerator):
    def _now(self) -> datetime:
        return super()._now() - timedelta(days=2)


def test_an_expired_link_is_refused_with_a_clear_message(client: Client) -> None:
    user = make_user("rory")
    assert settings.PASSWORD_RESET_TIMEOUT == 24 * 3600
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    old = reverse("accounts:password_reset_confirm", args=[uid, _TwoDaysAgo().make_token(user)])
    response = client.get(old)
    assert response.status_code == 400
    assert "This password reset link has expired or was already used." in (
        response.content.decode()
    )
    token = PasswordResetTokenGenerator().make_token(user)
    fresh = reverse("accounts:password_reset_confirm", args=[uid, token])
    assert client.get(fresh).status_code == 200


def test_a_made_up_link_is_refused(client: Client) -> None:
    assert client.get("/account/password/reset/zzz/not-a-token").status_code == 400
    assert client.get("/account/password/reset/MQ/1-2-3").status_code == 400


def test_mismatched_new_passwords_are_refused_at_the_field(client: Client) -> None:
    make_user("rory")
    _ask(client, "rory@example.org")
    link = _link_in(str(mail.outbox[0].body))
    response = client.post(
        _path(link), {"new_password1": NEW_PASSWORD, "new_password2": "something else entirely"}
    )
    assert response.status_code == 400
    assert "New password confirmation: The two password fields didn’t match." in (
        response.content.decode()
    )
    assert Client().login(username="rory", password=PASSWORD)


def test_one_address_gets_one_mail_in_a_few_minutes(client: Client) -> None:
    make_user("rory")
    first, second = _ask(client, "rory@example.org"), _ask(client, "rory@example.org")
    assert len(mail.outbox) == 1
    assert second.content == first.content


def test_one_client_asking_too_often_waits_whatever_the_address(client: Client) -> None:
    for number in range(10):
        _ask(client, f"reader{number}@example.org")
    refused = client.post(RESET, {"email": "another@example.org"})
    assert refused.status_code == 429
    assert int(refused["Retry-After"]) > 0
    assert "Email: Too many password reset requests from here." in refused.content.decode()


def test_the_console_backend_prints_the_link(
    client: Client, settings: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
    make_user("rory")
    _ask(client, "rory@example.org")
    printed = capsys.readouterr().out
    assert "To: rory@example.org" in printed
    link = _link_in(printed)
    assert client.get(_path(link)).status_code == 200


def _session_cookie(response: Any) -> Any:
    return response.cookies[settings.SESSION_COOKIE_NAME]


def test_remember_me_keeps_the_session_two_weeks(client: Client) -> None:
    make_user("rory")
    response = client.post(
        reverse("accounts:login"), {"username": "rory", "password": PASSWORD, "remember": "on"}
    )
    assert response.status_code == 302
    assert _session_cookie(response)["max-age"] == 14 * 24 * 3600
    assert client.session.get_expiry_age() == 14 * 24 * 3600
    assert not client.session.get_expire_at_browser_close()


def test_without_remember_me_the_session_ends_with_the_browser(client: Client) -> None:
    make_user("rory")
    response = client.post(reverse("accounts:login"), {"username": "rory", "password": PASSWORD})
    assert response.status_code == 302
    cookie = _session_cookie(response)
    assert cookie["max-age"] == ""
    assert cookie["expires"] == ""
    assert client.session.get_expire_at_browser_close()
    assert "Hi, rory!" in client.get("/").content.decode()
