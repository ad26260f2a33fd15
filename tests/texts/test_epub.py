"""The EPUB parser: EPUB 3 and 2, AO3's and FanFicFare's books, and every way an EPUB breaks.

The fixtures are real output of the tools that make fan fiction EPUBs:

- fanficfare-epub2.epub and fanficfare-epub3.epub: FanFicFare 4.62, made offline with its
  `test1.com` adapter (`fanficfare -c personal.ini -f epub "http://test1.com?sid=1001"`), the
  story's metadata in personal.ini's `[teststory:1001]` and its two chapters read from a local
  file through `chapter_urls`; the EPUB 3 one with `epub_version:3.0`, `include_logpage:true`,
  `titlepage_use_table:true` and `status:In-Progress`.
- fanficfare-calibre.epub: that EPUB 2 run through calibre 6.13 (`ebook-convert … --epub-version
  3 --insert-metadata --no-default-epub-cover`): a metadata jacket, classes renamed.
- ao3-calibre.epub and ao3-calibre-oneshot.epub: calibre 6.13 converting ao3-download.html (and
  a one-chapter copy of it) with the `ebook-convert` options AO3 uses (otwarchive's
  DownloadWriter: `--use-auto-toc --toc-threshold 0 --chapter <AO3's XPath> --publisher "Archive
  of Our Own" --no-default-epub-cover …`).
- gutenberg/sherlock-holmes-short-calibre.epub: calibre 6.13 converting a Project Gutenberg HTML
  book cut to three adventures (tests/fixtures/gutenberg/make_calibre.py), split into several
  documents the way calibre splits a whole book.
"""

from __future__ import annotations

import io
import random
import struct
import zipfile
from pathlib import Path

import pytest

from ficarchive.texts.formats import parse_bytes
from ficarchive.texts.structure import SCENE_BREAK_HTML, ParsedWork, ParseError
from tests.texts.epub_builder import (
    AO3_AFTERWORD,
    AO3_CHAPTER_1,
    AO3_CHAPTER_2,
    AO3_PREFACE,
    FFF_NOTES_CHAPTER,
    Book,
    Doc,
    ao3_book,
    build_epub,
    epub_files,
    fanfic_book,
    xhtml,
    zip_files,
)

FIXTURES = Path(__file__).parent.parent / "fixtures"


def _parse(data: bytes, name: str = "story.epub") -> ParsedWork:
    return parse_bytes(data, name)


def _parse_or_refuse(data: bytes, name: str) -> None:
    """The only two outcomes allowed: a work with chapters, or a ParseError with a message."""
    refusal: ParseError | None = None
    try:
        work = parse_bytes(data, name)
    except ParseError as error:
        refusal = error
    if refusal is not None:
        assert refusal.message
    else:
        assert work.chapters


def _refusal(data: bytes, name: str = "story.epub") -> str:
    with pytest.raises(ParseError) as raised:
        parse_bytes(data, name)
    assert str(raised.value).startswith(f"{name}: ")
    return raised.value.message


# -- books as writers' tools make them ----------------------------------------------------------


def test_epub3_nav_gives_metadata_chapter_titles_notes_and_scene_breaks() -> None:
    work = _parse(build_epub(fanfic_book(), "3.0"))
    assert work.title == "The Lamplighter's Tide"
    assert work.authors == ["tidewright"]
    assert work.language == "en"
    assert work.summary == "<p>The lamp at Kettle Point has not gone dark in forty years.</p>"
    assert work.tags == {"freeform": ["Original Work", "Lighthouses", "Slow Burn"]}
    assert work.source_format == "epub"
    # The cover (a picture) and the title page (title and author) are not chapters.
    assert [chapter.title for chapter in work.chapters] == ["Low Water", "High Water"]
    first, second = work.chapters
    assert first.text.startswith("The tide went out the way it always did")
    assert "Low Water" not in first.html  # the heading is the title, not text
    assert first.notes == "<p>Thank you to my beta, Sparrow, for reading this twice.</p>"
    assert first.end_notes == "<p>Next chapter: the storm!</p>"
    assert "A/N" not in first.text
    assert "<em>Nobody</em>" in first.html
    assert first.html.count(SCENE_BREAK_HTML) == 1
    assert second.html.count(SCENE_BREAK_HTML) == 1  # an <hr>
    assert second.text.endswith("asleep in the lamp room.")  # "The End" is a marker, not text
    assert work.complete is True


def test_epub2_ncx_reads_the_same_as_epub3_nav() -> None:
    epub3 = _parse(build_epub(fanfic_book(), "3.0")).as_json()
    epub2 = _parse(build_epub(fanfic_book(), "2.0")).as_json()
    assert epub2 == epub3


def test_without_a_table_of_contents_each_chapter_is_titled_by_its_first_heading() -> None:
    book = fanfic_book()
    book.toc = []
    work = _parse(build_epub(book, "2.0"))
    assert [chapter.title for chapter in work.chapters] == ["Low Water", "High Water"]
    assert not any("Low Water" in chapter.text for chapter in work.chapters)


def test_a_toc_label_titles_a_chapter_whose_heading_says_something_else() -> None:
    book = Book(
        docs=[
            Doc("one.xhtml", "<h3>Dear Maren,</h3><p>I have been meaning to write for weeks.</p>"),
            Doc("two.xhtml", "<p>She read the letter twice and then burned it.</p>"),
        ],
        toc=[("one.xhtml", "The Letter"), ("two.xhtml", "The Fire")],
    )
    work = _parse(build_epub(book))
    assert [chapter.title for chapter in work.chapters] == ["The Letter", "The Fire"]
    assert work.chapters[0].text.startswith("Dear Maren,")  # a heading in the text stays there


