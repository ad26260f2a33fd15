"""Sessions and the signed-in user read with one plain statement each (accounts/sessions.py,
accounts/backends.py): the same readers signed in, and out, as with Django's own."""

from __future__ import annotations

from datetime import timedelta
from importlib import import_module

import pytest
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.models import Session
from django.test import Client
from django.utils import timezone

from ficarchive.accounts.models import User
from tests.cast import make_user

pytestmark = pytest.mark.django_db


def _client_with_session(user: User, backend: str, user_id: str | None = None) -> Client:
    session = import_module(settings.SESSION_ENGINE).SessionStore()
    session[SESSION_KEY] = user_id if user_id is not None else str(user.pk)
    session[BACKEND_SESSION_KEY] = backend
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.save()
    client = Client()
    client.cookies[settings.SESSION_COOKIE_NAME] = session.session_key or ""
    return client


def _greeted(client: Client, user: User) -> bool:
    return f"Hi, {user.username}!" in client.get("/").content.decode()


def test_a_session_signs_its_reader_in() -> None:
    ash = make_user("ash")
    assert _greeted(_client_with_session(ash, settings.AUTHENTICATION_BACKENDS[0]), ash)


def test_a_session_django_s_own_backend_began_still_signs_in() -> None:
    ash = make_user("ash")
    client = _client_with_session(ash, "django.contrib.auth.backends.ModelBackend")
    assert _greeted(client, ash)


def test_an_expired_session_signs_no_one_in() -> None:
    ash = make_user("ash")
    client = _client_with_session(ash, settings.AUTHENTICATION_BACKENDS[0])
    Session.objects.update(expire_date=timezone.now() - timedelta(seconds=1))
    page = client.get("/").content.decode()
    assert "Hi, ash!" not in page
    assert "Log in" in page


def test_a_session_of_a_user_since_gone_signs_no_one_in() -> None:
    ash = make_user("ash")
    gone = str(ash.pk + 1000)
    client = _client_with_session(ash, settings.AUTHENTICATION_BACKENDS[0], user_id=gone)
    response = client.get("/")
    assert response.status_code == 200
    assert "Log in" in response.content.decode()


def test_a_deactivated_user_is_signed_out() -> None:
    ash = make_user("ash")
    client = _client_with_session(ash, settings.AUTHENTICATION_BACKENDS[0])
    User.objects.filter(pk=ash.pk).update(is_active=False)
    assert not _greeted(client, ash)
