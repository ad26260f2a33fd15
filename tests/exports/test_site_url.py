"""SITE_URL: links in downloads and emails point where the archive serves, even when unset."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from ficarchive.community.models import Update
from ficarchive.community.subscriptions import send_digests
from ficarchive.config import site_url
from ficarchive.exports.formats import file_name
from ficarchive.exports.services import downloads_dir
from tests.cast import make_user, make_work
from tests.markup import body


def _html_download(client: Client, work_id: int, title: str) -> str:
    url = reverse("exports:download", args=[work_id, file_name(title), "html"])
    return body(client.get(url)).decode()


def test_an_unset_site_url_is_where_serve_listens(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SITE_URL", raising=False)
    monkeypatch.delenv("HOST", raising=False)
    monkeypatch.setenv("PORT", "8123")
    assert site_url() == "http://127.0.0.1:8123"
    monkeypatch.setenv("HOST", "0.0.0.0")
    assert site_url() == "http://localhost:8123"
    monkeypatch.setenv("HOST", "fics.lan")
    assert site_url() == "http://fics.lan:8123"
    # `ficarchive serve --host … --port …` passes what it listens on.
    assert site_url("::", 9000) == "http://localhost:9000"
    assert site_url("fd00::5", 80) == "http://[fd00::5]"


def test_a_set_site_url_wins_over_host_and_port(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SITE_URL", "https://fics.example.org/")
    monkeypatch.setenv("PORT", "8123")
    assert site_url() == "https://fics.example.org"


def test_the_settings_follow_port_when_site_url_is_unset(tmp_path: Path) -> None:
    environment = {
        key: value for key, value in os.environ.items() if key not in {"SITE_URL", "HOST"}
    }
    environment.update(
        PORT="8123",
        FICARCHIVE_DATA=str(tmp_path),
        DJANGO_SETTINGS_MODULE="ficarchive.settings",
    )
    printed = subprocess.run(
        [sys.executable, "-c", "from django.conf import settings; print(settings.SITE_URL)"],
        env=environment,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    assert printed == "http://127.0.0.1:8123"


@pytest.mark.django_db
def test_a_download_links_back_to_the_port_the_archive_serves_on(
    client: Client, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SITE_URL", raising=False)
    monkeypatch.delenv("HOST", raising=False)
    monkeypatch.setenv("PORT", "8123")
    settings.SITE_URL = site_url()
    work = make_work(title="Everything Back But You")
    page = _html_download(client, work.pk, work.title)
    assert f'href="http://127.0.0.1:8123/works/{work.pk}"' in page
    assert ":8000" not in page


@pytest.mark.django_db
def test_a_download_made_for_another_address_is_made_again(client: Client, settings: Any) -> None:
    work = make_work(title="Everything Back But You")
    settings.SITE_URL = "http://localhost:8000"
    assert "http://localhost:8000/works/" in _html_download(client, work.pk, work.title)
    settings.SITE_URL = "http://localhost:8123"
    again = _html_download(client, work.pk, work.title)
    assert "http://localhost:8123/works/" in again
    assert "http://localhost:8000" not in again
    # The file made for the old address is gone; the new one is kept.
    stored = list((downloads_dir() / str(work.pk)).rglob("*.html"))
    assert len(stored) == 1


@pytest.mark.django_db
def test_emails_link_to_the_port_the_archive_serves_on(
    settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SITE_URL", raising=False)
    monkeypatch.delenv("HOST", raising=False)
    monkeypatch.setenv("PORT", "8123")
    settings.SITE_URL = site_url()
    work = make_work(make_user("author"))
    reader = make_user("reader")
    reader.update_emails = "daily"
    reader.save()
    Update.objects.create(user=reader, event="work:1", work=work, text="New work by author")
    assert send_digests() == 1
    digest = mail.outbox[0].body
    assert f"http://127.0.0.1:8123{work.get_absolute_url()}" in digest
    assert "http://127.0.0.1:8123/" in digest.split(work.get_absolute_url(), 1)[1]
    assert ":8000" not in digest