def test_toc_anchors_split_one_document_into_chapters() -> None:
    body = """<h1>The Lamplighter's Tide</h1>
<h2 id="one">The Lamp</h2><p>Maren kept the lamp for forty years without a single dark night.</p>
<h2 id="two">The Question</h2><p>Ilse rowed out at noon with bread and a question.</p>
<div id="three"><h2>The Storm</h2></div><p>The storm came in sideways and stayed all night.</p>"""
    book = Book(
        docs=[Doc("book.xhtml", body)],
        toc=[
            ("book.xhtml#one", "1. The Lamp"),
            ("book.xhtml#two", "2. The Question"),
            ("book.xhtml#three", "3. The Storm"),
        ],
    )
    work = _parse(build_epub(book))
    # Numbered like `1. The Lamp` in the contents, a chapter is titled as AO3 titles it.
    assert [chapter.title for chapter in work.chapters] == ["The Lamp", "The Question", "The Storm"]
    assert work.chapters[1].text == "Ilse rowed out at noon with bread and a question."
    assert work.chapters[2].text == "The storm came in sideways and stayed all night."


def test_a_single_document_with_chapter_headings_is_split_by_them() -> None:
    body = """<p>Chapter 1: The Lamp</p><p>Maren kept the lamp lit through every storm.</p>
<p>Chapter 2: The Question</p><p>Ilse asked why, and kept asking.</p>"""
    work = _parse(build_epub(Book(docs=[Doc("all.xhtml", body)], toc=[])))
    assert [chapter.title for chapter in work.chapters] == ["The Lamp", "The Question"]
    assert work.chapters[1].text == "Ilse asked why, and kept asking."


def test_one_long_page_is_split_at_its_repeated_headings() -> None:
    body = """<h1>The Lamplighter's Tide</h1>
<h2>The Lamp</h2><p>Maren kept the lamp for forty years.</p><h3>Later</h3><p>She slept.</p>
<h2>The Question</h2><p>Ilse rowed out at noon.</p>"""
    # calibre's table of contents for a book it found no chapters in: one entry, "Start".
    book = Book(docs=[Doc("book.xhtml", body)], toc=[("book.xhtml", "Start")])
    work = _parse(build_epub(book))
    assert [chapter.title for chapter in work.chapters] == ["The Lamp", "The Question"]
    assert work.chapters[0].html == (
        "<p>Maren kept the lamp for forty years.</p>\n<h3>Later</h3>\n<p>She slept.</p>"
    )


def test_hrefs_resolve_relative_to_the_opf_and_percent_encoding() -> None:
    book = Book(
        folder="OPS/content",
        docs=[
            Doc("Text/Chapter%201.xhtml", "<p>One: the lamp is lit at dusk every evening.</p>"),
            Doc("../Text2/chapter2.xhtml", "<p>Two: the lamp goes out at dawn every morning.</p>"),
        ],
        toc=[("Text/Chapter%201.xhtml", "Dusk"), ("../Text2/chapter2.xhtml", "Dawn")],
    )
    files = epub_files(book)
    # Stored under their real names: a space in one, the other beside the OPF's folder.
    files["OPS/content/Text/Chapter 1.xhtml"] = files.pop("OPS/content/Text/Chapter%201.xhtml")
    files["OPS/Text2/chapter2.xhtml"] = files.pop("OPS/content/../Text2/chapter2.xhtml")
    work = _parse(zip_files(files))
    assert [chapter.title for chapter in work.chapters] == ["Dusk", "Dawn"]
    assert work.chapters[1].text.startswith("Two:")


def test_non_linear_documents_are_kept_in_spine_order() -> None:
    book = fanfic_book()
    book.docs[3].linear = False
    work = _parse(build_epub(book))
    assert [chapter.title for chapter in work.chapters] == ["Low Water", "High Water"]


def test_a_contents_page_in_the_spine_is_not_a_chapter() -> None:
    book = fanfic_book()
    contents = """<h1>Contents</h1><p><a href="chapter1.xhtml">Chapter 1: Low Water</a></p>
<p><a href="chapter2.xhtml">Chapter 2: High Water</a></p><p><a href="title.xhtml">Title</a></p>"""
    book.docs.insert(2, Doc("contents.xhtml", contents))
    work = _parse(build_epub(book))
    assert [chapter.title for chapter in work.chapters] == ["Low Water", "High Water"]


def test_named_entities_and_broken_xhtml_are_still_read() -> None:
    broken = (
        b'<?xml version="1.0" encoding="utf-8"?>\n<html xmlns="http://www.w3.org/1999/xhtml">'
        b"<head><title>x</title></head><body><h2>The Lamp</h2>"
        b"<p>Maren&nbsp;climbed &mdash; one hundred <i>and twelve</p><p>steps &amp; more."
        b"</body></html>"
    )
    book = Book(docs=[Doc("broken.xhtml", "", raw=broken)], toc=[])
    work = _parse(build_epub(book))
    chapter = work.chapters[0]
    assert chapter.title == "The Lamp"
    assert "Maren&nbsp;climbed \u2014 one hundred <i>and twelve</i>" in chapter.html
    assert "steps &amp; more." in chapter.html  # nothing lost to the broken markup


def test_scene_break_markers_become_the_scene_break() -> None:
    body = """<p>First scene, on the stair.</p><hr/><p>Second scene, in the lamp room.</p>
<p class="center">~~~</p><p>Third scene, at sea.</p>
<div class="divider"><img src="../Images/divider.png" alt=""/></div>
<p>Fourth scene, ashore.</p><p>* * *</p>"""
    work = _parse(build_epub(Book(docs=[Doc("one.xhtml", body, label="Scenes")])))
    html = work.chapters[0].html
    assert html.count(SCENE_BREAK_HTML) == 3
    assert html.endswith("<p>Fourth scene, ashore.</p>")  # a break at the very end is dropped
    assert "img" not in html  # pictures inside the book cannot be shown here


