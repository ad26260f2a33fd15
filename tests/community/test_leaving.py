"""Deleting an account, with its works orphaned or deleted: afterwards nothing names the user,
on pages, in search, feeds, OPDS, downloads or the overlap check, and what others left stays."""

from __future__ import annotations

import zipfile
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from io import BytesIO, StringIO
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from ficarchive.accounts.identity import change_username
from ficarchive.accounts.models import User
from ficarchive.accounts.services import (
    ORPHAN_ACCOUNT,
    AccountError,
    SignUp,
    default_pseud,
    sign_up,
)
from ficarchive.community.bookmarks import BookmarkData, create_bookmark
from ficarchive.community.kudos import leave_kudos
from ficarchive.community.leaving import LeavingError, delete_account
from ficarchive.community.models import Bookmark, Comment, Kudos, Reading, Subscription
from ficarchive.community.subscriptions import notify_work, subscribe_to_user
from ficarchive.exports.account_export import make_export
from ficarchive.exports.formats import file_name
from ficarchive.exports.services import downloads_dir
from ficarchive.jobs.services import work_off
from ficarchive.overlap import services as overlap
from ficarchive.search import services as search
from ficarchive.works.models import Series, Work
from tests.cast import PASSWORD, make_user, make_work
from tests.community.comment_cast import comment_on, loaded, make_reader
from tests.markup import body

pytestmark = pytest.mark.django_db

NAME = "wrenfield"
# Their solo work: a text no other work has, long enough for the overlap check's passages.
SOLO_TEXT = "\n\n".join(
    [
        "The quillfeather lighthouse keeper counted the gulls every morning before the ferry "
        "came, writing their numbers in a ledger bound with blue thread and salt-stiff leather.",
        "Nobody on the island asked why. Marguerite brought him bread on Thursdays and left it "
        "on the third step, where the wind could not reach, and he left her a shell in return.",
        "In the winter of the long storm the ledger filled, and he began a second one, though "
        "the gulls had gone south and there was nothing to count but the waves and the lamps.",
        "When the ferry finally returned in April it carried a girl with a violin case and a "
        "letter addressed to the keeper in handwriting he had not seen for thirty-one years.",
        "He read it on the rocks below the tower, twice, then folded it into the ledger between "
        "the pages for the ninth of March and the tenth, where the count of gulls was zero.",
    ]
)
SHARED_TEXT = "The marblewick orchard kept its apples for two writers who never met in person."


@dataclass
class Scene:
    leaver: User
    partner: User
    reader: User
    solo: Work
    shared: Work
    draft: Work
    partners: Work


@pytest.fixture
def scene() -> Scene:
    leaver, partner, reader = make_reader(NAME), make_reader("partner"), make_reader("reader")
    solo = make_work(
        leaver,
        title="The Keeper's Ledger",
        body=SOLO_TEXT,
        fandoms=["Lighthouse Tales"],
        new_series_title="Island Stories",
    )
    shared = make_work(leaver, partner, title="Orchard", body=SHARED_TEXT, fandoms=["Orchards"])
    draft = make_work(leaver, title="Unfinished", posted=False)
    partners = make_work(partner, title="The Partner's Own", fandoms=["Orchards"])
    # What others left on the leaver's work, and what the leaver left on others'.
    create_bookmark(reader, BookmarkData(notes="Lovely."), work=solo)
    leave_kudos(loaded(solo), reader)
    comment_on(solo, reader, "The ledger between March the ninth and tenth!")
    comment_on(partners, leaver, "This made my week.")
    leave_kudos(loaded(partners), leaver)
    create_bookmark(leaver, BookmarkData(), work=partners)
    subscribe_to_user(leaver, "partner")
    Reading.objects.create(user=leaver, work=partners, last_read_at=timezone.now())
    for work in (solo, shared, partners):
        search.index_work(work.pk)
        overlap.index_work(work.pk)
    return Scene(leaver, partner, reader, solo, shared, draft, partners)


Committed = Callable[[], AbstractContextManager[Any]]


