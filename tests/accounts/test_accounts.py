"""Sign-up, log-in with its rate limit, log-out, password change, pseuds, registration modes."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from ficarchive.accounts.models import Invitation, User
from tests.cast import PASSWORD, make_user

pytestmark = pytest.mark.django_db


def _sign_up(client: Client, name: str = "rory", **extra: str) -> Any:
    return client.post(
        reverse("accounts:signup"),
        {"username": name, "email": "", "password": PASSWORD, "password_again": PASSWORD, **extra},
    )


def test_signing_up_creates_a_user_with_a_default_pseud_and_logs_in(client: Client) -> None:
    response = _sign_up(client)
    assert response.status_code == 302
    user = User.objects.get(username="rory")
    assert user.password.startswith("argon2")
    assert [(p.name, p.is_default) for p in user.pseuds.all()] == [("rory", True)]
    assert "Hi, rory!" in client.get("/").content.decode()


def test_a_taken_user_name_is_refused_whatever_its_case(client: Client) -> None:
    make_user("rory")
    response = _sign_up(client, "RORY")
    assert response.status_code == 400
    assert "That user name is taken." in response.content.decode()
    assert User.objects.count() == 1


@pytest.mark.parametrize("name", ["login", "Logout", "orphan_account"])
def test_names_the_archive_uses_itself_are_refused(client: Client, name: str) -> None:
    # /users/login and /users/logout are pages: a user so named could never be reached.
    response = _sign_up(client, name)
    assert response.status_code == 400
    assert "That user name is taken." in response.content.decode()
    assert not User.objects.exists()


def test_weak_and_mismatched_passwords_are_refused(client: Client) -> None:
    response = client.post(
        reverse("accounts:signup"),
        {"username": "jess", "password": "password", "password_again": "password"},
    )
    assert "too common" in response.content.decode()
    response = client.post(
        reverse("accounts:signup"),
        {"username": "jess", "password": PASSWORD, "password_again": PASSWORD + "x"},
    )
    assert "do not match" in response.content.decode()
    assert not User.objects.exists()


def test_closed_registration_refuses_sign_up(client: Client, settings: Any) -> None:
    settings.REGISTRATION = "closed"
    response = _sign_up(client)
    assert "Sign-up is closed" in response.content.decode()
    assert not User.objects.exists()


def test_invite_only_registration_needs_an_unused_code(client: Client, settings: Any) -> None:
    settings.REGISTRATION = "invite"
    assert _sign_up(client, invitation_code="nope").status_code == 400
    invitation = Invitation.objects.create()
    assert _sign_up(client, invitation_code=invitation.code).status_code == 302
    invitation.refresh_from_db()
    assert invitation.used_by == User.objects.get(username="rory")
    client.logout()
    assert _sign_up(client, "jess", invitation_code=invitation.code).status_code == 400


def test_log_in_and_log_out(client: Client) -> None:
    make_user("rory")
    response = client.post(
        reverse("accounts:login"), {"username": "rory", "password": PASSWORD, "next": "/works"}
    )
    assert response["Location"] == "/works"
    assert client.get(reverse("accounts:logout")).status_code == 405
    client.post(reverse("accounts:logout"))
    assert "Log in" in client.get("/").content.decode()


def test_log_in_never_redirects_off_site(client: Client) -> None:
    make_user("rory")
    response = client.post(
        reverse("accounts:login"),
        {"username": "rory", "password": PASSWORD, "next": "https://evil.example/"},
    )
    assert response["Location"] == "/"


def test_wrong_passwords_from_one_address_make_the_next_try_wait(
    client: Client, settings: Any
) -> None:
    settings.LOGIN_ATTEMPTS = 3
    make_user("rory")
    for _ in range(3):
        response = client.post(reverse("accounts:login"), {"username": "rory", "password": "bad"})
        assert "incorrect" in response.content.decode()
    # The right password too: answering it would tell a guesser they had found it.
    response = client.post(reverse("accounts:login"), {"username": "rory", "password": PASSWORD})
    assert response.status_code == 429
    # Two seconds after the last wrong one, less the time that try took.
    seconds = response["Retry-After"]
    assert seconds in ("1", "2")
    assert f"Please wait {seconds} second" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_password_change_needs_the_old_password(client: Client) -> None:
    user = make_user("rory")
    client.force_login(user)
    new = "a much longer new passphrase"
    response = client.post(
        reverse("accounts:password"),
        {"old_password": "wrong", "new_password1": new, "new_password2": new},
    )
    assert response.status_code == 400
    client.post(
        reverse("accounts:password"),
        {"old_password": PASSWORD, "new_password1": new, "new_password2": new},
    )
    user.refresh_from_db()
    assert user.check_password(new)


def test_a_user_can_add_a_pseud_and_make_it_default(client: Client) -> None:
    user = make_user("rory")
    client.force_login(user)
    response = client.post(
        reverse("accounts:pseud_new"), {"name": "Lorelai Leigh", "make_default": "on"}
    )
    assert response.status_code == 302
    assert user.pseuds.get(is_default=True).name == "Lorelai Leigh"
    page = client.get("/users/rory/pseuds/Lorelai Leigh").content.decode()
    assert "Lorelai Leigh (rory)" in page


def test_moderators_may_use_the_admin_and_readers_may_not(client: Client) -> None:
    reader = make_user("reader")
    client.force_login(reader)
    assert client.get("/admin/").status_code == 302
    reader.is_moderator = True
    reader.save()
    assert client.get("/admin/").status_code == 200
    assert client.get("/admin/works/work/").status_code == 200


def test_bad_names_from_services_are_account_errors_not_crashes() -> None:
    from ficarchive.accounts.services import AccountError, add_pseud, create_user

    with pytest.raises(AccountError, match="Use 3 to 40 letters"):
        create_user("a", None)
    with pytest.raises(AccountError, match="Use 1 to 40 letters"):
        add_pseud(make_user("rory"), "<b>bad</b>")
