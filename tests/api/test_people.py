"""The API's users, pseuds and series: what each shows, and the web's privacy for guests, tokens
and the works' own creators."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from ficarchive.accounts import identity
from ficarchive.accounts.models import User
from ficarchive.accounts.services import add_pseud
from ficarchive.community.bookmarks import BookmarkData, create_bookmark
from ficarchive.community.leaving import delete_account
from ficarchive.search.saved import mute_tag
from ficarchive.search.services import index_work
from ficarchive.works.models import Series, Work
from ficarchive.works.services import ChapterData, WorkData, create_work
from tests.api.calls import Bearer
from tests.cast import PASSWORD, make_user, make_work

pytestmark = pytest.mark.django_db


def _ids(answer: Any) -> list[int]:
    assert answer.status_code == 200, answer.content
    return [work["id"] for work in answer.json()["works"]]


def _every_page(client: Client, address: str) -> list[int]:
    seen: list[int] = []
    while address:
        answer = client.get(address)
        seen += _ids(answer)
        address = answer.json()["next"] or ""
    return seen


def _series(author: User, *parts: dict[str, Any]) -> tuple[Series, list[Work]]:
    """A series "Saga" of the author's, its parts made with the fields given, in order."""
    first = make_work(author, title="Part one", new_series_title="Saga", **parts[0])
    series = Series.objects.get(title="Saga")
    rest = [
        make_work(author, title=f"Part {n}", series_id=series.pk, **fields)
        for n, fields in enumerate(parts[1:], 2)
    ]
    return series, [first, *rest]


def _pseud_work(user: User, pseud_name: str, title: str) -> Work:
    pseud = add_pseud(user, pseud_name, "<p>Another name.</p>")
    return create_work([pseud], WorkData(title=title), ChapterData(body="Text."), post=True)


# -- users -------------------------------------------------------------------------------------


def test_a_user_shows_their_pseuds_and_counts_what_the_caller_may_see(
    client: Client, bearer: Bearer
) -> None:
    author = make_user("author")
    shown = make_work(author, title="Shown")
    make_work(author, title="Locked", restricted=True)
    make_work(author, title="Draft", posted=False)
    _pseud_work(author, "Alias", "By the alias")
    _series(author, {"restricted": True})
    create_bookmark(author, BookmarkData(), work=shown)

    user = client.get("/api/v1/users/AUTHOR").json()

    assert user["username"] == "author"
    assert user["url"] == "http://testserver/users/author"
    assert [p["name"] for p in user["pseuds"]] == ["author", "Alias"]
    assert user["pseuds"][1] == {
        "name": "Alias",
        "url": "http://testserver/users/author/pseuds/Alias",
        "api_url": "http://testserver/api/v1/users/author/pseuds/Alias",
    }
    assert (user["works"], user["series"], user["bookmarks"]) == (2, 0, 1)
    assert user["works_url"] == "http://testserver/api/v1/users/author/works"
    assert user["series_url"] == "http://testserver/api/v1/users/author/series"
    signed_in = bearer(make_user("reader"), "read").get("/api/v1/users/author").json()
    assert (signed_in["works"], signed_in["series"]) == (4, 1)


def test_a_guest_lists_a_users_posted_unrestricted_works_only(client: Client) -> None:
    author, other = make_user("author"), make_user("other")
    shown = make_work(author, title="Shown")
    make_work(author, title="Locked", restricted=True)
    make_work(author, title="Draft", posted=False)
    make_work(other, title="Someone else's")

    answer = client.get("/api/v1/users/author/works")

    assert _ids(answer) == [shown.pk]
    assert answer.json()["next"] is None
    assert answer.json()["works"][0]["creators"][0]["user"] == "author"


def test_a_token_lists_a_users_restricted_works_newest_update_first(bearer: Bearer) -> None:
    author = make_user("author")
    older = make_work(author, title="Older")
    locked = make_work(author, title="Locked", restricted=True)
    make_work(author, title="Draft", posted=False)

    reader = bearer(make_user("reader"), "read")

    assert _ids(reader.get("/api/v1/users/author/works")) == [locked.pk, older.pk]


