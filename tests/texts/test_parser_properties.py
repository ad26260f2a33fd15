"""Property tests and a fuzz run: no file, however broken, crashes or hangs a parser."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ficarchive.texts.blocks import blocks_from_plain_text
from ficarchive.texts.conventions import structure
from ficarchive.texts.formats import MAX_FILE_BYTES, extensions, parse_bytes
from ficarchive.texts.structure import ParsedWork, ParseError

FIXTURES = Path(__file__).parent.parent / "fixtures"
EXTENSIONS = extensions()


def _parse_or_refuse(data: bytes, name: str) -> ParsedWork | None:
    """The only two allowed outcomes: a work with chapters, or a ParseError naming the file."""
    refusal: ParseError | None = None
    try:
        work = parse_bytes(data, name)
    except ParseError as error:
        refusal = error
    if refusal is not None:
        assert refusal.path == name
        assert refusal.message
        return None
    assert work.chapters
    assert work.title
    return work


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.binary(max_size=4000), extension=st.sampled_from(EXTENSIONS))
def test_random_bytes_never_crash_a_parser(data: bytes, extension: str) -> None:
    _parse_or_refuse(data, f"random{extension}")


@settings(max_examples=150, deadline=None)
@given(text=st.text(max_size=3000), extension=st.sampled_from(EXTENSIONS))
def test_random_text_never_crashes_a_parser(text: str, extension: str) -> None:
    _parse_or_refuse(text.encode("utf-8", "surrogatepass"), f"random{extension}")


_WORD = st.text(alphabet="abcdefghijklmnopqrstuvwxyz", min_size=1, max_size=9)
_SENTENCE = st.lists(_WORD, min_size=4, max_size=20).map(lambda w: " ".join(w).capitalize() + ".")
_PARAGRAPH = st.lists(_SENTENCE, min_size=1, max_size=4).map(" ".join)


@settings(max_examples=200, deadline=None)
@given(paragraphs=st.lists(_PARAGRAPH, min_size=1, max_size=30))
def test_plain_prose_keeps_every_paragraph_once_and_in_order(paragraphs: list[str]) -> None:
    work = structure(blocks_from_plain_text("\n\n".join(paragraphs)))
    text = "\n\n".join(chapter.text for chapter in work.chapters)
    assert text.split("\n\n") == paragraphs


@settings(max_examples=100, deadline=None)
@given(
    chapters=st.lists(st.lists(_PARAGRAPH, min_size=1, max_size=5), min_size=1, max_size=8),
    numbering=st.sampled_from(["Chapter {n}", "Chapter {n}: Title {n}", "Part {n}"]),
)
def test_chapter_headings_split_the_text_where_the_writer_did(
    chapters: list[list[str]], numbering: str
) -> None:
    parts = []
    for number, paragraphs in enumerate(chapters, start=1):
        parts.append(numbering.format(n=number))
        parts.extend(paragraphs)
    work = structure(blocks_from_plain_text("\n\n".join(parts)))
    assert [chapter.text.split("\n\n") for chapter in work.chapters] == chapters


def _zip(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    return buffer.getvalue()


BROKEN_FILES = {
    "empty.txt": b"",
    "spaces.md": b"   \n\n\t ",
    "binary.txt": bytes(range(256)) * 40,
    "binary.html": b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 20,
    "not-a-zip.epub": b"This is not a zip file at all.",
    "truncated.epub": _zip({"mimetype": b"application/epub+zip", "a.xhtml": b"x" * 500})[:300],
    "empty-zip.epub": _zip({}),
    "not-a-zip.docx": b"PK\x03\x04 broken",
    "truncated.docx": _zip({"word/document.xml": b"<w:document/>" * 50})[:120],
    "tags-only.html": b"<html><body><script>alert(1)</script></body></html>",
}


@pytest.mark.parametrize("name", sorted(BROKEN_FILES))
def test_broken_files_give_a_clear_error(name: str) -> None:
    assert Path(name).suffix in EXTENSIONS, f"no parser registered for {Path(name).suffix}"
    with pytest.raises(ParseError) as raised:
        parse_bytes(BROKEN_FILES[name], name)
    assert str(raised.value).startswith(f"{name}: ")


def test_fifty_megabytes_of_one_line_is_refused_at_once() -> None:
    data = b"a" * (50 * 1024 * 1024)
    assert len(data) > MAX_FILE_BYTES
    with pytest.raises(ParseError, match="the largest ficarchive reads is"):
        parse_bytes(data, "huge.txt")


def test_a_long_single_line_under_the_limit_is_read() -> None:
    data = b"word " * 400_000  # 2 MB, one line
    work = parse_bytes(data, "long.txt")
    assert work.word_count == 400_000


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "cp1252", "latin-1"])
def test_the_founding_story_survives_other_encodings(encoding: str) -> None:
    text = (FIXTURES / "everything-back-but-you.txt").read_text(encoding="utf-8")
    text = text.encode(encoding, "replace").decode(encoding)
    work = parse_bytes(text.encode(encoding), "story.txt")
    assert work.title == "Everything Back But You"
    assert work.complete is True
