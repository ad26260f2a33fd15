"""Saved searches and mutes: mutes apply inside the query, so counts and pages are right."""

from __future__ import annotations

import pytest
from django.test import Client

from ficarchive.search import saved, services
from ficarchive.search.models import MutedTag, SavedSearch
from ficarchive.works.models import Work
from tests.cast import PASSWORD, make_user, make_work
from tests.search.test_search import indexed

pytestmark = pytest.mark.django_db


@pytest.fixture
def archive() -> dict[str, Work]:
    writer, other = make_user("lauren"), make_user("amy")
    works = {
        "angst": make_work(writer, title="Rain", body="Lanterns.", freeforms=["Angst"]),
        "fluff": make_work(writer, title="Sun", body="Lanterns.", freeforms=["Fluff"]),
        "amy": make_work(other, title="Snow", body="Lanterns.", freeforms=["Fluff"]),
    }
    indexed(*works.values())
    return works


def titles(results: services.Results) -> set[str]:
    return {work.title for work in results.works}


def counts(results: services.Results) -> dict[str, int]:
    return {
        f.tag.name: f.count
        for group in services.facets(results.works).values()
        for f in group.facets
    }


def test_a_muted_tag_leaves_its_works_out_of_results_and_counts(archive: dict[str, Work]) -> None:
    reader = make_user("reader")
    saved.mute_tag(reader, "angst")
    results = services.search(reader, "lanterns")
    assert titles(results) == {"Sun", "Snow"}
    assert results.works.count() == 2
    assert "Angst" not in counts(results)
    assert counts(results)["Fluff"] == 2


def test_a_muted_user_leaves_their_works_out(archive: dict[str, Work]) -> None:
    reader = make_user("reader")
    saved.mute_user(reader, "amy")
    results = services.search(reader, "lanterns")
    assert titles(results) == {"Rain", "Sun"}
    assert counts(results)["Fluff"] == 1


def test_mutes_are_the_readers_own(archive: dict[str, Work]) -> None:
    saved.mute_tag(make_user("reader"), "Fluff")
    assert titles(services.search(make_user("someone"), "lanterns")) == {"Rain", "Sun", "Snow"}


def test_a_muted_tag_is_left_out_of_tag_pages(archive: dict[str, Work], client: Client) -> None:
    reader = make_user("reader")
    saved.mute_user(reader, "amy")
    client.login(username="reader", password=PASSWORD)
    page = client.get("/tags/Fluff/works").content.decode()
    assert "Sun" in page
    assert "Snow" not in page
    assert "1 Work" in page


def test_mute_errors_name_the_problem(archive: dict[str, Work]) -> None:
    reader = make_user("reader")
    with pytest.raises(saved.SavedError, match="no tag 'Nope'"):
        saved.mute_tag(reader, "Nope")
    with pytest.raises(saved.SavedError, match="cannot mute yourself"):
        saved.mute_user(reader, "reader")


def test_the_mutes_page_adds_and_removes_mutes(archive: dict[str, Work], client: Client) -> None:
    make_user("reader")
    client.login(username="reader", password=PASSWORD)
    assert client.post("/search/mutes", {"action": "mute_tag", "name": "Angst"}).status_code == 302
    muted = MutedTag.objects.get()
    assert muted.tag.name == "Angst"
    assert "Angst" in client.get("/search/mutes").content.decode()
    client.post("/search/mutes", {"action": "unmute_tag", "id": muted.tag_id})
    assert not MutedTag.objects.exists()
    response = client.post("/search/mutes", {"action": "mute_tag", "name": "Nope"})
    assert response.status_code == 400
    assert "no tag" in response.content.decode()


def test_a_search_is_saved_listed_and_deleted_by_its_owner_only(
    archive: dict[str, Work], client: Client
) -> None:
    make_user("reader")
    client.login(username="reader", password=PASSWORD)
    response = client.post("/search/saved", {"name": "Fluffy", "q": "lanterns", "sort": "title"})
    assert response.status_code == 302
    item = SavedSearch.objects.get()
    page = client.get("/search/saved").content.decode()
    assert "Fluffy" in page
    assert "q=lanterns" in page
    stranger = Client()
    make_user("stranger")
    stranger.login(username="stranger", password=PASSWORD)
    assert "Fluffy" not in stranger.get("/search/saved").content.decode()
    stranger.post(f"/search/saved/{item.pk}/delete")
    assert SavedSearch.objects.exists()
    client.post(f"/search/saved/{item.pk}/delete")
    assert not SavedSearch.objects.exists()


def test_saving_needs_a_name_and_a_search(archive: dict[str, Work], client: Client) -> None:
    make_user("reader")
    client.login(username="reader", password=PASSWORD)
    assert client.post("/search/saved", {"name": "", "q": "x"}).status_code == 400
    assert client.post("/search/saved", {"name": "Empty", "q": ""}).status_code == 400
    client.post("/search/saved", {"name": "Twice", "q": "x"})
    response = client.post("/search/saved", {"name": "Twice", "q": "y"})
    assert "already have a saved search" in response.content.decode()


def test_pages_need_a_login_and_forms_need_csrf(client: Client) -> None:
    assert client.get("/search/mutes").status_code == 302
    assert client.get("/search/saved").status_code == 302
    make_user("reader")
    strict = Client(enforce_csrf_checks=True)
    strict.login(username="reader", password=PASSWORD)
    assert strict.post("/search/mutes", {"action": "mute_tag", "name": "x"}).status_code == 403
