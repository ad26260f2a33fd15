"""Every page has exactly one <h1>, its main heading (the header's logo is not one), for a guest,
a reader and the writer whose works they are."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.conf import settings
from django.test import Client

from ficarchive.accounts.identity import email_change_link
from ficarchive.accounts.models import User
from ficarchive.accounts.resets import reset_link
from ficarchive.community.models import Bookmark
from ficarchive.overlap.models import Check
from ficarchive.tags.models import tag_works_url
from ficarchive.works.models import Series
from tests.cast import make_user, make_work
from tests.markup import texts_of

pytestmark = pytest.mark.django_db

# The pages that ask the reader to log in: a guest lands on the log-in page instead. (A draft is
# "not found" for anyone but its creators; stats are refused to anyone but their writer.)
LOGGED_IN_ONLY = {
    "preferences",
    "export my data",
    "password",
    "new pseud",
    "delete account",
    "inbox",
    "updates",
    "history",
    "subscriptions",
    "saved searches",
    "mutes",
    "posting form",
    "import form",
    "edit work",
    "new chapter",
    "manage chapters",
    "delete work",
    "edit series",
    "drafts",
    "overlap checks",
    "overlap check running",
    "overlap report",
}


@dataclass
class Archive:
    author: User
    reader: User
    pages: dict[str, str]


@pytest.fixture
def archive() -> Archive:
    author, reader = make_user("author"), make_user("reader")
    work = make_work(
        author,
        chapters=3,
        fandoms=["Gilmore Girls"],
        new_series_title="Stars Hollow",
        end_notes="The end.",
    )
    explicit = make_work(author, title="Late", rating="Explicit")
    draft = make_work(author, title="Unposted", posted=False)
    series = Series.objects.get(serial_works__work=work)
    Bookmark.objects.create(user=reader, work=work)
    running = Check.objects.create(user=author, work=draft)
    done = Check.objects.create(user=author, work=draft, state=Check.State.DONE, findings=[])
    second = work.chapters.get(position=2)
    w = f"/works/{work.pk}"
    pages = {
        "home": "/",
        "works": "/works",
        "work": w,
        "chapter": second.get_absolute_url(),
        "entire work": f"{w}?view_full_work=true",
        "chapter index": f"{w}/navigate",
        "adult check": explicit.get_absolute_url(),
        "work's bookmarks": f"{w}/bookmarks",
        "comment form": f"{w}/comments/new",
        "tag page": tag_works_url("Gilmore Girls"),
        "search": "/search",
        "search results": "/search?q=Gilmore",
        "user page": "/users/author",
        "pseud page": "/users/author/pseuds/author",
        "series": series.get_absolute_url(),
        "user's series": "/users/author/series",
        "bookmark search": "/bookmarks/search",
        "bookmark search results": "/bookmarks/search?query=Gilmore",
        "user's bookmarks": "/users/reader/bookmarks",
        "login": "/users/login",
        "signup": "/signup",
        "preferences": "/account/preferences",
        "export my data": "/account/export",
        "password": "/account/password",
        "forgot password": "/account/password/reset",
        "reset link sent": "/account/password/reset/sent",
        "reset link not valid": "/account/password/reset/MQ/expired-token",
        # For an account nobody here logs in to: logging in would spend the link.
        "set new password": reset_link(make_user("forgetful")).removeprefix(settings.SITE_URL),
        "new pseud": "/account/pseuds/new",
        "change email": "/account/email",
        "confirm email": email_change_link(author, "new@example.org").removeprefix(
            settings.SITE_URL
        ),
        "email link not valid": "/account/email/confirm/not-a-link",
        "change user name": "/account/username",
        "delete account": "/account/delete",
        "inbox": "/inbox",
        "updates": "/updates",
        "history": "/users/author/readings",
        "subscriptions": "/users/author/subscriptions",
        "saved searches": "/search/saved",
        "mutes": "/search/mutes",
        "stats": "/users/author/stats",
        "posting form": "/works/new",
        "import form": "/works/import",
        "edit work": f"{w}/edit",
        "new chapter": f"{w}/chapters/new",
        "manage chapters": f"{w}/chapters/manage",
        "delete work": f"{w}/delete",
        "edit series": f"/series/{series.pk}/edit",
        "drafts": "/users/author/works/drafts",
        "draft": draft.get_absolute_url(),
        "overlap checks": f"/works/{draft.pk}/overlap",
        "overlap check running": f"/works/{draft.pk}/overlap/{running.pk}",
        "overlap report": f"/works/{draft.pk}/overlap/{done.pk}",
        "not found": "/works/999999",
        "no such address": "/no/such/page",
    }
    return Archive(author, reader, pages)


def _main_headings(client: Client, url: str) -> tuple[int, list[str]]:
    response = client.get(url, follow=True)
    return response.status_code, texts_of(response.content.decode(), "h1")


def _pages_without_one_h1(client: Client, pages: dict[str, str]) -> dict[str, list[str]]:
    wrong = {}
    for name, url in pages.items():
        _, headings = _main_headings(client, url)
        if len(headings) != 1:
            wrong[f"{name} ({url})"] = headings
    return wrong


def test_every_page_has_one_h1_for_a_guest(archive: Archive) -> None:
    client = Client()
    assert _pages_without_one_h1(client, archive.pages) == {}
    # The pages that need an account showed the log-in page's heading, not their own.
    for name in LOGGED_IN_ONLY:
        assert _main_headings(client, archive.pages[name])[1] == ["Log in"], name


def test_every_page_has_one_h1_for_a_reader(archive: Archive) -> None:
    client = Client()
    client.force_login(archive.reader)
    assert _pages_without_one_h1(client, archive.pages) == {}


def test_every_page_has_one_h1_for_the_writer_who_sees_each_of_them(archive: Archive) -> None:
    client = Client()
    client.force_login(archive.author)
    assert _pages_without_one_h1(client, archive.pages) == {}
    for name, url in archive.pages.items():
        status, _ = _main_headings(client, url)
        expected = {
            "not found": 404,
            "no such address": 404,
            "reset link not valid": 400,
            "email link not valid": 400,
        }
        assert status == expected.get(name, 200), name


def test_the_work_page_heading_is_the_works_title(archive: Archive) -> None:
    client = Client()
    assert _main_headings(client, archive.pages["work"])[1] == ["Everything Back But You"]
    assert _main_headings(client, archive.pages["chapter"])[1] == ["Everything Back But You"]
    assert _main_headings(client, "/")[1] == ["Welcome to ficarchive"]
    # A series keeps its title in the h2 FanFicFare reads (tests/exports/test_fanficfare.py).
    assert _main_headings(client, archive.pages["series"])[1] == ["Series"]


def test_the_describe_page_has_one_h1(archive: Archive) -> None:
    assert len(_main_headings(Client(), "/search/describe")[1]) == 1
