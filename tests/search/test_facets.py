"""Tag counts beside search results: ranked and cut per type, a page at a time, with every tag
reachable, the same counted from the search or from the ids it found; and the pages of results
read from those ids."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.paginator import Paginator
from django.db import connection
from django.db.models import QuerySet
from django.test import Client
from django.test.utils import CaptureQueriesContext

from ficarchive.accounts.services import default_pseud
from ficarchive.search import filters, paging, services
from ficarchive.tags.models import Tag
from ficarchive.works.models import Work
from tests.cast import make_user, make_work
from tests.search.test_search import indexed

pytestmark = pytest.mark.django_db

FLUFF_FIRST = ["Fluff", "Angst", "Pining", "Drabble", "Humor"]


@pytest.fixture
def archive() -> list[Work]:
    """Five works: Fluff on all five, Angst on the first four, … Humor on the first; Gilmore
    Girls on the first three, Veronica Mars on the last two."""
    author = make_user("lauren")
    works = []
    for number in range(5):
        works.append(
            make_work(
                author,
                title=f"Work {number}",
                body="Lanterns by the river.",
                fandoms=["Gilmore Girls" if number < 3 else "Veronica Mars"],
                freeforms=FLUFF_FIRST[: 5 - number],
            )
        )
    indexed(*works)
    return works


def _everything() -> services.Results:
    return services.search(AnonymousUser(), "lanterns")


def _names(group: services.FacetGroup) -> list[str]:
    return [facet.tag.name for facet in group.facets]


def test_each_type_is_ranked_by_works_then_name_and_cut_to_a_page(archive: list[Work]) -> None:
    groups = services.facets(_everything().works, per_page=2)
    freeforms = groups["freeform"]
    assert _names(freeforms) == ["Fluff", "Angst"]
    assert [facet.count for facet in freeforms.facets] == [5, 4]
    assert (freeforms.total, freeforms.number, freeforms.num_pages) == (5, 1, 3)
    assert freeforms.has_next
    assert not freeforms.has_previous
    assert _names(groups["fandom"]) == ["Gilmore Girls", "Veronica Mars"]


def test_tags_on_as_many_works_are_in_name_order(archive: list[Work]) -> None:
    works = services.search(AnonymousUser(), "", include=[_tag("Humor")]).works  # Work 0 only
    groups = services.facets(works)
    assert _names(groups["freeform"]) == ["Angst", "Drabble", "Fluff", "Humor", "Pining"]


def test_a_later_page_of_one_type_leaves_the_others_on_their_first(archive: list[Work]) -> None:
    groups = services.facets(_everything().works, per_page=2, pages={"freeform": 3})
    assert _names(groups["freeform"]) == ["Humor"]
    assert groups["freeform"].number == 3
    assert not groups["freeform"].has_next
    assert groups["fandom"].number == 1
    assert _names(groups["fandom"]) == ["Gilmore Girls", "Veronica Mars"]


def test_a_page_past_the_end_shows_the_last_one(archive: list[Work]) -> None:
    groups = services.facets(_everything().works, per_page=2, pages={"freeform": 99})
    assert groups["freeform"].number == 3
    assert _names(groups["freeform"]) == ["Humor"]


def test_a_page_number_too_big_for_the_database_shows_the_last_page(
    archive: list[Work], client: Client
) -> None:
    huge = "9" * 30
    response = client.get("/search", {"q": "lanterns", "freeform_page": huge, "page": huge})
    assert response.status_code == 200
    assert "5 Works found" in response.content.decode()
    groups = services.facets(_everything().works, per_page=2, pages={"freeform": int(huge)})
    assert groups["freeform"].number == 3


def test_paging_through_a_type_reaches_every_tag_once(archive: list[Work]) -> None:
    seen: list[str] = []
    for number in (1, 2, 3):
        groups = services.facets(_everything().works, per_page=2, pages={"freeform": number})
        seen += _names(groups["freeform"])
    assert seen == FLUFF_FIRST


def test_counts_equal_a_plain_count_of_the_works_under_each_tag(archive: list[Work]) -> None:
    works = services.search(AnonymousUser(), "lanterns", exclude=[_tag("Humor")]).works
    groups = services.facets(works)
    assert groups, "some tags are counted"
    for group in groups.values():
        for facet in group.facets:
            plain = works.filter(filter_taggings__filter_tag=facet.tag).count()
            assert facet.count == plain, facet.tag.name
    assert "Humor" not in _names(groups["freeform"])


def test_chosen_tags_are_left_out_of_the_lists_and_their_totals(archive: list[Work]) -> None:
    fluff, humor = _tag("Fluff"), _tag("Humor")
    results = services.search(AnonymousUser(), "lanterns", include=[fluff], exclude=[humor])
    groups = services.facets(results.works, per_page=2, leave_out=[fluff, humor])
    assert _names(groups["freeform"]) == ["Angst", "Pining"]
    assert groups["freeform"].total == 3  # and Drabble: Fluff and Humor are not counted


def test_the_form_keeps_chosen_tags_checked(archive: list[Work], client: Client) -> None:
    fluff, angst = _tag("Fluff"), _tag("Angst")
    page = client.get("/search", {"q": "lanterns", "include": str(fluff), "exclude": str(angst)})
    html = page.content.decode()
    assert page.status_code == 200
    assert "1 Work found" in html
    assert 'class="included">with <a class="tag"' in html
    assert f'name="include" value="{fluff}" checked' in html
    assert f'name="exclude" value="{angst}" aria-label="Exclude Angst (0)" checked' in html


def test_the_form_shows_the_most_used_tags_and_the_rest_under_more(
    archive: list[Work], client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(filters, "SHOWN_TAGS", 2)
    html = client.get("/search", {"q": "lanterns"}).content.decode()
    include = html.split('<fieldset class="include">')[1].split('<fieldset class="exclude">')[0]
    freeforms = include.split('<fieldset class="tags freeform">')[1].split("</fieldset>")[0]
    shown, more = freeforms.split('<details class="more">')
    assert "> Fluff <span" in shown
    assert "> Angst <span" in shown
    assert "<summary>More Additional Tags</summary>" in more
    for name in ("Pining", "Drabble", "Humor"):
        assert f"> {name} <span" in more
    assert '> Gilmore Girls <span class="count">(3)</span>' in include


def test_several_included_tags_find_only_works_carrying_all_of_them(
    archive: list[Work],
) -> None:
    wanted = [_tag("Fluff"), _tag("Angst"), _tag("Veronica Mars")]
    results = services.search(AnonymousUser(), "", include=wanted)
    assert [work.title for work in results.works] == ["Work 3"]
    assert [tag.name for tag in results.included] == ["Fluff", "Angst", "Veronica Mars"]


@pytest.mark.parametrize("number", ["1", "2", "3", "9", "x", "", "9" * 30])
@pytest.mark.parametrize("limit", [2, 3, 4, paging.ID_LIMIT])
@pytest.mark.parametrize("sort", ["updated", "title", "creator", "best"])
def test_pages_read_by_id_match_the_plain_paginator(
    archive: list[Work], number: str, limit: int, sort: str
) -> None:
    # A small limit reads only the first ids: early pages still come from them, later ones and
    # the count from the search itself.
    works = services.search(AnonymousUser(), "lanterns river", sort=sort).works
    plain = Paginator(works, 2).get_page(number)
    by_id = Paginator(paging.Matches(works, limit=limit), 2).get_page(number)
    assert by_id.paginator.count == plain.paginator.count == 5
    assert by_id.number == plain.number
    assert [w.pk for w in by_id.object_list] == [w.pk for w in plain.object_list]


def test_a_work_by_two_creators_is_listed_once_sorted_by_creator(archive: list[Work]) -> None:
    shared = archive[0]
    shared.creatorships.create(pseud=default_pseud(make_user("amy")), position=2)
    matches = paging.Matches(services.search(AnonymousUser(), "lanterns", sort="creator").works)
    assert len(matches) == 5
    assert sorted(matches.ids) == sorted(work.pk for work in archive)


def test_the_count_is_read_with_the_ids_where_that_saves_work(
    archive: list[Work], monkeypatch: pytest.MonkeyPatch
) -> None:
    # Only best match on PostgreSQL reads it so; here it is read that way on either database.
    monkeypatch.setattr(paging, "_one_pass", lambda works: True)
    works = services.search(AnonymousUser(), "lanterns", sort="updated").works
    matches = paging.Matches(works, limit=2)
    assert not matches.complete
    assert len(matches) == 5
    assert [w.pk for w in matches[0:2]] == [w.pk for w in works[0:2]]
    assert matches[1].pk == works[1].pk


def test_pages_of_nothing_are_empty(monkeypatch: pytest.MonkeyPatch) -> None:
    for one_pass in (True, False):
        monkeypatch.setattr(paging, "_one_pass", lambda works, answer=one_pass: answer)
        works = services.search(AnonymousUser(), "lanterns", sort="updated").works
        page = Paginator(paging.Matches(works), 2).get_page(1)
        assert page.paginator.count == 0
        assert list(page.object_list) == []


@pytest.mark.parametrize("pages", [{}, {"freeform": 2}, {"freeform": 99}])
def test_tag_counts_of_the_ids_equal_those_of_the_search(
    archive: list[Work], pages: dict[str, int]
) -> None:
    works = services.search(AnonymousUser(), "lanterns").works
    matches = paging.Matches(works)
    assert matches.complete
    assert matches.facet_source == matches.ids

    def shown(
        source: QuerySet[Work] | list[int],
    ) -> list[tuple[str, int, int, list[tuple[str, int]]]]:
        groups = services.facets(source, per_page=2, pages=pages, leave_out=[_tag("Pining")])
        return [
            (t, g.total, g.number, [(f.tag.name, f.count) for f in g.facets])
            for t, g in groups.items()
        ]

    assert shown(matches.ids) == shown(works)
    assert shown([]) == []


def test_the_search_page_works_the_search_out_once(archive: list[Work], client: Client) -> None:
    # The ids are read once; the count, the page and the tag counts come from them.
    with CaptureQueriesContext(connection) as captured:
        response = client.get("/search", {"q": "lanterns"})
    assert response.status_code == 200
    matching = [q for q in captured.captured_queries if "search_work" in q["sql"]]
    assert len(matching) == 1


def _tag(name: str) -> int:
    return Tag.objects.get(name=name).pk
