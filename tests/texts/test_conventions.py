from __future__ import annotations

import itertools

import pytest

from ficarchive.texts.blocks import blocks_from_plain_text
from ficarchive.texts.conventions import (
    end_marker,
    is_scene_break,
    note_text,
    structure,
)
from ficarchive.texts.headings import chapter_heading


@pytest.mark.parametrize(
    "line", ["***", "* * *", "~~~", "---", "oOo", "xXx", "-x-x-", "o0o", "§", "◇", "~*~*~", "#"]
)
def test_scene_breaks_are_recognised(line: str) -> None:
    assert is_scene_break(line)


@pytest.mark.parametrize("line", ["ooo", "Ooo!", "XXX", "I", "Oh.", "...", "— he said", "Fin"])
def test_words_and_ellipses_are_not_scene_breaks(line: str) -> None:
    assert not is_scene_break(line)


@pytest.mark.parametrize(
    ("paragraph", "note"),
    [
        ("A/N: Thanks for reading!", "Thanks for reading!"),
        ("A/N2: Another one.", "Another one."),
        ("AN: short", "short"),
        ("Author's Note: long", "long"),
        ("Disclaimer: I own nothing.", "I own nothing."),
        ("Note: see the end.", "see the end."),
        ("(A/N: in brackets)", "in brackets)"),
    ],
)
def test_authors_notes_lose_their_marker(paragraph: str, note: str) -> None:
    assert note_text(paragraph) == note


@pytest.mark.parametrize(
    "paragraph", ["Anne looked up.", "Notes were passed in class.", "And then she left."]
)
def test_ordinary_paragraphs_are_not_notes(paragraph: str) -> None:
    assert note_text(paragraph) is None


@pytest.mark.parametrize(
    ("line", "title"),
    [
        ("Chapter 1", ""),
        ("Chapter One", ""),
        ("Chapter Twenty-One", ""),
        ("Chapter IV: The Bridge", "The Bridge"),
        ("CHAPTER 12 - Home", "Home"),
        ("Part 2", ""),
        ("Prologue", "Prologue"),
        ("Epilogue: Ten Years Later", "Epilogue: Ten Years Later"),
    ],
)
def test_chapter_headings(line: str, title: str) -> None:
    assert chapter_heading(line) == title


@pytest.mark.parametrize(
    "line",
    [
        "Chapter one was the hardest to write.",
        "Part of me wanted to stay.",
        "Chapters",
        # Found by the property test: a sentence that starts with a named heading's word.
        "Afterword a a a.",
        "Epilogue was the word she hated most.",
    ],
)
def test_prose_is_not_a_chapter_heading(line: str) -> None:
    assert chapter_heading(line) is None


@pytest.mark.parametrize(
    ("line", "marker"),
    [
        ("The End", "complete"),
        ("~Fin~", "complete"),
        ("THE END.", "complete"),
        ("To be continued…", "in progress"),
        ("TBC", "in progress"),
        ("End of Chapter 3", "chapter end"),
        ("The end of the road was near.", None),
    ],
)
def test_end_markers(line: str, marker: str | None) -> None:
    assert end_marker(line) == marker


def test_a_multi_chapter_draft_gets_chapters_notes_and_status() -> None:
    text = """Title: The Runaways
Fandom: Gilmore Girls
Rating: Teen And Up Audiences
Pairing: Rory Gilmore/Jess Mariano
Summary: Two of them leave town.

Disclaimer: I own nothing.

Prologue

A/N: This comes before the story.

The bus left at six.

* * *

She did not look back.

A/N: Thanks for reading the prologue!

Chapter 1: The Bridge

He was waiting at the bridge.

To be continued..."""
    work = structure(blocks_from_plain_text(text))
    assert work.title == "The Runaways"
    assert work.tags == {
        "fandom": ["Gilmore Girls"],
        "rating": ["Teen And Up Audiences"],
        "relationship": ["Rory Gilmore/Jess Mariano"],
    }
    assert work.summary == "<p>Two of them leave town.</p>"
    assert work.notes == "<p>I own nothing.</p>"
    assert [chapter.title for chapter in work.chapters] == ["Prologue", "The Bridge"]
    prologue, bridge = work.chapters
    assert prologue.notes == "<p>This comes before the story.</p>"
    assert prologue.end_notes == "<p>Thanks for reading the prologue!</p>"
    assert prologue.html == (
        '<p>The bus left at six.</p>\n<hr class="scene-break">\n<p>She did not look back.</p>'
    )
    assert bridge.text == "He was waiting at the bridge."
    assert work.complete is False


