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


# Fitted by bench/overlap_calibrate.py on 150 pairs of each PAN 2013 subset (seed 7). Verbatim
# and near-verbatim alignments of 20 words or more were all real there (176 and 31 of them), so
# their curves only say that longer and closer is surer. `retold` is fitted on PAN's 238 summary
# cases (real) against chance pairs of PAN and the hard negatives PAN does not have: the most
# alike passages of other chapters of each fixture novel (the same characters and setting) and
# across the novels, 766 in all. Its midpoint (0.106) keeps 1 of those 766 and 85 % of PAN's
# summaries; the fixture stories' retold prologue scores 0.21, their other scene 0.10 at most.
CURVES = {
    "verbatim": Curve(bias=-6.0, similarity=4.0, log_words=1.6),
    "near-verbatim": Curve(bias=-7.0, similarity=5.0, log_words=1.4),
    "paraphrase": Curve(bias=-6.57, similarity=8.90, log_words=1.34),
    "retold": Curve(bias=-3.41, similarity=32.20, log_words=0.0),
}


def score(kind: str, *, similarity: float, words: int) -> float:
    return CURVES[kind](similarity, words)