def test_drafts_are_listed_to_their_creator_only(client: Client, bearer: Bearer) -> None:
    author = make_user("author")
    posted = make_work(author, title="Posted")
    draft = make_work(author, title="Secret Draft", posted=False)
    mine, theirs = bearer(author, "read"), bearer(make_user("other"), "read")

    assert _ids(mine.get("/api/v1/users/author/works/drafts")) == [draft.pk]
    assert _ids(mine.get("/api/v1/users/author/works")) == [posted.pk]
    refused = theirs.get("/api/v1/users/author/works/drafts")
    assert refused.status_code == 404
    assert refused.json()["field"] == "username"
    assert client.get("/api/v1/users/author/works/drafts").status_code == 401
    for caller in (client, theirs):
        for path in ("/users/author", "/users/author/works", "/users/author/pseuds/author/works"):
            assert "Secret Draft" not in caller.get(f"/api/v1{path}").content.decode()


def test_a_callers_muted_tags_stay_muted_on_a_users_works(bearer: Bearer) -> None:
    author, reader = make_user("author"), make_user("reader")
    kept = make_work(author, title="Kept", fandoms=["Fine"])
    make_work(author, title="Muted", fandoms=["Fine"], freeforms=["Spiders"])
    mute_tag(reader, "Spiders")
    caller = bearer(reader, "read")

    assert _ids(caller.get("/api/v1/users/author/works")) == [kept.pk]
    assert _ids(caller.get("/api/v1/users/author/pseuds/author/works")) == [kept.pk]


@pytest.mark.parametrize(
    "address", ["/api/v1/users/author/works", "/api/v1/users/author/pseuds/author/works"]
)
def test_pages_of_a_users_works_follow_each_other_without_loss_or_repeats(
    client: Client, address: str
) -> None:
    author = make_user("author")
    works = [make_work(author, title=f"Work {n}") for n in range(7)]
    first = client.get(f"{address}?limit=3")
    # A work posted between two pages goes to the top, and moves no other one.
    late = make_work(author, title="Late")

    rest = _every_page(client, first.json()["next"])

    assert _ids(first) + rest == [work.pk for work in reversed(works)]
    assert late.pk not in rest


def test_pages_of_drafts_follow_each_other_without_loss_or_repeats(bearer: Bearer) -> None:
    author = make_user("author")
    drafts = [make_work(author, title=f"Draft {n}", posted=False) for n in range(7)]

    seen = _every_page(bearer(author, "read"), "/api/v1/users/author/works/drafts?limit=3")

    assert seen == [work.pk for work in reversed(drafts)]


def test_a_deleted_users_orphaned_works_are_listed_under_orphan_account(client: Client) -> None:
    author = make_user("author")
    work = make_work(author, title="Left behind")

    delete_account(author, orphan=True)

    assert client.get("/api/v1/users/author").status_code == 404
    assert _ids(client.get("/api/v1/users/orphan_account/works")) == [work.pk]


# -- pseuds ------------------------------------------------------------------------------------


def test_a_pseud_shows_its_description_and_lists_its_own_works(client: Client) -> None:
    author = make_user("author")
    make_work(author, title="By the default pseud")
    aliased = _pseud_work(author, "Alias", "By the alias")

    pseud = client.get("/api/v1/users/author/pseuds/alias").json()

    assert pseud["name"] == "Alias"
    assert pseud["byline"] == "Alias (author)"
    assert pseud["description_html"] == "<p>Another name.</p>"
    assert pseud["url"] == "http://testserver/users/author/pseuds/Alias"
    assert pseud["user_url"] == "http://testserver/api/v1/users/author"
    assert pseud["works"] == 1
    assert _ids(client.get(pseud["works_url"])) == [aliased.pk]


def test_a_pseud_counts_restricted_works_for_a_token_only(client: Client, bearer: Bearer) -> None:
    author = make_user("author")
    make_work(author, title="Locked", restricted=True)

    assert client.get("/api/v1/users/author/pseuds/author").json()["works"] == 0
    assert _ids(client.get("/api/v1/users/author/pseuds/author/works")) == []
    reader = bearer(make_user("reader"), "read")
    assert reader.get("/api/v1/users/author/pseuds/author").json()["works"] == 1


