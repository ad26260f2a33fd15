"""The Sort and Filter form beside every list of works: it filters as a search would, on every
list, counts what the reader sees, keeps itself in the URL, and names the field it cannot use."""

from __future__ import annotations

import re
from datetime import date

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from ficarchive.accounts.models import User
from ficarchive.community.bookmarks import BookmarkData, create_bookmark
from ficarchive.search import filters
from ficarchive.search.saved import mute_tag
from ficarchive.tags.models import Tag
from ficarchive.works.models import Work
from tests.cast import PASSWORD, make_user, make_work
from tests.search.test_search import indexed
from tests.tags.wrangled import wrangle_gilmore_girls

pytestmark = pytest.mark.django_db


@pytest.fixture
def lauren() -> User:
    return make_user("lauren")


@pytest.fixture
def shelf(lauren: User) -> dict[str, Work]:
    """Four works by lauren and one by amy, in Gilmore Girls (one a crossover with Veronica
        Mars, one in German), tagged Angst, Fluff and Coffee Shop AU in turns; one long and
    complete; one restricted."""
    amy = make_user("amy")
    works = {
        "Diner": make_work(
            lauren,
            title="Diner",
            fandoms=["Gilmore Girls"],
            freeforms=["Angst", "Coffee Shop AU"],
            body="Rory ordered coffee. " * 400,
            complete=True,
        ),
        "Bridge": make_work(
            lauren,
            title="Bridge",
            fandoms=["Gilmore Girls"],
            freeforms=["Fluff"],
        ),
        "Neptune": make_work(
            lauren,
            title="Neptune",
            fandoms=["Gilmore Girls", "Veronica Mars"],
            freeforms=["Angst"],
            language="de",
        ),
        "Hidden": make_work(
            lauren,
            title="Hidden",
            fandoms=["Gilmore Girls"],
            freeforms=["Angst"],
            restricted=True,
        ),
        "Vacation": make_work(
            amy, title="Vacation", fandoms=["Gilmore Girls"], freeforms=["Fluff"]
        ),
    }
    indexed(*works.values())
    return works


def _tag(name: str) -> int:
    return Tag.objects.get(name=name).pk


def _titles(html: str) -> list[str]:
    return sorted(_in_order(html))


def _in_order(html: str) -> list[str]:
    return re.findall(r'<h4 class="heading">(?:<img[^>]*> )?<a href="/works/\d+">([^<]+)</a>', html)


def _count(html: str, name: str, box: str = "include") -> str:
    """The count shown beside a tag's checkbox."""
    found = re.search(
        rf'name="{box}" value="{_tag(name)}"[^>]*> {re.escape(name)} <span class="count">'
        r"\(([0-9,]+)\)",
        html,
    )
    assert found, f"no {box} checkbox for {name}"
    return found.group(1)


def _lists(lauren: User) -> dict[str, str]:
    return {
        "works": reverse("search:works"),
        "tag": reverse("search:tag_works", args=["Gilmore Girls"]),
        "user": reverse("search:user_works", args=[lauren.username]),
        "pseud": reverse("search:pseud_works", args=[lauren.username, lauren.username]),
    }


LISTS = ["works", "tag", "user", "pseud"]


@pytest.mark.parametrize("listing", LISTS)
def test_excluding_a_tag_leaves_its_works_out_on_every_list(
    shelf: dict[str, Work], lauren: User, client: Client, listing: str
) -> None:
    url = _lists(lauren)[listing]
    html = client.get(url, {"exclude": _tag("Angst")}).content.decode()
    assert "Diner" not in _titles(html)
    assert "Neptune" not in _titles(html)
    assert "Bridge" in _titles(html)


@pytest.mark.parametrize("listing", LISTS)
def test_the_counts_beside_the_checkboxes_are_of_the_filtered_list(
    shelf: dict[str, Work], lauren: User, client: Client, listing: str
) -> None:
    url = _lists(lauren)[listing]
    every = client.get(url).content.decode()
    assert _count(every, "Angst") == "2"  # Diner and Neptune: Hidden is restricted
    only_fluff = client.get(url, {"include": _tag("Fluff")}).content.decode()
    assert f'value="{_tag("Angst")}"' not in only_fluff  # on none of the works left
    assert f'value="{_tag("Fluff")}" checked' in only_fluff


