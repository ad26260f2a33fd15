"""The API's conventions: its OpenAPI description and docs page, problem+json errors, tokens
refused when not valid, ETags, rate limits."""

from __future__ import annotations

import io
import re
from datetime import timedelta
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from ficarchive.accounts import tokens
from ficarchive.accounts.models import AccessToken
from ficarchive.api import paging
from ficarchive.community.kudos import leave_kudos
from ficarchive.search.saved import mute_tag
from tests.api.calls import Bearer
from tests.cast import make_user, make_work

pytestmark = pytest.mark.django_db


def test_the_openapi_description_lists_the_operations(client: Client) -> None:
    answer = client.get("/api/v1/openapi.json")
    assert answer.status_code == 200
    described = answer.json()
    assert described["openapi"].startswith("3.1")
    assert {"/api/v1/works", "/api/v1/works/{work_id}", "/api/v1/tags/{name}"} <= set(
        described["paths"]
    )
    schemes = described["components"]["securitySchemes"]
    assert any(scheme.get("scheme") == "bearer" for scheme in schemes.values())


def test_the_docs_page_loads_nothing_from_elsewhere(client: Client) -> None:
    answer = client.get("/api/v1/docs")
    assert answer.status_code == 200
    page = answer.content.decode()
    sources = [
        found
        for found in re.findall(r'(?:src|href)="([^"]+)"', page)
        if found != "/api/v1/openapi.json"  # the no-script link to the description
    ]
    own_css = [source for source in sources if source.startswith("/static/")]
    assert [source.rsplit("/", 1)[1] for source in own_css] == ["api-docs.css"]
    sources = [source for source in sources if source not in own_css]
    assert len(sources) == 4
    assert all(source.startswith("/api/v1/docs/") for source in sources), sources
    assert "script-src 'self'" in answer["Content-Security-Policy"]
    assert "/api/v1/openapi.json" in page
    assert page.count("<h1") == 1  # in <noscript>: Swagger UI's title is the h1 with scripts
    for source in sources:
        asset = client.get(source)
        assert asset.status_code == 200, source
        assert "immutable" in asset["Cache-Control"]
    script = next(source for source in sources if source.endswith("bundle.js"))
    assert client.get(script)["Content-Type"] == "text/javascript"
    assert (
        client.get(script.replace("swagger-ui-bundle.js", "redoc.standalone.js")).status_code == 404
    )
    assert client.get(script.replace("swagger-ui-bundle.js", "../__init__.py")).status_code == 404


@pytest.mark.parametrize(
    ("address", "status", "field"),
    [
        ("/api/v1/works?sort=sideways", 400, "sort"),
        ("/api/v1/works?words_from=many", 422, "words_from"),
        ("/api/v1/works?words_from=9&words_to=1", 400, "words_to"),
        ("/api/v1/works?q=words%3E", 400, "q"),
        ("/api/v1/works?cursor=nonsense", 400, "cursor"),
        ("/api/v1/works?limit=1000", 422, "limit"),
        ("/api/v1/works?updated_from=2024-02-30", 422, "updated_from"),
    ],
)
def test_a_bad_parameter_is_a_problem_naming_the_field(
    client: Client, address: str, status: int, field: str
) -> None:
    make_work()
    answer = client.get(address)
    assert answer.status_code == status
    assert answer["Content-Type"] == "application/problem+json"
    problem = answer.json()
    assert problem["status"] == status
    assert problem["field"] == field
    assert problem["detail"]
    assert "Traceback" not in answer.content.decode()


def test_a_cursor_of_another_sort_is_refused(client: Client) -> None:
    author = make_user("author")
    for n in range(3):
        make_work(author, title=f"W{n}")
    cursor = client.get("/api/v1/works?limit=1").json()["next"].split("cursor=")[1]
    answer = client.get(f"/api/v1/works?sort=title&cursor={cursor}")
    assert answer.status_code == 400
    assert answer.json()["field"] == "cursor"


