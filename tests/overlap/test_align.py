from __future__ import annotations

import re

import pytest

from ficarchive.overlap.align import Alignment, AlignSettings, align
from tests.overlap.gutenberg import dialogue, lightly_edited, paragraphs, reordered

# A source story and unrelated drafts, written for these tests.
SOURCE_PARAGRAPHS = [
    "The lighthouse keeper's daughter had never seen the mainland in winter. Every autumn her "
    "father rowed across the strait for flour, lamp oil and the letters that had gathered at the "
    "harbour office, and every autumn she stayed behind to mind the great lens and the goats.",
    "That year the storms came early. By the second week of October the sea was grey and "
    "furious, breaking over the causeway twice a day, and the boat stayed tied in the cove while "
    "her father paced the gallery with his hands behind his back, counting the days of oil left.",
    "Mira learned to read the clouds the way other children learned their letters. A low bank "
    "from the west meant rain by evening; a thin white veil across the moon meant wind before "
    "morning. She wrote each guess in the margin of the logbook and ticked the ones that came "
    "true, and by midwinter her ticks outnumbered her father's.",
    "When the supply ship finally rounded the headland in January, its captain found the light "
    "still burning. The keeper was thin and silent, but his daughter met the ship on the jetty "
    "with a list of everything they needed, written in a steady hand, and a question about the "
    "price of paraffin that made the old captain laugh out loud.",
    "She kept that logbook for the rest of her life. Decades later, when the light was "
    "automated and the island emptied, a historian from the university asked to borrow it, and "
    "found in its margins the most complete record of the strait's weather that anyone had ever "
    "made.",
]
SOURCE = "\n\n".join(SOURCE_PARAGRAPHS)

DRAFT_PARAGRAPHS = [
    "Jonah had promised himself that he would not go back to the bakery. The owner had been "
    "kind to him, kinder than he deserved, and he could not bear to see her face when she "
    "learned what had happened to the delivery van and the wedding cake it had been carrying.",
    "Instead he walked along the canal until the streetlights came on, kicking at the gravel "
    "and rehearsing apologies that grew longer and less convincing with every bridge he passed. "
    "A heron watched him from the far bank with an expression of frank disapproval.",
    "In the end it was his sister who found him, sitting on a bench outside the closed library "
    "with his hood up. She did not ask what was wrong. She handed him half of her sandwich, sat "
    "down beside him, and waited until he was ready to tell her the whole ridiculous story.",
]

UNRELATED = (
    "The committee met on Tuesday to discuss the new budget for the municipal swimming pool. "
    "After a long debate about opening hours, the members agreed to extend weekend sessions and "
    "to hire two more lifeguards for the summer season. The treasurer warned that ticket prices "
    "might have to rise next year if the heating costs kept climbing at the current rate. "
    "Several residents spoke in favour of a reduced fee for pensioners and school groups."
)


def _draft_with(inserted: str) -> str:
    return "\n\n".join([DRAFT_PARAGRAPHS[0], DRAFT_PARAGRAPHS[1], inserted, DRAFT_PARAGRAPHS[2]])


def _only(found: list[Alignment]) -> Alignment:
    assert len(found) == 1, found
    return found[0]


def test_it_finds_a_verbatim_copied_paragraph_with_exact_offsets():
    copied = SOURCE_PARAGRAPHS[2]
    draft = _draft_with(copied)

    match = _only(align(draft, SOURCE))

    assert (match.this_start, match.this_end) == (
        draft.index(copied),
        draft.index(copied) + len(copied),
    )
    start = SOURCE.index(copied)
    assert (match.source_start, match.source_end) == (start, start + len(copied))
    assert match.verbatim_ratio == 1.0
    assert match.similarity > 0.99


def test_it_finds_two_copied_paragraphs_in_draft_order():
    draft = "\n\n".join(
        [DRAFT_PARAGRAPHS[0], SOURCE_PARAGRAPHS[3], DRAFT_PARAGRAPHS[1], SOURCE_PARAGRAPHS[0]]
    )

    found = align(draft, SOURCE)

    assert [draft[a.this_start : a.this_end] for a in found] == [
        SOURCE_PARAGRAPHS[3],
        SOURCE_PARAGRAPHS[0],
    ]
    assert [SOURCE[a.source_start : a.source_end] for a in found] == [
        SOURCE_PARAGRAPHS[3],
        SOURCE_PARAGRAPHS[0],
    ]


