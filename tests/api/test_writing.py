"""Writing through the API: works and chapters made, changed, posted, reordered and deleted,
kudos and comments, with the web's rules and messages, for write tokens and sessions only."""

from __future__ import annotations

import json

import pytest
from django.test import Client, override_settings

from ficarchive.accounts.blocks import block
from ficarchive.works.models import Work
from tests.api.calls import Bearer, send
from tests.cast import make_user, make_work

pytestmark = pytest.mark.django_db


NEW = {
    "title": "Down the Hole Again",
    "rating": "General Audiences",
    "warnings": ["No Archive Warnings Apply"],
    "fandoms": ["Alice in Wonderland"],
    "characters": ["Alice"],
    "additional_tags": ["Rabbits"],
    "chapter": {
        "title": "The Rabbit-Hole",
        "body": "Alice was *very* tired.",
        "format": "markdown",
    },
}


def test_a_writer_posts_a_work_chapter_by_chapter(bearer: Bearer) -> None:
    writer = bearer(make_user("writer"), "write")

    made = send(writer, "post", "/api/v1/works", NEW)
    assert made.status_code == 201, made.content
    work = made.json()
    assert work["posted"] is False
    assert Client().get(f"/api/v1/works/{work['id']}").status_code == 404  # a draft

    second = {"title": "The Pool of Tears", "body": "<p>Curiouser!</p>", "format": "html"}
    added = send(writer, "post", f"/api/v1/works/{work['id']}/chapters", second)
    assert added.status_code == 201
    assert added.json()["position"] == 2
    posted = send(writer, "post", f"/api/v1/works/{work['id']}/post")
    assert posted.json()["posted"] is True

    read = Client().get(f"/api/v1/works/{work['id']}").json()
    assert [c["title"] for c in read["chapters"]] == ["The Rabbit-Hole", "The Pool of Tears"]
    assert read["fandoms"] == ["Alice in Wonderland"]
    assert read["additional_tags"] == ["Rabbits"]
    first = Client().get(read["chapters"][0]["api_url"].replace("http://testserver", "")).json()
    assert "<em>very</em>" in first["text_html"]


def test_posting_needs_a_fandom_and_the_problem_names_it(bearer: Bearer) -> None:
    writer = bearer(make_user("writer"), "write")
    answer = send(writer, "post", "/api/v1/works", {**NEW, "fandoms": [], "post": True})
    assert answer.status_code == 400
    assert answer.json()["field"] == "fandoms"
    assert "fandom" in answer.json()["detail"]
    assert Work.objects.count() == 0


def test_a_read_token_or_no_token_cannot_write(bearer: Bearer) -> None:
    reader = bearer(make_user("reader"), "read")
    refused = send(reader, "post", "/api/v1/works", NEW)
    assert refused.status_code == 403
    assert "read scope" in refused.json()["detail"]
    assert send(Client(), "post", "/api/v1/works", NEW).status_code == 401
    assert Work.objects.count() == 0


def test_a_session_writes_only_with_its_csrf_token() -> None:
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(make_user("writer"))
    assert send(browser, "post", "/api/v1/works", NEW).status_code == 403
    secret = "a" * 32  # Django takes the cookie's unmasked secret in the header too
    browser.cookies["csrftoken"] = secret
    answer = browser.post(
        "/api/v1/works",
        data=json.dumps(NEW),
        content_type="application/json",
        HTTP_X_CSRFTOKEN=secret,
    )
    assert answer.status_code == 201, answer.content


def test_a_change_keeps_the_fields_left_out(bearer: Bearer) -> None:
    author = make_user("author")
    work = make_work(author, title="Old", fandoms=["F"], characters=["A", "B"])
    writer = bearer(author, "write")

    changed = send(writer, "patch", f"/api/v1/works/{work.pk}", {"title": "New"})

    assert changed.status_code == 200, changed.content
    assert changed.json()["title"] == "New"
    assert changed.json()["characters"] == ["A", "B"]
    assert changed.json()["fandoms"] == ["F"]


def test_only_creators_change_a_work(bearer: Bearer) -> None:
    work = make_work(make_user("author"), fandoms=["F"])
    draft = make_work(make_user("other"), title="Hidden", posted=False)
    stranger = bearer(make_user("stranger"), "write")
    assert send(stranger, "patch", f"/api/v1/works/{work.pk}", {"title": "Mine"}).status_code == 403
    assert send(stranger, "delete", f"/api/v1/works/{work.pk}").status_code == 403
    assert send(stranger, "patch", f"/api/v1/works/{draft.pk}", {"title": "x"}).status_code == 404
    work.refresh_from_db()
    assert work.title == "Everything Back But You"


