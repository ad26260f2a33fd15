"""Winnowed fingerprints: what they guarantee, and what they ignore."""

from __future__ import annotations

import random

from hypothesis import given, settings
from hypothesis import strategies as st

from ficarchive.overlap.fingerprints import GUARANTEE, fingerprints, stem_fingerprints

VOCABULARY = [f"w{n}" for n in range(500)]


def shared(a: str, b: str) -> set[int]:
    return set(fingerprints(a)[0].tolist()) & set(fingerprints(b)[0].tolist())


@settings(max_examples=60, deadline=None)
@given(st.integers(min_value=0, max_value=10_000), st.integers(min_value=0, max_value=40))
def test_any_shared_run_of_twelve_words_shares_a_fingerprint(seed: int, at: int) -> None:
    rng = random.Random(seed)
    run = [rng.choice(VOCABULARY) for _ in range(GUARANTEE)]
    a = [rng.choice(VOCABULARY) for _ in range(60)]
    b = [rng.choice(VOCABULARY) for _ in range(30)]
    a[at : at + GUARANTEE] = run
    assert shared(" ".join(a), " ".join(["x", *b[:7], *run, *b[7:]]))


def test_fingerprints_ignore_case_and_punctuation_and_point_at_their_words() -> None:
    text = "The lamp failed at midnight, exactly when the storm was at its height."
    hashes, starts = fingerprints(text)
    assert set(hashes.tolist()) == set(fingerprints(text.upper().replace(",", ";"))[0].tolist())
    assert all(text[start].isalpha() for start in starts)


def test_unrelated_texts_share_none() -> None:
    a = "The lamp failed at midnight, exactly when the storm was at its height and raged on."
    b = "Morning came grey and quiet over the harbour, and the boats went out as if nothing."
    assert not shared(a, b)


def test_a_reworded_sentence_keeps_its_stem_fingerprints() -> None:
    source = (
        "Climate change will have various effects on water resources and water management in "
        "the Nile basin, and the farmers along the river will feel them first."
    )
    reworded = (
        "Changes of the climate have different effects upon the water resources and the water "
        "managing of the Nile basin; farmers by the river are going to feel them first."
    )
    assert not shared(source, reworded)
    stems = set(stem_fingerprints(source)[0].tolist()) & set(
        stem_fingerprints(reworded)[0].tolist()
    )
    assert len(stems) >= 2
