"""The admin against every role: admins manage everything; moderators view every account but
change only accounts that hold no role, and never passwords, roles or permissions; wranglers and
readers do not get in."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group, Permission
from django.test import Client

from ficarchive.accounts.admin import ModeratorAccess
from ficarchive.accounts.models import Invitation, Pseud, User
from ficarchive.tags.models import Tag
from tests.cast import PASSWORD, make_user, make_work

pytestmark = pytest.mark.django_db

ACTORS = ["admin", "moderator", "wrangler", "reader"]
# Whose account is acted on: each role, and the actor's own.
TARGETS = ["admin", "moderator", "wrangler", "reader", "self"]
NEW_PASSWORD = "a brand new passphrase for this"


def _with_role(name: str, role: str) -> User:
    user = make_user(name)
    user.is_superuser = user.is_staff = role == "admin"
    user.is_moderator = role == "moderator"
    user.is_wrangler = role == "wrangler"
    user.save()
    return user


class People(dict[str, User]):
    """An actor of each role (`people["moderator"]`) and a second account of each role to act
    on (`people["other moderator"]`), each made when a test first asks for it."""

    def __missing__(self, key: str) -> User:
        role = key.removeprefix("other ")
        self[key] = _with_role(f"{role}_{'other' if key.startswith('other ') else 'actor'}", role)
        return self[key]


@pytest.fixture
def people() -> People:
    return People()


def _pick(people: dict[str, User], actor: str, target: str) -> tuple[User, User]:
    me = people[actor]
    return me, me if target == "self" else people[f"other {target}"]


def _may_change(actor: str, target: str) -> bool:
    return actor == "admin" or (actor == "moderator" and target == "reader")


def _refused(response: Any, actor: str) -> bool:
    """Refused as the admin refuses: 403 for those inside it, the log-in page for the others."""
    if actor in ("admin", "moderator"):
        return bool(response.status_code == 403)
    return response.status_code == 302 and "/admin/login/" in response["Location"]


def _change_form(account: User, **changes: str) -> dict[str, str]:
    """What the account's change page sends back, with `changes`."""
    pseuds = list(account.pseuds.all())
    data = {
        "username": account.username,
        "first_name": account.first_name,
        "last_name": account.last_name,
        "email": account.email,
        "is_active": "on",
        "date_joined_0": "2024-01-01",
        "date_joined_1": "00:00:00",
        "pseuds-TOTAL_FORMS": str(len(pseuds)),
        "pseuds-INITIAL_FORMS": str(len(pseuds)),
        "pseuds-MIN_NUM_FORMS": "0",
        "pseuds-MAX_NUM_FORMS": "1000",
    }
    for number, pseud in enumerate(pseuds):
        data |= {
            f"pseuds-{number}-id": str(pseud.pk),
            f"pseuds-{number}-user": str(account.pk),
            f"pseuds-{number}-name": pseud.name,
            f"pseuds-{number}-description": pseud.description,
            f"pseuds-{number}-is_default": "on" if pseud.is_default else "",
        }
    return data | changes


def _url(account: User, view: str) -> str:
    return f"/admin/accounts/user/{account.pk}/{view}/"


@pytest.mark.parametrize("target", TARGETS)
@pytest.mark.parametrize("actor", ACTORS)
def test_only_admins_and_moderators_of_role_less_accounts_change_an_account(
    client: Client, people: dict[str, User], actor: str, target: str
) -> None:
    me, account = _pick(people, actor, target)
    client.force_login(me)
    before = User.objects.values("username", "email", "is_active").get(pk=account.pk)
    form = _change_form(account, username="taken_over", email="new@evil.example", is_active="")
    response = client.post(_url(account, "change"), form)
    after = User.objects.values("username", "email", "is_active").get(pk=account.pk)
    if _may_change(actor, target):
        assert response.status_code == 302, response.content.decode()[:2000]
        assert after == {"username": "taken_over", "email": "new@evil.example", "is_active": False}
    else:
        assert _refused(response, actor)
        assert after == before


@pytest.mark.parametrize("target", TARGETS)
@pytest.mark.parametrize("actor", ACTORS)
def test_only_admins_set_passwords(
    client: Client, people: dict[str, User], actor: str, target: str
) -> None:
    me, account = _pick(people, actor, target)
    client.force_login(me)
    page = client.get(_url(account, "password"))
    response = client.post(
        _url(account, "password"),
        {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "set_usable_password": "true"},
    )
    account.refresh_from_db()
    if actor == "admin":
        assert page.status_code == 200
        assert response.status_code == 302
        assert account.check_password(NEW_PASSWORD)
    else:
        assert _refused(page, actor)
        assert _refused(response, actor)
        assert account.check_password(PASSWORD)