def test_a_list_matches_search_for_the_same_filters(
    shelf: dict[str, Work], lauren: User, client: Client
) -> None:
    params: dict[str, str] = {
        "include": str(_tag("Gilmore Girls")),
        "exclude": str(_tag("Fluff")),
        "crossover": "exclude",
        "sort": "title",
    }
    listed = client.get(reverse("search:works"), params).content.decode()
    searched = client.get(reverse("search:search"), params).content.decode()
    assert _titles(listed) == _titles(searched) == ["Diner"]
    assert _count(listed, "Angst") == _count(searched, "Angst") == "1"


def test_the_search_page_puts_the_form_beside_the_results(
    shelf: dict[str, Work], client: Client
) -> None:
    html = client.get(reverse("search:search"), {"q": "coffee"}).content.decode()
    results = html.index('<section class="works"')
    aside = html.index('<aside class="filters" aria-labelledby="filters-heading">')
    assert results < aside
    assert 'id="filters-heading">Sort and Filter</h2>' in html
    assert '<details class="filters-toggle">' in html


def test_a_synonym_and_a_sub_tag_are_found_under_the_tag_included(
    lauren: User, client: Client
) -> None:
    # Tagged only with Literati, a synonym of Rory Gilmore/Jess Mariano, a relationship under
    # the fandom Gilmore Girls.
    make_work(lauren, title="Kiss", relationships=["Literati"])
    make_work(lauren, title="Elsewhere", fandoms=["Veronica Mars"])
    wrangled = wrangle_gilmore_girls()
    for tag in (wrangled.literati, wrangled.fandom):
        html = client.get(reverse("search:works"), {"include": tag.pk}).content.decode()
        assert _titles(html) == ["Kiss"]
    every = client.get(reverse("search:works")).content.decode()
    assert _count(every, "Gilmore Girls") == "1"
    assert _count(every, "Rory Gilmore/Jess Mariano") == "1"


def test_other_tags_by_name_include_and_exclude(shelf: dict[str, Work], client: Client) -> None:
    url = reverse("search:works")
    html = client.get(url, {"other_include": "coffee shop au"}).content.decode()
    assert _titles(html) == ["Diner"]
    html = client.get(url, {"other_exclude": "Angst, Fluff"}).content.decode()
    assert _titles(html) == []


def test_the_other_fields_narrow_the_list(shelf: dict[str, Work], client: Client) -> None:
    url = reverse("search:works")

    def titles(**params: str) -> list[str]:
        return _titles(client.get(url, params).content.decode())

    assert titles(crossover="only") == ["Neptune"]
    assert "Neptune" not in titles(crossover="exclude")
    assert titles(complete="yes") == ["Diner"]
    assert "Diner" not in titles(complete="no")
    assert titles(language="de") == ["Neptune"]
    assert titles(words_from="500") == ["Diner"]
    assert "Diner" not in titles(words_to="1,000")
    today = date.today().isoformat()
    assert len(titles(updated_from=today, updated_to=today)) == 4
    assert titles(updated_to="2000-01-01") == []
    assert titles(q="ordered") == ["Diner"]


def test_the_sort_orders_the_list(shelf: dict[str, Work], client: Client) -> None:
    html = client.get(reverse("search:works"), {"sort": "words"}).content.decode()
    assert _in_order(html)[0] == "Diner"


def test_mutes_apply_to_the_list_and_its_counts(
    shelf: dict[str, Work], lauren: User, client: Client
) -> None:
    reader = make_user("reader")
    mute_tag(reader, "Fluff")
    client.login(username="reader", password=PASSWORD)
    html = client.get(reverse("search:works")).content.decode()
    assert _titles(html) == ["Diner", "Hidden", "Neptune"]
    assert f'value="{_tag("Fluff")}"' not in html
    assert _count(html, "Angst") == "3"  # the restricted work counts for a logged-in reader


def test_restricted_works_are_neither_listed_nor_counted_for_logged_out_readers(
    shelf: dict[str, Work], lauren: User, client: Client
) -> None:
    html = client.get(reverse("search:user_works", args=["lauren"])).content.decode()
    assert "Hidden" not in _titles(html)
    assert "3 Works by" in html
    assert _count(html, "Gilmore Girls") == "3"


def test_paging_links_keep_the_filter(shelf: dict[str, Work], client: Client) -> None:
    fluff = str(_tag("Fluff"))
    for number in range(25):
        make_work(make_user(f"writer{number}"), title=f"More {number}", freeforms=["Angst"])
    html = client.get(reverse("search:works"), {"exclude": fluff, "sort": "title"}).content
    assert f"?sort=title&amp;exclude={fluff}&amp;page=2" in html.decode()
    second = client.get(reverse("search:works"), {"exclude": fluff, "sort": "title", "page": "2"})
    assert "Bridge" not in _titles(second.content.decode())