# -- series ------------------------------------------------------------------------------------


def test_a_series_shows_the_parts_the_caller_may_see_in_order(
    client: Client, bearer: Bearer
) -> None:
    author = make_user("author")
    series, (one, two, three, draft) = _series(
        author, {}, {"restricted": True}, {}, {"posted": False}
    )

    shown = client.get(f"/api/v1/series/{series.pk}").json()

    assert shown["title"] == "Saga"
    assert shown["url"] == f"http://testserver/series/{series.pk}"
    assert shown["creators"] == [
        {"pseud": "author", "user": "author", "url": "http://testserver/users/author/pseuds/author"}
    ]
    assert shown["complete"] is False
    assert [(w["part"], w["id"]) for w in shown["works"]] == [(1, one.pk), (2, three.pk)]
    assert shown["words"] == one.word_count + three.word_count
    signed_in = bearer(make_user("reader"), "read").get(f"/api/v1/series/{series.pk}").json()
    assert [(w["part"], w["id"]) for w in signed_in["works"]] == [
        (1, one.pk),
        (2, two.pk),
        (3, three.pk),
    ]
    assert draft.pk not in [w["id"] for w in signed_in["works"]]


def test_a_series_whose_parts_are_all_hidden_is_not_found_but_by_its_creator(
    client: Client, bearer: Bearer
) -> None:
    author = make_user("author")
    series, _ = _series(author, {"restricted": True}, {"posted": False})

    hidden = client.get(f"/api/v1/series/{series.pk}")
    assert hidden.status_code == 404
    assert hidden["Content-Type"] == "application/problem+json"
    assert "Saga" not in hidden.content.decode()
    assert _series_titles(client, "/api/v1/users/author/series") == []
    drafts_only = bearer(make_user("reader"), "read").get(f"/api/v1/series/{series.pk}")
    assert len(drafts_only.json()["works"]) == 1
    mine = bearer(author, "read")
    assert mine.get(f"/api/v1/series/{series.pk}").json()["title"] == "Saga"
    assert _series_titles(mine, "/api/v1/users/author/series") == ["Saga"]


def _series_titles(client: Client, address: str) -> list[str]:
    answer = client.get(address)
    assert answer.status_code == 200, answer.content
    return [series["title"] for series in answer.json()["series"]]


def test_a_users_series_are_listed_with_the_parts_the_caller_may_see(
    client: Client, bearer: Bearer
) -> None:
    author = make_user("author")
    series, _ = _series(author, {}, {"restricted": True})

    listed = client.get("/api/v1/users/author/series").json()

    assert listed["next"] is None
    assert listed["series"] == [
        {
            "id": series.pk,
            "title": "Saga",
            "url": f"http://testserver/series/{series.pk}",
            "api_url": f"http://testserver/api/v1/series/{series.pk}",
            "creators": [
                {
                    "pseud": "author",
                    "user": "author",
                    "url": "http://testserver/users/author/pseuds/author",
                }
            ],
            "complete": False,
            "works": 1,
        }
    ]
    signed_in = bearer(make_user("reader"), "read").get("/api/v1/users/author/series").json()
    assert signed_in["series"][0]["works"] == 2


def test_pages_of_a_users_series_follow_each_other_without_loss_or_repeats(
    client: Client,
) -> None:
    author = make_user("author")
    for n in range(7):
        make_work(author, title=f"Work {n}", new_series_title=f"Series {n}")

    seen: list[str] = []
    address = "/api/v1/users/author/series?limit=3"
    while address:
        answer = client.get(address).json()
        seen += [series["title"] for series in answer["series"]]
        address = answer["next"] or ""

    assert sorted(seen) == [f"Series {n}" for n in range(7)]
    assert len(seen) == len(set(seen))


