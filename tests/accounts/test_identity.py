"""Change email (a link to the new address, a notice to the old) and change user name (the old
`/users/{name}` pages redirect for a while, and nobody else may take the name meanwhile)."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from django.conf import settings
from django.core import mail, signing
from django.test import Client
from django.utils import timezone

from ficarchive.accounts import identity
from ficarchive.accounts.models import (
    RENAME_INTERVAL,
    RENAME_REDIRECT_DAYS,
    Pseud,
    User,
    UsernameChange,
)
from ficarchive.accounts.services import AccountError, add_pseud
from ficarchive.community.models import Bookmark
from tests.cast import PASSWORD, make_user, make_work

pytestmark = pytest.mark.django_db

EMAIL = "/account/email"
USERNAME = "/account/username"


def _logged_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _link_in(body: str) -> str:
    match = re.search(r"https?://\S+/account/email/confirm/\S+", body)
    assert match is not None, body
    return match.group(0)


def _path(link: str) -> str:
    return link.removeprefix(settings.SITE_URL)


def _ask_for_email(client: Client, email: str, password: str = PASSWORD) -> Any:
    return client.post(EMAIL, {"email": email, "password": password}, follow=True)


def _rename(client: Client, name: str, password: str = PASSWORD) -> Any:
    return client.post(USERNAME, {"username": name, "password": password})


# Email -------------------------------------------------------------------------------------


def test_preferences_link_to_change_email_and_user_name() -> None:
    page = _logged_in(make_user("rory")).get("/account/preferences").content.decode()
    assert f'href="{EMAIL}">Change email</a>' in page
    assert f'href="{USERNAME}">Change user name</a>' in page


def test_the_email_changes_only_when_the_link_is_followed_and_the_old_address_is_told() -> None:
    rory = make_user("rory")
    client = _logged_in(rory)
    asked = _ask_for_email(client, "Rory.Gilmore@yale.example")
    assert asked.redirect_chain[-1][0] == "/account/preferences"
    assert "We sent a link to Rory.Gilmore@yale.example." in asked.content.decode()
    rory.refresh_from_db()
    assert rory.email == "rory@example.org"
    [confirm] = mail.outbox
    assert confirm.to == ["Rory.Gilmore@yale.example"]
    link = _link_in(str(confirm.body))
    assert link.startswith(settings.SITE_URL)

    # Opening the link shows the change; a mail scanner's GET changes nothing.
    page = Client().get(_path(link))
    assert page.status_code == 200
    assert "Rory.Gilmore@yale.example" in page.content.decode()
    rory.refresh_from_db()
    assert rory.email == "rory@example.org"
    assert len(mail.outbox) == 1

    done = Client().post(_path(link), follow=True)
    assert "Your email address is now Rory.Gilmore@yale.example." in done.content.decode()
    rory.refresh_from_db()
    assert rory.email == "Rory.Gilmore@yale.example"
    notice = mail.outbox[1]
    assert notice.to == ["rory@example.org"]
    assert "was changed" in notice.subject
    assert "from rory@example.org to Rory.Gilmore@yale.example" in str(notice.body)
    assert "If you did not make this change" in str(notice.body)


def test_a_used_link_is_refused_with_a_clear_message() -> None:
    client = _logged_in(make_user("rory"))
    _ask_for_email(client, "new@example.org")
    link = _path(_link_in(str(mail.outbox[0].body)))
    client.post(link)
    again = client.post(link)
    assert again.status_code == 400
    assert "This link was already used: your email address is new@example.org." in (
        again.content.decode()
    )


def test_a_tampered_link_is_refused_with_a_clear_message() -> None:
    rory = make_user("rory")
    _ask_for_email(_logged_in(rory), "new@example.org")
    link = _path(_link_in(str(mail.outbox[0].body)))
    forged = signing.dumps(
        {"user": rory.pk, "old": rory.email, "new": "thief@example.org"}, salt="something else"
    )
    for path in (link[:-3] + "xyz", f"/account/email/confirm/{forged}"):
        response = Client().post(path)
        assert response.status_code == 400
        page = response.content.decode()
        assert "This link is not valid: it was changed or cut short." in page
        assert 'href="/account/email">Change your email address</a>' in page
    rory.refresh_from_db()
    assert rory.email == "rory@example.org"


def test_an_expired_link_is_refused_with_a_clear_message(monkeypatch: pytest.MonkeyPatch) -> None:
    rory = make_user("rory")
    _ask_for_email(_logged_in(rory), "new@example.org")
    link = _path(_link_in(str(mail.outbox[0].body)))
    later = timezone.now().timestamp() + settings.PASSWORD_RESET_TIMEOUT + 60
    monkeypatch.setattr("django.core.signing.time.time", lambda: later)
    response = Client().post(link)
    assert response.status_code == 400
    assert "This link has expired: a link to confirm an email address works for 24 hours." in (
        response.content.decode()
    )
    rory.refresh_from_db()
    assert rory.email == "rory@example.org"


def test_a_link_stops_working_once_the_address_changed_another_way() -> None:
    rory = make_user("rory")
    client = _logged_in(rory)
    _ask_for_email(client, "first@example.org")
    _ask_for_email(client, "second@example.org")
    first, second = (_path(_link_in(str(message.body))) for message in mail.outbox)
    client.post(second)
    response = client.post(first)
    assert response.status_code == 400
    assert "your email address was changed after it was sent" in response.content.decode()
    rory.refresh_from_db()
    assert rory.email == "second@example.org"


def test_a_wrong_password_is_refused_at_the_field_and_sends_nothing() -> None:
    response = _logged_in(make_user("rory")).post(
        EMAIL, {"email": "new@example.org", "password": "not it"}
    )
    assert response.status_code == 400
    assert "Current password: The password is incorrect." in response.content.decode()
    assert mail.outbox == []


def test_the_same_or_a_bad_address_is_refused_at_the_field() -> None:
    client = _logged_in(make_user("rory"))
    same = client.post(EMAIL, {"email": "RORY@example.org", "password": PASSWORD})
    assert "New email: RORY@example.org is already your email address." in same.content.decode()
    bad = client.post(EMAIL, {"email": "not an address", "password": PASSWORD})
    assert "New email: Enter a valid email address." in bad.content.decode()
    assert mail.outbox == []


def test_wrong_passwords_are_limited_per_account() -> None:
    rory = make_user("rory")
    for _ in range(identity.PASSWORD_TRIES.allowed):
        with pytest.raises(AccountError):
            identity.check_password(rory, "guess")
    response = _logged_in(rory).post(EMAIL, {"email": "new@example.org", "password": PASSWORD})
    assert response.status_code == 429
    assert "Too many wrong passwords." in response.content.decode()
    assert mail.outbox == []


def test_an_account_without_an_address_gets_one_and_nobody_is_told() -> None:
    user = make_user("imported")
    User.objects.filter(pk=user.pk).update(email="")
    user.refresh_from_db()
    link = identity.email_change_link(user, "found@example.org")
    Client().post(_path(link))
    user.refresh_from_db()
    assert user.email == "found@example.org"
    assert mail.outbox == []


def test_the_pages_ask_to_log_in() -> None:
    for url in (EMAIL, USERNAME):
        response = Client().get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/users/login")


# User name ---------------------------------------------------------------------------------


def test_a_rename_keeps_works_bookmarks_and_renames_the_default_pseud() -> None:
    lorelai = make_user("lorelai")
    other = add_pseud(lorelai, "Lor")
    work = make_work(lorelai, title="Coffee")
    Bookmark.objects.create(user=lorelai, work=work)
    response = _rename(_logged_in(lorelai), "lorelai_gilmore")
    assert response.status_code == 302
    assert response["Location"] == "/users/lorelai_gilmore"
    lorelai.refresh_from_db()
    assert lorelai.username == "lorelai_gilmore"
    assert sorted(Pseud.objects.filter(user=lorelai).values_list("name", flat=True)) == [
        "Lor",
        "lorelai_gilmore",
    ]
    assert Pseud.objects.get(pk=other.pk).name == "Lor"
    assert work.creatorships.get().pseud.name == "lorelai_gilmore"
    assert Bookmark.objects.get(work=work).user == lorelai
    page = Client().get("/users/lorelai_gilmore").content.decode()
    assert "Coffee" in page
    assert Client().login(username="lorelai_gilmore", password=PASSWORD)
    [change] = UsernameChange.objects.filter(user=lorelai)
    assert (change.old_username, change.new_username) == ("lorelai", "lorelai_gilmore")


def test_old_user_urls_redirect_to_the_new_name() -> None:
    lorelai = make_user("lorelai")
    make_work(lorelai, title="Coffee")
    identity.change_username(lorelai, "lorelai_gilmore", PASSWORD)
    client = Client()
    for old, new in [
        ("/users/lorelai", "/users/lorelai_gilmore"),
        ("/users/Lorelai/works", "/users/lorelai_gilmore/works"),
        ("/users/lorelai/works?page=2", "/users/lorelai_gilmore/works?page=2"),
        ("/users/lorelai/pseuds/lorelai", "/users/lorelai_gilmore/pseuds/lorelai"),
        ("/users/lorelai/bookmarks", "/users/lorelai_gilmore/bookmarks"),
    ]:
        response = client.get(old)
        assert (response.status_code, response["Location"]) == (302, new), old
    assert "Coffee" in client.get("/users/lorelai/works", follow=True).content.decode()
    # A form posted to an old address is not sent on.
    assert _logged_in(make_user("sookie")).post("/users/lorelai/subscribe").status_code != 302
    assert client.get("/users/nobody_ever").status_code == 404


def test_every_page_of_the_owner_under_the_old_name_redirects() -> None:
    lorelai = make_user("lorelai")
    make_work(lorelai, title="Coffee")
    client = _logged_in(lorelai)
    identity.change_username(lorelai, "lorelai_gilmore", PASSWORD)
    for rest in [
        "works/drafts",
        "co-creator-requests",
        "related-works",
        "readings",
        "subscriptions",
        "stats",
        "pseuds/lorelai_gilmore/works",
        "pseuds/lorelai_gilmore/works.atom",
    ]:
        response = client.get(f"/users/lorelai/{rest}")
        assert response.status_code == 302, rest
        assert response["Location"] == f"/users/lorelai_gilmore/{rest}"
        assert client.get(response["Location"]).status_code == 200, rest


def test_a_second_rename_redirects_the_first_name_to_the_newest() -> None:
    jess = make_user("jess")
    identity.change_username(jess, "jess_m", PASSWORD, now=timezone.now() - RENAME_INTERVAL)
    identity.change_username(jess, "jess_mariano", PASSWORD)
    for old in ("/users/jess", "/users/jess_m"):
        assert Client().get(old)["Location"] == "/users/jess_mariano"


def test_the_redirect_ends_after_the_window_and_the_name_is_free_again() -> None:
    luke = make_user("luke")
    identity.change_username(luke, "luke_danes", PASSWORD)
    UsernameChange.objects.update(
        changed_at=timezone.now() - timedelta(days=RENAME_REDIRECT_DAYS, minutes=1)
    )
    assert Client().get("/users/luke").status_code == 404
    signup = Client().post(
        "/signup",
        {
            "username": "luke",
            "password": "a long new password",
            "password_again": "a long new password",
        },
    )
    assert signup.status_code == 302
    assert Client().get("/users/luke").status_code == 200


def test_a_sign_up_may_not_take_a_name_that_still_redirects() -> None:
    identity.change_username(make_user("luke"), "luke_danes", PASSWORD)
    password = "a long new password"
    response = Client().post(
        "/signup", {"username": "LUKE", "password": password, "password_again": password}
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "User name: That user name is taken: it belonged to an account until recently" in page
    assert not User.objects.filter(username__iexact="luke").exclude(username="luke_danes")


def test_a_rename_may_not_take_a_name_in_use_or_still_redirecting() -> None:
    make_user("kirk")
    identity.change_username(make_user("taylor"), "taylor_doose", PASSWORD)
    client = _logged_in(make_user("lane"))
    taken = _rename(client, "KIRK")
    assert "New user name: That user name is taken." in taken.content.decode()
    held = _rename(client, "taylor")
    assert "New user name: That user name is taken: it belonged to" in held.content.decode()
    bad = _rename(client, "la ne")
    assert "New user name: Use 3 to 40 letters, digits or underscores." in bad.content.decode()
    assert User.objects.filter(username="lane").exists()


def test_a_wrong_password_is_refused_at_the_field_and_renames_nothing() -> None:
    response = _rename(_logged_in(make_user("paris")), "paris_geller", "not it")
    assert response.status_code == 400
    assert "Current password: The password is incorrect." in response.content.decode()
    assert User.objects.filter(username="paris").exists()
    assert not UsernameChange.objects.exists()


def test_a_name_changes_once_per_week_with_a_clear_message() -> None:
    paris = make_user("paris")
    client = _logged_in(paris)
    assert _rename(client, "paris_g").status_code == 302
    again = _rename(client, "paris_geller")
    assert again.status_code == 400
    page = again.content.decode()
    assert "New user name: You changed your user name less than 7 days ago" in page
    assert "You may change it again from" in page
    paris.refresh_from_db()
    assert paris.username == "paris_g"
    UsernameChange.objects.update(changed_at=timezone.now() - RENAME_INTERVAL)
    assert _rename(client, "paris_geller").status_code == 302


def test_a_case_change_keeps_the_page_and_does_not_loop() -> None:
    dean = make_user("dean")
    identity.change_username(dean, "Dean", PASSWORD)
    assert Client().get("/users/dean").status_code == 200
    assert Client().get("/users/dean/pseuds/nobody").status_code == 404


def test_a_pseud_already_named_like_the_new_name_keeps_the_default_pseud() -> None:
    april = make_user("april")
    add_pseud(april, "Nardini")
    renamed = identity.change_username(april, "nardini", PASSWORD)
    assert renamed.pseud is None
    assert sorted(april.pseuds.values_list("name", "is_default")) == [
        ("Nardini", False),
        ("april", True),
    ]


def test_a_suspended_users_old_name_does_not_redirect() -> None:
    sookie = make_user("sookie")
    identity.change_username(sookie, "sookie_st_james", PASSWORD)
    User.objects.filter(pk=sookie.pk).update(is_active=False)
    assert Client().get("/users/sookie").status_code == 404


def test_cached_pages_and_blurbs_show_the_new_name_at_once() -> None:
    lorelai = make_user("lorelai")
    work = make_work(lorelai, title="Coffee")
    guest = Client()
    for url in ("/works", work.get_absolute_url()):
        assert 'href="/users/lorelai/pseuds/lorelai"' in guest.get(url).content.decode()
    identity.change_username(lorelai, "lorelai_gilmore", PASSWORD)
    for url in ("/works", work.get_absolute_url(), "/users/lorelai_gilmore"):
        page = guest.get(url).content.decode()
        assert 'href="/users/lorelai_gilmore/pseuds/lorelai_gilmore"' in page, url
        assert "/users/lorelai/" not in page, url


def test_confirmation_links_are_limited_per_account() -> None:
    client = _logged_in(make_user("rory"))
    for number in range(identity.EMAIL_LINKS.allowed):
        _ask_for_email(client, f"new{number}@example.org")
    response = client.post(EMAIL, {"email": "one.more@example.org", "password": PASSWORD})
    assert response.status_code == 429
    assert "New email: You asked for 5 links in the last hour." in response.content.decode()
    assert len(mail.outbox) == identity.EMAIL_LINKS.allowed
