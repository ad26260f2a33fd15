"""The overlap detectors, behind one registry.

A detector keeps its own index of every passage (`index`) and, for a draft, finds the source
passages that resemble the draft's passages (`candidates`). Turning candidates into findings with
exact spans, kinds and scores is shared (`ficarchive.overlap.findings`), so a new detector only
has to say where to look. The built-in two register the same way a new one would:

- `lexical`: winnowed word 5-gram fingerprints in an inverted index table — finds any shared run
  of 12 or more words, with edits around it;
- `semantic`: static passage embeddings searched by nearest neighbours, verified by a sentence
  model — finds the same scene told in other words.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np
from django.db import connection

from ficarchive.overlap import embeddings
from ficarchive.overlap.fingerprints import fingerprints
from ficarchive.overlap.models import Fingerprint, Passage
from ficarchive.overlap.passages import without_names


@dataclass
class DraftPassage:
    """A passage of the text being checked (not stored)."""

    chapter: int  # 1-based chapter position
    start: int
    end: int
    text: str


@dataclass
class Candidate:
    """A draft passage and a stored passage that a detector thinks alike, and how strongly."""

    draft: DraftPassage
    passage_id: int
    detector: str
    strength: float
    details: dict[str, float] = field(default_factory=dict)


class Detector(Protocol):
    name: str

    def index(self, passages: list[tuple[Passage, str]]) -> None:
        """Add these freshly saved passages (with their text) to the detector's index."""

    def candidates(self, draft: list[DraftPassage], allowed_works: set[int]) -> list[Candidate]:
        """Stored passages of the allowed works that resemble passages of the draft."""


_DETECTORS: dict[str, Detector] = {}


def register(detector: Detector) -> Detector:
    _DETECTORS[detector.name] = detector
    return detector


def detectors() -> list[Detector]:
    return list(_DETECTORS.values())


# ---------------------------------------------------------------------------------------------
# lexical


# A fingerprint found in this many works or more is a phrase of the fandom or of boilerplate,
# not evidence of reuse: it alone never makes a candidate.
COMMON_IN_WORKS = 8
# A candidate needs this many shared fingerprints (one is guaranteed by a 12-word run; two make
# a chance collision of common phrasing very unlikely).
MIN_SHARED = 2


class LexicalDetector:
    name = "lexical"

    def index(self, passages: list[tuple[Passage, str]]) -> None:
        rows: list[Fingerprint] = []
        for passage, text in passages:
            hashes, _ = fingerprints(text)
            rows.extend(
                Fingerprint(hash=int(h), passage_id=passage.pk) for h in set(hashes.tolist())
            )
        Fingerprint.objects.bulk_create(rows, batch_size=5000)

    def candidates(self, draft: list[DraftPassage], allowed_works: set[int]) -> list[Candidate]:
        by_hash: dict[int, list[int]] = defaultdict(list)
        for number, passage in enumerate(draft):
            hashes, _ = fingerprints(passage.text)
            for value in set(hashes.tolist()):
                by_hash[value].append(number)
        if not by_hash or not allowed_works:
            return []
        postings = _postings(list(by_hash))
        shared: dict[tuple[int, int], int] = defaultdict(int)
        for value, found in postings.items():
            if len({work for _, work in found}) >= COMMON_IN_WORKS:
                continue
            for passage_id, work_id in found:
                if work_id in allowed_works:
                    for number in by_hash[value]:
                        shared[(number, passage_id)] += 1
        return [
            Candidate(draft[number], passage_id, self.name, float(count), {"shared": count})
            for (number, passage_id), count in shared.items()
            if count >= MIN_SHARED
        ]


def _postings(hashes: list[int]) -> dict[int, list[tuple[int, int]]]:
    """For each hash, the (passage, work) pairs it occurs in, in batches under SQL's limits."""
    found: dict[int, list[tuple[int, int]]] = defaultdict(list)
    fingerprint = Fingerprint._meta.db_table
    passage = Passage._meta.db_table
    with connection.cursor() as cursor:
        for at in range(0, len(hashes), 900):
            batch = hashes[at : at + 900]
            marks = ",".join(["%s"] * len(batch))
            cursor.execute(
                f"SELECT f.hash, f.passage_id, p.work_id FROM {fingerprint} f "
                f"JOIN {passage} p ON p.id = f.passage_id WHERE f.hash IN ({marks})",
                batch,
            )
            for value, passage_id, work_id in cursor.fetchall():
                found[value].append((passage_id, work_id))
    return found


