"""`{% download_menu work %}`: the work page offers a download link for every export format."""

from __future__ import annotations

import pytest
from django.template import Context, Template
from django.test import Client

from ficarchive.exports.formats import export_formats
from ficarchive.exports.templatetags.downloads import download_links
from tests.cast import make_user, make_work

pytestmark = pytest.mark.django_db


def test_every_format_has_a_link_named_for_the_work() -> None:
    work = make_work(make_user("author"), title="A Study in Scarlet")
    links = download_links(work)
    assert [label for label, _ in links] == [export.label for export in export_formats()]
    for (_, url), export in zip(links, export_formats(), strict=True):
        assert url.startswith(f"/downloads/{work.pk}/")
        assert url.endswith(f".{export.extension.lstrip('.')}")


def test_the_tag_renders_the_menu() -> None:
    work = make_work(make_user("author"))
    html = Template("{% load downloads %}{% download_menu work %}").render(Context({"work": work}))
    assert '<li class="download">' in html
    assert html.count("<a href=") == len(export_formats())


def test_the_work_page_and_a_chapter_page_carry_the_menu(client: Client) -> None:
    work = make_work(make_user("author"), chapters=2)
    label = export_formats()[0].label
    for page in (work.get_absolute_url(), work.chapters.order_by("position")[1].get_absolute_url()):
        content = client.get(page).content.decode()
        assert "<summary>Download</summary>" in content
        assert label in content
