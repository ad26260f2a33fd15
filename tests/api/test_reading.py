"""The API's reads: works listed and paged, one work, a chapter, a tag; the same privacy as the
web for guests, tokens and sessions."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from ficarchive.search.saved import mute_tag
from ficarchive.search.services import index_work
from ficarchive.works.services import ChapterData, add_chapter
from tests.api.calls import Bearer
from tests.cast import make_user, make_work

pytestmark = pytest.mark.django_db


def _ids(answer: Any) -> list[int]:
    return [work["id"] for work in answer.json()["works"]]


def _every_page(client: Client, address: str) -> list[int]:
    seen: list[int] = []
    while address:
        answer = client.get(address)
        assert answer.status_code == 200, answer.content
        seen += _ids(answer)
        address = answer.json()["next"] or ""
    return seen


def test_a_guest_lists_posted_unrestricted_works_only(client: Client) -> None:
    author = make_user("author")
    shown = make_work(author, title="Shown", fandoms=["F"])
    make_work(author, title="Locked", restricted=True, fandoms=["F"])
    make_work(author, title="Draft", posted=False, fandoms=["F"])

    answer = client.get("/api/v1/works")

    assert answer.status_code == 200
    assert _ids(answer) == [shown.pk]
    work = answer.json()["works"][0]
    assert work["url"] == f"http://testserver/works/{shown.pk}"
    assert work["creators"] == [
        {"pseud": "author", "user": "author", "url": "http://testserver/users/author/pseuds/author"}
    ]
    assert work["fandoms"] == ["F"]
    assert work["rating"] == "General Audiences"
    assert answer.json()["next"] is None


def test_a_token_sees_restricted_works_and_its_own_drafts(client: Client, bearer: Bearer) -> None:
    author, other = make_user("author"), make_user("other")
    locked = make_work(author, title="Locked", restricted=True)
    draft = make_work(author, title="Draft", posted=False)
    theirs = make_work(other, title="Their draft", posted=False)
    mine = bearer(author, "read")

    assert _ids(mine.get("/api/v1/works")) == [locked.pk]
    assert mine.get(f"/api/v1/works/{draft.pk}").json()["title"] == "Draft"
    assert mine.get(f"/api/v1/works/{theirs.pk}").status_code == 404
    for path in (f"/api/v1/works/{locked.pk}", f"/api/v1/works/{draft.pk}"):
        hidden = client.get(path)
        assert hidden.status_code == 404
        assert hidden["Content-Type"] == "application/problem+json"
        assert "Locked" not in hidden.content.decode()
        assert "Draft" not in hidden.content.decode()


def test_a_logged_in_browser_reads_as_its_user(client: Client) -> None:
    author = make_user("author")
    locked = make_work(author, title="Locked", restricted=True)
    client.force_login(make_user("reader"))
    assert _ids(client.get("/api/v1/works")) == [locked.pk]


def test_a_work_has_its_chapters_related_works_and_downloads(bearer: Bearer) -> None:
    author = make_user("author")
    work = make_work(author, title="Two Parts", chapters=2, fandoms=["F"], new_series_title="S")
    add_chapter(work, ChapterData(body="Not yet.", title="Later"), draft=True)

    guest = Client().get(f"/api/v1/works/{work.pk}").json()
    creator = bearer(author, "read").get(f"/api/v1/works/{work.pk}").json()

    assert [c["title"] for c in guest["chapters"]] == ["Chapter One", "Part 2"]
    assert [c["title"] for c in creator["chapters"]] == ["Chapter One", "Part 2", "Later"]
    assert guest["series"][0]["title"] == "S"
    assert guest["series"][0]["part"] == 1
    assert guest["stats"]["chapters"] == 2
    formats = {item["format"]: item["url"] for item in guest["downloads"]}
    assert formats["epub"].startswith(f"http://testserver/downloads/{work.pk}/")
    assert guest["inspired_by"] == []


def test_a_chapter_comes_as_html_and_plain_text(client: Client, bearer: Bearer) -> None:
    author = make_user("author")
    work = make_work(
        author,
        chapters=2,
        body="<p>First <em>line</em>.</p><p>Second line.</p>",
        text_format="html",
    )
    first = work.chapters.get(position=1)
    draft = add_chapter(work, ChapterData(body="Secret.", title="Draft"), draft=True)

    chapter = client.get(f"/api/v1/works/{work.pk}/chapters/{first.pk}").json()

    assert "<em>line</em>" in chapter["text_html"]
    assert chapter["text"].split("\n\n") == ["First line.", "Second line."]
    assert client.get(f"/api/v1/works/{work.pk}/chapters/{draft.pk}").status_code == 404
    mine = bearer(author, "read").get(f"/api/v1/works/{work.pk}/chapters/{draft.pk}")
    assert mine.json()["text"] == "Secret."


def test_pages_follow_each_other_without_loss_or_repeats(client: Client) -> None:
    author = make_user("author")
    works = [make_work(author, title=f"Work {n:02}") for n in range(7)]
    first = client.get("/api/v1/works?limit=3")
    # A work posted between two pages goes to the top, and moves no other one.
    late = make_work(author, title="Late")

    rest = _every_page(client, first.json()["next"])

    newest_first = [work.pk for work in reversed(works)]
    assert _ids(first) + rest == newest_first
    assert late.pk not in rest
    titles = [w["title"] for w in client.get("/api/v1/works?sort=title&limit=100").json()["works"]]
    paged = []
    address = "/api/v1/works?sort=title&limit=2"
    while address:
        answer = client.get(address).json()
        paged += [w["title"] for w in answer["works"]]
        address = answer["next"] or ""
    assert paged == titles == sorted(titles)


def test_best_match_pages_by_position(client: Client) -> None:
    author = make_user("author")
    for n in range(5):
        work = make_work(author, title=f"Lighthouse {n}", body="lighthouse keeper " * (n + 1))
        index_work(work.pk)
    best = _every_page(client, "/api/v1/works?q=lighthouse&sort=best&limit=2")
    assert len(best) == len(set(best)) == 5


def test_the_filters_and_the_query_language_narrow_the_list(client: Client) -> None:
    author = make_user("author")
    short = make_work(author, title="Short", body="one two three", fandoms=["Alpha"])
    make_work(author, title="Long", body="word " * 500, fandoms=["Beta"])

    assert _ids(client.get("/api/v1/works?words_to=100")) == [short.pk]
    assert _ids(client.get("/api/v1/works?q=fandom:Alpha")) == [short.pk]
    assert _ids(client.get("/api/v1/works?tag=alpha")) == [short.pk]
    missing = client.get("/api/v1/works?tag=Nowhere")
    assert missing.status_code == 404
    assert missing.json()["field"] == "tag"


def test_a_token_owners_muted_tags_stay_muted(bearer: Bearer) -> None:
    author, reader = make_user("author"), make_user("reader")
    kept = make_work(author, title="Kept", fandoms=["Fine"])
    make_work(author, title="Muted", fandoms=["Fine"], freeforms=["Spiders"])
    mute_tag(reader, "Spiders")
    assert _ids(bearer(reader, "read").get("/api/v1/works")) == [kept.pk]


def test_a_tag_says_what_it_is_and_counts_the_works_one_may_see(
    client: Client, bearer: Bearer
) -> None:
    author = make_user("author")
    make_work(author, fandoms=["Good Omens"])
    make_work(author, fandoms=["Good Omens"], restricted=True)

    tag = client.get("/api/v1/tags/good%20omens").json()

    assert tag["name"] == "Good Omens"
    assert tag["type"] == "fandom"
    assert tag["works"] == 1
    assert bearer(make_user("reader"), "read").get("/api/v1/tags/Good%20Omens").json()["works"] == 2
    assert client.get("/api/v1/tags/Nothing%20Here").status_code == 404
