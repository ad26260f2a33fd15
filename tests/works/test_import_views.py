from __future__ import annotations

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from ficarchive.works.models import Work
from tests.cast import make_user

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
    response = client.post(reverse("works:import"), {"folder": files, "post": "on"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "2 imported, 0 skipped as already imported, 1 failed." in page
    assert "broken.txt" in page
    assert "binary file" in page
    assert Work.objects.filter(posted=True).count() == 2


def test_importing_needs_a_file_and_an_account(client: Client) -> None:
    assert client.get(reverse("works:import")).status_code == 302
    client.force_login(make_user("author"))
    response = client.post(reverse("works:import"), {})
    assert response.status_code == 400
    assert "Choose at least one file" in response.content.decode()
