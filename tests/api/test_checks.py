"""The overlap check through the API: a writer starts a check of a work of hers or of a file and
polls it until its report is done, and lists her checks; with the web's rules, and a check read
by its runner alone."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from ficarchive.accounts.models import User
from ficarchive.jobs.services import work_off
from ficarchive.overlap.findings import KINDS
from ficarchive.overlap.models import Check
from ficarchive.works.models import Work
from tests.api.calls import Bearer, send
from tests.cast import make_user, make_work

pytestmark = pytest.mark.django_db

Committed = Callable[[], AbstractContextManager[Any]]

# The prologue of an earlier story, and a draft whose ending came out a little too similar to it.
PROLOGUE = (
    "The night the Ashford sisters ran away, the river had frozen all the way across for the "
    "first time in forty years. They walked over it in their mother's good boots, carrying one "
    "lantern between them and a tin of biscuits nobody had thought to open, and when Nell looked "
    "back from the far bank the house was only a yellow square of kitchen window, small enough "
    "to cover with her thumb."
)
OPENING = (
    "Summer in the valley meant dust on everything: on the windowsills, on the apples in the "
    "bowl, on the letters nobody answered. Maud counted the days until the harvest fair by the "
    "number of times the postman's bicycle rattled past without stopping."
)
MIDDLE = (
    "By October the orchard was bare and the barn roof had started to leak again. Their father "
    "spent his evenings on the ladder with a bucket of tar, swearing at the slates, while the "
    "girls held the lamp and passed up nails one at a time."
)
EARLIER_TITLE = "The Runaways"
DRAFT_TITLE = "Homecoming"


@pytest.fixture
def committed(django_capture_on_commit_callbacks: Any) -> Committed:
    """Run the on-commit hooks (the check's job queued) as a real request's commit would."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


def _path(url: str) -> str:
    return url.replace("http://testserver", "")


def _writer_with_draft(committed: Committed) -> tuple[User, Work, Work]:
    """A writer, her earlier posted story with its prologue, and a draft that ends with it."""
    writer = make_user("wren")
    with committed():
        earlier = make_work(writer, title=EARLIER_TITLE, body=f"{PROLOGUE}\n\n{MIDDLE}")
        draft = make_work(writer, title=DRAFT_TITLE, body=f"{OPENING}\n\n{PROLOGUE}", posted=False)
    return writer, earlier, draft


def _start(client: Client, committed: Committed, work: Work, body: Any = None) -> Any:
    address = f"/api/v1/works/{work.pk}/overlap-checks"
    with committed():
        if body is None:  # nothing sent, as `curl -X POST` sends
            return client.post(address, data=b"", content_type="application/json")
        return send(client, "post", address, body)


def _upload(client: Client, name: str, data: bytes, **form: str) -> Any:
    return client.post("/api/v1/overlap-checks", {"file": SimpleUploadedFile(name, data), **form})


def _send_file(client: Client, committed: Committed, name: str, data: bytes, **form: str) -> Any:
    """An upload whose check's job is queued, as the request's commit queues it."""
    with committed():
        return _upload(client, name, data, **form)


# -- a check of a work ---------------------------------------------------------------------


def test_a_writer_checks_her_draft_and_polls_until_it_finds_her_earlier_work(
    bearer: Bearer, committed: Committed
) -> None:
    writer, earlier, draft = _writer_with_draft(committed)
    client = bearer(writer, "write")

    started = _start(client, committed, draft)
    assert started.status_code == 202, started.content
    check = started.json()
    assert check["state"] == "queued"
    assert check["work"]["id"] == draft.pk
    assert check["findings"] is None
    assert check["url"].endswith(f"/works/{draft.pk}/overlap/{check['id']}")
    waiting = client.get(_path(check["api_url"])).json()
    assert waiting["state"] == "queued"
    assert waiting["progress"] == 0

    work_off()
    done = client.get(_path(check["api_url"]))
    assert done.status_code == 200
    report = done.json()
    assert report["state"] == "done"
    assert report["progress"] == 100
    assert report["hidden"] == 0
    assert report["changed"] is False
    assert report["freshness"].startswith("Searched")
    [finding] = report["findings"]
    assert finding["kind"] in KINDS
    assert 0.5 <= finding["score"] <= 1
    assert finding["source"]["work_id"] == earlier.pk
    assert finding["source"]["title"] == EARLIER_TITLE
    assert finding["source"]["own"] is True
    assert "frozen all the way across" in finding["source"]["text"]
    assert "frozen all the way across" in finding["draft"]["text"]
    assert finding["draft"]["chapter"] == 1
    assert finding["source"]["url"].endswith(
        f"/works/{earlier.pk}/chapters/{earlier.chapters.get().pk}"
    )


def test_a_read_token_or_no_token_cannot_start_a_check(
    bearer: Bearer, committed: Committed
) -> None:
    writer, _, draft = _writer_with_draft(committed)
    refused = _start(bearer(writer, "read"), committed, draft)
    assert refused.status_code == 403
    assert "write" in refused.json()["detail"]
    assert _start(Client(), committed, draft).status_code == 401
    assert not Check.objects.exists()


@pytest.mark.parametrize("posted", [True, False])
def test_only_the_works_creators_start_a_check_and_others_find_no_work(
    bearer: Bearer, committed: Committed, posted: bool
) -> None:
    _, earlier, draft = _writer_with_draft(committed)
    work = earlier if posted else draft
    refused = _start(bearer(make_user("stranger"), "write"), committed, work)
    assert refused.status_code == 404
    assert refused.json()["detail"] == "No work found."
    assert not Check.objects.exists()


@pytest.mark.parametrize("work_id", ["99999", str(2**63), str(-(2**70))])
def test_a_work_id_beyond_any_column_is_not_found(bearer: Bearer, work_id: str) -> None:
    client = bearer(make_user("wren"), "write")
    answer = send(client, "post", f"/api/v1/works/{work_id}/overlap-checks", {})
    assert answer.status_code == 404
    assert answer["Content-Type"] == "application/problem+json"


def test_an_unknown_scope_is_refused_with_the_forms_message(
    bearer: Bearer, committed: Committed
) -> None:
    writer, _, draft = _writer_with_draft(committed)
    answer = _start(bearer(writer, "write"), committed, draft, {"scope": "everyone-ever"})
    assert answer.status_code == 400
    assert answer.json()["field"] == "scope"
    assert "not one of the available choices" in answer.json()["detail"]
    assert not Check.objects.exists()


def test_a_second_start_while_one_is_pending_answers_the_pending_check(
    bearer: Bearer, committed: Committed
) -> None:
    writer, _, draft = _writer_with_draft(committed)
    client = bearer(writer, "write")
    first = _start(client, committed, draft, {"scope": "mine"}).json()
    second = _start(client, committed, draft, {"scope": "mine"}).json()
    assert first["id"] == second["id"]
    assert second["scope"] == "mine"
    assert Check.objects.count() == 1


# -- who reads a check ---------------------------------------------------------------------


def test_a_check_is_read_by_its_runner_alone(bearer: Bearer, committed: Committed) -> None:
    writer = make_user("wren")
    co_author = make_user("coauthor")
    with committed():
        shared = make_work(writer, co_author, title=DRAFT_TITLE, body=PROLOGUE, posted=False)
    check = _start(bearer(writer, "write"), committed, shared).json()
    address = _path(check["api_url"])

    assert bearer(writer, "read").get(address).status_code == 200
    for other in (co_author, make_user("stranger")):
        answer = bearer(other, "read").get(address)
        assert answer.status_code == 404
        assert answer["Content-Type"] == "application/problem+json"
    assert Client().get(address).status_code == 401  # as the web sends guests to log in
    assert bearer(co_author, "read").get("/api/v1/overlap-checks").json()["checks"] == []


@pytest.mark.parametrize("check_id", ["99999", str(2**63), str(-(2**70))])
def test_a_check_id_beyond_any_column_is_not_found(bearer: Bearer, check_id: str) -> None:
    answer = bearer(make_user("wren"), "read").get(f"/api/v1/overlap-checks/{check_id}")
    assert answer.status_code == 404


def test_a_source_made_a_draft_after_the_check_drops_out_and_is_counted(
    bearer: Bearer, committed: Committed
) -> None:
    writer = make_user("wren")
    with committed():
        source = make_work(make_user("other"), title=EARLIER_TITLE, body=PROLOGUE)
        draft = make_work(writer, title=DRAFT_TITLE, body=f"{OPENING}\n\n{PROLOGUE}", posted=False)
    client = bearer(writer, "write")
    address = _path(_start(client, committed, draft).json()["api_url"])
    work_off()
    before = client.get(address).json()
    assert [f["source"]["own"] for f in before["findings"]] == [False]

    Work.objects.filter(pk=source.pk).update(posted=False)
    after = client.get(address)
    assert after.json()["findings"] == []
    assert after.json()["hidden"] == 1
    assert EARLIER_TITLE not in after.content.decode()
    assert "frozen all the way" not in after.content.decode()


def test_a_failed_check_says_why(bearer: Bearer, committed: Committed) -> None:
    writer, _, draft = _writer_with_draft(committed)
    check = Check.objects.create(
        work=draft, user=writer, state=Check.State.FAILED, error="The check could not finish."
    )
    answer = bearer(writer, "read").get(f"/api/v1/overlap-checks/{check.pk}").json()
    assert answer["state"] == "failed"
    assert answer["error"] == "The check could not finish."
    assert answer["findings"] is None


# -- a file --------------------------------------------------------------------------------


def test_a_writer_checks_a_file_and_polls_until_it_finds_her_earlier_work(
    bearer: Bearer, committed: Committed
) -> None:
    writer, earlier, draft = _writer_with_draft(committed)
    works = Work.objects.count()
    client = bearer(writer, "write")
    text = f"Homecoming\n\n{OPENING}\n\n{PROLOGUE}\n".encode()

    started = _send_file(client, committed, "homecoming.txt", text, scope="mine")
    assert started.status_code == 202, started.content
    check = started.json()
    assert check["state"] == "queued"
    assert check["work"] is None
    assert check["file_name"] == "homecoming.txt"
    assert check["url"] is None  # the web has no page for a file's check
    assert check["scope"] == "mine"
    assert check["findings"] is None
    assert client.get(_path(check["api_url"])).json()["state"] == "queued"

    work_off()
    report = client.get(_path(check["api_url"])).json()
    assert report["state"] == "done"
    assert report["progress"] == 100
    assert report["hidden"] == 0
    assert report["changed"] is None
    assert report["freshness"].startswith("Searched")
    # Her earlier story, and the stored draft the file is a copy of.
    found = {f["source"]["work_id"]: f for f in report["findings"]}
    assert sorted(found) == sorted([earlier.pk, draft.pk])
    assert "frozen all the way across" in found[earlier.pk]["source"]["text"]
    assert "frozen all the way across" in found[earlier.pk]["draft"]["text"]
    assert found[earlier.pk]["draft"]["chapter"] == 1
    assert found[earlier.pk]["draft"]["edit_url"] is None
    assert found[earlier.pk]["source"]["own"] is True
    assert Work.objects.count() == works  # a file is checked, never posted


def test_a_file_check_is_read_by_its_runner_alone(bearer: Bearer, committed: Committed) -> None:
    writer = make_user("wren")
    check = _send_file(bearer(writer, "write"), committed, "a.txt", PROLOGUE.encode()).json()
    address = _path(check["api_url"])
    work_off()

    assert bearer(writer, "read").get(address).json()["state"] == "done"
    answer = bearer(make_user("stranger"), "read").get(address)
    assert answer.status_code == 404
    assert answer["Content-Type"] == "application/problem+json"
    assert PROLOGUE[:40] not in answer.content.decode()
    assert Client().get(address).status_code == 401


@pytest.mark.parametrize(
    ("name", "data", "said"),
    [
        ("story.epub", b"not a zip", "not a valid EPUB"),
        ("story.xyz", b"Some words.", "not a supported format"),
        ("empty.txt", b"", "the file is empty"),
    ],
)
def test_a_bad_file_is_a_problem_naming_the_file(
    bearer: Bearer, name: str, data: bytes, said: str
) -> None:
    answer = _upload(bearer(make_user("wren"), "write"), name, data)
    assert answer.status_code == 400
    problem = answer.json()
    assert problem["field"] == "file"
    assert problem["detail"].startswith(f"{name}: ")
    assert said in problem["detail"]
    assert not Check.objects.exists()


def test_a_file_check_needs_a_write_token_and_a_file(bearer: Bearer) -> None:
    writer = make_user("wren")
    assert _upload(bearer(writer, "read"), "a.txt", PROLOGUE.encode()).status_code == 403
    assert _upload(Client(), "a.txt", PROLOGUE.encode()).status_code == 401
    missing = bearer(writer, "write").post("/api/v1/overlap-checks")
    assert missing.status_code == 422
    assert missing.json()["field"] == "file"


def test_a_writer_has_at_most_three_files_checked_at_a_time(
    bearer: Bearer, committed: Committed
) -> None:
    writer = make_user("wren")
    client = bearer(writer, "write")
    for number in range(3):
        sent = _send_file(client, committed, f"{number}.txt", PROLOGUE.encode())
        assert sent.status_code == 202, sent.content

    refused = _send_file(client, committed, "3.txt", PROLOGUE.encode())
    assert refused.status_code == 429
    assert refused["Content-Type"] == "application/problem+json"
    assert "at most 3 at a time" in refused.json()["detail"]
    assert Check.objects.count() == 3

    work_off()  # the three are done: room for more
    assert _send_file(client, committed, "3.txt", PROLOGUE.encode()).status_code == 202
    # Another writer's checks are hers alone to count.
    other = bearer(make_user("other"), "write")
    assert _send_file(other, committed, "a.txt", PROLOGUE.encode()).status_code == 202


# -- the list ------------------------------------------------------------------------------


def test_the_list_pages_through_every_check_once_newest_first(
    bearer: Bearer, committed: Committed
) -> None:
    writer, earlier, draft = _writer_with_draft(committed)
    made = [Check.objects.create(work=work, user=writer) for work in (earlier, draft) * 3]
    other = make_user("other")
    with committed():
        theirs = make_work(other, title="Theirs", body=MIDDLE)
    Check.objects.create(work=theirs, user=other)
    client = bearer(writer, "read")

    seen: list[int] = []
    address: str | None = "/api/v1/overlap-checks?limit=4"
    while address:
        page = client.get(_path(address))
        assert page.status_code == 200
        seen += [check["id"] for check in page.json()["checks"]]
        address = page.json()["next"]
    newest_first = sorted(made, key=lambda c: (c.created_at, c.pk), reverse=True)
    assert seen == [check.pk for check in newest_first]


def test_the_list_costs_the_same_queries_however_many_checks(
    bearer: Bearer, committed: Committed
) -> None:
    writer, earlier, draft = _writer_with_draft(committed)
    client = bearer(writer, "read")
    Check.objects.create(work=earlier, user=writer)
    client.get("/api/v1/overlap-checks")  # the token's first use is written down once
    with CaptureQueriesContext(connection) as one:
        assert client.get("/api/v1/overlap-checks").status_code == 200
    for work in (earlier, draft):
        Check.objects.create(work=work, user=writer)
    Check.objects.create(file_name="a.txt", texts=[PROLOGUE], user=writer)
    with CaptureQueriesContext(connection) as four:
        assert len(client.get("/api/v1/overlap-checks").json()["checks"]) == 4
    assert len(four) == len(one)


def test_the_list_shows_file_checks_beside_the_works_checks(
    bearer: Bearer, committed: Committed
) -> None:
    writer, _, draft = _writer_with_draft(committed)
    client = bearer(writer, "write")
    work_check = _start(client, committed, draft).json()
    file_check = _send_file(client, committed, "homecoming.txt", PROLOGUE.encode()).json()
    _send_file(bearer(make_user("other"), "write"), committed, "theirs.txt", MIDDLE.encode())

    listed = client.get("/api/v1/overlap-checks").json()["checks"]
    assert [check["id"] for check in listed] == [file_check["id"], work_check["id"]]
    assert listed[0]["work"] is None
    assert listed[0]["file_name"] == "homecoming.txt"
    assert listed[0]["url"] is None
    assert listed[1]["work"]["id"] == draft.pk
    assert listed[1]["file_name"] is None


def test_the_list_needs_a_caller_and_refuses_a_strange_cursor(bearer: Bearer) -> None:
    assert Client().get("/api/v1/overlap-checks").status_code == 401
    client = bearer(make_user("wren"), "read")
    answer = client.get("/api/v1/overlap-checks?cursor=nonsense")
    assert answer.status_code == 400
    assert answer.json()["field"] == "cursor"


@pytest.mark.parametrize(
    ("method", "address", "body", "status"),
    [
        ("post", "/api/v1/works/{work}/overlap-checks", {"scope": 5}, 422),
        ("post", "/api/v1/works/{work}/overlap-checks", {"scope": "s" * 21}, 422),
        ("post", "/api/v1/works/{work}/overlap-checks", {"scope": "mine\x00"}, 400),
        ("post", "/api/v1/works/abc/overlap-checks", {}, 422),
        ("get", "/api/v1/overlap-checks/abc", None, 422),
        ("get", "/api/v1/overlap-checks?limit=0", None, 422),
        ("get", "/api/v1/overlap-checks?cursor=WyJjaGVja3MiLCAieCIsIC0xXQ", None, 400),
    ],
)
def test_odd_input_is_a_problem_never_a_server_error(
    bearer: Bearer, committed: Committed, method: str, address: str, body: Any, status: int
) -> None:
    writer, _, draft = _writer_with_draft(committed)
    answer = send(bearer(writer, "write"), method, address.format(work=draft.pk), body)
    assert answer.status_code == status, answer.content
    assert answer["Content-Type"] == "application/problem+json"
    assert not Check.objects.exists()


@pytest.mark.parametrize(
    "data",
    [b"\x00\x01\x02", b"!!!! .... ???", b"word" * 5000, "\u202e\U0001f600 ".encode() * 300],
)
def test_an_odd_file_is_checked_or_refused_never_a_server_error(
    bearer: Bearer, committed: Committed, data: bytes
) -> None:
    writer, _, _ = _writer_with_draft(committed)
    answer = _send_file(bearer(writer, "write"), committed, "odd.txt", data)
    assert answer.status_code in (202, 400), answer.content
    work_off()
    assert not Check.objects.exclude(state=Check.State.DONE).exists()