# -- errors and conventions --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("address", "field"),
    [
        ("/api/v1/users/nobody", "username"),
        ("/api/v1/users/nobody/works", "username"),
        ("/api/v1/users/nobody/series", "username"),
        ("/api/v1/users/nobody/pseuds/nobody", "username"),
        ("/api/v1/users/nobody/pseuds/nobody/works", "username"),
        ("/api/v1/users/author/pseuds/nobody", "pseud"),
        ("/api/v1/users/author/pseuds/nobody/works", "pseud"),
        ("/api/v1/series/999999", "series_id"),
        ("/api/v1/series/99999999999999999999999", "series_id"),
        ("/api/v1/series/-99999999999999999999999", "series_id"),
    ],
)
def test_an_unknown_name_or_id_is_a_problem_naming_it(
    client: Client, address: str, field: str
) -> None:
    make_user("author")

    answer = client.get(address)

    assert answer.status_code == 404
    assert answer["Content-Type"] == "application/problem+json"
    assert answer.json()["field"] == field
    assert "nobody" in answer.json()["detail"] or field == "series_id"


def test_a_name_longer_than_any_is_refused_as_invalid(client: Client) -> None:
    answer = client.get("/api/v1/users/" + "x" * 200)
    assert answer.status_code == 422
    assert answer.json()["field"] == "username"


@pytest.mark.parametrize(
    "path", ["/users/author", "/users/author/works", "/users/author/pseuds/author", "/series/{}"]
)
def test_reads_carry_an_etag_and_answer_304_when_unchanged(
    client: Client, bearer: Bearer, path: str
) -> None:
    author = make_user("author")
    series, _ = _series(author, {})
    address = "/api/v1" + path.format(series.pk)
    for caller in (client, bearer(author, "read")):
        answer = caller.get(address)
        assert answer.status_code == 200
        assert answer["ETag"]
        again = caller.get(address, HTTP_IF_NONE_MATCH=answer["ETag"])
        assert again.status_code == 304


@pytest.mark.parametrize(
    "address",
    [
        "/api/v1/users/author",
        "/api/v1/users/author/works",
        "/api/v1/users/author/pseuds/author/works",
        "/api/v1/users/author/series",
        "/api/v1/series/{}",
    ],
)
def test_the_queries_do_not_grow_with_the_works(bearer: Bearer, address: str) -> None:
    author = make_user("author")
    series, _ = _series(author, {}, {})
    reader = bearer(make_user("reader"), "read")

    def queries() -> int:
        with CaptureQueriesContext(connection) as done:
            assert reader.get(address.format(series.pk)).status_code == 200
        return len(done)

    queries()  # the token's first call notes its use
    few = queries()
    for n in range(4):
        make_work(author, title=f"Part {n}", series_id=series.pk)
        make_work(author, title=f"More {n}", new_series_title=f"Series {n}")
    assert queries() == few


def test_a_renamed_users_old_api_addresses_redirect_to_the_new_name(client: Client) -> None:
    lorelai = make_user("lorelai")
    make_work(lorelai, title="Coffee")
    identity.change_username(lorelai, "lorelai_gilmore", PASSWORD)

    moved = client.get("/api/v1/users/lorelai/works?limit=5")

    assert moved.status_code == 302
    assert moved["Location"] == "/api/v1/users/lorelai_gilmore/works?limit=5"
    works = client.get(moved["Location"]).json()["works"]
    assert [work["title"] for work in works] == ["Coffee"]
    assert client.get("/api/v1/users/nobody_at_all").status_code == 404


def test_a_users_works_take_sort_and_filter_and_the_query(client: Client) -> None:
    author, other = make_user("author"), make_user("other")
    make_work(author, title="Beta", fandoms=["F"], complete=True)
    make_work(author, title="Alpha", fandoms=["F"], complete=True)
    gamma = make_work(author, title="Gamma", fandoms=["F"], complete=False)
    make_work(other, title="Aardvark", fandoms=["F"], complete=True)
    index_work(gamma.pk)  # the text search's index, as the job makes it

    listed = client.get("/api/v1/users/author/works?sort=title&complete=yes").json()
    assert [work["title"] for work in listed["works"]] == ["Alpha", "Beta"]
    asked = client.get("/api/v1/users/author/pseuds/author/works?q=Gamma").json()
    assert [work["title"] for work in asked["works"]] == ["Gamma"]
    refused = client.get("/api/v1/users/author/works?sort=sideways")
    assert refused.status_code == 400
    assert refused.json()["field"] == "sort"
