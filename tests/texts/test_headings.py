"""Chapter headings in company: numbered sequences, parts around chapters, contents lists."""

from __future__ import annotations

import pytest

from ficarchive.texts.blocks import blocks_from_plain_text
from ficarchive.texts.conventions import structure
from ficarchive.texts.headings import chapter_heading, title_case
from ficarchive.texts.structure import ParsedWork

STORY = "She walked to the river and sat on the bank until the light went."


def _work(text: str) -> ParsedWork:
    return structure(blocks_from_plain_text(text))


def _titles(text: str) -> list[str]:
    return [chapter.title for chapter in _work(text).chapters]


@pytest.mark.parametrize("numerals", [["I.", "II.", "III."], ["XII", "XIII", "XIV"], ["1", "2"]])
def test_bare_numerals_in_sequence_on_their_own_lines_are_chapters(numerals: list[str]) -> None:
    text = "\n\n".join(f"{numeral}\n\n{STORY} {at}" for at, numeral in enumerate(numerals))
    work = _work(text)
    assert [chapter.text for chapter in work.chapters] == [
        f"{STORY} {at}" for at in range(len(numerals))
    ]


@pytest.mark.parametrize("line", ["I.", "I", "1.", "One", "Two."])
def test_a_lone_numeral_or_one_word_line_in_a_story_is_prose(line: str) -> None:
    text = f"{STORY}\n\n{line}\n\n{STORY}"
    work = _work(text)
    assert len(work.chapters) == 1
    assert work.chapters[0].text == f"{STORY}\n\n{line}\n\n{STORY}"


def test_numerals_out_of_sequence_are_prose() -> None:
    text = f"I.\n\n{STORY}\n\nIII.\n\n{STORY}\n\nVII.\n\n{STORY}"
    assert len(_work(text).chapters) == 1


def test_a_number_then_a_title_on_the_next_line_is_a_titled_chapter() -> None:
    text = f"1\nThe Cyclone\n\n{STORY}\n\n2\nThe Council with the Munchkins\n\n{STORY}"
    assert _titles(text) == ["The Cyclone", "The Council with the Munchkins"]


def test_a_chapter_word_then_a_title_on_the_next_line_is_a_titled_chapter() -> None:
    text = f"Chapter 1\nThe Bridge\n\n{STORY}\n\nChapter 2\nThe River\n\n{STORY}"
    assert _titles(text) == ["The Bridge", "The River"]


@pytest.mark.parametrize(
    ("first", "second"), [("1", "2"), ("CHAPTER I", "CHAPTER II"), ("Chapter 1", "Chapter 2")]
)
def test_an_untitled_heading_then_a_blank_line_then_a_title_is_a_titled_chapter(
    first: str, second: str
) -> None:
    text = f"{first}\n\nThe Long Road\n\n{STORY}\n\n{second}\n\nA Door in the Hill\n\n{STORY}"
    work = _work(text)
    assert [chapter.title for chapter in work.chapters] == ["The Long Road", "A Door in the Hill"]
    assert [chapter.text for chapter in work.chapters] == [STORY, STORY]


def test_a_short_first_line_under_only_some_headings_stays_in_the_story() -> None:
    text = f"Chapter 1\n\nThree years later\n\n{STORY}\n\nChapter 2\n\n{STORY}"
    work = _work(text)
    assert [chapter.title for chapter in work.chapters] == ["", ""]
    assert work.chapters[0].text == f"Three years later\n\n{STORY}"


@pytest.mark.parametrize(
    "line", ["**Chapter 3**", "__Chapter 3__", "~ Chapter 3 ~", "=== Chapter 3 ==="]
)
def test_decorated_chapter_headings_are_headings(line: str) -> None:
    assert chapter_heading(line) == ""


def test_numbered_titles_in_sequence_are_chapters() -> None:
    text = f"1. The Cyclone\n\n{STORY}\n\n2. The Council\n\n{STORY}\n\n3. The Road\n\n{STORY}"
    assert _titles(text) == ["The Cyclone", "The Council", "The Road"]


@pytest.mark.parametrize(
    ("line", "title"),
    [
        ("Letter 1", "Letter 1"),
        ("Letter IV", "Letter IV"),
        ("ADVENTURE I. A SCANDAL IN BOHEMIA", "A SCANDAL IN BOHEMIA"),
        ("Stave One: Marley's Ghost", "Marley's Ghost"),
        ("BOOK ONE", ""),
    ],
)
def test_letters_adventures_staves_and_books_are_headings(line: str, title: str) -> None:
    assert chapter_heading(line) == title


