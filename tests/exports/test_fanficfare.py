"""FanFicFare, the downloader most readers use, reads our works as it reads AO3's.

Each test runs the real FanFicFare (its AO3 adapter, pointed at the live test server) and looks at
what it parsed and at the EPUB it wrote, the way a reader would get it.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from fanficfare import exceptions, writers  # type: ignore[import-untyped]
from fanficfare.adapters.adapter_archiveofourownorg import (  # type: ignore[import-untyped]
    ArchiveOfOurOwnOrgAdapter,
)
from fanficfare.configurable import Configuration  # type: ignore[import-untyped]
from lxml import etree

from ficarchive.accounts.models import User
from ficarchive.accounts.services import add_pseud
from ficarchive.works.models import Chapter, RelatedWork, Work
from ficarchive.works.related import link_works
from ficarchive.works.services import ChapterData, update_chapter, update_series
from tests.cast import make_user, make_work
from tests.markup import paragraphs_in
from tests.validators import epubcheck

# A live server reads the database from its own thread, so the data must be committed; official
# tags (ratings, warnings, categories) come from a migration, so each test gets them back.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

DEFAULTS_INI = Path(writers.__file__).parent.parent / "defaults.ini"
XHTML = {"x": "http://www.w3.org/1999/xhtml"}
# FanFicFare's own pattern for author links (base_otw_adapter.py): every match is an author.
AUTHOR_LINK = re.compile(r"/users/\w+/pseuds/.+")

PUBLISHED = datetime(2023, 3, 14, 12, tzinfo=UTC)
UPDATED = datetime(2024, 1, 2, 12, tzinfo=UTC)
EVERY_TAG: dict[str, Any] = {
    "rating": "Teen And Up Audiences",
    "warnings": ["No Archive Warnings Apply"],
    "categories": ["F/F", "Gen"],
    "fandoms": ["Original Work", "Lighthouse Keepers RPF"],
    "relationships": ["Maren/Ilse", "Maren & The Harbourmaster"],
    "characters": ["Maren", "Ilse"],
    "freeforms": ["Slow Burn", "Weather"],
    "summary": "The lamp at Kettle Point has not gone dark in forty years.",
    "notes": "Written for the Coastal Fic Exchange.",
    "end_notes": "Thank you for reading!",
}
# FanFicFare's name for each list of tags, and ours.
FANFICFARE_TAG_LISTS = {
    "warnings": "warnings",
    "ao3categories": "categories",
    "fandoms": "fandoms",
    "ships": "relationships",
    "characters": "characters",
    "freeformtags": "freeforms",
}


class Download:
    """One FanFicFare run against the live server: its adapter, and the EPUB it writes."""

    def __init__(self, host: str, work: Work, epub: Path, options: dict[str, str]) -> None:
        self.configuration = _configuration(options)
        self.adapter = _adapter_class(host)(self.configuration, f"https://{host}/works/{work.pk}")
        self.epub = epub

    def metadata(self) -> Any:
        self.adapter.getStoryMetadataOnly()
        return self.adapter.story

    def write(self) -> Path:
        self.metadata()
        writer = writers.getWriter("epub", self.configuration, self.adapter)
        writer.writeStory(outfilename=str(self.epub), forceOverwrite=True)
        return self.epub

    def close(self) -> None:
        # FanFicFare keeps its HTTP connection open; close it while the test server still runs.
        fetcher = self.configuration.fetcher
        if fetcher is not None and getattr(fetcher, "requests_session", None) is not None:
            fetcher.requests_session.close()


def _adapter_class(host: str) -> type[Any]:
    """FanFicFare's AO3 adapter, aimed at our test server over plain HTTP."""

    class LocalArchiveAdapter(ArchiveOfOurOwnOrgAdapter):
        @staticmethod
        def getSiteDomain() -> str:
            return host

        @classmethod
        def getAcceptDomains(cls) -> list[str]:
            return [host]

        @classmethod
        def getConfigSection(cls) -> str:
            return "archiveofourown.org"

        def mod_url_request(self, url: str) -> str:
            return re.sub(r"^https://", "http://", url)

    return LocalArchiveAdapter


def _configuration(options: dict[str, str]) -> Any:
    """The package's own defaults.ini, as the command line reads it, plus test overrides."""
    config = Configuration(["base_otw", "archiveofourown.org"], "EPUB")
    with DEFAULTS_INI.open(encoding="utf-8") as defaults:
        config.read_file(defaults)
    if not config.has_section("overrides"):
        config.add_section("overrides")
    for name, value in {"slow_down_sleep_time": "0", "is_adult": "true", **options}.items():
        config.set("overrides", name, value)
    return config


