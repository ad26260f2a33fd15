"""Is this the same scene told in other words? The sentence model's verdict on a passage pair.

A retold scene keeps its events, in order: most of its sentences have a counterpart in the other
passage, in the same order, about the same thing. Two scenes that merely share characters,
setting and mood — every story of a fandom, every chapter of a book — have many loosely similar
sentences in no order, and share names, places and the book's everyday words. So the evidence
for a pair of sentences is what is left when that is taken away:

- *meaning beyond the mood*: the cosine of the two sentences (sentence model, names taken out,
  see `without_names`) minus what each shares with every sentence of the other passage (the mean
  of its row and column): same people and atmosphere lift a whole row, a retold event one cell;
- *shared events*: the content words (stemmed, not stop words, not names) the two sentences
  share, each weighted by how rare it is among the sentences of both passages, so that words
  the two scenes use throughout ("room", "sister", "door") count for little;
- less `PAIR_FLOOR`.

The best order-keeping pairing of sentences (a small dynamic programme) sums these gains; the
scene likeness is that sum divided by the number of sentences of the shorter passage, and 0
unless at least `MIN_PAIRS` pairs take part — one or two alike sentences are a shared moment,
not a retold scene.

Calibrated (`bench/overlap_calibrate.py`) on PAN 2013's summaries (real) against chance pairs of
PAN and, as the hard negatives PAN lacks, the most alike passages from *other chapters* of each
of the three fixture novels (tests/fixtures/gutenberg) and across them: the old score (cosines
alone) gave 1 in 100 of those negatives more than the median PAN summary's lowest decile; this
one keeps PAN summaries' recall at that false rate 0.63 -> 0.86.
"""

from __future__ import annotations

import math
from collections import Counter

import numpy as np

from ficarchive.overlap import embeddings
from ficarchive.overlap.passages import sentences, without_names
from ficarchive.overlap.tokens import LETTERS, STEMMER, STOP_WORDS

# Sentence pairs gain (centred cosine + EVENT_WEIGHT * shared rare words) - PAIR_FLOOR.
PAIR_FLOOR = 0.2
EVENT_WEIGHT = 0.04
# The shared-words evidence of one sentence pair is capped: one long shared list of rare words
# (a quotation, a place described twice) must not make a scene alone.
EVENT_CAP = 6.0
# A retold scene has at least this many of its sentences paired, in order.
MIN_PAIRS = 3
# The sentence model is the slow part of a check (a second for six pairs of 200-word passages on
# two cores), so it only sees pairs whose shared events alone come to at least this: the best
# order-keeping pairing of EVENT_WEIGHT * shared rare words, over the shorter passage's
# sentences. Every PAN 2013 summary the model calls retold has 0.09 or more
# (`bench/overlap_calibrate.py` prints the lowest); three in four chance pairs have less.
EVENT_GATE = 0.06


def scene_likeness(pairs: list[tuple[str, str]]) -> list[float]:
    """The scene likeness of each (draft passage, source passage) pair: 0 for a pair below
    `EVENT_GATE`, without the sentence model; sentences shared by several pairs are embedded
    once."""
    split = [(sentences(without_names(a)), sentences(without_names(b))) for a, b in pairs]
    events = [_shared_events(a, b) if a and b else None for a, b in split]
    gated = {
        number: shared
        for number, shared in enumerate(events)
        if shared is not None and event_evidence(shared) >= EVENT_GATE
    }
    unique = sorted({s for number in gated for s in (*split[number][0], *split[number][1])})
    vectors = dict(zip(unique, embeddings.model_vectors(unique), strict=True))
    scores = [0.0 for _ in pairs]
    for number, shared in gated.items():
        a, b = split[number]
        similarity = np.vstack([vectors[s] for s in a]) @ np.vstack([vectors[s] for s in b]).T
        scores[number] = _likeness(similarity, shared, a, b)
    return scores


def event_evidence(shared: np.ndarray) -> float:
    """The shared events alone: the best order-keeping pairing of the sentence pairs' weighted
    shared words (`_shared_events`), over the shorter passage's sentence count."""
    total, _ = _ordered_pairing(EVENT_WEIGHT * shared)
    return float(total / min(shared.shape))


def _likeness(similarity: np.ndarray, shared: np.ndarray, a: list[str], b: list[str]) -> float:
    # What a sentence shares with every sentence of the other scene is the mood, not an event.
    background = 0.5 * (similarity.mean(axis=1, keepdims=True) + similarity.mean(axis=0))
    gain = similarity - background + EVENT_WEIGHT * shared - PAIR_FLOOR
    total, paired = _ordered_pairing(gain)
    if paired < MIN_PAIRS:
        return 0.0
    return max(0.0, total) / min(len(a), len(b))


def _shared_events(a: list[str], b: list[str]) -> np.ndarray:
    """For each sentence pair, the content words both hold, each weighted by its rarity
    (log of sentences over sentences holding it) among the sentences of both passages."""

    def content(sentence: str) -> set[str]:
        found = [w for w in LETTERS.findall(sentence.lower()) if w not in STOP_WORDS and len(w) > 2]
        return set(STEMMER.stemWords(found))

    words_a, words_b = [content(s) for s in a], [content(s) for s in b]
    held = Counter(w for found in (*words_a, *words_b) for w in found)
    total = len(a) + len(b)
    weight = {w: math.log(total / n) for w, n in held.items()}
    shared = np.zeros((len(a), len(b)))
    for i, first in enumerate(words_a):
        for j, second in enumerate(words_b):
            common = first & second
            if common:
                shared[i, j] = min(EVENT_CAP, sum(weight[w] for w in common))
    return shared


def _ordered_pairing(gain: np.ndarray) -> tuple[float, int]:
    """The largest total gain of pairs (i, j) increasing in both i and j (an alignment), and
    how many pairs it takes."""
    rows, columns = gain.shape
    best = np.zeros((rows + 1, columns + 1))
    for i in range(1, rows + 1):
        for j in range(1, columns + 1):
            best[i, j] = max(
                best[i - 1, j], best[i, j - 1], best[i - 1, j - 1] + gain[i - 1, j - 1]
            )
    paired = 0
    i, j = rows, columns
    while i and j:
        if best[i, j] == best[i - 1, j]:
            i -= 1
        elif best[i, j] == best[i, j - 1]:
            j -= 1
        else:
            paired += 1
            i, j = i - 1, j - 1
    return float(best[rows, columns]), paired