@pytest.mark.parametrize(
    "made",
    [
        ["updated", "2026-01-01T00:00:00+00:00", 2**64],
        ["words", 2**70, 1],
        ["words", -1, 1],
        ["creator", 2**63, 0],
    ],
)
def test_a_cursor_with_numbers_no_column_holds_is_refused(client: Client, made: list[Any]) -> None:
    make_work()
    cursor = paging.encode(made)
    answer = client.get(f"/api/v1/works?sort={made[0]}&cursor={cursor}")
    assert answer.status_code == 400
    assert answer.json()["field"] == "cursor"


@pytest.mark.parametrize("header", ["Bearer fa_unknown", "Bearer ", "Basic dXNlcjpwYXNz"])
def test_a_token_that_is_not_valid_is_refused_not_taken_for_a_guest(header: str) -> None:
    make_work()
    answer = Client(HTTP_AUTHORIZATION=header).get("/api/v1/works")
    assert answer.status_code == 401
    assert answer["WWW-Authenticate"].startswith("Bearer")
    assert answer.json()["title"] == "Unauthorized"


def test_a_revoked_token_stops_at_once(client: Client) -> None:
    user = make_user("reader")
    made = tokens.create_token(user, "script", "read")
    caller = Client(HTTP_AUTHORIZATION=f"Bearer {made.secret}")
    assert caller.get("/api/v1/works").status_code == 200
    tokens.revoke(user, made.token.pk)
    assert caller.get("/api/v1/works").status_code == 401


def test_a_token_made_by_the_command_works_until_it_expires() -> None:
    user = make_user("reader")
    work = make_work(make_user("author"), title="Locked", restricted=True)
    out = io.StringIO()
    call_command(
        "token",
        "create",
        "--user",
        "reader",
        "--scope",
        "read",
        "--expires",
        "1",
        stdout=out,
        stderr=io.StringIO(),
    )
    caller = Client(HTTP_AUTHORIZATION=f"Bearer {out.getvalue().strip()}")
    assert caller.get(f"/api/v1/works/{work.pk}").status_code == 200
    token = AccessToken.objects.get(user=user)
    assert token.last_used_at is not None

    AccessToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - timedelta(seconds=1))

    assert caller.get(f"/api/v1/works/{work.pk}").status_code == 401
    assert Client().get(f"/api/v1/works/{work.pk}").status_code == 404


def test_a_token_call_sets_no_cookie(bearer: Bearer) -> None:
    make_work()
    answer = bearer(make_user("reader"), "read").get("/api/v1/works")
    assert answer.status_code == 200
    assert not answer.cookies


def test_reads_carry_an_etag_that_changes_with_the_work(client: Client) -> None:
    work = make_work(title="Before")
    first = client.get(f"/api/v1/works/{work.pk}")
    tag = first["ETag"]

    again = client.get(f"/api/v1/works/{work.pk}", HTTP_IF_NONE_MATCH=tag)
    assert again.status_code == 304
    assert again["ETag"] == tag
    assert not again.content

    work.title = "After"
    work.save()
    changed = client.get(f"/api/v1/works/{work.pk}", HTTP_IF_NONE_MATCH=tag)
    assert changed.status_code == 200
    assert changed.json()["title"] == "After"
    assert changed["ETag"] != tag


def test_calls_past_the_limit_wait(settings: Any, bearer: Bearer) -> None:
    settings.API_RATE_ADDRESS = 3
    settings.API_RATE_TOKEN = 5
    make_work()
    guest = Client(REMOTE_ADDR="203.0.113.9")
    assert [guest.get("/api/v1/works").status_code for _ in range(4)] == [200, 200, 200, 429]
    refused = guest.get("/api/v1/works")
    assert refused["Content-Type"] == "application/problem+json"
    assert 1 <= int(refused["Retry-After"]) <= 60
    # Another address, and a token, count on their own.
    assert Client(REMOTE_ADDR="203.0.113.10").get("/api/v1/works").status_code == 200
    script = bearer(make_user("reader"), "read")
    statuses = [
        script.get("/api/v1/works", REMOTE_ADDR="203.0.113.9").status_code for _ in range(6)
    ]
    assert statuses == [200] * 5 + [429]