def test_chapters_are_changed_reordered_posted_and_deleted(bearer: Bearer) -> None:
    author = make_user("author")
    work = make_work(author, chapters=2, fandoms=["F"])
    writer = bearer(author, "write")
    one, two = work.chapters.order_by("position")
    base = f"/api/v1/works/{work.pk}/chapters"

    edited = send(writer, "patch", f"{base}/{one.pk}", {"title": "First", "body": "New text."})
    assert edited.json()["text"] == "New text."
    order = send(
        writer, "put", f"/api/v1/works/{work.pk}/chapter-order", {"chapter_ids": [two.pk, one.pk]}
    )
    assert [c["id"] for c in order.json()["chapters"]] == [two.pk, one.pk]
    bad = send(writer, "put", f"/api/v1/works/{work.pk}/chapter-order", {"chapter_ids": [two.pk]})
    assert bad.status_code == 400
    assert bad.json()["field"] == "chapter_ids"

    draft = send(writer, "post", base, {"title": "Later", "body": "Soon.", "draft": True}).json()
    assert draft["draft"] is True
    assert send(writer, "post", f"{base}/{draft['id']}/post").json()["draft"] is False

    assert send(writer, "delete", f"{base}/{one.pk}").status_code == 204
    assert send(writer, "delete", f"{base}/{two.pk}").status_code == 204
    last = send(writer, "delete", f"{base}/{draft['id']}")
    assert last.status_code == 400
    assert "at least one posted chapter" in last.json()["detail"]


def test_a_work_is_deleted(bearer: Bearer) -> None:
    author = make_user("author")
    work = make_work(author, fandoms=["F"])
    assert send(bearer(author, "write"), "delete", f"/api/v1/works/{work.pk}").status_code == 204
    assert Client().get(f"/api/v1/works/{work.pk}").status_code == 404


def test_kudos_once_and_never_on_ones_own_work(bearer: Bearer) -> None:
    author = make_user("author")
    work = make_work(author, fandoms=["F"])
    fan = bearer(make_user("fan"), "write")
    address = f"/api/v1/works/{work.pk}/kudos"
    assert send(fan, "post", address).status_code == 201
    again = send(fan, "post", address)
    assert again.status_code == 409
    assert "already left kudos" in again.json()["detail"]
    assert send(bearer(author, "write"), "post", address).status_code == 403
    assert Client().get(f"/api/v1/works/{work.pk}").json()["stats"]["kudos"] == 1


def test_comments_follow_the_webs_rules(bearer: Bearer) -> None:
    author, fan, pest = make_user("author"), make_user("fan"), make_user("pest")
    work = make_work(author, fandoms=["F"])
    block(author, "pest")
    address = f"/api/v1/works/{work.pk}/comments"

    made = send(bearer(fan, "write"), "post", address, {"text": "Lovely!"})
    assert made.status_code == 201
    refused = send(bearer(pest, "write"), "post", address, {"text": "Hm."})
    assert refused.status_code == 403
    assert "blocked" in refused.json()["detail"]
    empty = send(bearer(fan, "write"), "post", address, {"text": "   "})
    assert empty.status_code == 400
    assert empty.json()["field"] == "text"
    assert Client().get(f"/api/v1/works/{work.pk}").json()["stats"]["comments"] == 1


@override_settings(CHAPTER_MAX_CHARACTERS=1000)
def test_a_chapter_longer_than_the_form_takes_is_refused_with_its_message(bearer: Bearer) -> None:
    writer = bearer(make_user("writer"), "write")
    own = send(writer, "post", "/api/v1/works", NEW).json()

    refused = send(writer, "post", f"/api/v1/works/{own['id']}/chapters", {"body": "word " * 300})

    assert refused.status_code == 400
    assert refused.json()["field"] == "body"
    assert "one chapter may have up to 1,000 characters" in refused.json()["detail"]
    assert "kept below" not in refused.json()["detail"]
    assert Work.objects.get(pk=own["id"]).chapters.count() == 1


def test_a_request_larger_than_the_archive_reads_is_a_problem(bearer: Bearer) -> None:
    writer = bearer(make_user("writer"), "write")
    huge = {**NEW, "chapter": {"body": "w" * 10}, "summary": "x" * 200}

    with override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=100):
        refused = send(writer, "post", "/api/v1/works", huge)

    assert refused.status_code == 413
    assert refused.json()["field"] == "body"
    assert "larger than the archive reads" in refused.json()["detail"]
    assert Work.objects.count() == 0
