"""Scores in 0..1 that mean the same for every kind of finding.

A score is the estimated probability that a finding is real reuse (copied, edited, paraphrased or
retold text) and not chance likeness — the same characters, the fandom's phrases, boilerplate.
Each kind has its own evidence (how similar the two sides are, how long the passage is), mapped
through a logistic curve whose parameters were fitted per kind on labelled pairs
(`bench/overlap_calibrate.py`; the README says on which data), so a threshold of 0.5 keeps, for
every kind, the findings more likely real than not.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

# The scene likeness (`verify.scene_likeness`) below which a semantic candidate is dropped.
SCENE_MIN = 0.08
DEFAULT_THRESHOLD = 0.5


@dataclass(frozen=True)
class Curve:
    bias: float
    similarity: float
    log_words: float

    def __call__(self, similarity: float, words: int) -> float:
        z = self.bias + self.similarity * similarity + self.log_words * math.log(max(words, 1))
        return 1.0 / (1.0 + math.exp(-z))


CURVES = {
    "verbatim": Curve(bias=-6.0, similarity=4.0, log_words=1.6),
    "near-verbatim": Curve(bias=-7.0, similarity=5.0, log_words=1.4),
    "paraphrase": Curve(bias=-9.0, similarity=8.0, log_words=1.2),
    "retold": Curve(bias=-6.3, similarity=60.0, log_words=0.0),
}


def score(kind: str, *, similarity: float, words: int) -> float:
    return CURVES[kind](similarity, words)