@pytest.mark.parametrize("target", ["admin", "moderator", "wrangler", "reader"])
@pytest.mark.parametrize("actor", ACTORS)
def test_only_admins_delete_accounts(
    client: Client, people: dict[str, User], actor: str, target: str
) -> None:
    me, account = _pick(people, actor, target)
    client.force_login(me)
    response = client.post(_url(account, "delete"), {"post": "yes"})
    if actor == "admin":
        assert response.status_code == 302
        assert not User.objects.filter(pk=account.pk).exists()
    else:
        assert _refused(response, actor)
        assert User.objects.filter(pk=account.pk).exists()


@pytest.mark.parametrize("actor", ACTORS)
def test_only_admins_delete_accounts_in_bulk(
    client: Client, people: dict[str, User], actor: str
) -> None:
    client.force_login(people[actor])
    targets = [people[f"other {role}"].pk for role in ACTORS]
    response = client.post(
        "/admin/accounts/user/",
        {"action": "delete_selected", "_selected_action": targets, "post": "yes"},
    )
    left = User.objects.filter(pk__in=targets).count()
    if actor == "admin":
        assert response.status_code == 302
        assert left == 0
    else:
        assert left == len(targets)
        if actor == "moderator":
            # Moderators are not offered the action: the list comes back without it.
            assert response.status_code == 200
            assert 'value="delete_selected"' not in response.content.decode()
        else:
            assert _refused(response, actor)


@pytest.mark.parametrize("actor", ACTORS)
def test_only_admins_add_accounts(client: Client, people: dict[str, User], actor: str) -> None:
    client.force_login(people[actor])
    response = client.post(
        "/admin/accounts/user/add/",
        {
            "username": "sockpuppet",
            "usable_password": "true",
            "password1": NEW_PASSWORD,
            "password2": NEW_PASSWORD,
            "pseuds-TOTAL_FORMS": "0",
            "pseuds-INITIAL_FORMS": "0",
        },
    )
    made = User.objects.filter(username="sockpuppet").exists()
    assert made == (actor == "admin")
    if actor != "admin":
        assert _refused(response, actor)


def test_a_moderator_suspends_and_renames_a_reader_but_grants_nothing(
    client: Client, people: dict[str, User]
) -> None:
    client.force_login(people["moderator"])
    reader = people["other reader"]
    group = Group.objects.create(name="everything")
    group.permissions.set(Permission.objects.all())
    form = _change_form(
        reader,
        username="renamed",
        is_active="",
        # Fields a moderator's form does not have: sent anyway, they must change nothing.
        is_superuser="on",
        is_staff="on",
        is_moderator="on",
        is_wrangler="on",
        claimable="on",
        groups=str(group.pk),
        user_permissions=str(Permission.objects.first().pk),  # type: ignore[union-attr]
        password="plain",
    )
    assert client.post(_url(reader, "change"), form).status_code == 302
    reader.refresh_from_db()
    assert (reader.username, reader.is_active) == ("renamed", False)
    flags = ("is_superuser", "is_staff", "is_moderator", "is_wrangler", "claimable")
    assert [flag for flag in flags if getattr(reader, flag)] == []
    assert not reader.groups.exists()
    assert not reader.user_permissions.exists()
    assert reader.check_password(PASSWORD)


def test_a_moderator_may_not_change_a_reader_who_holds_permissions(
    client: Client, people: dict[str, User]
) -> None:
    reader = people["other reader"]
    reader.user_permissions.add(Permission.objects.get(codename="change_work"))
    client.force_login(people["moderator"])
    response = client.post(_url(reader, "change"), _change_form(reader, email="x@evil.example"))
    assert response.status_code == 403
    reader.refresh_from_db()
    assert reader.email == "reader_other@example.org"


@pytest.mark.parametrize("target", TARGETS)
def test_a_moderator_never_sees_a_password_hash_or_the_password_form(
    client: Client, people: dict[str, User], target: str
) -> None:
    me, account = _pick(people, "moderator", target)
    client.force_login(me)
    page = client.get(_url(account, "change"))
    assert page.status_code == 200
    html = page.content.decode()
    assert account.username in html
    assert "argon2" not in html
    assert account.password.rsplit("$", 1)[-1] not in html
    assert "../password/" not in html


def test_an_admin_sees_the_password_form_link(client: Client, people: dict[str, User]) -> None:
    client.force_login(people["admin"])
    html = client.get(_url(people["other reader"], "change")).content.decode()
    assert "../password/" in html


