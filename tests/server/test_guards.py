"""Requests refused before a view reads them (400 with a line that names the parameter), a
wrong Host header (400, logged), and what a refused write is answered with (503)."""

from __future__ import annotations

import logging
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from django.db import OperationalError
from django.test import Client, RequestFactory

from ficarchive.server.guards import MAX_QUERY_STRING, cannot_save_page, server_error
from ficarchive.storage import DISK_FULL
from tests.cast import make_user, make_work

pytestmark = pytest.mark.django_db


def _refusal(response: Any) -> str:
    assert response.status_code == 400
    text: str = response.content.decode()
    return text


def test_it_refuses_a_nul_character_in_a_parameter_naming_it(client: Client) -> None:
    text = _refusal(client.get("/search?q=jess%00rory"))
    assert "The parameter 'q' holds a NUL character" in text
    assert "NUL character" in _refusal(client.get("/works?page=1&x%00=2"))


def test_it_refuses_a_nul_character_in_the_path(client: Client) -> None:
    assert "The address holds a NUL character" in _refusal(client.get("/users/a%00b"))


def test_it_refuses_a_number_no_id_column_holds(client: Client) -> None:
    for value in ("9" * 19, "9" * 5000, "²", "١٢"):
        text = _refusal(client.get("/search", {"q": "jess", "include": value}))
        assert "The parameter 'include' must be an id like 12" in text
    assert "'work' must be an id" in _refusal(client.get("/reports/new", {"work": "²"}))


def test_other_text_in_an_id_is_left_to_the_view_to_explain(client: Client) -> None:
    assert client.get("/search", {"q": "jess", "include": "-1"}).status_code == 200
    refused = client.get("/reports/new", {"work": "abc"})
    assert refused.status_code == 400
    assert "must be given by its number" in refused.content.decode()


def test_a_refused_value_is_quoted_back_shortened(client: Client) -> None:
    text = _refusal(client.get("/search", {"exclude": "9" * 500}))
    assert "'" + "9" * 40 + "…'" in text
    assert "9" * 41 not in text


def test_it_lets_empty_and_plain_ids_through(client: Client) -> None:
    assert client.get("/search", {"q": "jess", "include": ""}).status_code == 200
    assert client.get("/search", {"q": "jess", "include": "12"}).status_code == 200


def test_page_numbers_are_left_to_the_paginator(client: Client) -> None:
    make_work()
    for value in ("9" * 40, "last", "²", "-3"):
        assert client.get("/works", {"page": value}).status_code == 200


def test_it_refuses_a_query_string_longer_than_the_limit(client: Client) -> None:
    text = _refusal(client.get("/search?q=" + "a" * MAX_QUERY_STRING))
    assert f"the archive reads up to {MAX_QUERY_STRING:,}" in text


def test_a_wrong_host_header_is_answered_400_and_logged(
    client: Client, caplog: pytest.LogCaptureFixture, settings: Any
) -> None:
    settings.DEBUG = False
    with caplog.at_level(logging.ERROR, logger="django.security.DisallowedHost"):
        response = client.get("/", HTTP_HOST="evil.example")
    assert response.status_code == 400
    assert "Bad request" in response.content.decode()
    assert any("evil.example" in record.getMessage() for record in caplog.records)


def _read_only_error(tmp_path: Path) -> OperationalError:
    """A real SQLite refusal: a write to a database opened read-only, as Django wraps it."""
    path = tmp_path / "archive.db"
    sqlite3.connect(path).execute("CREATE TABLE t (x)").connection.commit()
    database = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        database.execute("INSERT INTO t VALUES (1)")
    except sqlite3.OperationalError as refused:
        wrapped = OperationalError(str(refused))
        wrapped.__cause__ = refused
        return wrapped
    raise AssertionError("the read-only database took a write")


def test_a_refused_write_gets_the_cannot_save_page_with_503() -> None:
    response = cannot_save_page(RequestFactory().post("/works/new"), DISK_FULL)
    assert response.status_code == 503
    assert response["Retry-After"] == "300"
    text = response.content.decode()
    assert "The archive cannot save right now: disk full" in text
    assert "Reading works as usual" in text


def test_the_error_handler_answers_a_refused_write_raised_outside_a_view_with_503(
    tmp_path: Path,
) -> None:
    request = RequestFactory().post("/works/new")
    try:
        raise _read_only_error(tmp_path)
    except OperationalError:
        response = server_error(request)
    assert response.status_code == 503
    assert "cannot save right now: the data folder is read-only" in response.content.decode()


def test_the_error_handler_answers_other_errors_with_the_500_page() -> None:
    try:
        raise KeyError("something else")
    except KeyError:
        response = server_error(RequestFactory().get("/"))
    assert response.status_code == 500


def test_a_form_larger_than_the_archive_reads_gets_a_413_page_naming_the_limits(
    client: Client, settings: Any, caplog: pytest.LogCaptureFixture
) -> None:
    settings.DEBUG = False
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024 * 1024
    client.force_login(make_user("writer"))
    with caplog.at_level(logging.WARNING, logger="django.security.RequestDataTooBig"):
        response = client.post("/works/new", {"title": "Huge", "body": "word " * 300_000})
    assert response.status_code == 413
    # Logged in one line, without a traceback.
    [record] = [r for r in caplog.records if r.name == "django.security.RequestDataTooBig"]
    assert "DATA_UPLOAD_MAX_MEMORY_SIZE" in record.getMessage()
    assert record.exc_info is None
    text = response.content.decode()
    assert "That was too much to send at once" in text
    assert "forms of up to 1 MB" in text
    assert f"Up to {settings.CHAPTER_MAX_CHARACTERS:,} characters" in text


def test_other_bad_requests_keep_the_plain_400_page(client: Client, settings: Any) -> None:
    settings.DEBUG = False
    response = client.get("/", HTTP_HOST="evil.example")
    assert response.status_code == 400
    assert "too much to send" not in response.content.decode()