def test_a_note_in_the_middle_of_a_chapter_stays_in_the_text() -> None:
    work = structure(blocks_from_plain_text("One.\n\nA/N: an *aside*\n\nTwo."))
    assert work.chapters[0].text == "One.\n\nA/N: an *aside*\n\nTwo."
    assert work.notes == ""


def test_paragraphs_starting_with_an_are_prose() -> None:
    assert note_text("An old man walked in.") is None
    assert note_text("AN: a note") == "a note"
    work = structure(blocks_from_plain_text("Chapter 1\n\nShe left.\n\nAn old man walked in."))
    assert work.chapters[0].text == "She left.\n\nAn old man walked in."
    assert work.end_notes == ""


def test_scene_breaks_in_a_row_are_one_break() -> None:
    work = structure(blocks_from_plain_text("One.\n\n* * *\n\n~*~\n\nTwo."))
    assert work.chapters[0].html.count("scene-break") == 1


def test_one_top_heading_over_chapter_headings_is_the_title() -> None:
    from ficarchive.texts.blocks import Block

    blocks = [
        Block(text="The Whole Story", html="<h1>The Whole Story</h1>", heading=1),
        Block(text="Beginnings", html="<h2>Beginnings</h2>", heading=2),
        Block.from_text("First text."),
        Block(text="Endings", html="<h2>Endings</h2>", heading=2),
        Block.from_text("Second text."),
    ]
    work = structure(blocks)
    assert work.title == "The Whole Story"
    assert [c.title for c in work.chapters] == ["Beginnings", "Endings"]


_PREFACE_PARTS = {
    "title": "The Runaways",
    "headers": "Author: lauren\nRating: Teen And Up Audiences",
    "note": "A/N: My first fic, be kind.",
    "disclaimer": "Disclaimer: I own nothing.",
    "summary": "Summary: Two of them leave town.",
}
_STORY = "The bus left at six, and she did not look back at the town."


@pytest.mark.parametrize("heading", ["Prologue", ""])
@pytest.mark.parametrize("title", ["The Runaways", "Title: The Runaways"])
@pytest.mark.parametrize("order", list(itertools.permutations(_PREFACE_PARTS)))
def test_title_headers_notes_and_summary_in_any_order_before_the_story_belong_to_the_work(
    order: tuple[str, ...], title: str, heading: str
) -> None:
    parts = {**_PREFACE_PARTS, "title": title}
    story = [heading, _STORY] if heading else [_STORY]
    work = structure(blocks_from_plain_text("\n\n".join([*(parts[p] for p in order), *story])))
    assert work.title == "The Runaways"
    assert work.authors == ["lauren"]
    assert work.tags == {"rating": ["Teen And Up Audiences"]}
    assert work.summary == "<p>Two of them leave town.</p>"
    notes = ["<p>My first fic, be kind.</p>", "<p>I own nothing.</p>"]
    if order.index("disclaimer") < order.index("note"):
        notes.reverse()
    assert work.notes == "\n".join(notes)
    assert [(chapter.title, chapter.text, chapter.notes) for chapter in work.chapters] == [
        (heading, _STORY, "")
    ]


@pytest.mark.parametrize(
    ("line", "authors"),
    [
        ("by tidewright & Salt and Ink", ["tidewright", "Salt and Ink"]),
        ("by Ama and Bea", ["Ama", "Bea"]),
        ("Author: Ama, Bea, and Cyd", ["Ama", "Bea", "Cyd"]),
    ],
)
def test_a_byline_splits_names_the_same_way_in_every_format(line: str, authors: list[str]) -> None:
    work = structure(blocks_from_plain_text(f"The Lamp\n\n{line}\n\nMaren kept the lamp lit."))
    assert work.authors == authors