def test_summary_with_escaped_html_is_sanitized() -> None:
    book = fanfic_book()
    book.description = (
        '<p onclick="steal()">A <em>quiet</em> story.</p><script>alert(1)</script>'
        '<a href="javascript:alert(2)">link</a>'
    )
    work = _parse(build_epub(book))
    assert work.summary.startswith("<p>A <em>quiet</em> story.</p>")
    assert "script" not in work.summary
    assert "onclick" not in work.summary
    assert "javascript" not in work.summary


def test_plain_text_summary_becomes_paragraphs() -> None:
    book = fanfic_book()
    book.description = "One line.\n\nAnother & more."
    work = _parse(build_epub(book))
    assert work.summary == "<p>One line.</p>\n<p>Another &amp; more.</p>"


def test_story_html_is_sanitized() -> None:
    body = """<p>Safe <a href="https://example.org/" onclick="x()">link</a>.</p>
<script>alert(1)</script><p style="color:red">Red <a href="chapter2.xhtml">inside</a>.</p>
<iframe src="https://evil.example"></iframe>"""
    work = _parse(build_epub(Book(docs=[Doc("one.xhtml", body, label="One")])))
    html = work.chapters[0].html
    assert '<a href="https://example.org/" rel="nofollow">link</a>' in html
    assert "<p>Red inside.</p>" in html  # a link into the book is only its text here
    assert "script" not in html
    assert "iframe" not in html


def test_first_chapter_header_lines_fill_the_metadata() -> None:
    body = """<p>Rating: Mature</p><p>Pairing: Maren/Ilse</p><p>Summary: Storms.</p>
<p>Maren kept the lamp lit through every storm that came.</p>"""
    book = Book(docs=[Doc("one.xhtml", body, label="One")], subjects=[])
    work = _parse(build_epub(book))
    assert work.tags == {"rating": ["Mature"], "relationship": ["Maren/Ilse"]}
    assert work.summary == "<p>Storms.</p>"
    assert work.chapters[0].text == "Maren kept the lamp lit through every storm that came."


def test_a_one_chapter_book_titled_like_the_work_has_no_chapter_title() -> None:
    book = Book(
        docs=[Doc("one.xhtml", "<h1>The Lamplighter's Tide</h1><p>The lamp was lit.</p>")],
        toc=[("one.xhtml", "The Lamplighter's Tide")],
    )
    work = _parse(build_epub(book))
    assert len(work.chapters) == 1
    assert work.chapters[0].title == ""
    assert work.chapters[0].text == "The lamp was lit."


def test_creators_with_other_roles_are_not_authors() -> None:
    book = fanfic_book()
    book.extra_metadata = '<dc:creator opf:role="edt">An Editor</dc:creator>'
    work = _parse(build_epub(book, "2.0"))
    assert work.authors == ["tidewright"]


# -- AO3 -------------------------------------------------------------------------------------------


def test_ao3_epub_preface_becomes_tags_summary_and_notes() -> None:
    work = _parse(build_epub(ao3_book(), "2.0"))
    assert work.title == "The Lamplighter's Tide"
    assert work.authors == ["tidewright", "Salt and Ink (saltandink)"]
    assert work.tags == {
        "rating": ["Teen And Up Audiences"],
        "warning": ["No Archive Warnings Apply"],
        "category": ["F/F"],
        "fandom": ["Original Work"],
        "relationship": ["Maren/Ilse"],
        "character": ["Maren (Original Character)", "Ilse (Original Character)"],
        "freeform": ["Lighthouses", "Slow Burn"],
    }
    assert work.summary == (
        "<p>The lamp at Kettle Point has not gone dark in forty years. Ilse keeps asking "
        "<em>why</em>.</p>"
    )
    assert work.notes == "<p>Written for the Coastal Fic Exchange.</p>"
    assert work.end_notes.startswith("<p>Thank you for reading!")
    assert 'href="https://example.org/tidewright"' in work.end_notes
    assert work.complete is True


def test_ao3_epub_chapters_have_their_own_summary_and_notes_and_nothing_else() -> None:
    work = _parse(build_epub(ao3_book(), "2.0"))
    assert [chapter.title for chapter in work.chapters] == ["Low Water", "High Water"]
    first, second = work.chapters
    assert first.summary == "<p>A visitor at the lamp room door.</p>"
    assert first.notes == "<p>The lighthouse is invented; the weather is not.</p>"
    assert first.end_notes == "<p>Next chapter: the storm.</p>"
    assert first.text.startswith("The tide went out the way it always did")
    assert first.html.count(SCENE_BREAK_HTML) == 1
    assert second.notes == "<p>Warning for a shipwreck that nobody dies in.</p>"
    # The file calibre split off the long second chapter is still the second chapter.
    assert second.text.endswith("found them both asleep in the lamp room.")
    assert second.html.count(SCENE_BREAK_HTML) == 1
    everything = "\n".join(chapter.text for chapter in work.chapters)
    for preface_text in ("Rating", "Posted originally", "Summary", "Chapter Notes", "See the end"):
        assert preface_text not in everything
    assert "drop by the Archive" not in everything
    assert "Works inspired" not in everything


