"""Is this the same scene told in other words? The sentence model's verdict on a passage pair.

A retold scene keeps the order of its events: most of its sentences have a counterpart in the
other passage, in the same order, about the same thing. Two scenes that merely share characters
and mood have a few loosely similar sentences in no order. So: embed the sentences of both
passages (names taken out, see `without_names`), and find the best order-keeping pairing of
sentences (a small dynamic programme), where a pair counts for its cosine above `PAIR_FLOOR`.
The total, divided by the number of sentences of the shorter passage, is the scene likeness.

On the fixtures (a story's ending retold as another's prologue, against other scenes with the
same people), retold pairs scored 0.13–0.19 and the best other pair 0.09; on single cosines of
whole passages the two overlapped.
"""

from __future__ import annotations

import numpy as np

from ficarchive.overlap import embeddings
from ficarchive.overlap.passages import sentences, without_names

PAIR_FLOOR = 0.35


def scene_likeness(pairs: list[tuple[str, str]]) -> list[float]:
    """The scene likeness of each (draft passage, source passage) pair; sentences shared by
    several pairs are embedded once."""
    split = [(sentences(without_names(a)), sentences(without_names(b))) for a, b in pairs]
    unique = sorted({s for a, b in split for s in (*a, *b)})
    if not unique:
        return [0.0 for _ in pairs]
    vectors = dict(zip(unique, embeddings.model_vectors(unique), strict=True))
    scores = []
    for a, b in split:
        if not a or not b:
            scores.append(0.0)
            continue
        similarity = np.vstack([vectors[s] for s in a]) @ np.vstack([vectors[s] for s in b]).T
        scores.append(_ordered_pairing(similarity - PAIR_FLOOR) / min(len(a), len(b)))
    return scores


def _ordered_pairing(gain: np.ndarray) -> float:
    """The largest total gain of pairs (i, j) increasing in both i and j (an alignment)."""
    rows, columns = gain.shape
    best = np.zeros(columns + 1)
    for i in range(rows):
        previous = best.copy()
        for j in range(1, columns + 1):
            best[j] = max(previous[j], best[j - 1], previous[j - 1] + gain[i, j - 1])
    return float(best[columns])
