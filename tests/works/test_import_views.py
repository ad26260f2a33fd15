from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from ficarchive.works.models import Work
from tests.cast import make_user
from tests.texts.hostile_files import hostile_file

pytestmark = pytest.mark.django_db

STORY = Path(__file__).parent.parent / "fixtures" / "everything-back-but-you.txt"


def _upload(name: str, data: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/octet-stream")


def test_one_file_becomes_a_draft_shown_as_a_preview(client: Client) -> None:
    client.force_login(make_user("author"))
    response = client.post(
        reverse("works:import"), {"files": [_upload("story.txt", STORY.read_bytes())]}
    )
    work = Work.objects.get()
    assert response["Location"] == reverse("works:preview", args=[work.pk])
    assert not work.posted
    page = client.get(response["Location"]).content.decode()
    assert "Everything Back But You" in page
    assert "So I found this on my hard drive" in page


def test_a_folder_upload_reports_every_file(client: Client) -> None:
    client.force_login(make_user("author"))
    files = [
        _upload("story.txt", STORY.read_bytes()),
        _upload("second.md", b"# Two\n\nSome text here."),
        _upload("broken.txt", b"\x00\x01" * 50),
    ]
    response = client.post(
        reverse("works:import"), {"folder": files, "post": "on", "fandom": "Original Work"}
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "2 imported, 0 skipped as already imported, 1 failed." in page
    assert "broken.txt" in page
    assert "binary file" in page
    assert Work.objects.filter(posted=True, tags__name="Original Work").count() == 2


def test_posting_files_that_name_no_fandom_keeps_them_as_drafts_and_says_why(
    client: Client,
) -> None:
    client.force_login(make_user("author"))
    files = [_upload("second.md", b"# Two\n\nSome text here.")]
    response = client.post(reverse("works:import"), {"files": files, "post": "on"})
    page = response.content.decode()
    assert "kept as a draft: the file names no fandom" in page
    assert not Work.objects.get().posted


def test_importing_needs_a_file_and_an_account(client: Client) -> None:
    assert client.get(reverse("works:import")).status_code == 302
    client.force_login(make_user("author"))
    response = client.post(reverse("works:import"), {})
    assert response.status_code == 400
    assert "Choose at least one file" in response.content.decode()


def test_it_refuses_an_upload_over_the_size_limit_before_reading_it(
    client: Client, settings: Any
) -> None:
    settings.IMPORT_MAX_UPLOAD_MB = 1
    client.force_login(make_user("author"))
    big = _upload("big.txt", b"word " * 300_000)  # 1.5 MB
    response = client.post(reverse("works:import"), {"files": [big]})
    assert response.status_code == 413
    assert "The upload is 1 MB; one import takes at most 1 MB of files" in response.content.decode()
    assert not Work.objects.exists()


def test_it_says_how_many_files_one_import_takes(client: Client, settings: Any) -> None:
    settings.DATA_UPLOAD_MAX_NUMBER_FILES = 2
    client.force_login(make_user("author"))
    files = [_upload(f"story{n}.txt", b"A story.") for n in range(3)]
    response = client.post(reverse("works:import"), {"folder": files})
    assert response.status_code == 400
    assert "One import takes at most 2 files" in response.content.decode()
    assert not Work.objects.exists()


def test_it_still_checks_the_csrf_token_of_an_upload() -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(make_user("author"))
    response = client.post(reverse("works:import"), {"files": [_upload("a.txt", b"A story.")]})
    assert response.status_code == 403
    assert not Work.objects.exists()


def test_a_hostile_file_is_named_with_its_limit_and_the_others_are_imported(
    client: Client,
) -> None:
    client.force_login(make_user("author"))
    name, bomb = hostile_file("yaml-alias-bomb")
    files = [_upload(name, bomb), _upload("story.txt", STORY.read_bytes())]
    response = client.post(reverse("works:import"), {"folder": files})
    page = response.content.decode()
    assert response.status_code == 200
    assert "1 imported as drafts, 0 skipped as already imported, 1 failed." in page
    assert f"<td>{name}</td>" in page
    assert "uses more than 10 anchors and aliases" in page
    assert Work.objects.get().title == "Everything Back But You"


def test_a_work_over_the_word_limit_is_refused_in_words(client: Client, settings: Any) -> None:
    settings.IMPORT_MAX_WORDS = 1000
    client.force_login(make_user("author"))
    response = client.post(
        reverse("works:import"), {"files": [_upload("long.txt", STORY.read_bytes())]}
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert "long.txt" in page
    assert "The work is longer than 1,000 words".lower() in page.lower()
    assert not Work.objects.exists()


def test_the_import_page_states_the_limits(client: Client, settings: Any) -> None:
    settings.IMPORT_MAX_WORDS = 250_000
    client.force_login(make_user("author"))
    page = client.get(reverse("works:import")).content.decode()
    assert "Each file up to 30 MB and 250,000 words; at most 1,000 files and 200 MB" in page