def test_ao3_epub_in_one_document_splits_at_its_chapter_headings() -> None:
    body = AO3_PREFACE + AO3_CHAPTER_1 + AO3_CHAPTER_2 + AO3_AFTERWORD
    book = ao3_book()
    book.docs = [Doc("The_Lamplighters_Tide.xhtml", body, label="Preface")]
    work = _parse(build_epub(book, "2.0"))
    assert [chapter.title for chapter in work.chapters] == ["Low Water", "High Water"]
    assert work.chapters[0].end_notes == "<p>Next chapter: the storm.</p>"
    assert work.tags["rating"] == ["Teen And Up Audiences"]
    assert work.end_notes.startswith("<p>Thank you for reading!")


def test_ao3_single_chapter_epub_keeps_the_story_that_shares_the_preface_file() -> None:
    chapter = """<div id="chapters" class="userstuff1"><div class="userstuff2">
<p>The lamp at Kettle Point had not gone dark in forty years.</p></div></div>"""
    book = ao3_book()
    book.docs = [
        Doc("Tide_split_000.xhtml", AO3_PREFACE + chapter, label="Preface"),
        Doc("Tide_split_001.xhtml", AO3_AFTERWORD, label="Afterword"),
    ]
    work = _parse(build_epub(book, "2.0"))
    assert len(work.chapters) == 1
    assert work.chapters[0].title == ""
    assert work.chapters[0].text == "The lamp at Kettle Point had not gone dark in forty years."
    assert work.notes == "<p>Written for the Coastal Fic Exchange.</p>"


def test_ao3_subjects_do_not_repeat_the_typed_tags_as_freeform() -> None:
    work = _parse(build_epub(ao3_book(), "2.0"))
    assert "Fanworks" not in work.tags["freeform"]
    assert "Teen And Up Audiences" not in work.tags["freeform"]


def test_real_ao3_epub_from_calibre_reads_preface_chapters_and_afterword() -> None:
    work = parse_bytes((FIXTURES / "ao3-calibre.epub").read_bytes(), "ao3.epub")
    assert work.title == "The Lamplighter's Tide"
    # calibre split "tidewright, Salt and Ink" into "tidewright, Salt" and "Ink": the preface's
    # byline has the creators as AO3 names them.
    assert work.authors == ["tidewright", "Salt and Ink (saltandink)"]
    assert work.tags["category"] == ["F/F", "Gen"]
    assert work.tags["freeform"] == ["Lighthouses", "Slow Burn", "Storms", "Hurt/Comfort"]
    assert work.summary.startswith("<p>The lamp at Kettle Point has not gone dark")
    assert work.notes.startswith("<p>Written for the Coastal Fic Exchange.")
    assert work.end_notes.startswith("<p>Thank you for reading!")
    assert work.complete is True
    assert [chapter.title for chapter in work.chapters] == ["Low Water", "High Water"]
    first, second = work.chapters
    assert first.summary == "<p>A visitor at the lamp room door.</p>"
    assert first.notes == "<p>The lighthouse is invented; the weather is not.</p>"
    assert first.end_notes == "<p>Next chapter: the storm.</p>"
    assert first.text.startswith("The tide went out the way it always did at Kettle Point")
    assert second.notes == "<p>Warning for a shipwreck that nobody dies in.</p>"
    assert [chapter.html.count(SCENE_BREAK_HTML) for chapter in work.chapters] == [1, 1]
    assert work.word_count == 254


def test_real_ao3_oneshot_epub_from_calibre_is_one_untitled_chapter() -> None:
    work = parse_bytes((FIXTURES / "ao3-calibre-oneshot.epub").read_bytes(), "ao3.epub")
    assert len(work.chapters) == 1
    chapter = work.chapters[0]
    assert chapter.title == ""
    assert chapter.text.startswith("The tide went out the way it always did at Kettle Point")
    assert chapter.html.count(SCENE_BREAK_HTML) == 1
    assert work.tags["rating"] == ["Teen And Up Audiences"]


# -- FanFicFare ------------------------------------------------------------------------------------


def test_fanficfare_epub2_title_page_becomes_the_works_metadata() -> None:
    work = parse_bytes((FIXTURES / "fanficfare-epub2.epub").read_bytes(), "fff.epub")
    assert work.title == "The Lamplighter's Tide"
    assert work.authors == ["tidewright"]
    assert work.language == "en"
    assert work.complete is True
    assert work.summary.startswith("<p>The lamp at Kettle Point has not gone dark")
    assert "<em>why</em>" in work.summary  # the title page's HTML, not the OPF's plain text
    assert work.tags == {
        "fandom": ["Original Work"],
        "freeform": ["Hurt/Comfort", "Romance"],
        "character": ["Ilse", "Maren"],
        "relationship": ["Maren/Ilse"],
        "rating": ["Teen And Up Audiences"],
        "warning": ["No Archive Warnings Apply"],
    }
    assert [chapter.title for chapter in work.chapters] == ["The Lamp", "The Question"]
    first, second = work.chapters
    assert first.text.startswith("The lamp at Kettle Point had not gone dark")
    assert first.notes == "<p>Thank you to my beta, Sparrow, for reading this twice.</p>"
    assert first.html.count(SCENE_BREAK_HTML) == 1
    assert second.end_notes == "<p>Next chapter is the storm. Comments make my day!</p>"
    assert second.html.count(SCENE_BREAK_HTML) == 1
    assert "Packaged" not in first.text + second.text


def test_fanficfare_epub3_skips_the_log_page_and_reads_a_table_title_page() -> None:
    work = parse_bytes((FIXTURES / "fanficfare-epub3.epub").read_bytes(), "fff.epub")
    assert work.complete is False  # Status: In-Progress
    assert work.tags["rating"] == ["Teen And Up Audiences"]
    assert work.tags["relationship"] == ["Maren/Ilse"]
    assert [chapter.title for chapter in work.chapters] == ["The Lamp", "The Question"]
    assert "Update Log" not in work.chapters[0].text


