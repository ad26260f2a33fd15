"""Word-exact edges for copied and edited passages."""

from __future__ import annotations

from ficarchive.overlap.edges import refine

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
