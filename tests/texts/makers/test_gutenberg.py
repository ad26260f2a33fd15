"""Project Gutenberg's header, markers and licence, and its books read as plain text, and as the
HTML, EPUB and DOCX made of its HTML (`makers.gutenberg_book`)."""

from __future__ import annotations

import gzip
import zipfile
from functools import cache
from pathlib import Path

import pytest

from ficarchive.texts.blocks import Block
from ficarchive.texts.counting import count_words
from ficarchive.texts.flatten import Piece
from ficarchive.texts.formats import parse_bytes
from ficarchive.texts.makers import gutenberg, gutenberg_book
from ficarchive.texts.structure import ParsedWork

GUTENBERG = Path(__file__).parent.parent.parent / "fixtures" / "gutenberg"
BOOKS = ("alice-in-wonderland", "pride-and-prejudice", "sherlock-holmes")
LICENCE = (GUTENBERG / "LICENSE-project-gutenberg.txt").read_text(encoding="utf-8")


@cache
def _book(name: str) -> ParsedWork:
    data = gzip.decompress((GUTENBERG / f"{name}.txt.gz").read_bytes())
    return parse_bytes(data, f"{name}.txt")


def _current_layout(
    body: str, end: str = "*** END OF THE PROJECT GUTENBERG EBOOK THE TIN LANTERN ***"
) -> str:
    return (
        "The Project Gutenberg eBook of The Tin Lantern\n\n"
        "This ebook is for the use of anyone anywhere in the United States and\n"
        "most other parts of the world at no cost and with almost no restrictions\n"
        "whatsoever.\n\n"
        "Title: The Tin Lantern\n"
        "        and Other Stories\n\n"
        "Author: Ada Example and Bo Sample\n\n"
        "Release date: May 1, 2024 [eBook #99999]\n\n"
        "Language: English\n\n"
        "*** START OF THE PROJECT GUTENBERG EBOOK THE TIN LANTERN ***\n\n"
        f"{body}\n\n{end}\n\n{LICENCE}"
    )


def test_pride_and_prejudice_as_text_has_61_chapters_without_header_or_licence() -> None:
    work = _book("pride-and-prejudice")
    assert work.title == "Pride and Prejudice"
    assert work.authors == ["Jane Austen"]
    assert work.language == "English"
    assert len(work.chapters) == 61
    assert {chapter.title for chapter in work.chapters} == {""}
    assert work.chapters[0].text.startswith("It is a truth universally acknowledged, that a")
    assert work.chapters[-1].text.endswith("the means of uniting them.")


def test_alice_as_text_has_twelve_titled_chapters() -> None:
    work = _book("alice-in-wonderland")
    assert work.title == "Alice’s Adventures in Wonderland"
    assert work.authors == ["Lewis Carroll"]
    titles = [chapter.title for chapter in work.chapters]
    assert len(titles) == 12
    assert titles[0] == "Down the Rabbit-Hole"
    assert titles[-1] == "Alice’s Evidence"
    assert work.complete is True
    assert not work.chapters[-1].text.rstrip().endswith("THE END")


def test_sherlock_holmes_as_text_has_twelve_adventures_titled_from_its_contents() -> None:
    work = _book("sherlock-holmes")
    assert work.title == "The Adventures of Sherlock Holmes"
    assert work.authors == ["Arthur Conan Doyle"]
    titles = [chapter.title for chapter in work.chapters]
    assert titles[:2] == ["A Scandal in Bohemia", "The Red-headed League"]
    assert titles[6:] == [
        "The Adventure of the Blue Carbuncle",
        "The Adventure of the Speckled Band",
        "The Adventure of the Engineer's Thumb",
        "The Adventure of the Noble Bachelor",
        "The Adventure of the Beryl Coronet",
        "The Adventure of the Copper Beeches",
    ]
    first = work.chapters[0].text
    assert first.startswith("I.\n\nTo Sherlock Holmes she is always THE woman.")
    # A sign in the story that repeats a title from the contents is not a heading.
    assert "THE RED-HEADED LEAGUE" in work.chapters[1].text
    assert work.chapters[-1].text.endswith("she has met with considerable success.")