def test_letters_are_chapters_named_for_their_letter() -> None:
    text = f"Letter 1\n\n{STORY}\n\nLetter 2\n\n{STORY}\n\nLetter 3\n\n{STORY}"
    assert _titles(text) == ["Letter 1", "Letter 2", "Letter 3"]


def test_parts_holding_chapters_name_their_first_chapter_and_are_not_chapters() -> None:
    text = (
        f"PART ONE\n\nChapter 1: Arrival\n\n{STORY}\n\nChapter 2\n\n{STORY}\n\n"
        f"PART TWO\n\nChapter 3: Departure\n\n{STORY}"
    )
    assert _titles(text) == ["Part One — Arrival", "", "Part Two — Departure"]


def test_books_holding_bare_numbered_chapters_are_not_chapters() -> None:
    book = f"I.\n\n{STORY}\n\nII.\n\n{STORY}"
    text = f"BOOK ONE\n\n{book}\n\nBOOK TWO\n\n{book}"
    assert _titles(text) == ["Book One", "", "Book Two", ""]


def test_parts_with_text_of_their_own_are_the_chapters() -> None:
    text = f"Prologue\n\n{STORY}\n\nPart 1\n\n{STORY}\n\nPart 2\n\n{STORY}"
    assert _titles(text) == ["Prologue", "", ""]


def test_numbered_sections_inside_chapters_stay_in_the_text() -> None:
    text = (
        f"Chapter 1\n\nI.\n\n{STORY}\n\nII.\n\n{STORY}\n\n"
        f"Chapter 2\n\nI.\n\n{STORY}\n\nII.\n\n{STORY}"
    )
    work = _work(text)
    assert len(work.chapters) == 2
    assert work.chapters[0].text == f"I.\n\n{STORY}\n\nII.\n\n{STORY}"


def test_a_contents_list_at_the_top_is_dropped_not_a_run_of_tiny_chapters() -> None:
    text = (
        "Contents\n\nPrologue\n\nChapter 1: The Bridge\n\nChapter 2: The River\n\n"
        f"Prologue\n\n{STORY}\n\nChapter 1: The Bridge\n\n{STORY}\n\n"
        f"Chapter 2: The River\n\n{STORY}"
    )
    work = _work(text)
    assert [chapter.title for chapter in work.chapters] == ["Prologue", "The Bridge", "The River"]
    assert all(chapter.text == STORY for chapter in work.chapters)
    assert work.title == ""
    assert "Contents" not in work.notes


def test_a_contents_block_of_numbered_lines_is_dropped() -> None:
    text = (
        "The Long Road\n\n   I. The Cyclone\n  II. The Council ..... 12\n\n"
        f"I. THE CYCLONE\n\n{STORY}\n\nII. THE COUNCIL\n\n{STORY}"
    )
    work = _work(text)
    assert work.title == "The Long Road"
    assert [chapter.title for chapter in work.chapters] == ["The Cyclone", "The Council"]
    assert all(chapter.text == STORY for chapter in work.chapters)


def test_bare_titles_named_by_the_contents_are_chapter_headings() -> None:
    text = (
        "Contents\nThe Cyclone\nThe Council with the Munchkins\n\n"
        f"The Cyclone\n\n{STORY}\n\nTHE COUNCIL WITH THE MUNCHKINS\n\n{STORY}\n\n"
        f"The Cyclone\n\n{STORY}"
    )
    work = _work(text)
    assert [c.title for c in work.chapters] == ["The Cyclone", "The Council with the Munchkins"]
    # Each title names one chapter: the same words later are the story's.
    assert work.chapters[1].text == f"{STORY}\n\nThe Cyclone\n\n{STORY}"


def test_a_numbered_list_in_the_story_is_not_a_contents_list() -> None:
    text = f"{STORY}\n\n1. Eggs\n2. Milk\n3. Bread\n\n{STORY}"
    work = _work(text)
    assert work.chapters[0].text == f"{STORY}\n\n1. Eggs\n2. Milk\n3. Bread\n\n{STORY}"


@pytest.mark.parametrize(
    ("text", "cased"),
    [
        ("A SCANDAL IN BOHEMIA", "A Scandal in Bohemia"),
        ("THE RED-HEADED LEAGUE", "The Red-Headed League"),
        ("Down the Rabbit-Hole", "Down the Rabbit-Hole"),
    ],
)
def test_headings_in_capitals_are_title_cased(text: str, cased: str) -> None:
    assert title_case(text) == cased
