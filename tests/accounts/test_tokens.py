"""Personal access tokens (accounts.tokens): made, shown once, kept hashed, used, revoked and
expired; from the command line and from the Tokens page in Preferences."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import timezone

from ficarchive.accounts import tokens
from ficarchive.accounts.models import AccessToken
from tests.cast import make_user

pytestmark = pytest.mark.django_db


def test_a_token_is_kept_as_its_hash_and_names_its_user() -> None:
    user = make_user("writer")
    made = tokens.create_token(user, "  posting   script ", "write", 30)

    stored = AccessToken.objects.get(pk=made.token.pk)
    assert made.secret.startswith("fa_")
    assert len(made.secret) == 46
    assert stored.name == "posting script"
    assert stored.digest == tokens.digest(made.secret)
    assert made.secret not in str(list(AccessToken.objects.values_list()))
    assert stored.prefix == made.secret[:9]
    assert stored.expires_at is not None
    assert timedelta(days=29) < stored.expires_at - timezone.now() <= timedelta(days=30)
    found = tokens.user_for(made.secret)
    assert found is not None
    assert found[0] == user
    assert found[1].writes


@pytest.mark.parametrize(
    ("name", "scope", "days", "field"),
    [
        ("", "read", None, "name"),
        ("x" * 101, "read", None, "name"),
        ("script", "admin", None, "scope"),
        ("script", "read", 0, "expires"),
        ("script", "read", tokens.MAX_DAYS + 1, "expires"),
    ],
)
def test_a_token_with_a_wrong_value_is_refused_naming_the_field(
    name: str, scope: str, days: int | None, field: str
) -> None:
    with pytest.raises(tokens.TokenError) as refused:
        tokens.create_token(make_user("writer"), name, scope, days)
    assert refused.value.field == field
    assert AccessToken.objects.count() == 0


def test_a_user_has_at_most_so_many_live_tokens(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(tokens, "MAX_TOKENS", 2)
    user = make_user("writer")
    first = tokens.create_token(user, "one", "read")
    tokens.create_token(user, "two", "read")
    with pytest.raises(tokens.TokenError, match="revoke one"):
        tokens.create_token(user, "three", "read")
    tokens.revoke(user, first.token.pk)
    assert tokens.create_token(user, "three", "read").token.name == "three"


def test_revoked_expired_and_unknown_tokens_name_no_one() -> None:
    user = make_user("writer")
    revoked = tokens.create_token(user, "old", "read")
    expired = tokens.create_token(user, "short", "read", 1)
    AccessToken.objects.filter(pk=expired.token.pk).update(
        expires_at=timezone.now() - timedelta(seconds=1)
    )
    tokens.revoke(user, revoked.token.pk)

    assert tokens.user_for(revoked.secret) is None
    assert tokens.user_for(expired.secret) is None
    assert tokens.user_for(revoked.secret[:-1] + "x") is None
    assert tokens.user_for("not a token") is None
    assert [t.state for t in tokens.tokens_of(user)] == ["expired", "revoked"]


def test_a_deactivated_users_token_stops_working() -> None:
    user = make_user("writer")
    made = tokens.create_token(user, "script", "read")
    user.is_active = False
    user.save()
    assert tokens.user_for(made.secret) is None


def test_use_is_noted_at_most_once_a_minute() -> None:
    made = tokens.create_token(make_user("writer"), "script", "read")
    tokens.user_for(made.secret)
    first = AccessToken.objects.get(pk=made.token.pk).last_used_at
    assert first is not None
    tokens.user_for(made.secret)
    assert AccessToken.objects.get(pk=made.token.pk).last_used_at == first
    AccessToken.objects.filter(pk=made.token.pk).update(last_used_at=first - timedelta(minutes=2))
    tokens.user_for(made.secret)
    assert AccessToken.objects.get(pk=made.token.pk).last_used_at > first  # type: ignore[operator]


def test_one_cannot_revoke_anothers_token() -> None:
    made = tokens.create_token(make_user("writer"), "script", "read")
    with pytest.raises(tokens.TokenError):
        tokens.revoke(make_user("other"), made.token.pk)
    assert tokens.user_for(made.secret) is not None


# -- ficarchive token ------------------------------------------------------------------------


def _command(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("token", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_the_command_makes_lists_and_revokes_tokens() -> None:
    make_user("writer")
    secret, told = _command("create", "--user", "Writer", "--scope", "write", "--expires", "7")
    secret = secret.strip()
    assert tokens.user_for(secret) is not None
    assert "shown only now" in told
    token = AccessToken.objects.get()

    listed, _ = _command("list", "--user", "writer")
    assert f"{token.pk}\t{token.prefix}…\twrite\tlive\t" in listed
    assert secret not in listed

    said, _ = _command("revoke", "--user", "writer", str(token.pk))
    assert "Revoked token" in said
    assert tokens.user_for(secret) is None


def test_the_command_names_what_is_wrong() -> None:
    make_user("writer")
    with pytest.raises(CommandError, match="--user: there is no user named 'nobody'"):
        _command("create", "--user", "nobody", "--scope", "read")
    with pytest.raises(CommandError, match="--expires: A token lasts"):
        _command("create", "--user", "writer", "--scope", "read", "--expires", "0")
    with pytest.raises(CommandError, match="no token with that id"):
        _command("revoke", "--user", "writer", "12345")


# -- the Tokens page -------------------------------------------------------------------------


def test_the_page_shows_a_new_secret_once(client: Client) -> None:
    user = make_user("writer")
    client.force_login(user)

    made = client.post("/account/tokens", {"name": "my app", "scope": "read", "expires": ""})
    assert made.status_code == 201
    assert "no-store" in made["Cache-Control"]
    secret = AccessToken.objects.get().prefix
    page = made.content.decode()
    start = page.index('<code id="new-token">') + len('<code id="new-token">')
    shown = page[start : page.index("</code>", start)]
    assert shown.startswith(secret)

    again = client.get("/account/tokens").content.decode()
    assert shown not in again
    assert "my app" in again
    assert "no expiry · last used never" in again
    assert tokens.user_for(shown) is not None
    assert "last used never" not in client.get("/account/tokens").content.decode()


def test_the_page_refuses_a_bad_form_and_names_the_field(client: Client) -> None:
    client.force_login(make_user("writer"))
    answer = client.post("/account/tokens", {"name": "", "scope": "everything"})
    assert answer.status_code == 400
    text = answer.content.decode()
    assert "Token name: This field is required." in text
    assert "Scope: Select a valid choice." in text
    assert AccessToken.objects.count() == 0


def test_revoking_from_the_page(client: Client) -> None:
    user = make_user("writer")
    made = tokens.create_token(user, "script", "read")
    client.force_login(make_user("other"))
    client.post(f"/account/tokens/{made.token.pk}/revoke")
    assert tokens.user_for(made.secret) is not None  # not theirs

    client.force_login(user)
    answer = client.post(f"/account/tokens/{made.token.pk}/revoke", follow=True)
    assert "is revoked" in answer.content.decode()
    assert tokens.user_for(made.secret) is None


def test_the_page_needs_a_login_and_its_forms_a_csrf_token() -> None:
    guest = Client()
    assert guest.get("/account/tokens").status_code == 302
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(make_user("writer"))
    assert strict.post("/account/tokens", {"name": "x", "scope": "read"}).status_code == 403
    assert AccessToken.objects.count() == 0
