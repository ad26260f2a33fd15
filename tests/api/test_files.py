"""Files through the API: a story file imported as a new work (the import page's path and
messages), and a work's downloads by format, with the web's privacy."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import FileResponse
from django.test import Client, override_settings

from ficarchive.works.models import Work
from tests.api.calls import Bearer
from tests.cast import make_user, make_work

pytestmark = pytest.mark.django_db

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"


def _file(answer: object) -> bytes:
    assert isinstance(answer, FileResponse), answer
    return b"".join(answer.streaming_content)  # type: ignore[arg-type]


def _upload(client: Client, name: str, data: bytes, **fields: str) -> Any:
    return client.post("/api/v1/imports", {"file": SimpleUploadedFile(name, data), **fields})


def test_an_ao3_download_imports_as_a_draft_then_is_skipped_the_second_time(
    bearer: Bearer,
) -> None:
    writer = bearer(make_user("writer"), "write")
    data = (FIXTURES / "ao3-download.html").read_bytes()

    made = _upload(writer, "ao3-download.html", data)
    assert made.status_code == 201, made.content
    answer = made.json()
    assert answer["status"] == "imported"
    work = Work.objects.get(pk=answer["work"]["id"])
    assert not work.posted
    assert answer["work"]["title"] == work.title
    assert answer["work"]["fandoms"]  # the file's tags came along

    again = _upload(writer, "copy.html", data)
    assert again.status_code == 200
    assert again.json()["status"] == "skipped"
    assert again.json()["work"]["id"] == work.pk
    assert Work.objects.count() == 1


def test_an_import_posts_with_the_fandom_given_when_the_file_names_none(bearer: Bearer) -> None:
    writer = bearer(make_user("writer"), "write")
    data = (FIXTURES / "raspberries.md").read_bytes()

    made = _upload(writer, "raspberries.md", data, post="true", fandom="Original Work")

    assert made.status_code == 201, made.content
    assert made.json()["work"]["posted"] is True
    assert made.json()["work"]["fandoms"] == ["Original Work"]


def test_a_file_that_cannot_be_read_is_refused_naming_it(bearer: Bearer) -> None:
    writer = bearer(make_user("writer"), "write")

    refused = _upload(writer, "broken.epub", b"PK\x03\x04 not really a zip")

    assert refused.status_code == 400
    assert refused["Content-Type"] == "application/problem+json"
    assert refused.json()["field"] == "file"
    assert refused.json()["detail"].startswith("broken.epub: ")
    assert Work.objects.count() == 0


@override_settings(IMPORT_MAX_FILE_MB=1)
def test_a_file_over_the_size_limit_is_refused_unread(bearer: Bearer) -> None:
    writer = bearer(make_user("writer"), "write")

    refused = _upload(writer, "huge.txt", b"word " * 300_000)

    assert refused.status_code == 413
    assert "huge.txt: the file is" in refused.json()["detail"]


@override_settings(IMPORT_MAX_UPLOAD_MB=1)
def test_an_upload_larger_than_a_call_takes_is_refused_before_it_is_read(
    bearer: Bearer,
) -> None:
    writer = bearer(make_user("writer"), "write")

    refused = _upload(writer, "huge.txt", b"word " * 300_000)

    assert refused.status_code == 413
    assert refused["Content-Type"] == "application/problem+json"
    assert "IMPORT_MAX_UPLOAD_MB" in refused.json()["detail"]


def test_importing_needs_a_write_token(bearer: Bearer) -> None:
    data = (FIXTURES / "raspberries.md").read_bytes()
    assert _upload(bearer(make_user("reader"), "read"), "r.md", data).status_code == 403
    assert _upload(Client(), "r.md", data).status_code == 401
    assert Work.objects.count() == 0


def test_a_work_downloads_as_the_web_gives_it() -> None:
    work = make_work(make_user("author"), title="Curiouser", fandoms=["Alice"])
    guest = Client()

    listed = guest.get(f"/api/v1/works/{work.pk}").json()["downloads"]
    epub = next(entry for entry in listed if entry["format"] == "epub")
    answer = guest.get(epub["api_url"])

    assert answer.status_code == 200
    assert answer["Content-Type"] == "application/epub+zip"
    assert 'filename="Curiouser.epub"' in answer["Content-Disposition"]
    body = _file(answer)
    assert zipfile.ZipFile(io.BytesIO(body)).read("mimetype") == b"application/epub+zip"
    web = guest.get(epub["url"])
    assert _file(web) == body  # the same file
    unchanged = guest.get(epub["api_url"], HTTP_IF_NONE_MATCH=answer["ETag"])
    assert unchanged.status_code == 304


def test_a_restricted_work_downloads_with_a_token_only(bearer: Bearer) -> None:
    work = make_work(make_user("author"), title="Locked", fandoms=["F"], restricted=True)
    address = f"/api/v1/works/{work.pk}/downloads/html"

    assert Client().get(address).status_code == 404
    answer = bearer(make_user("reader"), "read").get(address)
    assert answer.status_code == 200
    assert b"Locked" in _file(answer)
    assert answer["Cache-Control"] == "private, no-cache"


def test_a_draft_downloads_for_its_creator_only(bearer: Bearer) -> None:
    author = make_user("author")
    work = make_work(author, title="Draft", fandoms=["F"], posted=False)
    address = f"/api/v1/works/{work.pk}/downloads/txt"

    assert bearer(make_user("other"), "read").get(address).status_code == 404
    assert bearer(author, "read").get(address).status_code == 200


def test_an_unknown_format_is_a_problem_listing_the_formats() -> None:
    work = make_work(make_user("author"), fandoms=["F"])

    answer = Client().get(f"/api/v1/works/{work.pk}/downloads/docx")

    assert answer.status_code == 404
    assert answer.json()["field"] == "file_format"
    assert "epub" in answer.json()["detail"]


def test_a_multipart_body_that_cannot_be_read_is_a_problem(bearer: Bearer) -> None:
    writer = bearer(make_user("writer"), "write")

    answer = writer.generic(
        "POST", "/api/v1/imports", b"--x\r\nhalf a part", content_type="multipart/form-data"
    )

    assert answer.status_code == 400
    assert answer.json()["field"] == "body"
    assert "boundary" in answer.json()["detail"]