def test_no_limit_when_set_to_zero(settings: Any) -> None:
    settings.API_RATE_ADDRESS = 0
    make_work()
    assert {Client().get("/api/v1/works").status_code for _ in range(5)} == {200}


def test_guests_share_a_kept_answer_that_moves_on_with_the_work(client: Client) -> None:
    work = make_work(title="Kept")
    address = f"/api/v1/works/{work.pk}"
    first = client.get(address)
    with CaptureQueriesContext(connection) as context:
        again = Client().get(address)
    assert again.content == first.content
    assert len(context.captured_queries) == 1  # the work's stamp, then the copy

    leave_kudos(work, make_user("fan"))
    assert client.get(address).json()["stats"]["kudos"] == 1


def test_a_token_never_gets_the_guests_copy(client: Client, bearer: Bearer) -> None:
    author = make_user("author")
    make_work(author, title="Open")
    make_work(author, title="Locked", restricted=True)
    assert [w["title"] for w in client.get("/api/v1/works").json()["works"]] == ["Open"]
    mine = bearer(make_user("reader"), "read").get("/api/v1/works").json()
    assert [w["title"] for w in mine["works"]] == ["Locked", "Open"]


def test_signed_in_callers_who_mute_the_same_share_a_list(bearer: Bearer) -> None:
    author = make_user("author")
    make_work(author, title="Open", fandoms=["F"], freeforms=["Fluff"])
    make_work(author, title="Locked", fandoms=["F"], restricted=True)
    first = bearer(make_user("reader"), "read").get("/api/v1/works?sort=title")
    assert [w["title"] for w in first.json()["works"]] == ["Locked", "Open"]

    second = bearer(make_user("another"), "read")
    with CaptureQueriesContext(connection) as context:
        shared = second.get("/api/v1/works?sort=title")
    assert shared.content == first.content
    searched = [q["sql"] for q in context.captured_queries if "word_count" in q["sql"]]
    assert searched == []  # the copy, not a search of its own

    muter = make_user("muter")
    mute_tag(muter, "Fluff")
    own = bearer(muter, "read").get("/api/v1/works?sort=title").json()
    assert [w["title"] for w in own["works"]] == ["Locked"]


def test_a_list_narrowed_by_a_tag_only_on_ones_drafts_is_not_shared(bearer: Bearer) -> None:
    author = make_user("author")
    make_work(author, title="Secret", fandoms=["F"], freeforms=["Only In Drafts"], posted=False)
    make_work(author, title="Open", fandoms=["F"])
    address = "/api/v1/works?tag=Only%20In%20Drafts"
    assert bearer(author, "read").get(address).json()["works"] == []

    assert bearer(make_user("reader"), "read").get(address).status_code == 404
    excluded = "/api/v1/works?other_exclude=Only%20In%20Drafts"
    assert [w["title"] for w in bearer(author, "read").get(excluded).json()["works"]] == ["Open"]
    assert bearer(make_user("another"), "read").get(excluded).status_code == 400


def test_a_malformed_request_to_the_api_is_a_problem_too(client: Client) -> None:
    answer = client.get("/api/v1/works?q=a%00b")
    assert answer.status_code == 400
    assert answer["Content-Type"] == "application/problem+json"
    assert "NUL character" in answer.json()["detail"]
    page = client.get("/works?q=a%00b")
    assert page.status_code == 400
    assert page["Content-Type"].startswith("text/plain")


def test_errors_are_described_as_problems_with_links_between_operations(client: Client) -> None:
    described = client.get("/api/v1/openapi.json").json()
    listing = described["paths"]["/api/v1/works"]["get"]
    assert "application/problem+json" in listing["responses"]["400"]["content"]
    assert listing["responses"]["200"]["links"]["GetWork"]["operationId"] == "getWork"