def test_it_finds_a_lightly_edited_paragraph_within_a_few_characters():
    edited = (
        SOURCE_PARAGRAPHS[1]
        .replace("That year", "That autumn")
        .replace("grey and furious", "grey and angry")
        .replace("paced the gallery", "walked the gallery")
    )
    draft = _draft_with(edited)

    match = _only(align(draft, SOURCE))

    start = draft.index(edited)
    assert abs(match.this_start - start) <= 5
    assert abs(match.this_end - (start + len(edited))) <= 5
    source_start = SOURCE.index(SOURCE_PARAGRAPHS[1])
    assert abs(match.source_start - source_start) <= 5
    assert abs(match.source_end - (source_start + len(SOURCE_PARAGRAPHS[1]))) <= 5
    assert 0.5 < match.verbatim_ratio < 1.0


def test_it_finds_a_paraphrase_and_calls_it_not_verbatim():
    paraphrase = (
        "Mira came to read the clouds as other children read their letters. A low western bank "
        "of cloud meant evening rain; a thin white veil over the moon meant wind by morning. "
        "In the logbook margin she wrote down every guess and ticked those that came true, and "
        "by the middle of winter her ticks were more than her father's."
    )
    draft = _draft_with(paraphrase)

    match = _only(align(draft, SOURCE))

    start = draft.index(paraphrase)
    assert match.this_start <= start + 10
    assert match.this_end >= start + len(paraphrase) - 10
    assert SOURCE[match.source_start : match.source_end] == SOURCE_PARAGRAPHS[2]
    assert match.verbatim_ratio < 0.5


def test_unrelated_texts_give_nothing():
    assert align("\n\n".join(DRAFT_PARAGRAPHS), SOURCE) == []
    assert align(UNRELATED, SOURCE) == []


def test_a_shared_stock_sentence_and_names_alone_give_nothing():
    disclaimer = "I don't own these characters. "
    draft = disclaimer + "Mira and Jonah. " + "\n\n".join(DRAFT_PARAGRAPHS)
    source = disclaimer + "Jonah met Mira at the harbour. " + SOURCE

    assert align(draft, source) == []


def test_passages_have_no_surrounding_whitespace():
    draft = _draft_with("   " + SOURCE_PARAGRAPHS[4] + "  \n")

    match = _only(align(draft, SOURCE))

    for text, start, end in (
        (draft, match.this_start, match.this_end),
        (SOURCE, match.source_start, match.source_end),
    ):
        passage = text[start:end]
        assert passage == passage.strip()
        assert passage.startswith("She kept that logbook")


def test_a_summary_of_the_whole_story_is_found_against_its_long_source():
    summary = (
        "Every autumn the lighthouse keeper rowed to the mainland for oil and letters while his "
        "daughter minded the lens. When early storms kept the boat in the cove, Mira learned "
        "to read the clouds and wrote her weather guesses in the logbook. The supply ship found "
        "the light still burning in January. Decades later a historian found her logbook was "
        "the most complete record of the strait's weather."
    )
    draft = _draft_with(summary)

    match = _only(align(draft, SOURCE))

    start = draft.index(summary)
    assert match.this_start <= start + 10
    assert match.this_end >= start + len(summary) - 10
    # The source side reaches over most of the story, not just one paragraph.
    assert match.source_end - match.source_start > 0.6 * len(SOURCE)


def test_empty_texts_give_nothing():
    assert align("", SOURCE) == []
    assert align(SOURCE, "   \n") == []


def test_settings_change_what_counts():
    draft = _draft_with(SOURCE_PARAGRAPHS[2])

    assert align(draft, SOURCE, settings=AlignSettings(min_case_chars=2000)) == []


def test_offsets_are_character_offsets_in_text_with_non_ascii_characters():
    copied = SOURCE_PARAGRAPHS[3]
    draft = "Ça commence ici — “déjà vu”, naïve café. " * 3 + "\n\n" + copied
    source = "Überall ist Schnee. " * 2 + "\n\n" + SOURCE

    match = _only(align(draft, source))

    assert draft[match.this_start : match.this_end] == copied
    assert source[match.source_start : match.source_end] == copied


def test_it_handles_a_text_without_sentence_punctuation():
    # A list or a table: no full stops, only line breaks.
    rows = "\n".join(re.sub(r"[.;,]", "", p) for p in SOURCE_PARAGRAPHS)
    draft = _draft_with(rows.split("\n")[2])

    match = _only(align(draft, rows))

    assert draft[match.this_start : match.this_end] == rows.split("\n")[2]


# Real prose: reused passages of Pride and Prejudice planted among paragraphs of Sherlock Holmes.


def _book_pair(at: int) -> tuple[list[str], list[str]]:
    """Twenty paragraphs of an earlier story, and twelve of new prose to plant reuse in."""
    return (
        list(paragraphs("pride-and-prejudice")[at : at + 20]),
        list(paragraphs("sherlock-holmes")[at : at + 12]),
    )


def _where(text: str, parts: list[str]) -> tuple[int, int]:
    start = text.index(parts[0])
    return start, text.index(parts[-1], start) + len(parts[-1])