@pytest.fixture
def host(live_server: Any) -> str:
    return f"127.0.0.1:{live_server.url.rsplit(':', 1)[1]}"


@pytest.fixture
def fanficfare(host: str, tmp_path: Path) -> Iterator[Callable[..., Download]]:
    """Makes FanFicFare downloads of works: `fanficfare(work, use_view_full_work="false")`."""
    made: list[Download] = []

    def download(work: Work, **options: str) -> Download:
        made.append(Download(host, work, tmp_path / f"download-{len(made) + 1}.epub", options))
        return made[-1]

    yield download
    for each in made:
        each.close()


# -- what the EPUB holds ---------------------------------------------------------------------


def _chapter_files(epub: Path) -> list[bytes]:
    with zipfile.ZipFile(epub) as archive:
        names = sorted(n for n in archive.namelist() if re.fullmatch(r"OEBPS/file\d+\.xhtml", n))
        return [archive.read(name) for name in names]


def _text(node: Any, between: str = "") -> str:
    return " ".join(between.join(node.itertext()).split())


def _notes(xhtml: bytes, kind: str) -> str:
    """The text of FanFicFare's head or foot notes block of a chapter ("" when it has none)."""
    root = etree.fromstring(xhtml)
    found: Any = root.xpath(f"//x:div[contains(@class, 'fff_{kind}_notes')]", namespaces=XHTML)
    return _text(found[0], between=" ") if found else ""


def _epub_paragraphs(xhtml: bytes) -> list[str]:
    return paragraphs_in(xhtml.decode(), "userstuff")


def _posted_paragraphs(chapter: Chapter) -> list[str]:
    return paragraphs_in(f'<div class="userstuff">{chapter.body}</div>')


def _plain(html: str) -> str:
    return _text(etree.fromstring(f"<div>{html}</div>"))


# -- works to download -----------------------------------------------------------------------


def _author() -> User:
    user = make_user("author")
    add_pseud(user, "Tidewright", make_default=True)
    return user


def _dated(work: Work) -> Work:
    """Published and updated on different days, so the test can tell the two dates apart."""
    Work.objects.filter(pk=work.pk).update(published_at=PUBLISHED, updated_at=UPDATED)
    Chapter.objects.filter(work=work, position=1).update(published_at=PUBLISHED)
    Chapter.objects.filter(work=work, position__gt=1).update(published_at=UPDATED)
    work.refresh_from_db()
    return work


def _two_chapter_work(*, complete: bool, **fields: Any) -> Work:
    work = make_work(
        _author(),
        make_user("coauthor"),
        title="Kettle Point",
        chapters=2,
        body="The tide went out all at once.\n\nMaren counted the steps.",
        complete=complete,
        **{**EVERY_TAG, **fields},
    )
    chapter = work.chapters.get(position=2)
    update_chapter(
        chapter,
        ChapterData(
            title="The Storm",
            body="The storm came in sideways.\n\nIlse rowed anyway.",
            summary="A storm.",
            notes="Nobody drowns.",
            end_notes="Next: the calm.",
        ),
    )
    return _dated(work)


def _assert_metadata(story: Any, work: Work, host: str) -> None:
    assert story.getMetadata("title") == work.title
    assert story.getList("author", removeallentities=True) == [
        pseud.byline for pseud in work.creators
    ]
    assert story.getList("authorUrl", removeallentities=True) == [
        f"https://{host}{pseud.get_absolute_url()}" for pseud in work.creators
    ]
    assert story.getMetadata("numChapters") == str(work.chapter_count)
    assert _plain(story.getMetadata("description")) == EVERY_TAG["summary"]
    assert story.getMetadata("rating") == EVERY_TAG["rating"]
    for listed, field in FANFICFARE_TAG_LISTS.items():
        found = story.getList(listed, removeallentities=True)
        assert sorted(found) == sorted(EVERY_TAG[field]), listed
    assert story.getMetadata("language") == "English"
    assert story.getMetadata("numWords") == str(work.word_count)
    assert story.getMetadataRaw("datePublished").date() == date(2023, 3, 14)


def _assert_chapter_texts(epub: Path, work: Work) -> list[bytes]:
    files = _chapter_files(epub)
    chapters = list(work.chapters.order_by("position"))
    assert [_epub_paragraphs(xhtml) for xhtml in files] == [
        _posted_paragraphs(chapter) for chapter in chapters
    ]
    return files


# -- the tests -------------------------------------------------------------------------------


