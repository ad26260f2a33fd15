"""Related works: who may link, who approves, who sees the links, and where they show (both work
pages, the approvals page, downloads)."""

from __future__ import annotations

import zipfile
from io import BytesIO
from pathlib import Path

import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import Client
from django.urls import reverse

from ficarchive.accounts.models import User
from ficarchive.exports.epub import render_epub
from ficarchive.exports.html import render_html
from ficarchive.works import related
from ficarchive.works.models import RelatedWork, Work
from ficarchive.works.services import WorkError, post_work
from tests.cast import make_user, make_work
from tests.validators import epubcheck

pytestmark = pytest.mark.django_db

INSPIRED = RelatedWork.Kind.INSPIRED
SEQUEL = RelatedWork.Kind.SEQUEL


@pytest.fixture
def wren() -> User:
    return make_user("wren")


@pytest.fixture
def other() -> User:
    return make_user("other")


def _client(user: User | None = None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def _page(work: Work, user: User | None = None) -> str:
    response = _client(user).get(work.get_absolute_url())
    assert response.status_code == 200
    return str(response.content.decode())


def _seen(work: Work, user: User | AnonymousUser) -> tuple[list[str], list[str]]:
    found = related.related_of(work, related.reader(user))
    return [r.work.title for r in found.parents], [r.work.title for r in found.children]


# -- the rules -------------------------------------------------------------------------------


def test_a_link_between_two_works_of_one_writer_is_approved_at_once(wren: User) -> None:
    runaways = make_work(wren, title="The Runaways")
    ending = make_work(wren, title="Ending", posted=False)
    link = related.link_works(wren, ending, runaways, SEQUEL)
    assert link.state == RelatedWork.State.APPROVED
    assert link.get_kind_display() == "is a sequel to"
    assert _seen(runaways, wren) == ([], ["Ending"])
    assert _seen(ending, wren) == (["The Runaways"], [])


def test_a_link_to_another_writers_work_waits_for_their_approval(wren: User, other: User) -> None:
    theirs = make_work(other, title="Lighthouse")
    mine = make_work(wren, title="Keeper")
    link = related.link_works(wren, mine, theirs, INSPIRED)
    assert link.state == RelatedWork.State.PENDING
    # The child credits its parent at once; the parent lists it only once approved.
    assert _seen(mine, AnonymousUser()) == (["Lighthouse"], [])
    assert _seen(theirs, AnonymousUser()) == ([], [])
    assert [link.child.title for link in related.pending_for(other)] == ["Keeper"]
    assert related.pending_count(other) == 1
    assert related.pending_for(wren) == []

    related.answer_link(other, link.pk, approve=True)
    assert _seen(theirs, AnonymousUser()) == ([], ["Keeper"])
    assert related.pending_count(other) == 0


def test_a_declined_link_is_not_listed_on_the_parent_and_not_asked_again(
    wren: User, other: User
) -> None:
    theirs = make_work(other, title="Lighthouse")
    mine = make_work(wren, title="Keeper")
    link = related.link_works(wren, mine, theirs, INSPIRED)
    related.answer_link(other, link.pk, approve=False)
    related.link_works(wren, mine, theirs, SEQUEL)  # linking again changes only the kind
    link.refresh_from_db()
    assert (link.state, link.kind) == (RelatedWork.State.DECLINED, SEQUEL)
    assert _seen(theirs, other) == ([], [])
    assert related.pending_for(other) == []


def test_only_a_creator_of_the_child_may_link_it(wren: User, other: User) -> None:
    theirs = make_work(other, title="Lighthouse")
    mine = make_work(wren, title="Keeper")
    with pytest.raises(WorkError, match="Only a creator"):
        related.link_works(wren, theirs, mine, INSPIRED)
    with pytest.raises(WorkError, match="itself"):
        related.link_works(wren, mine, mine, INSPIRED)
    with pytest.raises(WorkError, match="not a kind"):
        related.link_works(wren, mine, theirs, "plagiarises")
    assert not RelatedWork.objects.exists()


def test_nobody_links_to_a_draft_they_cannot_see(wren: User, other: User) -> None:
    hidden = make_work(other, title="Secret Draft", posted=False)
    mine = make_work(wren, title="Keeper")
    with pytest.raises(WorkError, match="no such work"):
        related.link_works(wren, mine, hidden, INSPIRED)


def test_only_a_creator_of_the_parent_may_answer(wren: User, other: User) -> None:
    theirs = make_work(other, title="Lighthouse")
    mine = make_work(wren, title="Keeper")
    link = related.link_works(wren, mine, theirs, INSPIRED)
    stranger = make_user("stranger")
    for someone in (wren, stranger):
        with pytest.raises(WorkError, match="no such related work"):
            related.answer_link(someone, link.pk, approve=True)
    link.refresh_from_db()
    assert link.state == RelatedWork.State.PENDING


def test_a_link_from_a_draft_waits_unseen_until_the_draft_is_posted(
    wren: User, other: User
) -> None:
    theirs = make_work(other, title="Lighthouse")
    draft = make_work(wren, title="Keeper", posted=False)
    link = related.link_works(wren, draft, theirs, INSPIRED)
    assert related.pending_for(other) == []
    assert related.pending_count(other) == 0
    with pytest.raises(WorkError):
        related.answer_link(other, link.pk, approve=True)
    post_work(draft)
    assert [link.child.title for link in related.pending_for(other)] == ["Keeper"]


def test_links_to_drafts_and_restricted_works_show_only_to_readers_who_may_see_them(
    wren: User,
) -> None:
    reader = make_user("reader")
    locked = make_work(wren, title="Locked", restricted=True)
    draft = make_work(wren, title="Unposted", posted=False)
    public = make_work(wren, title="Public")
    related.link_works(wren, public, locked, INSPIRED)
    related.link_works(wren, draft, public, SEQUEL)

    assert _seen(public, AnonymousUser()) == ([], [])
    assert _seen(public, reader) == (["Locked"], [])
    assert _seen(public, wren) == (["Locked"], ["Unposted"])
    page = _page(public)
    assert "Locked" not in page
    assert "Unposted" not in page
    assert "Locked" in _page(public, reader)
    assert "Unposted" not in _page(public, reader)


def test_unlinking_is_for_the_childs_creators(wren: User, other: User) -> None:
    theirs = make_work(other, title="Lighthouse")
    mine = make_work(wren, title="Keeper")
    link = related.link_works(wren, mine, theirs, INSPIRED)
    with pytest.raises(WorkError):
        related.unlink(other, link.pk)
    related.unlink(wren, link.pk)
    assert not RelatedWork.objects.exists()


def test_a_link_moves_both_works_on_so_cached_pages_and_files_change(
    wren: User, other: User
) -> None:
    theirs = make_work(other, title="Lighthouse")
    mine = make_work(wren, title="Keeper")
    before = {w.pk: w.revision for w in Work.objects.all()}
    link = related.link_works(wren, mine, theirs, INSPIRED)
    middle = {w.pk: w.revision for w in Work.objects.all()}
    assert all(middle[pk] > before[pk] for pk in before)
    related.answer_link(other, link.pk, approve=True)
    after = {w.pk: w.revision for w in Work.objects.all()}
    assert all(after[pk] > middle[pk] for pk in before)


# -- the pages -------------------------------------------------------------------------------


def test_both_work_pages_show_the_link_in_ao3s_places(wren: User) -> None:
    runaways = make_work(wren, title="The Runaways", end_notes="Thanks for reading.")
    ending = make_work(wren, title="Ending")
    related.link_works(wren, ending, runaways, INSPIRED)

    child = _page(ending)
    notes = child[child.index('<div class="notes module">') :]
    notes = notes[: notes.index("</div>")]
    assert '<ul class="associations">' in notes
    assert f'Inspired by <a href="{runaways.get_absolute_url()}">The Runaways</a> by ' in notes
    assert 'rel="author"' in notes

    parent = _page(runaways)
    assert "other works inspired by this one" in parent  # the jump from the notes
    afterword = parent[parent.index('<div class="afterword preface group">') :]
    assert 'id="work_endnotes"' in afterword  # FanFicFare's end notes stay where it reads them
    children = afterword[afterword.index('<div id="children" class="children module">') :]
    assert "Works inspired by this one:" in children
    assert f'<a href="{ending.get_absolute_url()}">Ending</a> by ' in children


def test_a_chaptered_work_lists_its_children_on_its_last_chapter(wren: User) -> None:
    runaways = make_work(wren, title="The Runaways", chapters=3)
    ending = make_work(wren, title="Ending")
    related.link_works(wren, ending, runaways, SEQUEL)
    chapters = list(runaways.chapters.order_by("position"))
    first = _client().get(chapters[0].get_absolute_url()).content.decode()
    last = _client().get(chapters[-1].get_absolute_url()).content.decode()
    assert 'id="children"' not in first
    assert "view_full_work=true#children" in first
    assert 'id="children"' in last
    assert "A sequel to" not in last  # the parent lists its children; the child says the kind
    assert "A sequel to" in _page(ending)


def test_the_approvals_page_approves_and_declines(wren: User, other: User) -> None:
    theirs = make_work(other, title="Lighthouse")
    keeper = make_work(wren, title="Keeper")
    tender = make_work(wren, title="Tender")
    first = related.link_works(wren, keeper, theirs, INSPIRED)
    second = related.link_works(wren, tender, theirs, SEQUEL)
    client = _client(other)
    url = reverse("works:related_works", args=["other"])
    page = client.get(url).content.decode()
    assert "Keeper" in page
    assert "Tender" in page
    assert "is a sequel to" in page
    assert url in client.get(reverse("accounts:user", args=["other"])).content.decode()

    assert client.post(url, {"link": first.pk, "answer": "approve"}).status_code == 302
    assert client.post(url, {"link": second.pk, "answer": "decline"}).status_code == 302
    assert _seen(theirs, AnonymousUser()) == ([], ["Keeper"])
    assert client.post(url, {"link": first.pk, "answer": "maybe"}).status_code == 400
    assert _client(wren).get(url).status_code == 404  # someone else's approvals
    assert client.get(url).content.decode().count('name="answer" value="approve"') == 0


def test_the_approvals_page_answers_only_the_parents_creators(wren: User, other: User) -> None:
    theirs = make_work(other, title="Lighthouse")
    link = related.link_works(wren, make_work(wren, title="Keeper"), theirs, INSPIRED)
    url = reverse("works:related_works", args=["wren"])
    response = _client(wren).post(url, {"link": link.pk, "answer": "approve"})
    assert response.status_code == 400
    link.refresh_from_db()
    assert link.state == RelatedWork.State.PENDING


# -- downloads -------------------------------------------------------------------------------


@pytest.mark.files
def test_downloads_credit_the_parent_in_the_preface_and_list_children_after(
    wren: User, tmp_path: Path
) -> None:
    runaways = make_work(wren, title="The Runaways")
    ending = make_work(wren, title="Ending")
    hidden = make_work(wren, title="Still a Draft", posted=False)
    related.link_works(wren, ending, runaways, RelatedWork.Kind.RETELLS)
    related.link_works(wren, hidden, runaways, INSPIRED)

    child = render_html(ending)
    preface = child[child.index('<div id="preface">') : child.index('<div id="chapters"')]
    assert "A retelling of <a href=" in preface
    assert f'{runaways.get_absolute_url()}">The Runaways</a> by <span class="author">' in preface

    parent = render_html(runaways)
    afterword = parent[parent.index('<div id="afterword">') :]
    assert "<dt>Works inspired by this one</dt>" in afterword
    assert ">Ending</a>" in afterword
    assert "Still a Draft" not in parent  # one file for every reader: no drafts in it

    with zipfile.ZipFile(BytesIO(render_epub(ending))) as book:
        assert "A retelling of" in book.read("OEBPS/preface.xhtml").decode()
    for work in (ending, runaways):
        epub = tmp_path / f"{work.pk}.epub"
        epub.write_bytes(render_epub(work))
        assert epubcheck(epub) == ""


def test_a_download_of_a_public_work_leaves_out_restricted_relations(wren: User) -> None:
    locked = make_work(wren, title="Locked", restricted=True)
    public = make_work(wren, title="Public")
    related.link_works(wren, public, locked, INSPIRED)
    assert "Locked" not in render_html(public)
    assert ">Public</a>" in render_html(locked)  # a restricted file is for logged-in readers