def test_counts_have_thousands_separators_and_exclude_boxes_name_their_tag(
    shelf: dict[str, Work], client: Client
) -> None:
    html = client.get(reverse("search:works")).content.decode()
    assert f'name="exclude" value="{_tag("Angst")}" aria-label="Exclude Angst (2)"' in html
    listing = filters.Listing(filters.WorkFilter(), None)
    assert listing.page_query == "sort=updated"


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"words_from": "abc"}, "Words from: &#x27;abc&#x27; is not a whole number"),
        ({"updated_to": "2024-02-30"}, "Date updated to: &#x27;2024-02-30&#x27; is not a date"),
        ({"updated_from": "yesterday"}, "Date updated from: &#x27;yesterday&#x27; is not a date"),
        ({"words_from": "500", "words_to": "100"}, "Words to: 100 is less than Words from"),
        ({"sort": "random"}, "Sort by: &#x27;random&#x27; is not a way to sort"),
        ({"language": "xx"}, "Language: &#x27;xx&#x27; is not a language"),
        ({"other_include": "No Such Tag"}, "Other tags to include: there is no tag"),
        ({"q": '"unclosed'}, "quote"),
    ],
)
def test_a_value_the_form_cannot_use_is_a_400_naming_the_field(
    shelf: dict[str, Work], client: Client, params: dict[str, str], message: str
) -> None:
    for url in (reverse("search:works"), reverse("search:search")):
        response = client.get(url, params)
        assert response.status_code == 400
        assert message in response.content.decode()
    heading = client.get(reverse("search:works"), params).content.decode()
    assert ">No Works</h1>" in heading


def test_a_tag_only_on_restricted_works_is_unknown_to_logged_out_readers(
    lauren: User, client: Client
) -> None:
    make_work(lauren, title="Secret", freeforms=["Very Secret Tag"], restricted=True)
    response = client.get(reverse("search:works"), {"other_include": "Very Secret Tag"})
    assert response.status_code == 400
    client.login(username="lauren", password=PASSWORD)
    response = client.get(reverse("search:works"), {"other_include": "Very Secret Tag"})
    assert _titles(response.content.decode()) == ["Secret"]


def test_the_filter_reads_back_from_its_own_parameters() -> None:
    read = filters.read_filter(
        {
            "sort": "kudos",
            "include": ["3", "3", "x"],
            "words_from": "10,000",
            "updated_from": "2024-01-02",
            "complete": "T",
            "crossover": "include",
        },
        default_sort="updated",
    )
    assert read.include == (3,)
    assert read.words_from == 10_000
    assert read.complete == "yes"
    assert read.crossover == ""
    assert filters.read_filter(read.params(), default_sort="updated") == read
    assert read.as_query() == "complete:yes words>=10000 updated>=2024-01-02"


def test_the_counts_of_a_big_list_are_kept_for_the_same_works_only(
    shelf: dict[str, Work], client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(filters, "COUNTS_CACHED_FROM", 1)
    url = reverse("search:works")
    with CaptureQueriesContext(connection) as first:
        assert _count(client.get(url).content.decode(), "Angst") == "2"
    with CaptureQueriesContext(connection) as second:
        assert _count(client.get(url).content.decode(), "Angst") == "2"
    assert len(second.captured_queries) < len(first.captured_queries)
    # Another set of works (here the restricted one too) is counted afresh.
    client.login(username="lauren", password=PASSWORD)
    assert _count(client.get(url).content.decode(), "Angst") == "3"


def test_a_users_bookmarks_are_filtered_by_their_works(
    shelf: dict[str, Work], client: Client
) -> None:
    reader = make_user("reader")
    for title in ("Diner", "Bridge", "Neptune"):
        create_bookmark(reader, BookmarkData(), work=shelf[title])
    url = reverse("community:user_bookmarks", args=["reader"])
    every = client.get(url).content.decode()
    assert "3 Bookmarks by" in every
    assert _count(every, "Angst") == "2"
    html = client.get(url, {"exclude": _tag("Angst")}).content.decode()
    assert "1 Bookmark by" in html
    assert ">Bridge</a>" in html
    assert ">Diner</a>" not in html
    assert client.get(url, {"words_to": "many"}).status_code == 400