def test_a_complete_multi_chapter_work_downloads_with_all_it_says(
    host: str, fanficfare: Callable[..., Download]
) -> None:
    work = _two_chapter_work(complete=True)
    download = fanficfare(work)
    epub = download.write()
    story = download.adapter.story

    _assert_metadata(story, work, host)
    assert story.getMetadata("author") == "Tidewright (author), coauthor"
    assert story.getMetadata("status") == "Completed"
    assert story.getMetadata("chapterslashtotal") == "2/2"
    assert story.getMetadataRaw("dateUpdated").date() == date(2024, 1, 2)
    assert [chapter["title"] for chapter in story.getChapters()] == [
        "1. Chapter One",
        "2. The Storm",
    ]
    assert [chapter["date"] for chapter in story.getChapters()] == ["2023-03-14", "2024-01-02"]

    first, second = _assert_chapter_texts(epub, work)
    # FanFicFare writes EPUB 2; from our pages it passes EPUBCheck with no warnings at all.
    assert epubcheck(epub) == ""
    assert _notes(first, "head") == "Author's Note: Written for the Coastal Fic Exchange."
    assert _notes(first, "foot") == ""
    assert _notes(second, "head") == (
        "Summary for the Chapter: A storm. Notes for the Chapter: Nobody drowns."
    )
    assert _notes(second, "foot") == (
        "Notes for the Chapter: Next: the calm. Author's Note: Thank you for reading!"
    )


def test_a_work_with_chapters_still_to_come_is_in_progress(
    host: str, fanficfare: Callable[..., Download]
) -> None:
    work = _two_chapter_work(complete=False, expected_chapters=None)
    download = fanficfare(work)
    epub = download.write()
    story = download.adapter.story

    _assert_metadata(story, work, host)
    assert story.getMetadata("status") == "In-Progress"
    assert story.getMetadata("chapterslashtotal") == "2/?"
    assert story.getMetadataRaw("dateUpdated").date() == date(2024, 1, 2)
    _assert_chapter_texts(epub, work)


def test_a_single_chapter_work_downloads_with_all_it_says(
    host: str, fanficfare: Callable[..., Download]
) -> None:
    work = make_work(
        _author(),
        title="One Night at the Lamp",
        body="It wasn't weird.\n\nThey had grown apart.\n\nThe End.",
        complete=True,
        **EVERY_TAG,
    )
    work = _dated(work)
    download = fanficfare(work)
    epub = download.write()
    story = download.adapter.story

    _assert_metadata(story, work, host)
    assert story.getMetadata("author") == "Tidewright (author)"
    assert story.getMetadata("status") == "Completed"
    assert story.getMetadata("chapterslashtotal") == "1/1"
    # A one-shot's only date is its publication.
    assert story.getMetadataRaw("dateUpdated").date() == date(2023, 3, 14)
    assert [chapter["title"] for chapter in story.getChapters()] == [work.title]

    (only,) = _assert_chapter_texts(epub, work)
    assert epubcheck(epub) == ""
    assert _notes(only, "head") == "Author's Note: Written for the Coastal Fic Exchange."
    assert _notes(only, "foot") == "Author's Note: Thank you for reading!"


def test_chapter_by_chapter_gives_the_same_chapters_as_the_whole_work(
    fanficfare: Callable[..., Download],
) -> None:
    work = _two_chapter_work(complete=True)
    whole = fanficfare(work)
    by_chapter = fanficfare(work, use_view_full_work="false")

    whole_files = _chapter_files(whole.write())
    chapter_files = _chapter_files(by_chapter.write())

    # The whole-work page was read in one, the other way chapter pages one by one.
    assert whole.adapter.full_work_soup is not None
    assert by_chapter.adapter.full_work_soup is None
    assert len(chapter_files) == 2
    assert [_epub_paragraphs(x) for x in chapter_files] == [
        _epub_paragraphs(x) for x in whole_files
    ]
    for kind in ("head", "foot"):
        assert [_notes(x, kind) for x in chapter_files] == [_notes(x, kind) for x in whole_files]


@pytest.mark.parametrize("chapters", [1, 2])
@pytest.mark.parametrize("rating", ["Mature", "Explicit"])
def test_adult_works_download_once_the_reader_says_they_are_an_adult(
    fanficfare: Callable[..., Download], rating: str, chapters: int
) -> None:
    work = make_work(
        _author(), rating=rating, chapters=chapters, body="The adult text.", complete=True
    )
    epub = fanficfare(work).write()
    assert _epub_paragraphs(_chapter_files(epub)[0]) == ["The adult text."]

    asked = fanficfare(work, is_adult="false")
    with pytest.raises(exceptions.AdultCheckRequired):
        asked.metadata()


