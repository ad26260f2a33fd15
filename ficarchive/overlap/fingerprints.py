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

from ficarchive.overlap.passages import words

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


def kgram_hashes(hashes: np.ndarray) -> np.ndarray:
    """One 63-bit hash per run of K words (none when the text is shorter than K words)."""
    n = len(hashes) - K + 1
    if n <= 0:
        return np.zeros(0, dtype=np.int64)
    with np.errstate(over="ignore"):
        combined = hashes[:n].copy()
        for j in range(1, K):
            combined = combined * _MULTIPLIER + hashes[j : j + n]
    return (combined & _MASK).astype(np.int64)


def winnow(kgrams: np.ndarray) -> np.ndarray:
    """Indexes of the chosen k-grams: the rightmost minimum of each window of W."""
    n = len(kgrams)
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    if n <= W:
        return np.array([n - 1 - int(np.argmin(kgrams[::-1]))], dtype=np.int64)
    windows = np.lib.stride_tricks.sliding_window_view(kgrams, W)
    # argmin takes the first minimum; on the reversed window that is the rightmost one.
    rightmost = W - 1 - np.argmin(windows[:, ::-1], axis=1)
    chosen = np.arange(len(windows)) + rightmost
    return np.unique(chosen)


def fingerprints(text: str) -> tuple[np.ndarray, np.ndarray]:
    """The winnowed fingerprints of a text and the character offset of each one's first word."""
    hashes, starts = word_hashes(text)
    kgrams = kgram_hashes(hashes)
    chosen = winnow(kgrams)
    return kgrams[chosen], starts[chosen]