# ---------------------------------------------------------------------------------------------
# semantic


# Nearest stored passages looked at per draft passage, and the static-embedding cosine (names
# taken out) a pair needs before the sentence model is asked; on the fixtures retold pairs had
# 0.55-0.60 and other scenes of the same characters up to 0.52.
NEIGHBOURS = 3
STATIC_MIN = 0.45


class _VectorCache:
    """Every stored passage's static vector in memory, reloaded when passages change."""

    def __init__(self) -> None:
        self.stamp: tuple[int, int | None, int | None] | None = None
        self.ids = np.zeros(0, dtype=np.int64)
        self.works = np.zeros(0, dtype=np.int64)
        self.vectors = np.zeros((0, embeddings.STATIC_DIM), dtype=np.float32)
        self.index: embeddings.VectorIndex | None = None

    def current(self) -> _VectorCache:
        stamp = _passage_stamp()
        if stamp != self.stamp:
            rows = list(Passage.objects.values_list("id", "work_id", "vector").order_by("id"))
            self.ids = np.array([r[0] for r in rows], dtype=np.int64)
            self.works = np.array([r[1] for r in rows], dtype=np.int64)
            if rows:
                self.vectors = np.vstack(
                    [
                        embeddings.vectors_from_bytes(bytes(r[2]), embeddings.STATIC_DIM)
                        for r in rows
                    ]
                )
                self.index = embeddings.VectorIndex(self.ids, self.vectors)
            else:
                self.vectors = np.zeros((0, embeddings.STATIC_DIM), dtype=np.float32)
                self.index = None
            self.stamp = stamp
        return self


def _passage_stamp() -> tuple[int, int | None, int | None]:
    with connection.cursor() as cursor:
        # Ids can come back after a rollback (SQLite); the sum tells such twins apart.
        cursor.execute(
            f"SELECT COUNT(*), MAX(id), SUM(id * 7 + work_id * 3 + start) "
            f"FROM {Passage._meta.db_table}"
        )
        count, last, total = cursor.fetchone()
    return int(count), last, total


_cache = _VectorCache()


class SemanticDetector:
    name = "semantic"

    def index(self, passages: list[tuple[Passage, str]]) -> None:
        if not passages:
            return
        vectors = embeddings.static_vectors([without_names(text) for _, text in passages])
        for (passage, _), vector in zip(passages, vectors, strict=True):
            passage.vector = embeddings.vectors_to_bytes(vector[None, :])
        Passage.objects.bulk_update([p for p, _ in passages], ["vector"], batch_size=1000)

    def candidates(self, draft: list[DraftPassage], allowed_works: set[int]) -> list[Candidate]:
        cache = _cache.current()
        if cache.index is None or not draft or not allowed_works:
            return []
        allowed = np.isin(cache.works, np.fromiter(allowed_works, dtype=np.int64))
        queries = embeddings.static_vectors([without_names(p.text) for p in draft])
        if allowed.mean() >= 0.5:
            # Most works may be used: ask the index for more neighbours, drop the others.
            allowed_ids = set(cache.ids[allowed].tolist())
            hits = [
                [(pid, score) for pid, score in found if pid in allowed_ids][:NEIGHBOURS]
                for found in cache.index.search(queries, NEIGHBOURS * 3, min_score=STATIC_MIN)
            ]
        else:
            # Few works may be used (a writer's own): an exact search among just those.
            hits = _exact_search(queries, cache.ids[allowed], cache.vectors[allowed])
        candidates: list[Candidate] = []
        for passage, found in zip(draft, hits, strict=True):
            candidates.extend(
                Candidate(passage, pid, self.name, score, {"static": score}) for pid, score in found
            )
        return candidates


def _exact_search(
    queries: np.ndarray, ids: np.ndarray, vectors: np.ndarray
) -> list[list[tuple[int, float]]]:
    scores = queries @ vectors.T
    hits = []
    for row in scores:
        best = np.argsort(-row)[:NEIGHBOURS]
        hits.append([(int(ids[i]), float(row[i])) for i in best if row[i] >= STATIC_MIN])
    return hits


register(LexicalDetector())
register(SemanticDetector())
