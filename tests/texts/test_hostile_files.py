"""Issue 14's battery of hostile files: each refused with a message naming the file and the limit
it passed, early (what it costs is measured by bench/hostile_files.py), and the limits
themselves: words counted before a tree is built, YAML aliases, zip members read as streams, and
the child process killed by its memory and time limits."""

from __future__ import annotations

import io
import os
import zipfile
from collections.abc import Iterator

import pytest

from ficarchive.texts.formats import parse_bytes
from ficarchive.texts.isolation import ParserProcess
from ficarchive.texts.limits import Limits, MarkupCounter, TextBudget
from ficarchive.texts.structure import ParseError
from ficarchive.texts.ziparchive import MAX_METADATA_BYTES
from tests.texts.docx_builder import Docx, para
from tests.texts.epub_builder import Book, Doc, build_epub, epub_files
from tests.texts.hostile_files import PARAGRAPH, Member, hostile_file, member, raw_zip

# What each file of the battery must be told: the limit it passed, in words a writer can act on.
REFUSALS = {
    "yaml-alias-bomb": "its YAML front matter uses more than 10 anchors and aliases",
    "lying-sizes": "does not hold the 10,240 bytes its headers declare",
    "huge-epub": "the work is longer than 1,000,000 words, the most ficarchive takes as one work",
    "deep-nesting": "has elements nested more than 256 deep",
    "huge-paragraph": "the work is longer than 1,000,000 words",
    "one-long-word": "its text has more than 12,000,000 characters (besides spaces)",
    "docx-bomb": "the work is longer than 1,000,000 words",
    "giant-txt": "the work is longer than 1,000,000 words",
}


@pytest.fixture(scope="module")
def parser() -> Iterator[ParserProcess]:
    with ParserProcess(Limits()) as process:
        yield process


def _words(count: int) -> bytes:
    return " ".join(["word"] * count).encode()


@pytest.mark.parametrize("key", sorted(REFUSALS))
def test_it_refuses_each_hostile_file_with_the_limit_it_passed(key: str) -> None:
    name, data = hostile_file(key)
    with pytest.raises(ParseError) as refused:
        parse_bytes(data, name)
    assert str(refused.value) == f"{name}: {refused.value.message}"
    assert REFUSALS[key] in refused.value.message


@pytest.mark.parametrize("key", ["yaml-alias-bomb", "lying-sizes", "huge-epub", "giant-txt"])
def test_the_child_process_refuses_them_the_same_way(parser: ParserProcess, key: str) -> None:
    name, data = hostile_file(key)
    with pytest.raises(ParseError) as refused:
        parser.parse(data, name)
    assert refused.value.path == name
    assert REFUSALS[key] in refused.value.message


def test_the_child_process_reads_a_story_after_refusing_a_bomb(parser: ParserProcess) -> None:
    name, data = hostile_file("docx-bomb")
    with pytest.raises(ParseError):
        parser.parse(data, name)
    work = parser.parse(b"Title: After\n\nThe story went on.", "after.txt")
    assert (work.title, work.word_count) == ("After", 4)


# -- words ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["long.txt", "long.md", "long.html"])
def test_it_takes_a_work_of_exactly_the_word_limit(name: str) -> None:
    work = parse_bytes(_words(1000), name, Limits(max_words=1000))
    assert work.word_count == 1000


@pytest.mark.parametrize("name", ["long.txt", "long.md", "long.html"])
def test_it_refuses_a_work_one_word_over_the_limit(name: str) -> None:
    with pytest.raises(ParseError, match="longer than 1,000 words"):
        parse_bytes(_words(1001), name, Limits(max_words=1000))


def test_the_word_limit_applies_to_epub_chapters_together() -> None:
    body = f"<p>{PARAGRAPH}</p>" * 20  # 36 words a paragraph, 720 a chapter
    book = Book(docs=[Doc(f"c{n}.xhtml", body, f"Chapter {n}") for n in range(1, 3)])
    assert parse_bytes(build_epub(book), "two.epub", Limits(max_words=1440)).word_count == 1440
    with pytest.raises(ParseError, match="longer than 1,439 words"):
        parse_bytes(build_epub(book), "two.epub", Limits(max_words=1439))


def test_the_word_limit_applies_to_a_docx() -> None:
    data = Docx(paragraphs=[para(PARAGRAPH)] * 40).build()  # 1,440 words
    with pytest.raises(ParseError, match="longer than 1,000 words"):
        parse_bytes(data, "long.docx", Limits(max_words=1000))


def test_counting_stops_at_the_limit_without_reading_the_rest() -> None:
    budget = TextBudget(Limits(max_words=1000))
    with pytest.raises(ParseError):
        budget.count_text("word " * 5_000_000)
    # Pieces of a megabyte: the count stopped after the first, not at the end of 25 MB.
    assert budget.words < 300_000