@pytest.mark.parametrize("name", BOOKS)
def test_a_gutenberg_text_keeps_header_and_licence_out_of_the_chapters(name: str) -> None:
    work = _book(name)
    for chapter in work.chapters:
        assert "GUTENBERG" not in chapter.text.upper()
        assert "Produced by" not in chapter.text
    assert "This eBook is for the use of anyone anywhere" in work.notes
    assert "START OF TH" not in work.notes
    assert "END OF THIS PROJECT GUTENBERG EBOOK" in work.end_notes
    assert "FULL PROJECT GUTENBERG LICENSE" in work.end_notes


@pytest.mark.parametrize("name", BOOKS)
def test_a_gutenberg_texts_hard_wrapped_lines_are_joined_into_paragraphs(name: str) -> None:
    work = _book(name)
    paragraphs = [p for chapter in work.chapters for p in chapter.text.split("\n\n")]
    wrapped = [p for p in paragraphs if "\n" in p and len(p.split("\n")[0]) >= 60]
    assert len(wrapped) < len(paragraphs) / 100


def test_a_gutenberg_text_in_the_current_layout() -> None:
    body = (
        "THE TIN LANTERN\n\nby Ada Example\n\n\n"
        "CHAPTER I.\n\nThe lantern hung by the door all winter.\n\n"
        "CHAPTER II.\n\nIn spring it was gone.\n\n"
        "THE END"
    )
    work = parse_bytes(_current_layout(body).encode(), "pg99999.txt")
    assert work.title == "The Tin Lantern and Other Stories"
    assert work.authors == ["Ada Example", "Bo Sample"]
    assert [chapter.text for chapter in work.chapters] == [
        "The lantern hung by the door all winter.",
        "In spring it was gone.",
    ]
    assert work.complete is True
    assert "Section 1. General Terms of Use" in work.end_notes


def test_an_older_gutenberg_text_ends_at_its_end_of_the_ebook_line() -> None:
    body = "Chapter 1\n\nThe lantern hung by the door.\n\nChapter 2\n\nIn spring it was gone."
    end = "End of the Project Gutenberg EBook of The Tin Lantern, by Ada Example"
    work = parse_bytes(_current_layout(body, end).encode(), "tin.txt")
    assert work.chapters[-1].text == "In spring it was gone."
    assert work.end_notes.startswith("<p>End of the Project Gutenberg EBook")


@pytest.mark.parametrize(
    ("line", "marker"),
    [
        ("*** START OF THE PROJECT GUTENBERG EBOOK THE TIN LANTERN ***", "start"),
        ("*** START OF THIS PROJECT GUTENBERG EBOOK EMMA ***", "start"),
        ("***START OF THE PROJECT GUTENBERG EBOOK EMMA***", "start"),
        ("*END*THE SMALL PRINT! FOR PUBLIC DOMAIN ETEXTS*Ver.04.29.93*END*", "start"),
        ("*** END OF THE PROJECT GUTENBERG EBOOK THE TIN LANTERN ***", "end"),
        ("*** END OF THIS PROJECT GUTENBERG EBOOK EMMA ***", "end"),
        ("End of the Project Gutenberg EBook of Emma, by Jane Austen", "end"),
        ("End of Project Gutenberg’s Alice’s Adventures in Wonderland, by Lewis Carroll", "end"),
        ("End of The Project Gutenberg Etext of Hamlet", "end"),
        ("The end of the road was near, and the Project Gutenberg office closed.", None),
    ],
)
def test_gutenberg_start_and_end_markers(line: str, marker: str | None) -> None:
    found = (
        "start" if gutenberg.START.search(line) else "end" if gutenberg.END.search(line) else None
    )
    assert found == marker


@pytest.mark.parametrize(
    ("line", "title", "authors"),
    [
        ("The Project Gutenberg EBook of Emma, by Jane Austen", "Emma", ["Jane Austen"]),
        (
            "Project Gutenberg’s Alice’s Adventures, by Lewis Carroll",
            "Alice’s Adventures",
            ["Lewis Carroll"],
        ),
        ("The Project Gutenberg eBook of The Tin Lantern", "The Tin Lantern", []),
        ("Emma, by Jane Austen", "", []),
    ],
)
def test_the_first_line_of_a_header_names_the_book(
    line: str, title: str, authors: list[str]
) -> None:
    assert gutenberg.book_of(line) == (title, authors)