@pytest.mark.parametrize("kind", ["draft", "restricted"])
def test_drafts_and_restricted_works_are_not_downloadable_logged_out(
    fanficfare: Callable[..., Download], kind: str
) -> None:
    work = make_work(
        _author(),
        title="The Hidden Lamp",
        chapters=2,
        body="Secret words.",
        posted=kind != "draft",
        restricted=kind == "restricted",
        summary="A secret summary.",
    )
    download = fanficfare(work)
    with pytest.raises(exceptions.StoryDoesNotExist):
        download.write()
    assert download.adapter.story.getMetadata("title") == ""
    assert download.adapter.story.getChapters() == []
    assert not download.epub.exists()

    # Every page FanFicFare would have read is a plain "not found" for a logged-out reader.
    client = Client()
    for url in [
        f"/works/{work.pk}/navigate",
        f"/works/{work.pk}?view_adult=true",
        f"/works/{work.pk}?view_full_work=true&view_adult=true",
        *[chapter.get_absolute_url() for chapter in work.chapters.all()],
    ]:
        response = client.get(url)
        assert response.status_code == 404, url
        for secret in (b"The Hidden Lamp", b"Secret words.", b"A secret summary."):
            assert secret not in response.content, url


def test_a_work_in_a_series_is_read_with_its_part_number(
    host: str, fanficfare: Callable[..., Download]
) -> None:
    author = _author()
    first = make_work(author, title="Kettle Point", new_series_title="The Kettle Point Cycle")
    series = first.serial_works.get().series
    second = make_work(author, title="After the Storm", series_id=series.pk)

    page = Client().get(second.get_absolute_url()).content.decode()
    assert re.search(r"Part 2 of <a href=\"[^\"]+\">The Kettle Point Cycle</a>", page)

    story = fanficfare(second).metadata()
    assert story.getMetadata("series") == "The Kettle Point Cycle [2]"
    assert story.getMetadata("seriesUrl") == f"https://{host}{series.get_absolute_url()}"


def test_a_series_page_gives_fanficfare_its_works_name_and_status(
    host: str, fanficfare: Callable[..., Download]
) -> None:
    author = _author()
    first = make_work(author, title="Kettle Point", new_series_title="The Kettle Point Cycle")
    series = first.serial_works.get().series
    second = make_work(author, title="After the Storm", series_id=series.pk)
    make_work(author, title="Not Yet", series_id=series.pk, posted=False)
    make_work(author, title="Members Only", series_id=series.pk, restricted=True)
    update_series(series, series.title, "Three nights at the lamp.", "", complete=True)

    # What "Get story URLs from web page" in FanFicFare (or `fanficfare -l URL`) reads.
    adapter = fanficfare(first).adapter
    found = adapter.get_urls_from_page(f"https://{host}{series.get_absolute_url()}", False)
    assert found["urllist"] == [
        f"https://{host}{work.get_absolute_url()}" for work in (first, second)
    ]
    assert found["name"] == "The Kettle Point Cycle"
    assert found["status"] == "Completed"
    assert _plain(found["desc"]) == "Three nights at the lamp."


@pytest.mark.django_db
def test_the_chapter_index_credits_only_the_creators_for_a_logged_in_reader() -> None:
    author = _author()
    work = make_work(author, make_user("coauthor"), chapters=2)
    reader = make_user("reader")
    add_pseud(reader, "Second Name")
    client = Client()
    client.force_login(reader)

    page = client.get(f"/works/{work.pk}/navigate").content.decode()
    links = [href for href in re.findall(r'href="([^"]+)"', page) if AUTHOR_LINK.search(href)]
    assert links == [pseud.get_absolute_url() for pseud in work.creators]


def test_related_works_are_read_where_fanficfare_reads_ao3s(
    fanficfare: Callable[..., Download],
) -> None:
    author = _author()
    earlier = make_work(author, title="The Runaways")
    work = make_work(author, title="Kettle Point", notes="Written for the exchange.")
    later = make_work(author, title="Home Again")
    link_works(author, work, earlier, RelatedWork.Kind.SEQUEL)
    link_works(author, later, work, RelatedWork.Kind.INSPIRED)

    (only,) = _chapter_files(fanficfare(work).write())
    # The preface's `ul.associations` goes into the head notes, the `#children` list into the
    # foot notes, as FanFicFare does with AO3's pages.
    assert _notes(only, "head") == (
        "Author's Note: A sequel to The Runaways by Tidewright (author) . Written for the exchange."
    )
    assert _notes(only, "foot") == "Works inspired by this one: Home Again by Tidewright (author)"
