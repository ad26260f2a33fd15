"""The wrangling pages: for wranglers only, CSRF-protected, and each form changes the tree."""

from __future__ import annotations

import pytest
from django.test import Client

from ficarchive.accounts.models import User
from ficarchive.tags.models import Tag, TagType
from tests.cast import make_user, make_work
from tests.tags.wrangled import wrangle_gilmore_girls

pytestmark = pytest.mark.django_db


def _wrangler() -> User:
    user = make_user("wrangler")
    user.is_wrangler = True
    user.save(update_fields=["is_wrangler"])
    return user


@pytest.mark.parametrize("url", ["/tags/wrangle", "/tags/Gilmore Girls/edit"])
def test_readers_without_the_role_are_refused(client: Client, url: str) -> None:
    wrangle_gilmore_girls()
    assert client.get(url).status_code == 302  # to the log-in page
    client.force_login(make_user("reader"))
    assert client.get(url).status_code == 403
    assert client.post(url, {"action": "canonical", "canonical": "0"}).status_code == 403


def test_the_queue_groups_unwrangled_tags_by_fandom_with_work_counts(client: Client) -> None:
    wrangle_gilmore_girls()
    author = make_user("author")
    make_work(author, title="A", fandoms=["Gilmore Girls"], freeforms=["Town Meeting"])
    make_work(author, title="B", fandoms=["Gilmore Girls"], freeforms=["Town Meeting", "Snow"])
    make_work(author, title="C", fandoms=["Stars Hollow Gazette"], freeforms=["Snow"])
    client.force_login(_wrangler())
    response = client.get("/tags/wrangle")
    groups = {group.fandom: dict(group.tags) for group in response.context["groups"]}
    town, snow = Tag.objects.get(name="Town Meeting"), Tag.objects.get(name="Snow")
    gazette = Tag.objects.get(name="Stars Hollow Gazette")
    assert groups["Gilmore Girls"] == {town: 2, snow: 1}
    assert groups["Stars Hollow Gazette"] == {snow: 1}
    assert groups["Unwrangled fandoms"] == {gazette: 1}
    assert Tag.objects.get(name="Literati") not in groups["Gilmore Girls"]


def test_a_wrangler_merges_a_tag_by_name(client: Client) -> None:
    wrangle_gilmore_girls()
    make_work(title="Diner", relationships=["Jess/Rory"])
    client.force_login(_wrangler())
    response = client.post(
        "/tags/Jess*s*Rory/edit", {"action": "merge", "merger": "Rory Gilmore/Jess Mariano"}
    )
    assert response.status_code == 302
    assert Tag.objects.get(name="Jess/Rory").merger == Tag.objects.get(
        name="Rory Gilmore/Jess Mariano"
    )
    assert "Diner" in client.get("/tags/Rory Gilmore*s*Jess Mariano/works").content.decode()


def test_a_wrangler_sets_parents_and_characters_by_name(client: Client) -> None:
    gg = wrangle_gilmore_girls()
    client.force_login(_wrangler())
    client.post("/tags/Rory Gilmore*s*Jess Mariano/edit", {"action": "parents", "parents": ""})
    assert list(gg.literati.parents.all()) == []
    client.post(
        "/tags/Rory Gilmore*s*Jess Mariano/edit",
        {"action": "characters", "characters": "Rory, Jess Mariano"},
    )
    assert set(gg.literati.characters.all()) == {gg.rory, gg.jess}


def test_a_refused_change_shows_the_error_and_changes_nothing(client: Client) -> None:
    gg = wrangle_gilmore_girls()
    client.force_login(_wrangler())
    response = client.post(
        "/tags/TV Shows/edit", {"action": "parents", "parents": "Gilmore Girls"}, follow=False
    )
    assert response.status_code == 400
    assert "&#x27;TV Shows&#x27; is a media tag" in response.content.decode()
    assert list(gg.tv.parents.all()) == []


def test_making_a_tag_canonical_from_the_page(client: Client) -> None:
    Tag.objects.create(name="Fluff", type=TagType.FREEFORM)
    client.force_login(_wrangler())
    client.post("/tags/Fluff/edit", {"action": "canonical", "canonical": "1"})
    assert Tag.objects.get(name="Fluff").canonical


def test_the_forms_need_a_csrf_token() -> None:
    Tag.objects.create(name="Fluff", type=TagType.FREEFORM)
    client = Client(enforce_csrf_checks=True)
    client.force_login(_wrangler())
    page = client.get("/tags/Fluff/edit")
    assert b"csrfmiddlewaretoken" in page.content
    response = client.post("/tags/Fluff/edit", {"action": "canonical", "canonical": "1"})
    assert response.status_code == 403
    assert not Tag.objects.get(name="Fluff").canonical