def test_fanficfare_book_after_calibre_reads_the_same() -> None:
    original = parse_bytes((FIXTURES / "fanficfare-epub2.epub").read_bytes(), "fff.epub")
    converted = parse_bytes((FIXTURES / "fanficfare-calibre.epub").read_bytes(), "fff.epub")
    assert converted.as_json() == original.as_json()


def test_fanficfare_chapter_note_blocks_become_chapter_and_work_notes() -> None:
    book = Book(
        extra_metadata="<dc:contributor>FanFicFare [https://github.com/JimmXinu/FanFicFare]"
        "</dc:contributor>",
        docs=[Doc("OEBPS/file0001.xhtml", FFF_NOTES_CHAPTER, label="Low Water", ident="file0001")],
        folder="",
    )
    work = _parse(build_epub(book, "2.0"))
    assert work.notes == "<p>For the exchange.</p>"
    assert work.end_notes == "<p>Thanks for reading!</p>"
    (only,) = work.chapters
    assert only.title == "Low Water"
    assert only.summary == "<p>A knock.</p>"
    assert only.notes == "<p>Invented lighthouse.</p>"
    assert only.end_notes == "<p>Storm next.</p>"
    assert only.text == "The tide went out all at once and without apology."


def test_fanficfare_note_blocks_renamed_by_calibre_are_still_found() -> None:
    chapter = FFF_NOTES_CHAPTER.replace("fff_chapter_notes fff_head_notes", "fff_chapter_notes")
    chapter = chapter.replace("fff_chapter_notes fff_foot_notes", "fff_chapter_notes1")
    book = Book(docs=[Doc("file0001.xhtml", chapter, label="Low Water")], folder="")
    work = _parse(build_epub(book))
    assert work.notes == "<p>For the exchange.</p>"
    assert work.end_notes == "<p>Thanks for reading!</p>"
    assert work.chapters[0].notes == "<p>Invented lighthouse.</p>"
    assert work.chapters[0].end_notes == "<p>Storm next.</p>"


# -- what is refused, and how ----------------------------------------------------------------------


def test_not_a_zip_is_refused_as_not_a_valid_epub() -> None:
    message = _refusal(b"This is a story, typed straight into a file named .epub.")
    assert message == "the file is not a valid EPUB (not a zip archive)"


def test_a_pdf_named_epub_is_refused_saying_what_it_is() -> None:
    assert "it is a PDF" in _refusal(b"%PDF-1.7\n" + b"x" * 100)