def test_a_header_without_title_lines_is_named_by_its_first_line() -> None:
    header = gutenberg.read_header("The Project Gutenberg EBook of Emma, by Jane Austen\n\nx")
    assert (header.title, header.authors) == ("Emma", ["Jane Austen"])


def test_text_without_a_start_marker_is_not_a_gutenberg_text() -> None:
    assert gutenberg.split_text("Title: Emma\n\nChapter 1\n\nEmma Woodhouse.") is None


# -- a book as any reader's pieces (HTML, and calibre's EPUB and DOCX of it) ----------------------

SHORT = "sherlock-holmes-short"  # PG's HTML cut to three adventures; made by make_calibre.py


@cache
def _short(extension: str) -> ParsedWork:
    path = GUTENBERG / f"{SHORT}{extension}"
    return parse_bytes(path.read_bytes(), path.name)


@pytest.mark.parametrize("extension", ["-calibre.epub", "-calibre.docx"])
def test_calibres_epub_and_docx_of_a_gutenberg_html_read_as_the_html_does(extension: str) -> None:
    html, converted = _short(".htm"), _short(extension)
    assert (converted.title, converted.authors) == (html.title, html.authors)
    assert [c.title for c in converted.chapters] == [c.title for c in html.chapters]
    for ours, theirs in zip(converted.chapters, html.chapters, strict=True):
        assert abs(count_words(ours.html) - count_words(theirs.html)) <= 2
    assert converted.notes == html.notes
    assert "Gutenberg Literary Archive Foundation" in converted.end_notes


@pytest.mark.parametrize(
    ("extension", "metadata", "calibres_title"),
    [
        ("-calibre.epub", "content.opf", "Unknown</dc:creator>"),
        ("-calibre.docx", "docProps/core.xml", "The Project Gutenberg eBook of The Adventures"),
    ],
)
def test_a_gutenberg_epub_or_docx_takes_title_and_author_from_the_header_not_calibre(
    extension: str, metadata: str, calibres_title: str
) -> None:
    book = zipfile.ZipFile(GUTENBERG / f"{SHORT}{extension}")
    assert calibres_title in book.read(metadata).decode()  # what calibre wrote
    work = _short(extension)
    assert work.title == "The Adventures of Sherlock Holmes"
    assert work.authors == ["Arthur Conan Doyle"]


@pytest.mark.parametrize("extension", [".htm", "-calibre.epub", "-calibre.docx"])
def test_a_gutenberg_html_epub_or_docx_keeps_header_and_licence_out_of_the_chapters(
    extension: str,
) -> None:
    work = _short(extension)
    assert "Title: The Adventures of Sherlock Holmes" in work.notes
    assert "START OF THIS PROJECT GUTENBERG" not in work.notes
    assert "General Information About Project Gutenberg-tm" in work.end_notes
    for chapter in work.chapters:
        assert "Gutenberg" not in chapter.html + chapter.notes + chapter.end_notes


def _piece(text: str, heading: int = 0) -> Piece:
    return Piece(
        "heading" if heading else "text", Block(text=text, html=f"<p>{text}</p>", heading=heading)
    )


def test_a_contents_list_without_links_before_the_first_chapter_is_not_a_chapter() -> None:
    header = "Title: The Tin Lantern\nAuthor: Ada Example\n\n"
    header += "*** START OF THE PROJECT GUTENBERG EBOOK X ***"
    chapters = [
        piece
        for number in range(1, 61)
        for piece in (_piece(f"Chapter {number}", 2), _piece(f"Story of chapter {number}."))
    ]
    pieces = [
        _piece(header),
        _piece("THE TIN LANTERN", 1),
        _piece("CONTENTS"),
        *(_piece(f"Chapter {number}") for number in range(1, 61)),  # 120 words, no links
        *chapters,
        _piece("*** END OF THE PROJECT GUTENBERG EBOOK X ***"),
    ]
    markers = gutenberg_book.find_markers(pieces)
    assert markers == (0, len(pieces) - 1)
    work = gutenberg_book.read_book(pieces, markers)
    assert (work.title, work.authors) == ("The Tin Lantern", ["Ada Example"])
    assert len(work.chapters) == 60
    assert work.chapters[0].text == "Story of chapter 1."
