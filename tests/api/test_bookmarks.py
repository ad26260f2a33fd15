"""Bookmarks and subscriptions through the API: made, listed, paged, changed and deleted with
the web's rules (private bookmarks, drafts and restricted works, blocks) and its messages."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from ficarchive.accounts.blocks import block
from ficarchive.community.bookmarks import BookmarkData, create_bookmark
from ficarchive.community.models import Bookmark, Subscription
from ficarchive.community.subscriptions import subscribe_to_user, subscribe_to_work
from ficarchive.works.models import Series
from tests.api.calls import Bearer, send
from tests.cast import make_user, make_work

pytestmark = pytest.mark.django_db


def _all_pages(client: Client, address: str, key: str) -> list[int]:
    """The ids of every item of a list, page after page by its `next`."""
    seen: list[int] = []
    while address:
        answer = client.get(address)
        assert answer.status_code == 200, answer.content
        seen += [item["id"] for item in answer.json()[key]]
        following = answer.json()["next"]
        address = following.replace("http://testserver", "") if following else ""
    return seen


def test_a_token_bookmarks_a_work_and_reads_it_in_the_users_list(bearer: Bearer) -> None:
    reader = make_user("reader")
    work = make_work(make_user("author"), title="The Long Way Round")
    made = send(
        bearer(reader, "write"),
        "post",
        f"/api/v1/works/{work.pk}/bookmarks",
        {"notes": "Read <b>twice</b><script>x()</script>", "tags": ["Slow Burn"], "rec": True},
    )
    assert made.status_code == 201, made.content
    bookmark = made.json()
    assert bookmark["work"]["title"] == "The Long Way Round"
    assert bookmark["series"] is None
    assert "<b>twice</b>" in bookmark["notes_html"]
    assert "script" not in bookmark["notes_html"]
    assert bookmark["tags"] == ["Slow Burn"]
    assert bookmark["rec"] is True
    assert bookmark["private"] is False
    assert bookmark["bookmarker"] == {
        "pseud": "reader",
        "user": "reader",
        "url": "http://testserver/users/reader/pseuds/reader",
    }
    assert bookmark["url"].endswith(f"/users/reader/bookmarks#bookmark_{bookmark['id']}")

    listed = Client().get("/api/v1/users/reader/bookmarks").json()
    assert [item["id"] for item in listed["bookmarks"]] == [bookmark["id"]]
    assert listed["bookmarks"][0]["created_at"] == bookmark["created_at"]
    assert listed["next"] is None
    on_work = Client().get(f"/api/v1/works/{work.pk}/bookmarks").json()
    assert [item["id"] for item in on_work["bookmarks"]] == [bookmark["id"]]
    assert Client().get(f"/api/v1/works/{work.pk}").json()["stats"]["bookmarks"] == 1


def test_a_private_bookmark_is_in_its_owners_lists_only(bearer: Bearer) -> None:
    owner = make_user("owner")
    work = make_work(make_user("author"))
    made = send(
        bearer(owner, "write"), "post", f"/api/v1/works/{work.pk}/bookmarks", {"private": True}
    )
    assert made.status_code == 201
    own_id = made.json()["id"]

    for address in ("/api/v1/users/owner/bookmarks", f"/api/v1/works/{work.pk}/bookmarks"):
        assert Client().get(address).json()["bookmarks"] == []
        assert bearer(make_user(f"other{len(address)}"), "read").get(address).json() == {
            "bookmarks": [],
            "next": None,
        }
        own = bearer(owner, "read").get(address).json()["bookmarks"]
        assert [(item["id"], item["private"]) for item in own] == [(own_id, True)]
    assert Client().get(f"/api/v1/works/{work.pk}").json()["stats"]["bookmarks"] == 0


def test_a_read_token_cannot_bookmark_and_a_guest_must_sign_in(bearer: Bearer) -> None:
    work = make_work(make_user("author"))
    address = f"/api/v1/works/{work.pk}/bookmarks"
    refused = send(bearer(make_user("reader"), "read"), "post", address, {})
    assert refused.status_code == 403
    assert "write" in refused.json()["detail"]
    assert send(Client(), "post", address, {}).status_code == 401
    subscribe = f"/api/v1/works/{work.pk}/subscription"
    assert send(bearer(make_user("other"), "read"), "put", subscribe).status_code == 403
    assert send(Client(), "put", subscribe).status_code == 401
    assert Client().get("/api/v1/subscriptions").status_code == 401
    assert not Bookmark.objects.exists()
    assert not Subscription.objects.exists()


def test_a_user_a_creator_blocked_may_still_bookmark_and_subscribe_as_on_the_web(
    bearer: Bearer,
) -> None:
    # The web refuses a blocked user kudos and comments, not bookmarks or subscriptions: a
    # blocked subscriber is only never told of updates (tests/community/test_updates.py).
    author = make_user("author")
    work = make_work(author)
    pest = bearer(make_user("pest"), "write")
    block(author, "pest")
    assert send(pest, "post", f"/api/v1/works/{work.pk}/bookmarks", {}).status_code == 201
    assert send(pest, "put", f"/api/v1/works/{work.pk}/subscription").status_code == 201
    refused = send(pest, "post", f"/api/v1/works/{work.pk}/kudos")
    assert refused.status_code == 403  # what the web does refuse them


def test_a_draft_cannot_be_bookmarked_by_others_nor_by_its_creator(bearer: Bearer) -> None:
    author = make_user("author")
    draft = make_work(author, posted=False)
    address = f"/api/v1/works/{draft.pk}/bookmarks"
    assert send(bearer(make_user("reader"), "write"), "post", address, {}).status_code == 404
    assert Client().get(address).status_code == 404
    own = send(bearer(author, "write"), "post", address, {})
    assert own.status_code == 400
    assert "not posted" in own.json()["detail"]
    refused = send(bearer(author, "write"), "put", f"/api/v1/works/{draft.pk}/subscription")
    assert refused.status_code == 400
    assert not Bookmark.objects.exists()
    assert not Subscription.objects.exists()


def test_a_restricted_works_bookmarks_are_hidden_from_guests(bearer: Bearer) -> None:
    reader = make_user("reader")
    work = make_work(make_user("author"), restricted=True)
    assert send(bearer(reader, "write"), "post", f"/api/v1/works/{work.pk}/bookmarks", {})
    assert Client().get("/api/v1/users/reader/bookmarks").json()["bookmarks"] == []
    assert Client().get(f"/api/v1/works/{work.pk}/bookmarks").status_code == 404
    signed_in = bearer(make_user("other"), "read").get("/api/v1/users/reader/bookmarks")
    assert len(signed_in.json()["bookmarks"]) == 1


def test_bookmarking_a_work_again_changes_the_bookmark_as_the_webs_form_does(
    bearer: Bearer,
) -> None:
    writer = bearer(make_user("reader"), "write")
    work = make_work(make_user("author"))
    address = f"/api/v1/works/{work.pk}/bookmarks"
    first = send(writer, "post", address, {"notes": "Good.", "tags": ["Fluff"], "private": True})
    again = send(writer, "post", address, {"rec": True})
    assert again.status_code == 200
    assert again.json()["id"] == first.json()["id"]
    assert (again.json()["notes_html"], again.json()["tags"]) == ("<p>Good.</p>", ["Fluff"])
    assert (again.json()["private"], again.json()["rec"]) == (True, True)
    assert Bookmark.objects.count() == 1


def test_only_the_owner_updates_or_deletes_a_bookmark(bearer: Bearer) -> None:
    owner, stranger = make_user("owner"), make_user("stranger")
    work = make_work(make_user("author"))
    public = create_bookmark(owner, BookmarkData(notes="Mine", tags="Angst"), work=work)
    hidden = create_bookmark(owner, BookmarkData(private=True), work=make_work(make_user("other")))
    other = bearer(stranger, "write")
    refused = send(other, "patch", f"/api/v1/bookmarks/{public.pk}", {"notes": "Theirs"})
    assert refused.status_code == 403  # as the web: someone else's public bookmark
    assert refused.json()["detail"] == "Only the bookmark's owner can change it."
    assert send(other, "delete", f"/api/v1/bookmarks/{public.pk}").status_code == 403
    assert send(other, "patch", f"/api/v1/bookmarks/{hidden.pk}", {}).status_code == 404
    assert send(other, "delete", f"/api/v1/bookmarks/{hidden.pk}").status_code == 404
    assert Bookmark.objects.count() == 2

    mine = bearer(owner, "write")
    changed = send(mine, "patch", f"/api/v1/bookmarks/{public.pk}", {"private": True})
    assert changed.status_code == 200
    assert changed.json()["private"] is True
    assert (changed.json()["notes_html"], changed.json()["tags"]) == ("<p>Mine</p>", ["Angst"])
    work.refresh_from_db()
    assert work.bookmarks_count == 0
    assert send(mine, "delete", f"/api/v1/bookmarks/{public.pk}").status_code == 204
    assert send(mine, "delete", f"/api/v1/bookmarks/{public.pk}").status_code == 404
    assert list(Bookmark.objects.values_list("pk", flat=True)) == [hidden.pk]


def test_a_bookmarks_fields_are_refused_with_the_webs_messages(bearer: Bearer) -> None:
    writer = bearer(make_user("reader"), "write")
    work = make_work(make_user("author"))
    address = f"/api/v1/works/{work.pk}/bookmarks"
    long_notes = send(writer, "post", address, {"notes": "x" * 5001})
    assert long_notes.status_code == 400
    assert long_notes.json()["field"] == "notes"
    assert "at most 5000 characters" in long_notes.json()["detail"]
    many = send(writer, "post", address, {"tags": [f"tag {n}" for n in range(80)]})
    assert (many.status_code, many.json()["field"]) == (400, "tags")
    assert "at most 75 tags" in many.json()["detail"]
    assert send(writer, "post", address, {"tags": ["a, b"]}).status_code == 400
    assert send(writer, "post", address, {"tags": ["x" * 3000]}).status_code == 400
    assert not Bookmark.objects.exists()


def test_ids_and_names_out_of_range_are_not_found_or_refused(bearer: Bearer) -> None:
    writer = bearer(make_user("reader"), "write")
    huge = 2**70
    assert Client().get(f"/api/v1/works/{huge}/bookmarks").status_code == 404
    assert send(writer, "post", f"/api/v1/works/{huge}/bookmarks", {}).status_code == 404
    assert send(writer, "patch", f"/api/v1/bookmarks/{huge}", {}).status_code == 404
    assert send(writer, "delete", f"/api/v1/bookmarks/{huge}").status_code == 404
    assert send(writer, "put", f"/api/v1/works/{huge}/subscription").status_code == 404
    assert send(writer, "delete", f"/api/v1/series/{huge}/subscription").status_code == 404
    assert send(writer, "put", f"/api/v1/series/{huge}/subscription").status_code == 404
    assert Client().get(f"/api/v1/users/{'x' * 41}/bookmarks").status_code == 422
    assert Client().get("/api/v1/users/nobody/bookmarks").status_code == 404


def test_subscribing_twice_is_one_subscription(bearer: Bearer) -> None:
    reader = make_user("reader")
    writer = bearer(reader, "write")
    work = make_work(make_user("author"), title="Ongoing")
    address = f"/api/v1/works/{work.pk}/subscription"
    first = send(writer, "put", address)
    assert first.status_code == 201
    assert first.json()["kind"] == "work"
    assert first.json()["title"] == "Ongoing"
    second = send(writer, "put", address)
    assert second.status_code == 200
    assert second.json()["id"] == first.json()["id"]
    assert Subscription.objects.filter(user=reader).count() == 1
    assert send(writer, "delete", address).status_code == 204
    assert send(writer, "delete", address).status_code == 404
    assert not Subscription.objects.exists()


def test_users_and_series_are_subscribed_to_with_the_webs_rules(bearer: Bearer) -> None:
    author, reader = make_user("author"), make_user("reader")
    make_work(author, new_series_title="The Bridge Series")
    series = Series.objects.get()
    writer = bearer(reader, "write")
    assert send(writer, "put", "/api/v1/users/AUTHOR/subscription").status_code == 201
    assert send(writer, "put", "/api/v1/users/author/subscription").status_code == 200
    assert send(writer, "put", f"/api/v1/series/{series.pk}/subscription").status_code == 201
    yourself = send(writer, "put", "/api/v1/users/reader/subscription")
    assert yourself.status_code == 400
    assert "your own account" in yourself.json()["detail"]
    assert send(writer, "put", "/api/v1/users/nobody/subscription").status_code == 404
    own = send(bearer(author, "write"), "put", f"/api/v1/series/{series.pk}/subscription")
    assert own.status_code == 400
    assert "creator" in own.json()["detail"]

    listed = bearer(reader, "read").get("/api/v1/subscriptions").json()["subscriptions"]
    assert [(item["kind"], item["title"]) for item in listed] == [
        ("series", "The Bridge Series"),
        ("user", "author"),
    ]
    assert listed[1]["username"] == "author"
    assert send(writer, "delete", "/api/v1/users/author/subscription").status_code == 204
    assert send(writer, "delete", f"/api/v1/series/{series.pk}/subscription").status_code == 204
    assert not Subscription.objects.exists()


def test_a_series_of_drafts_is_not_found_for_subscribing_or_bookmarking(bearer: Bearer) -> None:
    make_work(make_user("author"), posted=False, new_series_title="Hidden")
    series = Series.objects.get()
    writer = bearer(make_user("reader"), "write")
    assert send(writer, "put", f"/api/v1/series/{series.pk}/subscription").status_code == 404
    assert send(writer, "post", f"/api/v1/series/{series.pk}/bookmarks", {}).status_code == 404


def test_a_series_bookmark_is_listed_with_its_series(bearer: Bearer) -> None:
    make_work(make_user("author"), new_series_title="The Bridge Series")
    series = Series.objects.get()
    made = send(
        bearer(make_user("reader"), "write"), "post", f"/api/v1/series/{series.pk}/bookmarks", {}
    )
    assert made.status_code == 201
    listed = Client().get("/api/v1/users/reader/bookmarks").json()["bookmarks"]
    assert listed[0]["work"] is None
    assert listed[0]["series"]["title"] == "The Bridge Series"
    assert listed[0]["series"]["creators"][0]["user"] == "author"


def test_the_subscriptions_list_pages_without_loss_or_repeats(bearer: Bearer) -> None:
    reader = make_user("reader")
    writer = bearer(reader, "write")
    author = make_user("author")
    for n in range(5):
        work = make_work(author, title=f"Work {n}")
        assert send(writer, "put", f"/api/v1/works/{work.pk}/subscription").status_code == 201
    send(writer, "put", "/api/v1/users/author/subscription")
    seen = _all_pages(bearer(reader, "read"), "/api/v1/subscriptions?limit=2", "subscriptions")
    expected = list(
        Subscription.objects.filter(user=reader)
        .order_by("-created_at", "-id")
        .values_list("pk", flat=True)
    )
    assert seen == expected
    assert len(set(seen)) == 6


def test_bookmark_lists_page_without_loss_or_repeats(bearer: Bearer) -> None:
    reader = make_user("reader")
    author = make_user("author")
    target = make_work(author, title="Popular")
    for n in range(5):
        create_bookmark(reader, BookmarkData(notes=f"{n}"), work=make_work(author, title=f"W{n}"))
        create_bookmark(make_user(f"fan{n}"), BookmarkData(), work=target)
    own = _all_pages(Client(), "/api/v1/users/reader/bookmarks?limit=2", "bookmarks")
    assert own == list(
        Bookmark.objects.filter(user=reader)
        .order_by("-created_at", "-id")
        .values_list("pk", flat=True)
    )
    on_work = _all_pages(Client(), f"/api/v1/works/{target.pk}/bookmarks?limit=3", "bookmarks")
    assert on_work == list(
        Bookmark.objects.filter(work=target)
        .order_by("-created_at", "-id")
        .values_list("pk", flat=True)
    )
    assert len(set(on_work)) == 5
    assert Client().get("/api/v1/users/reader/bookmarks?cursor=nonsense").status_code == 400


def test_the_lists_do_not_query_per_item(bearer: Bearer) -> None:
    reader = make_user("reader")
    caller = bearer(reader, "read")
    popular = make_work(make_user("author"), new_series_title="Saga")
    addresses = (
        "/api/v1/users/reader/bookmarks",
        f"/api/v1/works/{popular.pk}/bookmarks",
        "/api/v1/subscriptions",
    )

    def counts() -> list[int]:
        found = []
        for address in addresses:
            with CaptureQueriesContext(connection) as queries:
                assert caller.get(address).status_code == 200
            found.append(len(queries))
        return found

    def add(n: int) -> None:
        fan, writer = make_user(f"fan{n}"), make_user(f"writer{n}")
        work = make_work(writer, new_series_title=f"Series {n}")
        create_bookmark(reader, BookmarkData(tags=f"Tag {n}"), work=work)
        create_bookmark(fan, BookmarkData(tags=f"Mine {n}"), work=popular)
        subscribe_to_work(reader, work)
        subscribe_to_user(reader, writer.username)

    add(0)
    counts()  # the token's first call notes when it was used
    few = counts()
    for n in range(1, 5):
        add(n)
    assert counts() == few


@pytest.mark.parametrize(
    "fields",
    [
        {"notes": "a\x00b"},
        {"tags": ["a\x00b"]},
        {"notes": "\ud800"},
        {"tags": ["\udfff"]},
    ],
)
def test_characters_the_database_cannot_keep_are_refused_not_an_error(
    bearer: Bearer, fields: dict[str, Any]
) -> None:
    work = make_work(make_user("author"))
    body = json.dumps(fields)  # a lone surrogate travels as its \\u escape
    answer = bearer(make_user("reader"), "write").post(
        f"/api/v1/works/{work.pk}/bookmarks", data=body, content_type="application/json"
    )
    assert answer.status_code in (400, 422), answer.content
    assert not Bookmark.objects.exists()
