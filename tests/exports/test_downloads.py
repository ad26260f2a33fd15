from __future__ import annotations

import re
import zipfile
from io import BytesIO
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from ficarchive.exports.epub import render_epub
from ficarchive.exports.formats import file_name
from tests.cast import make_user, make_work
from tests.markup import body

pytestmark = pytest.mark.django_db


def _url(work_id: int, title: str, extension: str) -> str:
    return reverse("exports:download", args=[work_id, file_name(title), extension])


def test_ao3_style_file_names() -> None:
    assert file_name("Everything Back But You") == "Everything_Back_But_You"
    assert file_name("Café: a story about the longest title ever") == "Cafe_a_story_about_the_l"
    assert file_name("日本語") == "Work"


def test_the_work_page_offers_downloads_that_work(client: Client) -> None:
    work = make_work(title="Everything Back But You", chapters=2)
    page = client.get(work.get_absolute_url()).content.decode()
    epub_url = _url(work.pk, work.title, "epub")
    assert epub_url in page
    response = client.get(epub_url)
    assert response["Content-Type"] == "application/epub+zip"
    assert 'filename="Everything_Back_But_You.epub"' in response["Content-Disposition"]
    archive = zipfile.ZipFile(BytesIO(body(response)))
    assert archive.namelist()[0] == "mimetype"
    html = client.get(_url(work.pk, work.title, "html"))
    assert b'<div id="preface">' in body(html)


def test_downloads_keep_drafts_and_restricted_works_private(client: Client) -> None:
    author = make_user("author")
    draft = make_work(author, title="Draft", posted=False)
    locked = make_work(author, title="Locked", restricted=True)
    for work in (draft, locked):
        assert client.get(_url(work.pk, work.title, "epub")).status_code == 404
    client.force_login(make_user("reader"))
    assert client.get(_url(draft.pk, draft.title, "html")).status_code == 404
    assert client.get(_url(locked.pk, locked.title, "html")).status_code == 200
    client.force_login(author)
    assert client.get(_url(draft.pk, draft.title, "html")).status_code == 200


def test_an_unknown_format_is_not_found(client: Client) -> None:
    work = make_work()
    assert client.get(_url(work.pk, work.title, "exe")).status_code == 404


def test_the_epub_has_a_cover_a_preface_chapters_and_an_afterword_linking_back(
    settings: Any,
) -> None:
    settings.SITE_URL = "https://fics.example.org"
    work = make_work(
        title="Everything Back But You",
        chapters=2,
        fandoms=["Gilmore Girls"],
        relationships=["Rory Gilmore/Jess Mariano"],
    )
    book = zipfile.ZipFile(BytesIO(render_epub(work)))
    package = book.read("OEBPS/content.opf").decode()
    spine = re.findall(r'<itemref idref="([^"]+)"', package)
    assert spine == ["cover", "preface", "chapter001", "chapter002", "afterword"]
    cover = book.read("OEBPS/cover.xhtml").decode()
    for shown in ("Everything Back But You", "by author", "Gilmore Girls", "Rory Gilmore/Jess"):
        assert shown in cover
    link = f"https://fics.example.org/works/{work.pk}"
    assert f'href="{link}"' in book.read("OEBPS/preface.xhtml").decode()
    assert f'href="{link}"' in book.read("OEBPS/afterword.xhtml").decode()
    assert 'epub:type="cover" href="cover.xhtml"' in book.read("OEBPS/nav.xhtml").decode()