def test_markup_is_counted_the_same_however_it_is_cut_into_chunks() -> None:
    markup = ("<p class='x'>One <em>two</em> three</p>\n" * 50).encode()
    counts = []
    for size in (1, 7, 64, len(markup)):
        budget = TextBudget(Limits())
        counter = MarkupCounter(budget, story=True)
        for start in range(0, len(markup), size):
            counter.feed(markup[start : start + size])
        counter.close()
        counts.append((budget.tags, budget.words))
    assert counts == [(200, 150)] * 4


def test_a_member_of_empty_elements_is_refused_by_its_tags() -> None:
    limits = Limits(max_words=1000)
    chapter = "<p>Hi.</p>" + "<b/>" * (limits.max_tags + 1)
    book = Book(docs=[Doc("c1.xhtml", chapter, "One")])
    with pytest.raises(ParseError, match=f"more than {limits.max_tags:,} tags"):
        parse_bytes(build_epub(book), "tags.epub", limits)


# -- YAML front matter --------------------------------------------------------------------------


def _front_matter(aliases: int) -> bytes:
    lines = ["---", "title: Anchored", "base: &base [Rory, Jess]"]
    lines += [f"copy{n}: *base" for n in range(aliases)]
    return ("\n".join([*lines, "---", "", "The story."])).encode()


def test_front_matter_may_use_a_few_aliases() -> None:
    work = parse_bytes(_front_matter(9), "few.md")  # one anchor and nine aliases: ten
    assert work.title == "Anchored"


def test_front_matter_with_more_aliases_is_refused() -> None:
    with pytest.raises(ParseError, match="more than 10 anchors and aliases"):
        parse_bytes(_front_matter(10), "many.md")


def test_front_matter_over_its_size_limit_is_refused() -> None:
    data = b"---\ntitle: Big\nsummary: " + b"x" * 70_000 + b"\n---\n\nStory."
    with pytest.raises(ParseError, match="front matter is longer than 64 KB"):
        parse_bytes(data, "big.md")


# -- zip members ----------------------------------------------------------------------------------


def test_a_member_that_says_more_than_the_limit_is_refused_unread() -> None:
    # Declared sizes still refuse an honest bomb before anything is inflated.
    files = epub_files(Book(docs=[Doc("c1.xhtml", "<p>Hi.</p>", "One")]))
    members = [member(name, content) for name, content in files.items()]
    small = member("OEBPS/images/bomb.png", b"x")
    members.append(Member(small.name, small.deflated, small.crc, 300 * 1024 * 1024))
    with pytest.raises(ParseError, match="would unpack to 300 MB"):
        parse_bytes(raw_zip(members), "big.epub")


def test_a_member_in_another_compression_method_is_refused() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in epub_files(Book(docs=[Doc("c1.xhtml", "<p>Hi.</p>")])).items():
            archive.writestr(name, content, compress_type=zipfile.ZIP_BZIP2)
    with pytest.raises(ParseError, match="compressed in a way EPUB files never are"):
        parse_bytes(buffer.getvalue(), "bzip2.epub")


def test_a_metadata_member_past_its_size_is_refused() -> None:
    files = epub_files(Book(docs=[Doc("c1.xhtml", "<p>Hi.</p>", "One")]))
    opf = str(files["OEBPS/content.opf"])
    padding = "<!--" + " " * (MAX_METADATA_BYTES + 1) + "-->"
    files["OEBPS/content.opf"] = opf.replace("<manifest>", padding + "<manifest>")
    with pytest.raises(ParseError, match=r"content\.opf inside the EPUB unpacks to more than 8 MB"):
        parse_bytes(raw_zip([member(n, c) for n, c in files.items()]), "fat.epub")


# -- the child process's own limits ---------------------------------------------------------------


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def test_the_child_is_stopped_by_its_memory_limit() -> None:
    # Limits that let 40 MB of text past the size and word counts: memory stops it (its bytes,
    # and the text decoded from them, are already more than the child may have).
    small = Limits(
        max_words=10_000_000, max_file_bytes=100 * 1024 * 1024, parse_memory_bytes=100 * 1024 * 1024
    )
    with ParserProcess(small) as process:
        with pytest.raises(ParseError, match="needs more than the 100 MB of memory") as refused:
            process.parse(b"word " * 8_000_000, "heavy.txt")
        assert refused.value.path == "heavy.txt"
        # The next file gets a fresh child, which reads it.
        assert process.parse(b"Short.", "short.txt").word_count == 1


def test_the_child_is_killed_at_its_time_limit() -> None:
    limits = Limits(max_words=10_000_000, max_file_bytes=100 * 1024 * 1024, parse_seconds=0.2)
    data = (PARAGRAPH + "\n\n").encode() * 60_000  # two million words: seconds of work
    with ParserProcess(limits) as process:
        process.parse(b"Warm.", "warm.txt")
        child = process._child
        assert child is not None
        with pytest.raises(ParseError, match=r"took longer than 0\.2 seconds") as refused:
            process.parse(data, "slow.txt")
        assert refused.value.path == "slow.txt"
        assert not _alive(child.pid)