@pytest.mark.parametrize("target", TARGETS)
@pytest.mark.parametrize("actor", ["admin", "moderator"])
def test_pseuds_in_the_account_page_change_only_as_the_account_may(
    client: Client, people: dict[str, User], actor: str, target: str
) -> None:
    me, account = _pick(people, actor, target)
    client.force_login(me)
    form = _change_form(account, **{"pseuds-0-name": "Renamed Pseud"})
    response = client.post(_url(account, "change"), form)
    name = account.pseuds.get().name
    if _may_change(actor, target):
        assert response.status_code == 302, response.content.decode()[:2000]
        assert name == "Renamed Pseud"
    else:
        assert response.status_code == 403
        assert name == account.username


def test_a_moderator_neither_adds_nor_deletes_pseuds(
    client: Client, people: dict[str, User]
) -> None:
    client.force_login(people["moderator"])
    reader = people["other reader"]
    pseud = reader.pseuds.get()
    deleting = _change_form(reader, **{"pseuds-0-DELETE": "on"})
    client.post(_url(reader, "change"), deleting)
    adding = _change_form(
        reader,
        **{
            "pseuds-TOTAL_FORMS": "2",
            "pseuds-1-user": str(reader.pk),
            "pseuds-1-name": "Second",
            "pseuds-1-description": "",
        },
    )
    client.post(_url(reader, "change"), adding)
    assert list(Pseud.objects.filter(user=reader)) == [pseud]


@pytest.mark.parametrize("actor", ACTORS)
def test_admins_and_moderators_make_invitations_and_no_one_else(
    client: Client, people: dict[str, User], actor: str
) -> None:
    me = people[actor]
    client.force_login(me)
    response = client.post(
        "/admin/accounts/invitation/add/",
        {"code": f"code-{actor}", "email": "friend@example.org", "created_by": ""},
    )
    invitation = Invitation.objects.filter(code=f"code-{actor}").first()
    if actor in ("admin", "moderator"):
        assert response.status_code == 302
        assert invitation is not None
        assert invitation.created_by == me
    else:
        assert _refused(response, actor)
        assert invitation is None


def test_who_made_an_invitation_stays_as_recorded(client: Client, people: dict[str, User]) -> None:
    invitation = Invitation.objects.create(created_by=people["admin"])
    client.force_login(people["moderator"])
    response = client.post(
        f"/admin/accounts/invitation/{invitation.pk}/change/",
        {"code": invitation.code, "email": "", "created_by": str(people["moderator"].pk)},
    )
    assert response.status_code == 302
    invitation.refresh_from_db()
    assert invitation.created_by == people["admin"]


def _moderated_models() -> list[str]:
    """Every model the admin shows through ModeratorAccess, as `app/model`."""
    return sorted(
        f"{model._meta.app_label}/{model._meta.model_name}"
        for model, model_admin in admin.site._registry.items()
        if isinstance(model_admin, ModeratorAccess)
    )


def test_the_moderated_models_include_every_apps_admin() -> None:
    found = _moderated_models()
    for expected in ("accounts/user", "works/work", "tags/tag", "community/report"):
        assert expected in found


@pytest.mark.parametrize("model", _moderated_models())
@pytest.mark.parametrize("actor", ACTORS)
def test_every_moderated_list_opens_for_admins_and_moderators_only(
    client: Client, people: dict[str, User], actor: str, model: str
) -> None:
    client.force_login(people[actor])
    response = client.get(f"/admin/{model}/")
    if actor in ("admin", "moderator"):
        assert response.status_code == 200
    else:
        assert _refused(response, actor)


@pytest.mark.parametrize("actor", ACTORS)
def test_works_and_tags_are_changed_by_admins_and_moderators_only(
    client: Client, people: dict[str, User], actor: str
) -> None:
    work = make_work(people["other reader"], title="Before")
    tag = Tag.objects.create(name="Before Tag", type="freeform")
    client.force_login(people[actor])
    work_page = client.get(f"/admin/works/work/{work.pk}/change/")
    tag_page = client.get(f"/admin/tags/tag/{tag.pk}/change/")
    new_work = client.get("/admin/works/work/add/")
    if actor in ("admin", "moderator"):
        assert work_page.status_code == tag_page.status_code == 200
        assert "Before Tag" in tag_page.content.decode()
        assert new_work.status_code == (200 if actor == "admin" else 403)
    else:
        assert _refused(work_page, actor)
        assert _refused(tag_page, actor)
        assert _refused(new_work, actor)


@pytest.mark.parametrize("actor", ACTORS)
def test_groups_and_permissions_are_for_admins_only(
    client: Client, people: dict[str, User], actor: str
) -> None:
    client.force_login(people[actor])
    response = client.post("/admin/auth/group/add/", {"name": "mods", "permissions": []})
    assert Group.objects.filter(name="mods").exists() == (actor == "admin")
    if actor != "admin":
        assert _refused(response, actor)