@pytest.fixture
def committed(django_capture_on_commit_callbacks: Any) -> Committed:
    """Runs what the block schedules after its commit, as a real request would."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


def leave(scene: Scene, committed: Committed, works: str) -> Client:
    """The leaver deletes their account on the web, and the jobs it queued run."""
    client = Client()
    client.force_login(scene.leaver)
    with committed():
        response = client.post(
            reverse("community:account_delete"), {"works": works, "password": PASSWORD}
        )
    assert response.status_code == 302, response.content.decode()
    work_off()
    return client


def found(text: str) -> set[str]:
    return {work.title for work in search.search(AnonymousUser(), text).works}


def overlap_sources(text: str) -> set[int]:
    checker = make_user("checker")
    report = overlap.check_texts([text], checker, scope="archive")
    return {finding.source.work_id for finding in report.findings}


def unzipped(content: bytes) -> bytes:
    """A file's bytes; an EPUB's, every file in it."""
    if not content.startswith(b"PK"):
        return content
    with zipfile.ZipFile(BytesIO(content)) as epub:
        return b"".join(epub.read(name) for name in epub.namelist())


def text_of(client: Client, url: str) -> bytes:
    response = client.get(url)
    assert response.status_code == 200, url
    return unzipped(body(response))


def names_them(client: Client, url: str) -> bool:
    return NAME.encode() in text_of(client, url)


def download_url(work: Work, extension: str) -> str:
    return reverse("exports:download", args=[work.pk, file_name(work.title), extension])


PUBLIC_PAGES = [
    "/",
    "/works",
    "/opds/recent",
    "/opds/v2/recent",
    "/tags/Orchards/feed.atom",
    "/users/partner/pseuds/partner/works.atom",
]


# -- orphaning -----------------------------------------------------------------------------------


def test_subscribers_updates_about_an_orphaned_work_no_longer_name_the_user(
    scene: Scene, committed: Committed
) -> None:
    subscribe_to_user(scene.reader, NAME)
    notify_work(scene.solo.pk)
    reader = Client()
    reader.force_login(scene.reader)
    assert names_them(reader, "/updates")
    leave(scene, committed, "orphan")
    page = text_of(reader, "/updates").decode()
    assert NAME not in page
    assert f"New work by {ORPHAN_ACCOUNT}: The Keeper" in page


def test_orphaned_works_stay_credited_to_orphan_account_and_nothing_names_the_user(
    scene: Scene, committed: Committed
) -> None:
    guest = Client()
    assert NAME.encode() in guest.get(scene.partners.get_absolute_url()).content  # cached
    assert names_them(guest, download_url(scene.solo, "epub"))  # a download file stored
    client = leave(scene, committed, "orphan")

    orphan = default_pseud(User.objects.get(username=ORPHAN_ACCOUNT))
    scene.solo.refresh_from_db()
    assert scene.solo.creators == [orphan]
    # In the leaver's place on the byline.
    assert Work.objects.get(pk=scene.shared.pk).creators == [orphan, default_pseud(scene.partner)]
    assert not Work.objects.filter(pk=scene.draft.pk).exists()
    assert list(Series.objects.get(title="Island Stories").pseuds.all()) == [orphan]

    assert found("quillfeather") == {"The Keeper's Ledger"}
    assert found(f"creator:{ORPHAN_ACCOUNT}") == {"The Keeper's Ledger", "Orchard"}
    assert found(f"creator:{NAME}") == set()
    assert found(NAME) == set()
    assert overlap_sources(SOLO_TEXT) == {scene.solo.pk}

    for url in [
        *PUBLIC_PAGES,
        "/tags/Lighthouse%20Tales/feed.atom",
        scene.solo.get_absolute_url(),
        scene.shared.get_absolute_url(),
        scene.partners.get_absolute_url(),
        download_url(scene.solo, "epub"),
        download_url(scene.solo, "html"),
        "/series/{}".format(Series.objects.get(title="Island Stories").pk),
    ]:
        assert not names_them(guest, url), url
    assert ORPHAN_ACCOUNT.encode() in text_of(guest, download_url(scene.solo, "html"))
    # The files made before are not kept beside the new ones.
    stored = list((downloads_dir() / str(scene.solo.pk)).rglob("*.*"))
    assert len(stored) == 2
    assert not any(NAME.encode() in unzipped(path.read_bytes()) for path in stored)
    assert client.get(f"/users/{NAME}").status_code == 404
    assert client.get(f"/users/{NAME}/pseuds/{NAME}/works.atom").status_code == 404


def test_orphaned_works_keep_their_comments_kudos_and_bookmarks(
    scene: Scene, committed: Committed
) -> None:
    leave(scene, committed, "orphan")
    solo = Work.objects.get(pk=scene.solo.pk)
    assert (solo.kudos_count, solo.comments_count, solo.bookmarks_count) == (1, 1, 1)
    assert Bookmark.objects.filter(user=scene.reader, work=solo).exists()
    assert Kudos.objects.filter(user=scene.reader, work=solo).exists()
    page = Client().get(solo.get_absolute_url()).content.decode()
    assert "The ledger between March the ninth and tenth!" in page


# -- deleting ------------------------------------------------------------------------------------


def test_deleted_works_are_gone_from_search_the_overlap_check_feeds_and_downloads(
    scene: Scene, committed: Committed
) -> None:
    guest = Client()
    assert names_them(guest, download_url(scene.solo, "epub"))
    leave(scene, committed, "delete")

    assert not Work.objects.filter(pk__in=[scene.solo.pk, scene.draft.pk]).exists()
    assert not Series.objects.filter(title="Island Stories").exists()
    assert not User.objects.filter(username=ORPHAN_ACCOUNT).exists()
    assert found("quillfeather") == set()
    assert found(f"creator:{NAME}") == set()
    assert overlap_sources(SOLO_TEXT) == set()
    assert guest.get(scene.solo.get_absolute_url()).status_code == 404
    assert guest.get(download_url(scene.solo, "epub")).status_code == 404
    for url in [*PUBLIC_PAGES, scene.shared.get_absolute_url(), scene.partners.get_absolute_url()]:
        assert not names_them(guest, url), url
    assert guest.get(f"/users/{NAME}").status_code == 404
    assert guest.get(f"/users/{NAME}/pseuds/{NAME}/works.atom").status_code == 404


def test_a_co_created_work_stays_with_the_other_creator(scene: Scene, committed: Committed) -> None:
    leave(scene, committed, "delete")
    shared = Work.objects.get(pk=scene.shared.pk)
    assert shared.creators == [default_pseud(scene.partner)]
    assert found("marblewick") == {"Orchard"}
    assert found("creator:partner") == {"Orchard", "The Partner's Own"}


# -- what the user left on others' works -----------------------------------------------------


@pytest.mark.parametrize("works", ["orphan", "delete"])
def test_their_comments_show_as_a_deleted_users_and_their_counts_stay_true(
    scene: Scene, committed: Committed, works: str
) -> None:
    leave(scene, committed, works)
    comment = Comment.objects.get(body__contains="This made my week.")
    assert comment.user_id is None
    assert comment.pseud_id is None
    page = Client().get(scene.partners.get_absolute_url()).content.decode()
    assert "This made my week." in page
    assert "(Deleted user)" in page
    assert "(Guest)" not in page
    partners = Work.objects.get(pk=scene.partners.pk)
    # Their kudos is counted as a guest's; their public bookmark went and its count with it.
    assert partners.kudos_count == Kudos.objects.filter(work=partners).count() == 1
    assert partners.bookmarks_count == Bookmark.objects.filter(work=partners).count() == 0
    assert partners.comments_count == 1


def test_their_bookmarks_history_and_subscriptions_go(scene: Scene, committed: Committed) -> None:
    leaver_id = scene.leaver.pk
    export = make_export(scene.leaver).path
    leave(scene, committed, "orphan")
    assert not export.exists()  # their data export (a zip of it all) too
    assert not User.objects.filter(pk=leaver_id).exists()
    for model in (Bookmark, Reading, Subscription):
        assert not model.objects.filter(user_id=leaver_id).exists(), model
    assert not Subscription.objects.filter(creator_id=leaver_id).exists()


# -- the page ---------------------------------------------------------------------------------


def test_the_user_is_logged_out_and_told_on_the_home_page(
    scene: Scene, committed: Committed
) -> None:
    client = Client()
    client.force_login(scene.leaver)
    with committed():
        response = client.post(
            reverse("community:account_delete"),
            {"works": "orphan", "password": PASSWORD},
            follow=True,
        )
    assert response.redirect_chain[-1][0] == "/"
    assert "Your account has been deleted." in response.content.decode()
    assert not response.wsgi_request.user.is_authenticated


def test_a_wrong_password_is_refused_at_the_field_and_nothing_changes(scene: Scene) -> None:
    client = Client()
    client.force_login(scene.leaver)
    response = client.post(
        reverse("community:account_delete"), {"works": "delete", "password": "not it"}
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert 'id="id_password_error"' in page
    assert "Password: The password is incorrect." in page
    assert User.objects.filter(pk=scene.leaver.pk).exists()
    assert Work.objects.filter(pk=scene.solo.pk).exists()


def test_the_choice_of_orphan_or_delete_is_required(scene: Scene) -> None:
    client = Client()
    client.force_login(scene.leaver)
    response = client.post(reverse("community:account_delete"), {"password": PASSWORD})
    assert response.status_code == 400
    assert 'id="id_works_error"' in response.content.decode()
    assert User.objects.filter(pk=scene.leaver.pk).exists()


def test_the_page_says_what_goes_and_is_linked_from_preferences(scene: Scene) -> None:
    client = Client()
    client.force_login(scene.leaver)
    preferences = client.get(reverse("accounts:preferences")).content.decode()
    assert reverse("community:account_delete") in preferences
    page = client.get(reverse("community:account_delete")).content.decode()
    assert "This cannot be undone." in page
    assert ORPHAN_ACCOUNT in page
    assert "2 posted works and 1 draft" in page


def test_a_guest_is_asked_to_log_in() -> None:
    response = Client().get(reverse("community:account_delete"))
    assert response.status_code == 302
    assert "/users/login" in response["Location"]


# -- orphan_account --------------------------------------------------------------------------


def test_nobody_logs_in_or_signs_up_as_orphan_account(scene: Scene, committed: Committed) -> None:
    leave(scene, committed, "orphan")
    orphan = User.objects.get(username=ORPHAN_ACCOUNT)
    assert not orphan.has_usable_password()
    with pytest.raises(LeavingError):
        delete_account(orphan, orphan=False)
    with pytest.raises(LeavingError, match="already been deleted"):
        delete_account(scene.leaver, orphan=True)  # a second click, after the first
    with pytest.raises(AccountError) as refused:
        sign_up(SignUp("Orphan_Account", "a@example.org", PASSWORD), "192.0.2.9")
    assert refused.value.field == "username"
    with pytest.raises(AccountError, match="taken") as renamed:
        change_username(scene.reader, "Orphan_Account", PASSWORD)
    assert renamed.value.field == "username"


# -- the command -----------------------------------------------------------------------------


def test_an_admin_deletes_an_account_from_the_command_line(
    scene: Scene, committed: Committed
) -> None:
    out = StringIO()
    with committed():
        call_command("delete_account", NAME.upper(), "--delete", stdout=out)
    assert out.getvalue().strip() == (
        f"delete_account: deleted {NAME}; 2 work(s) deleted, 1 kept by co-creators"
    )
    assert not User.objects.filter(username=NAME).exists()
    with pytest.raises(CommandError, match="no account named 'nobody'"):
        call_command("delete_account", "nobody", "--orphan")
    with pytest.raises(CommandError):
        call_command("delete_account", "partner")  # neither --orphan nor --delete
