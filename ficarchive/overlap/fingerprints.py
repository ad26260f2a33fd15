"""Word k-gram fingerprints chosen by winnowing (Schleimer, Wilkerson and Aiken, 2003).

Words are lower-cased and hashed; every run of `K` words gets a 63-bit hash; in every window of
`W` consecutive k-gram hashes the smallest is kept. Winnowing guarantees that two texts sharing a
run of at least `K + W - 1` words (here 12) share at least one fingerprint, whatever surrounds the
run, while keeping only about 2 / (W + 1) of the k-grams (a fifth of the words).
"""

from __future__ import annotations

import hashlib
from functools import lru_cache

import numpy as np

from ficarchive.overlap.tokens import STEMMER, STOP_WORDS, words

K = 5
W = 8
GUARANTEE = K + W - 1
_MULTIPLIER = np.uint64(0x9E3779B97F4A7C15)
_MASK = np.uint64((1 << 63) - 1)


@lru_cache(maxsize=200_000)
def _word_hash(word: str) -> int:
    return int.from_bytes(hashlib.blake2b(word.encode(), digest_size=8).digest(), "little")


def word_hashes(text: str) -> tuple[np.ndarray, np.ndarray]:
    """The hash of every word (lower-cased) and the character offset where it starts."""
    found = words(text)
    hashes = np.fromiter(
        (_word_hash(m.group().lower().replace("’", "'")) for m in found),
        dtype=np.uint64,
        count=len(found),
    )
    starts = np.fromiter((m.start() for m in found), dtype=np.int64, count=len(found))
    return hashes, starts


def _winnowed(
    hashes: np.ndarray, starts: np.ndarray, k: int, w: int
) -> tuple[np.ndarray, np.ndarray]:
    """Hash every run of `k` items into 63 bits, keep the rightmost minimum of each window of `w`
    runs; returns the kept hashes and the offsets where their runs start."""
    n = len(hashes) - k + 1
    if n <= 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    with np.errstate(over="ignore"):
        combined = hashes[:n].copy()
        for j in range(1, k):
            combined = combined * _MULTIPLIER + hashes[j : j + n]
    kgrams = (combined & _MASK).astype(np.int64)
    if n <= w:
        chosen = np.array([n - 1 - int(np.argmin(kgrams[::-1]))], dtype=np.int64)
    else:
        windows = np.lib.stride_tricks.sliding_window_view(kgrams, w)
        chosen = np.unique(np.arange(len(windows)) + w - 1 - np.argmin(windows[:, ::-1], axis=1))
    return kgrams[chosen], starts[chosen]


# Stem fingerprints: runs of STEM_K content-word stems (stop-words out), winnowed over windows of
# STEM_W, so a shared run of 6 content words in any wording of the function words around them
# (a translation, a paraphrase that keeps its nouns) gives a shared fingerprint. Their hashes are
# salted apart from the word fingerprints in the same table.
STEM_K = 3
STEM_W = 4
_STEM_SALT = np.uint64(0xA5A5_5A5A_0F0F_F0F0)


def stem_fingerprints(text: str) -> tuple[np.ndarray, np.ndarray]:
    """Winnowed fingerprints of the content-word stems of a text, with their offsets."""
    found = [m for m in words(text) if m.group().lower() not in STOP_WORDS]
    stems = STEMMER.stemWords([m.group().lower().replace("’", "'") for m in found])
    hashes = np.fromiter((_word_hash(s) for s in stems), dtype=np.uint64, count=len(stems))
    starts = np.fromiter((m.start() for m in found), dtype=np.int64, count=len(found))
    with np.errstate(over="ignore"):
        salted = hashes ^ _STEM_SALT
    return _winnowed(salted, starts, STEM_K, STEM_W)


def fingerprints(text: str) -> tuple[np.ndarray, np.ndarray]:
    """The winnowed fingerprints of a text and the character offset of each one's first word."""
    hashes, starts = word_hashes(text)
    return _winnowed(hashes, starts, K, W)
