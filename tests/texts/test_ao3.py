"""AO3's markup read once for its HTML download and its EPUB (`texts.makers.ao3`)."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from ficarchive.texts.formats import parse_bytes
from ficarchive.texts.makers.ao3 import ao3_chapter_title
from ficarchive.texts.structure import ParsedWork, ParseError
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


# -- a saved AO3 work page ------------------------------------------------------------------------

PAGES = Path(__file__).parent.parent / "fixtures" / "layouts" / "ao3-saved-page"
FULL_WORK = "Saltwater Lanterns - tidewright - Original Work [Archive of Our Own].html"
CHAPTER_PAGE = (
    "Saltwater Lanterns - Chapter 1 - tidewright - Original Work [Archive of Our Own].html"
)
ONE_SHOT = "The Fourth Step - inkfinch, belfry - Original Work [Archive of Our Own].html"
SALTWATER_DOWNLOAD = PAGES.parent / "ao3-html" / "Saltwater_Lanterns.html"


def _page(name: str, *changes: tuple[str, str]) -> ParsedWork:
    text = (PAGES / name).read_text(encoding="utf-8")
    for replacing, by in changes:
        assert replacing in text
        text = text.replace(replacing, by)
    return parse_bytes(text.encode(), name)


def _refusal(name: str) -> str:
    with pytest.raises(ParseError) as caught:
        parse_bytes((PAGES / name).read_bytes(), name)
    return str(caught.value)


def test_a_saved_work_page_gives_the_title_creators_tags_and_stats_of_a_download() -> None:
    work = _page(FULL_WORK)
    assert work.title == "Saltwater Lanterns"
    assert work.authors == ["tidewright"]
    assert work.language == "English"
    assert work.complete is True
    label = json.loads((PAGES / FULL_WORK).with_suffix(".json").read_text(encoding="utf-8"))
    assert work.tags == label["tags"]
    assert work.tags["relationship"] == ["Maren/Ilse"]


def test_a_saved_full_work_page_gives_every_chapter_with_its_title_and_notes() -> None:
    work = _page(FULL_WORK)
    assert work.summary == "<p>The lamp at Kettle Point has not gone dark in forty years.</p>"
    assert work.notes == "<p>Written for the Coastal Fic Exchange. Thank you to my beta.</p>"
    assert work.end_notes == "<p>Thank you for reading! Come and find me on my blog.</p>"
    first, second, third = work.chapters
    assert [c.title for c in work.chapters] == ["Low Water", "High Water", ""]
    assert first.summary == "<p>A visitor at the lamp room door.</p>"
    assert first.notes == "<p>The lighthouse is invented; the weather is not.</p>"
    assert first.end_notes == "<p>Next chapter: the storm.</p>"
    assert (second.summary, second.notes, second.end_notes) == ("", "", "")
    assert first.text.startswith("Ilse said nothing at all")
    assert third.text.endswith(
        "Frost had drawn ferns across the inside of the window while they slept."
    )


def test_a_saved_work_page_keeps_nothing_of_the_menus_kudos_comments_or_footer() -> None:
    work = _page(FULL_WORK)
    fields = [work.summary, work.notes, work.end_notes]
    for chapter in work.chapters:
        fields += [chapter.html, chapter.summary, chapter.notes, chapter.end_notes, chapter.title]
    everything = "\n".join(fields)
    for site in (
        "Fandoms",
        "Kudos",
        "left kudos",
        "I read it twice",
        "gullsong",
        "Comments",
        "Chapter Text",
        "Work Header",
        "Organization for Transformative Works",
        "Summary:",
        "Notes:",
        "Download",
        "Log In",
    ):
        assert site not in everything, site


def test_a_saved_chapter_page_gives_that_chapter_alone_with_its_notes() -> None:
    work = _page(CHAPTER_PAGE)
    assert work.title == "Saltwater Lanterns"
    assert [c.title for c in work.chapters] == ["Low Water"]
    (chapter,) = work.chapters
    assert chapter.notes == "<p>The lighthouse is invented; the weather is not.</p>"
    assert chapter.end_notes == "<p>Next chapter: the storm.</p>"
    assert "Next Chapter" not in chapter.text
    assert "Entire Work" not in chapter.text


def test_a_saved_one_shot_page_is_one_untitled_chapter_by_both_creators() -> None:
    work = _page(ONE_SHOT)
    assert work.title == "The Fourth Step"
    assert work.authors == ["inkfinch", "belfry"]
    assert work.tags["category"] == ["Gen"]
    assert "relationship" not in work.tags
    (chapter,) = work.chapters
    assert chapter.title == ""
    assert chapter.text.startswith("It was the kind of quiet")
    assert "Work Text" not in chapter.text
    assert work.notes == "<p>A co-written one-shot for the Small Hours challenge.</p>"


def test_a_saved_page_and_the_download_of_the_same_work_read_the_same() -> None:
    page = _page(FULL_WORK)
    download = parse_bytes(SALTWATER_DOWNLOAD.read_bytes(), "Saltwater_Lanterns.html")
    assert (page.title, page.authors, page.tags) == (
        download.title,
        download.authors,
        download.tags,
    )
    assert page.complete == download.complete
    assert page.summary == download.summary
    assert len(page.chapters) == len(download.chapters)
    for mine, theirs in zip(page.chapters, download.chapters, strict=True):
        assert mine.title == theirs.title
        assert mine.html == theirs.html
        assert (mine.summary, mine.notes, mine.end_notes) == (
            theirs.summary,
            theirs.notes,
            theirs.end_notes,
        )


def test_work_notes_after_a_gift_and_a_translation_list_are_the_notes_not_the_list() -> None:
    heading = '<div class="notes module" role="complementary"><h3 class="heading">Notes:</h3>'
    gifts = '<ul class="associations"><li>For <a href="/users/harbourbells/gifts">harbourbells</a>.'
    jump = '<p class="jump">(See the end of the work for <a href="#work_endnotes">more</a>.)</p>'
    work = _page(
        FULL_WORK,
        (heading + "<blockquote", f"{heading}{gifts}</li></ul>{TRANSLATION}<blockquote"),
        ("beta.</p></blockquote></div>", f"beta.</p></blockquote>{jump}</div>"),
    )
    assert work.notes == "<p>Written for the Coastal Fic Exchange. Thank you to my beta.</p>"
    assert work.authors == ["tidewright"]


def test_chapter_notes_that_only_point_to_the_end_notes_are_not_notes() -> None:
    notes = (
        '<div id="notes" class="notes module" role="complementary"><h3 class="heading">Notes:'
        '</h3><blockquote class="userstuff"><p>The lighthouse is invented; the weather is not.'
        "</p></blockquote></div>"
    )
    pointer = (
        '<div id="notes" class="notes module"><h3 class="heading">Notes:</h3><p>(See the end of '
        'the chapter for <a href="#chapter_1_endnotes">notes</a>.)</p></div>'
    )
    first = _page(FULL_WORK, (notes, pointer)).chapters[0]
    assert first.notes == ""
    assert first.end_notes == "<p>Next chapter: the storm.</p>"


# -- AO3 pages that are not works -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "what"),
    [
        ("Error 404 _ Archive of Our Own.html", "an Error 404 page"),
        ("New Session _ Archive of Our Own.html", "only available to registered users"),
        ("Saltwater Lanterns - tidewright [Archive of Our Own].html", "adult-content check"),
        ("gullsong - Bookmarks _ Archive of Our Own.html", "a bookmarks list"),
    ],
)
def test_an_ao3_page_that_is_not_a_work_is_refused_saying_what_it_is(name: str, what: str) -> None:
    message = _refusal(name)
    assert message.startswith(f"{name}: this is an AO3 page that is not a work: ")
    assert what in message


def test_an_ao3_page_the_reader_does_not_know_is_refused_naming_its_title() -> None:
    text = (PAGES / "gullsong - Bookmarks _ Archive of Our Own.html").read_text(encoding="utf-8")
    text = text.replace("bookmarks-index", "kudos-index").replace("gullsong - Bookmarks", "Kudos")
    with pytest.raises(ParseError, match="not a work: the page “Kudos” — open the work"):
        parse_bytes(text.encode(), "kudos.html")


def test_a_page_of_another_site_with_a_main_region_is_read_as_any_page() -> None:
    page = (
        '<html><head><title>My Fics</title></head><body><div id="main"><h1>Tide Song</h1>'
        "<p>The lamp at Kettle Point had not gone dark in forty years, and it would not go dark "
        "tonight, whatever the sea said about it.</p></div></body></html>"
    )
    work = parse_bytes(page.encode(), "tide-song.html")
    assert work.chapters[0].text.startswith("The lamp at Kettle Point")


# -- AO3's EPUB: chapter titles -------------------------------------------------------------------

OLD_EPUB = PAGES.parent / "ao3-epub" / "Three_Nights_in_Greyhaven-old-ao3.epub"


@pytest.mark.parametrize(
    ("heading", "title"),
    [
        ("Chapter 4: The Bridge", "The Bridge"),
        ("Chapter 12", ""),
        ("Part 2", "Part 2"),
        ("Prologue", "Prologue"),
        ("Chapter 3: Chapter Three, In Which", "Chapter Three, In Which"),
    ],
)
def test_ao3_chapter_headings_give_the_chapter_s_own_title(heading: str, title: str) -> None:
    assert ao3_chapter_title(heading) == title


def test_an_older_ao3_epub_keeps_the_chapter_titles_its_headings_give() -> None:
    work = parse_bytes(OLD_EPUB.read_bytes(), OLD_EPUB.name)
    assert [chapter.title for chapter in work.chapters] == ["Part 1", "Part 2", "Part 3"]
    assert all("Part" not in chapter.text for chapter in work.chapters)


def test_a_newer_ao3_epub_still_drops_ao3_s_chapter_label_from_the_title() -> None:
    work = parse_bytes(build_epub(ao3_book(), "2.0"), "ao3.epub")
    assert all(not chapter.title.startswith("Chapter") for chapter in work.chapters)
    assert work.chapters[0].title
