"""The founding story and the encodings writers' text files come in."""

from __future__ import annotations

from pathlib import Path

import pytest

from ficarchive.texts.formats import parse_bytes, parse_file
from ficarchive.texts.structure import ParseError

FIXTURES = Path(__file__).parent.parent / "fixtures"
STORY = FIXTURES / "everything-back-but-you.txt"


def _paragraphs(text: str) -> list[str]:
    return [p.strip() for p in text.replace("\r\n", "\n").split("\n\n") if p.strip()]


def test_the_founding_story_is_structured_as_its_writer_meant() -> None:
    work = parse_file(STORY)
    assert work.title == "Everything Back But You"
    assert work.notes.startswith("<p>So I found this on my hard drive")
    assert work.end_notes.startswith("<p>This is definitely staying a one-shot")
    assert len(work.chapters) == 1
    text = work.chapters[0].text
    assert text.startswith("It wasn't weird that they came to a mutual agreement")
    assert text.endswith("They were together and that fact alone was all that mattered for now.")
    assert "The End" not in text
    assert "A/N" not in text
    assert "hard drive" not in text
    assert work.complete is True


def test_every_paragraph_of_the_founding_story_is_kept_exactly_once() -> None:
    work = parse_file(STORY)
    source = _paragraphs(STORY.read_text(encoding="utf-8"))
    story = _paragraphs(work.chapters[0].text)
    # The body is the file minus the first note, the title line, "The End" and the last note.
    assert story == source[2:-2]
    assert source[-2] == "The End"
    assert work.word_count == sum(len(p.split()) for p in story) - sum(
        p.split().count("-") for p in story
    )


@pytest.mark.parametrize("encoding", ["cp1252", "latin-1", "utf-16", "utf-8-sig", "utf-16-be"])
def test_non_utf8_text_is_detected_and_read(encoding: str) -> None:
    text = "Title: Café Crème\n\nShe said, “naïve” — and smiled. Ça va.\n\nThe End"
    if encoding == "latin-1":
        text = text.replace("“", '"').replace("”", '"').replace("—", "-")
    work = parse_bytes(text.encode(encoding), "story.txt")
    assert work.title == "Café Crème"
    assert "naïve" in work.chapters[0].text
    assert "Ça va." in work.chapters[0].text


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "the file is empty"),
        (b"  \n\n ", "the file is empty"),
        (b"\x00\x01\x02\x03binary\x00\x00" * 50, "binary"),
        (b"A/N: only a note", "no story text"),
    ],
)
def test_unreadable_text_files_give_a_clear_error(data: bytes, reason: str) -> None:
    with pytest.raises(ParseError, match=reason) as raised:
        parse_bytes(data, "drafts/story.txt")
    assert str(raised.value).startswith("drafts/story.txt: ")


def test_unknown_formats_are_named() -> None:
    with pytest.raises(ParseError, match=r"not a supported format \(use one of .*\.txt"):
        parse_bytes(b"hello", "story.pages")


def test_a_file_without_a_title_is_named_after_the_file_in_title_case() -> None:
    work = parse_bytes(b"It was a dark and stormy night, and the rain fell.", "my_new-story.txt")
    assert work.title == "My New Story"


def test_the_files_own_title_wins_over_its_name() -> None:
    text = b"Title: Running Away\n\nIt was a dark and stormy night, and the rain fell."
    assert parse_bytes(text, "the-runaways.txt").title == "Running Away"


def test_indented_paragraphs_without_blank_lines_are_paragraphs_under_the_files_title() -> None:
    line = "    " + "The wind changed in the night and brought the smell of the sea inland. " * 2
    text = "Woodsmoke\n" + "\n".join([line] * 3) + "\n* * *\n" + "\n".join([line] * 2)
    work = parse_bytes(text.encode(), "indented-paragraphs.txt")
    assert work.title == "Woodsmoke"
    assert work.chapters[0].html.count("<p>") == 5
    assert work.chapters[0].html.count("scene-break") == 1


def test_an_indented_poem_stays_one_paragraph_of_lines() -> None:
    poem = "Story begins.\n\n  The sea, the sea,\n  the grey and ancient sea,\n  it calls to me\n\n"
    poem += "Story ends."
    work = parse_bytes(poem.encode(), "poem.txt")
    assert work.chapters[0].html.count("<br>") == 2


def test_a_title_line_then_notes_then_a_prologue_heading() -> None:
    text = (
        "The Runaways\n\n"
        "A/N: My first multi-chapter fic. Thanks to my beta!\n\n"
        "Disclaimer: I don't own Gilmore Girls.\n\n"
        "Prologue\n\n"
        "The bus left at six, and she did not look back.\n\n"
        "Chapter 1\n\n"
        "He was waiting at the bridge.\n"
    )
    work = parse_bytes(text.encode(), "the-runaways.txt")
    assert work.title == "The Runaways"
    assert work.notes == (
        "<p>My first multi-chapter fic. Thanks to my beta!</p>\n<p>I don't own Gilmore Girls.</p>"
    )
    assert [chapter.title for chapter in work.chapters] == ["Prologue", ""]
    assert work.chapters[0].text == "The bus left at six, and she did not look back."
    assert work.chapters[0].notes == ""


def test_a_title_after_several_notes_and_before_a_prologue_is_the_title() -> None:
    text = (
        "Disclaimer: I don't own these characters.\n\n"
        "A/N: Thanks to my beta. Reviews feed the muse!\n\n"
        "What the Tide Keeps\n\n"
        "Prologue\n\n"
        "The lamp failed at midnight, and the storm was at its worst.\n\n"
        "Chapter One\n\n"
        "Morning came grey and quiet over the harbour.\n"
    )
    work = parse_bytes(text.encode(), "story.txt")
    assert work.title == "What the Tide Keeps"
    assert [chapter.title for chapter in work.chapters] == ["Prologue", ""]
    assert "beta" in work.notes
