"""Word-exact edges for copied and edited passages."""

from __future__ import annotations

import pytest

from ficarchive.overlap.edges import refine
from tests.overlap.gutenberg import paragraphs, sentences

SOURCE = (
    "Before it all.\n\nThe lamp failed at midnight, exactly when the storm was at its height, "
    "and the beam stopped dead on the cliffs.\n\nAfter that, nothing."
)
COPY = (
    "The lamp failed at midnight, exactly when the storm was at its height, "
    "and the beam stopped dead on the cliffs."
)


def test_an_edge_moves_out_over_a_changed_word_to_the_true_start() -> None:
    draft = "Something else.\n\nThe lamp broke at midnight, exactly when the storm was at its "
    draft += "height, and the beam stopped dead on the cliffs.\n\nThe end."
    late = draft.index("exactly")
    d_start, d_end, s_start, s_end = refine(
        draft,
        late,
        draft.index("\n\nThe end"),
        SOURCE,
        SOURCE.index("exactly"),
        SOURCE.index("\n\nAfter"),
    )
    assert draft[d_start:].startswith("The lamp broke")
    assert SOURCE[s_start:].startswith("The lamp failed")
    assert draft[d_start:d_end].endswith("cliffs.")
    assert SOURCE[s_start:s_end].endswith("cliffs.")


def test_unrelated_words_at_an_edge_are_trimmed_off() -> None:
    draft = f"It began quietly.\n\n{COPY}\n\nShe left."
    source = f"Intro.\n\n{COPY}\n\nShe stayed."
    d_start, d_end, s_start, s_end = refine(draft, 0, len(draft), source, 0, len(source))
    assert draft[d_start:d_end] == COPY
    assert source[s_start:s_end] == COPY


def test_edges_without_shared_words_nearby_stay_where_they_are() -> None:
    draft = "Entirely different words here that share nothing with the other text at all."
    assert refine(draft, 0, len(draft), SOURCE, 0, 10) == (0, len(draft), 0, 10)


# Real prose: paragraphs of Pride and Prejudice reused in paragraphs of Sherlock Holmes.


def _around(at: int, passage: str, source_passage: str) -> tuple[str, str]:
    """A draft with `passage` between two paragraphs of new prose, and a source with
    `source_passage` between its neighbours."""
    story, new = paragraphs("pride-and-prejudice"), paragraphs("sherlock-holmes")
    draft = f"{new[at]}\n\n{passage}\n\n{new[at + 1]}"
    source = f"{story[at - 1]}\n\n{source_passage}\n\n{story[at + 1]}"
    return draft, source


@pytest.mark.parametrize("at", [66, 72, 128])
def test_a_sentence_moved_to_the_front_of_a_reused_paragraph_is_not_trimmed_off(at: int) -> None:
    # The moved sentence matches nothing at the source's start, but it is reused all the same:
    # its words are elsewhere in the source passage.
    reused = paragraphs("pride-and-prejudice")[at]
    found = sentences(reused)
    moved = " ".join(found[-1:] + found[:-1])
    draft, source = _around(at, moved, reused)
    d_start, s_start = draft.index(moved), source.index(reused)

    edges = refine(draft, d_start, d_start + len(moved), source, s_start, s_start + len(reused))

    assert edges == (d_start, d_start + len(moved), s_start, s_start + len(reused))


@pytest.mark.parametrize("at", [66, 72, 128])
def test_a_phrase_said_twice_does_not_hold_an_edge_open(at: int) -> None:
    # The source goes on with a sentence that repeats words of the passage: they are found in
    # the draft, but at the passage's own place, so the edge still comes in to the passage's end.
    reused = paragraphs("pride-and-prejudice")[at]
    words = reused.split()
    repeat = f"She said it again: “{' '.join(words[10:17])}”, and nobody answered her."
    draft, source = _around(at, reused, f"{reused} {repeat}")
    d_start, s_start = draft.index(reused), source.index(reused)
    s_end = source.index(repeat) + len(repeat)

    edges = refine(draft, d_start, d_start + len(reused), source, s_start, s_end)

    assert edges == (d_start, d_start + len(reused), s_start, s_start + len(reused))