def test_a_truncated_epub_is_refused_as_damaged() -> None:
    data = build_epub(fanfic_book())
    message = _refusal(data[: len(data) // 2])
    assert "damaged or cut short" in message


def test_an_empty_zip_is_refused() -> None:
    assert "the zip archive is empty" in _refusal(zip_files({}))


def test_missing_container_xml_is_named() -> None:
    files = epub_files(fanfic_book())
    del files["META-INF/container.xml"]
    del files["OEBPS/content.opf"]
    assert "META-INF/container.xml is missing" in _refusal(zip_files(files))


def test_missing_container_xml_with_one_package_is_forgiven() -> None:
    files = epub_files(fanfic_book())
    del files["META-INF/container.xml"]
    assert len(_parse(zip_files(files)).chapters) == 2


def test_broken_container_xml_is_named() -> None:
    files = epub_files(fanfic_book())
    files["META-INF/container.xml"] = "<container><rootfiles><rootfile full-path="
    message = _refusal(zip_files(files))
    assert message.startswith("META-INF/container.xml inside the EPUB is not valid XML (line")


def test_missing_package_file_is_named() -> None:
    files = epub_files(fanfic_book())
    del files["OEBPS/content.opf"]
    message = _refusal(zip_files(files))
    assert "OEBPS/content.opf" in message
    assert "missing" in message


def test_a_package_file_that_is_not_xml_is_named() -> None:
    files = epub_files(fanfic_book())
    files["OEBPS/content.opf"] = b"\x00\x01 not xml at all \xff\xfe"
    message = _refusal(zip_files(files))
    assert message.startswith("OEBPS/content.opf inside the EPUB is not valid XML")


def test_a_package_without_a_spine_is_named() -> None:
    files = epub_files(fanfic_book())
    opf = str(files["OEBPS/content.opf"])
    start, end = opf.index("<spine"), opf.index("</spine>") + len("</spine>")
    files["OEBPS/content.opf"] = opf[:start] + opf[end:]
    assert "has no <spine>" in _refusal(zip_files(files))


def test_a_spine_document_missing_from_the_zip_is_named() -> None:
    files = epub_files(fanfic_book())
    del files["OEBPS/chapter2.xhtml"]
    message = _refusal(zip_files(files))
    assert "OEBPS/chapter2.xhtml" in message
    assert "missing" in message


def test_a_docx_named_epub_is_refused_as_a_word_document() -> None:
    data = zip_files({"[Content_Types].xml": "<Types/>", "word/document.xml": "<w:document/>"})
    assert "Word document" in _refusal(data)


def _encryption(uri: str, algorithm: str) -> str:
    return f"""<?xml version="1.0"?>
<encryption xmlns="urn:oasis:names:tc:opendocument:xmlns:container"
  xmlns:enc="http://www.w3.org/2001/04/xmlenc#">
  <enc:EncryptedData>
    <enc:EncryptionMethod Algorithm="{algorithm}"/>
    <enc:CipherData><enc:CipherReference URI="{uri}"/></enc:CipherData>
  </enc:EncryptedData>
</encryption>"""


def test_an_encrypted_epub_is_refused_as_drm() -> None:
    files = epub_files(fanfic_book())
    files["META-INF/encryption.xml"] = _encryption(
        "OEBPS/chapter1.xhtml", "http://www.w3.org/2001/04/xmlenc#aes128-cbc"
    )
    message = _refusal(zip_files(files))
    assert "encrypted (DRM)" in message
    assert "OEBPS/chapter1.xhtml" in message


def test_an_adobe_drm_rights_file_is_refused() -> None:
    files = epub_files(fanfic_book())
    files["META-INF/rights.xml"] = "<rights><licenseToken/></rights>"
    assert "protected by DRM" in _refusal(zip_files(files))


@pytest.mark.parametrize(
    ("uri", "algorithm"),
    [
        ("OEBPS/fonts/Lora.ttf", "http://www.idpf.org/2008/embedding"),  # IDPF obfuscation
        ("OEBPS/fonts/Lora.otf", "http://ns.adobe.com/pdf/enc#RC"),  # Adobe's
        ("OEBPS/images/cover.jpg", "http://www.w3.org/2001/04/xmlenc#aes128-cbc"),
    ],
)
def test_obfuscated_fonts_and_encrypted_pictures_alone_are_not_drm(
    uri: str, algorithm: str
) -> None:
    files = epub_files(fanfic_book())
    files["META-INF/encryption.xml"] = _encryption(uri, algorithm)
    assert len(_parse(zip_files(files)).chapters) == 2


def test_a_password_protected_member_is_refused() -> None:
    data = bytearray(build_epub(fanfic_book()))
    # Set the "encrypted" flag on every entry of the central directory.
    position = data.find(b"PK\x01\x02")
    while position != -1:
        (flags,) = struct.unpack_from("<H", data, position + 8)
        struct.pack_into("<H", data, position + 8, flags | 0x1)
        position = data.find(b"PK\x01\x02", position + 4)
    assert "password-protected" in _refusal(bytes(data))


def test_a_damaged_member_is_named() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in epub_files(fanfic_book()).items():
            archive.writestr(name, content)
    data = bytearray(buffer.getvalue())
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as archive:
        info = archive.getinfo("OEBPS/chapter1.xhtml")
    # The member's data starts after its local header (30 bytes, its name, its extra field).
    (name_length, extra_length) = struct.unpack_from("<HH", data, info.header_offset + 26)
    start = info.header_offset + 30 + name_length + extra_length
    for offset in range(start + 5, start + info.compress_size - 5):
        data[offset] ^= 0x5A
    message = _refusal(bytes(data))
    assert "OEBPS/chapter1.xhtml" in message
    assert "cannot be unpacked" in message


def test_a_zip_bomb_is_refused_before_it_is_unpacked() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in epub_files(fanfic_book()).items():
            archive.writestr(name, content)
        chunk = b"\0" * (1024 * 1024)
        with archive.open("OEBPS/images/bomb.png", "w") as bomb:
            for _ in range(210):
                bomb.write(chunk)
    data = buffer.getvalue()
    assert len(data) < 1024 * 1024  # small on disk…
    message = _refusal(data)  # …and refused for what it would become
    assert "zip bomb" in message
    assert "210 MB" in message


def test_broken_epubs_only_ever_raise_parse_error() -> None:
    data = build_epub(fanfic_book())
    rng = random.Random(20240601)
    candidates = [data[:cut] for cut in range(0, len(data), max(1, len(data) // 60))]
    for _ in range(150):
        mutated = bytearray(data)
        for _ in range(rng.randint(1, 12)):
            mutated[rng.randrange(len(mutated))] = rng.randrange(256)
        candidates.append(bytes(mutated))
    for candidate in candidates:
        _parse_or_refuse(candidate, "fuzz.epub")


def test_a_book_with_no_story_text_says_so() -> None:
    book = Book(docs=[Doc("cover.xhtml", '<div><img src="cover.jpg"/></div>')])
    assert _refusal(build_epub(book)) == "no story text was found in it"


def test_every_page_in_a_real_looking_spine_is_xhtml_markup() -> None:
    # The helper itself writes well-formed XHTML, so the tests above test the parser.
    from lxml import etree

    for name, content in epub_files(ao3_book()).items():
        if name.endswith((".xhtml", ".opf", ".ncx", ".xml")):
            etree.fromstring(content.encode() if isinstance(content, str) else content)
    assert xhtml("<p>x</p>").startswith("<?xml")


# -- inputs the fuzzer found (bench/fuzz.py) ------------------------------------------------------


def _with_a_nameless_member(data: bytes) -> bytes:
    """The zip with its last member's one-letter name taken out of the central directory."""
    end = data.rindex(b"PK\x05\x06")
    last = data.rindex(b"PK\x01\x02", 0, end)
    entry = bytearray(data[last:end])
    assert struct.unpack_from("<H", entry, 28)[0] == 1
    struct.pack_into("<H", entry, 28, 0)
    del entry[46]
    record = bytearray(data[end:])
    struct.pack_into("<I", record, 12, struct.unpack_from("<I", record, 12)[0] - 1)
    return data[:last] + bytes(entry) + bytes(record)


def test_a_member_without_a_name_is_passed_over() -> None:
    files = epub_files(fanfic_book())
    files["Z"] = "nothing"
    data = _with_a_nameless_member(zip_files(files))
    assert "" in zipfile.ZipFile(io.BytesIO(data)).namelist()
    assert len(_parse(data).chapters) == 2


def test_control_characters_from_references_and_attribute_names_are_dropped() -> None:
    # Not well-formed (an unclosed <b>, an attribute name with a control character), so read as
    # HTML, which keeps `&#1;` as the character; lxml then refuses to store such text.
    body = (
        '<p title="a&#2;b" data-x\x01y="1">Rain&#1; on the <b>bridge</b>&#27; at night.</p>'
        '<p class="c">Coffee&#x1b; at Luke\'s<b></p>'
    )
    raw = xhtml(body).encode().replace(b"<html", b"<html data-\x03=''")
    work = _parse(build_epub(Book(docs=[Doc("c1.xhtml", body, "Chapter 1", raw=raw)])))
    text = work.chapters[0].text
    assert "Rain on the bridge at night." in text
    assert "Coffee at Luke's" in text
    assert not any(ord(character) < 32 and character not in "\n\t" for character in text)


def test_an_entity_reference_the_parser_left_unexpanded_is_dropped() -> None:
    # `&lEt;` is no entity XML knows: the package is read as far as it goes, and the reference
    # is left out of the description rather than failing every reader of the metadata.
    book = Book(
        docs=[Doc("c1.xhtml", "<p>Rain on the bridge.</p>", "Chapter 1")],
        extra_metadata="<dc:description>&lEt;p&gt;The lamp at Kettle Point.</dc:description>",
    )
    work = _parse(build_epub(book))
    assert work.chapters[0].text == "Rain on the bridge."
    assert "The lamp at Kettle Point." in work.summary
    assert "lEt" not in work.summary


# -- the edges EPUBCheck accepts (issue 15) ---------------------------------------------------

_STORY = "<p>Maren kept the lamp for forty years without a single dark night.</p>"
_SVG = 'xmlns="http://www.w3.org/2000/svg"'


def _two_chapters(*bodies: str) -> Book:
    labels = ["The Lamp", "The Question"]
    return Book(
        docs=[
            Doc(f"chapter{n}.xhtml", body, label=labels[n - 1]) for n, body in enumerate(bodies, 1)
        ]
    )


def test_css_inside_an_inline_svg_is_not_story_text() -> None:
    ornament = (
        f'<div><svg {_SVG} viewBox="0 0 100 10"><style>.wave {{ fill: none; stroke: #335; }}'
        '</style><title>A wave</title><path class="wave" d="M0 5 Q 25 0 50 5"/></svg></div>'
    )
    inline = (
        f"<p>The lamp turned.<svg {_SVG}><style>.dot {{ fill: red; }}</style></svg> Slowly.</p>"
    )
    work = _parse(build_epub(_two_chapters(ornament + _STORY, inline)))
    assert (
        work.chapters[0].text == "Maren kept the lamp for forty years without a single dark night."
    )
    assert work.chapters[1].text == "The lamp turned. Slowly."
    assert not any("fill" in chapter.html or "wave" in chapter.html for chapter in work.chapters)


def test_an_svg_only_spine_document_is_read_from_its_text_elements() -> None:
    page = f"""<?xml version="1.0" encoding="UTF-8"?>
<svg {_SVG} viewBox="0 0 600 800"><style>text {{ font-family: serif; }}</style>
<rect width="600" height="800" fill="#fdf8ee"/>
<text x="10" y="40">The harbour was <tspan font-style="italic">empty</tspan> at dawn.</text>
<text x="10" y="70">Only the lamp still turned.</text></svg>"""
    book = Book(docs=[Doc("page1.svg", "", label="Dawn", raw=page.encode())])
    files = epub_files(book)
    files["OEBPS/content.opf"] = str(files["OEBPS/content.opf"]).replace(
        'href="page1.svg" media-type="application/xhtml+xml"',
        'href="page1.svg" media-type="image/svg+xml"',
    )
    work = _parse(zip_files(files))
    assert [chapter.title for chapter in work.chapters] == ["Dawn"]
    assert work.chapters[0].html == (
        "<p>The harbour was empty at dawn.</p>\n<p>Only the lamp still turned.</p>"
    )


def test_an_svg_title_page_drawn_in_text_is_not_a_chapter() -> None:
    title = (
        f'<svg {_SVG}><text x="5" y="20">The Lamplighter\'s Tide</text>'
        '<text x="5" y="40">tidewright</text></svg>'
    )
    book = _two_chapters(_STORY)
    book.docs.insert(0, Doc("title.xhtml", title))
    work = _parse(build_epub(book))
    assert [chapter.text for chapter in work.chapters] == [
        "Maren kept the lamp for forty years without a single dark night."
    ]


def test_manifest_ids_with_spaces_are_matched_after_stripping() -> None:
    book = _two_chapters(_STORY, "<p>Ilse rowed out at noon with bread and a question.</p>")
    book.docs[0].ident = " chapter1 "
    book.docs[1].ident = "chapter2"
    files = epub_files(book, "2.0")
    opf = str(files["OEBPS/content.opf"]).replace('idref=" chapter1 "', 'idref="chapter1"')
    files["OEBPS/content.opf"] = opf.replace('idref="chapter2"', 'idref="  chapter2\t"')
    work = _parse(zip_files(files))
    assert [chapter.title for chapter in work.chapters] == ["The Lamp", "The Question"]


def test_file_names_whose_unicode_normalisation_differs_from_the_zip_are_found() -> None:
    nfc, nfd = "Kapitel_\u00dcberfahrt.xhtml", "Kapitel_U\u0308berfahrt.xhtml"
    assert nfc != nfd
    for in_package, in_zip in ((nfc, nfd), (nfd, nfc)):
        book = Book(docs=[Doc(in_package, _STORY, label="\u00dcberfahrt")])
        book.toc = [(nfc, "\u00dcberfahrt")]  # the contents spelled NFC whatever the package says
        files = epub_files(book)
        files[f"OEBPS/{in_zip}"] = files.pop(f"OEBPS/{in_package}")
        work = _parse(zip_files(files))
        assert [chapter.title for chapter in work.chapters] == ["\u00dcberfahrt"]
        assert work.chapters[0].text.startswith("Maren kept the lamp")


def test_an_encrypted_package_file_is_refused_as_drm() -> None:
    files = epub_files(fanfic_book())
    files["META-INF/encryption.xml"] = _encryption(
        "OEBPS/content.opf", "http://www.w3.org/2001/04/xmlenc#aes128-cbc"
    )
    assert "encrypted (DRM)" in _refusal(zip_files(files))


def test_printed_page_numbers_are_dropped_from_the_text() -> None:
    inside = (
        '<p>Maren kept the lamp <span epub:type="pagebreak" id="p12" title="12">12</span>'
        'for forty years<span role="doc-pagebreak" id="p13" aria-label="13"/>'
        " without a dark night.</p>"
    )
    between = (
        '<p>Ilse rowed out at noon.</p><div epub:type="pagebreak" title="14">14</div>'
        '<p role="doc-pagebreak">15</p><p>She brought bread and a question.</p>'
    )
    work = _parse(build_epub(_two_chapters(inside, between)))
    assert work.chapters[0].text == "Maren kept the lamp for forty years without a dark night."
    assert work.chapters[1].html == (
        "<p>Ilse rowed out at noon.</p>\n<p>She brought bread and a question.</p>"
    )


def test_a_contents_link_to_a_page_break_still_starts_its_chapter() -> None:
    body = (
        '<span epub:type="pagebreak" id="page3">3</span>'
        + _STORY
        + '<span epub:type="pagebreak" id="page4">4</span>'
        + "<p>Ilse rowed out at noon with bread and a question.</p>"
    )
    book = Book(
        docs=[Doc("book.xhtml", body)],
        toc=[("book.xhtml#page3", "The Lamp"), ("book.xhtml#page4", "The Question")],
    )
    work = _parse(build_epub(book))
    assert [chapter.title for chapter in work.chapters] == ["The Lamp", "The Question"]
    assert work.chapters[0].html == _STORY


def test_a_copyright_page_is_not_a_chapter() -> None:
    marked = (
        '<section epub:type="copyright-page"><p>Text set in Lora.</p>'
        "<p>Cover by the author.</p></section>"
    )
    unmarked = "<p>Copyright \u00a9 2024 tidewright. All rights reserved.</p><p>Second edition.</p>"
    for page in (marked, unmarked):
        book = _two_chapters(_STORY, "<p>Ilse rowed out at noon with bread and a question.</p>")
        book.docs.insert(0, Doc("copyright.xhtml", page, label="Colophon"))
        work = _parse(build_epub(book))
        assert [chapter.title for chapter in work.chapters] == ["The Lamp", "The Question"]


def test_a_disclaimer_that_names_the_copyright_is_not_taken_for_a_copyright_page() -> None:
    disclaimer = "<p>Disclaimer: the lighthouse is \u00a9 its owners, all rights reserved.</p>"
    work = _parse(build_epub(_two_chapters(disclaimer + _STORY)))
    assert "the lighthouse is \u00a9 its owners" in work.notes + work.chapters[0].notes


def test_a_part_page_with_only_a_heading_is_no_chapter_and_prefixes_the_next_chapters_title() -> (
    None
):
    book = _two_chapters(
        "<h2>Chapter 1: The Lamp</h2>" + _STORY,
        "<h2>Chapter 2: The Question</h2><p>Ilse rowed out at noon with bread.</p>",
    )
    book.docs.insert(0, Doc("part1.xhtml", '<h1 epub:type="title">Part One: Kettle Point</h1>'))
    book.docs.append(Doc("part2.xhtml", "<h1>Part Two</h1><h2>The Return</h2>"))  # nothing after
    work = _parse(build_epub(book))
    # AO3 readers expect the part's name before the chapter's: "Part One: Kettle Point: …".
    assert [chapter.title for chapter in work.chapters] == [
        "Part One: Kettle Point: The Lamp",
        "The Question",
    ]
    assert "Kettle Point" not in work.chapters[0].text + work.notes


# -- a Project Gutenberg book converted by calibre -------------------------------------------------

GUTENBERG_EPUB = Path(__file__).parent.parent / "fixtures" / "gutenberg"
GUTENBERG_EPUB /= "sherlock-holmes-short-calibre.epub"


def _gutenberg_epub() -> ParsedWork:
    return parse_bytes(GUTENBERG_EPUB.read_bytes(), GUTENBERG_EPUB.name)


def test_a_gutenberg_epub_has_a_chapter_per_adventure_from_contents_across_documents() -> None:
    book = zipfile.ZipFile(GUTENBERG_EPUB)
    pages = [name for name in book.namelist() if "_split_" in name]
    contents = next(book.read(name).decode() for name in pages if b"CONTENTS" in book.read(name))
    assert "_split_004.htm#2" in contents  # the contents link into another document
    work = _gutenberg_epub()
    assert [chapter.title for chapter in work.chapters] == [
        "A Scandal in Bohemia",
        "The Red-Headed League",
        "A Case of Identity",
    ]
    assert work.chapters[0].text.startswith("I.\n\nTo Sherlock Holmes she is always the woman.")


def test_a_gutenberg_epub_keeps_an_adventures_numbered_sections_in_its_chapter() -> None:
    first = _gutenberg_epub().chapters[0].text
    assert "\n\nII.\n\nAt three o’clock precisely I was at Baker Street" in first
    assert "\n\nIII.\n\nI slept at Baker Street that night" in first