def _assert_edges(found: tuple[int, int], truth: tuple[int, int]) -> None:
    # An opening quote mark may be left out: the aligner's edges are words.
    assert abs(found[0] - truth[0]) <= 1, (found, truth)
    assert found[1] == truth[1], (found, truth)


@pytest.mark.parametrize("at", [30, 80, 140, 200, 260])
def test_five_paragraphs_with_ten_small_edits_are_one_alignment_to_their_edges(at: int) -> None:
    earlier, new = _book_pair(at)
    copied = lightly_edited(earlier[8:13], 10)
    draft = "\n\n".join(new[:6] + copied + new[6:])
    source = "\n\n".join(earlier)

    match = _only(align(draft, source))

    _assert_edges((match.this_start, match.this_end), _where(draft, copied))
    _assert_edges((match.source_start, match.source_end), _where(source, earlier[8:13]))


@pytest.mark.parametrize("at", [20, 90, 170, 250, 330, 410])
def test_a_passage_with_seven_in_a_hundred_words_changed_is_one_alignment(at: int) -> None:
    earlier, new = _book_pair(at)
    reused = earlier[9:11]
    copied = lightly_edited(reused, round(0.07 * len(" ".join(reused).split())))
    draft = "\n\n".join(new[:5] + copied + new[5:])
    source = "\n\n".join(earlier)

    match = _only(align(draft, source))

    _assert_edges((match.this_start, match.this_end), _where(draft, copied))
    _assert_edges((match.source_start, match.source_end), _where(source, reused))


def _two_passages(at: int, *, crossed: bool) -> None:
    """A passage of four paragraphs and a speech of about 116 words from one source, each with
    small edits, in one draft: two alignments, each to its edges."""
    earlier, new = _book_pair(at)
    first = lightly_edited(earlier[3:7], 8)
    speech = dialogue(earlier, 95, 140)[-1]
    second = lightly_edited([earlier[speech]], 2)
    if crossed:
        parts = new[:3] + second + new[3:6] + first + new[6:]
    else:
        parts = new[:3] + first + new[3:4] + second + new[4:]
    draft, source = "\n\n".join(parts), "\n\n".join(earlier)

    found = align(draft, source)

    assert len(found) == 2, found
    by_source = sorted(found, key=lambda a: a.source_start)
    for match, reused, copied in zip(
        by_source, [earlier[3:7], [earlier[speech]]], [first, second], strict=True
    ):
        _assert_edges((match.this_start, match.this_end), _where(draft, copied))
        _assert_edges((match.source_start, match.source_end), _where(source, reused))


@pytest.mark.parametrize("at", [60, 150, 200, 300, 420, 530])
def test_two_passages_of_one_source_in_the_other_order_are_two_alignments(at: int) -> None:
    # The second stretched by a stray seed (a sentence before it in the source and after it in
    # the draft that share a few words) would reach into new prose on one side.
    _two_passages(at, crossed=True)


@pytest.mark.parametrize("at", [60, 150, 200, 300])
def test_two_passages_of_one_source_a_paragraph_apart_are_not_taken_for_a_summary(at: int) -> None:
    # Close in both texts, their seeds also make one summary-mode case over most of the source.
    _two_passages(at, crossed=False)


# A sentence a writer adds while reworking a passage (written for these tests).
ADDED = "The clock on the landing struck the hour, and nobody in the room paid it any attention."


@pytest.mark.parametrize("at", [30, 140, 260, 400])
def test_a_passage_with_its_sentences_reordered_and_one_added_is_one_alignment(at: int) -> None:
    # Each sentence moved is a chain of its own, out of order with its neighbours: they are one
    # passage, the draft span covering them and the source span their union.
    earlier, new = _book_pair(at)
    reused = earlier[8:11]
    copied = reordered(reused, ADDED)
    draft = "\n\n".join(new[:5] + copied + new[5:])
    source = "\n\n".join(earlier)

    match = _only(align(draft, source))

    _assert_edges((match.this_start, match.this_end), _where(draft, copied))
    _assert_edges((match.source_start, match.source_end), _where(source, reused))


@pytest.mark.parametrize("at", [30, 140, 260])
def test_two_copies_from_far_apart_in_the_source_side_by_side_stay_two_alignments(at: int) -> None:
    # Reordered chains are joined only when their source sides lie together.
    earlier, new = _book_pair(at)
    draft = "\n\n".join(new[:5] + earlier[14:16] + earlier[2:4] + new[5:])
    source = "\n\n".join(earlier)

    found = sorted(align(draft, source), key=lambda a: a.this_start)

    assert len(found) == 2, found
    for match, reused in zip(found, [earlier[14:16], earlier[2:4]], strict=True):
        _assert_edges((match.this_start, match.this_end), _where(draft, reused))
        _assert_edges((match.source_start, match.source_end), _where(source, reused))
