"""AO3's markup read once for its HTML download and its EPUB (`texts.makers.ao3`)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from ficarchive.texts.formats import parse_bytes
from ficarchive.texts.structure import ParsedWork
from tests.texts.epub_builder import AO3_PREFACE, ao3_book, build_epub

DOWNLOAD = Path(__file__).parent.parent / "fixtures" / "ao3-download.html"
TRANSLATION = (
    '<ul class="associations"><li>Translation into Español available: '
    '<a href="https://archiveofourown.org/works/50000001">La marea del farero</a> by '
    '<a rel="author" href="https://archiveofourown.org/users/traductora">traductora</a></li></ul>'
)


def _epub_with_preface(preface: str, subjects: list[str] | None = None) -> ParsedWork:
    book = ao3_book()
    docs = [replace(book.docs[0], body=preface), *book.docs[1:]]
    book = replace(book, docs=docs, subjects=subjects if subjects is not None else book.subjects)
    return parse_bytes(build_epub(book, "2.0"), "ao3.epub")


def _download(replacing: str, by: str) -> ParsedWork:
    text = DOWNLOAD.read_text(encoding="utf-8")
    assert replacing in text
    return parse_bytes(text.replace(replacing, by, 1).encode(), "ao3.html")


def test_a_translator_in_a_related_works_note_is_not_a_co_author_in_an_epub() -> None:
    notes = '<p class="calibre8">Notes</p>'
    work = _epub_with_preface(AO3_PREFACE.replace(notes, TRANSLATION + notes))
    assert work.authors == ["tidewright", "Salt and Ink (saltandink)"]


def test_a_translator_in_a_related_works_note_is_not_a_co_author_in_a_download() -> None:
    work = _download("<p>Summary</p>", TRANSLATION + "<p>Summary</p>")
    assert "traductora" not in work.authors
    assert work.authors[0] == "tidewright"


def test_the_subject_spelling_of_a_warning_is_the_warning_not_a_freeform_tag() -> None:
    chose = "Creator Chose Not To Use Archive Warnings"
    preface = AO3_PREFACE.replace("No Archive Warnings Apply", chose)
    subjects = ["Fanworks", "Choose Not To Use Archive Warnings", "Lighthouses"]
    work = _epub_with_preface(preface, subjects)
    assert work.tags["warning"] == [chose]
    assert "Choose Not To Use Archive Warnings" not in work.tags["freeform"]


def test_a_warning_only_the_subjects_give_is_still_a_warning() -> None:
    preface = AO3_PREFACE.replace("No Archive Warnings Apply", "").replace(
        "Archive Warning:", "Series:"
    )
    work = _epub_with_preface(preface, ["Choose Not To Use Archive Warnings"])
    assert work.tags["warning"] == ["Creator Chose Not To Use Archive Warnings"]


@pytest.mark.parametrize(
    ("label", "tag_type"), [("Warnings:", "warning"), ("Freeforms:", "freeform")]
)
def test_the_epub_knows_every_label_the_html_download_knows(label: str, tag_type: str) -> None:
    preface = AO3_PREFACE.replace("Additional Tags:", label)
    work = _epub_with_preface(preface)
    assert "Lighthouses" in work.tags[tag_type]
    html = _download("Additional Tags:", label)
    assert "Lighthouses" in html.tags[tag_type]


def test_the_html_download_and_the_epub_name_the_same_title_and_creators() -> None:
    html = _download("<p>Summary</p>", "<p>Summary</p>")
    epub = parse_bytes(build_epub(ao3_book(), "2.0"), "ao3.epub")
    assert html.title == epub.title
    assert html.authors == epub.authors
