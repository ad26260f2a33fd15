"""The semantic detector: static passage embeddings searched by nearest neighbours.

It finds the same scene told in other words; the sentence model then verifies each candidate
(`overlap.verify`). The passages' vectors are kept in memory (`passage_vectors`), which the
search app's story descriptions use as well.
"""

from __future__ import annotations

import numpy as np
from django.db import connection

from ficarchive.overlap import embeddings
from ficarchive.overlap.detectors import Candidate, DraftPassage
from ficarchive.overlap.models import Passage
from ficarchive.overlap.passages import without_names

# Nearest stored passages looked at per draft passage, and the static-embedding cosine (names
# taken out) a pair needs to be a candidate at all; on the fixtures retold pairs had 0.55-0.60,
# and PAN summaries 0.63 or more for 95 % of them (bench/overlap_embeddings.py).
NEIGHBOURS = 3
STATIC_MIN = 0.45
# Lists of the inverted-file index scanned per query (of about sqrt(passages)): on the 10M-word
# benchmark (236 lists) 24 lost a planted paraphrase that an exact search found.
PROBE_LISTS = 64


class _VectorCache:
    """Every stored passage's static vector in memory, kept in step with the table.

    Building the nearest-neighbour index over all passages takes a second or two on a large
    archive, so a change does not rebuild it: passages deleted since are masked out, passages
    added since are searched exactly beside it, and the whole is rebuilt only when those grow
    past `REBUILD_SHARE` of it (and `MIN_TAIL`). Passage ids are never reused: AUTOINCREMENT on
    SQLite, a sequence on PostgreSQL.

    Privacy (issue 14): the index's lists are trained on the passages of posted, unrestricted
    works only, and only changes to those count towards a rebuild, so neither the shape of the
    index nor the moment it is rebuilt depends on anyone's drafts or restricted works. Whether
    a passage counts as public is read when it enters the cache; a work posted later stays
    outside the training until the next rebuild, which changes recall a little, never privacy.
    """

    REBUILD_SHARE = 0.2
    MIN_TAIL = 2000  # below this many changed passages, following always beats rebuilding

    def __init__(self) -> None:
        self.stamp: tuple[int, int | None, int | None] | None = None
        self.index: embeddings.VectorIndex | None = None
        self.ids = np.zeros(0, dtype=np.int64)
        self.works = np.zeros(0, dtype=np.int64)
        self.vectors = np.zeros((0, embeddings.STATIC_DIM), dtype=np.float32)
        self.alive = np.zeros(0, dtype=bool)
        self.public = np.zeros(0, dtype=bool)  # of a posted, unrestricted work when read
        self.indexed = 0  # rows [0, indexed) are in `index`; the rest are the recent tail

    def current(self) -> _VectorCache:
        stamp = _passage_stamp()
        if stamp != self.stamp:
            if self.stamp is None or not self._follow():
                self._load()
            self.stamp = stamp
        return self

    def _rows(self, after: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        rows = list(
            Passage.objects.filter(id__gt=after)
            .values_list("id", "work_id", "vector", "work__posted", "work__restricted")
            .order_by("id")
        )
        ids = np.array([r[0] for r in rows], dtype=np.int64)
        works = np.array([r[1] for r in rows], dtype=np.int64)
        public = np.array([r[3] and not r[4] for r in rows], dtype=bool)
        vectors = (
            np.vstack(
                [embeddings.vectors_from_bytes(bytes(r[2]), embeddings.STATIC_DIM) for r in rows]
            )
            if rows
            else np.zeros((0, embeddings.STATIC_DIM), dtype=np.float32)
        )
        return ids, works, vectors, public

    def _load(self) -> None:
        self.ids, self.works, self.vectors, self.public = self._rows()
        self.alive = np.ones(len(self.ids), dtype=bool)
        self.indexed = len(self.ids)
        self.index = (
            embeddings.VectorIndex(self.ids, self.vectors, nprobe=PROBE_LISTS, train=self.public)
            if len(self.ids)
            else None
        )

    def _follow(self) -> bool:
        """Mask deleted passages and add new ones; False when a full load is due instead."""
        last = int(self.ids[-1]) if len(self.ids) else 0
        present = np.array(Passage.objects.filter(id__lte=last).values_list("id", flat=True))
        self.alive &= np.isin(self.ids, present)
        if self.alive.sum() != len(present):
            return False  # a passage we never saw below the last id: start again
        ids, works, vectors, public = self._rows(after=last)
        self.ids = np.concatenate([self.ids, ids])
        self.works = np.concatenate([self.works, works])
        self.vectors = np.vstack([self.vectors, vectors])
        self.alive = np.concatenate([self.alive, np.ones(len(ids), dtype=bool)])
        self.public = np.concatenate([self.public, public])
        indexed = self.public[: self.indexed]
        changed = (indexed & ~self.alive[: self.indexed]).sum() + self.public[self.indexed :].sum()
        return bool(changed <= max(self.REBUILD_SHARE * indexed.sum(), self.MIN_TAIL))

    def search(
        self, queries: np.ndarray, k: int, min_score: float, among: np.ndarray
    ) -> list[list[tuple[int, float]]]:
        """The k nearest passages of each query among the rows `among` (a mask over the
        cache's rows), from the index and the recent tail."""
        among = among & self.alive
        found = (
            self.index.search(queries, k, min_score=min_score, among=among[: self.indexed])
            if self.index is not None
            else [[] for _ in queries]
        )
        tail = among[self.indexed :]
        new = _exact_search(
            queries, self.ids[self.indexed :][tail], self.vectors[self.indexed :][tail], k
        )
        return [
            sorted(old + recent, key=lambda hit: -hit[1])[:k]
            for old, recent in zip(found, new, strict=True)
        ]


def _passage_stamp() -> tuple[int, int | None, int | None]:
    with connection.cursor() as cursor:
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

    def candidates(
        self, draft: list[DraftPassage], allowed_works: set[int], visible_works: set[int]
    ) -> list[Candidate]:
        cache = _cache.current()
        if not len(cache.ids) or not draft or not allowed_works:
            return []
        allowed = cache.alive & np.isin(cache.works, np.fromiter(allowed_works, dtype=np.int64))
        visible = cache.alive & np.isin(cache.works, np.fromiter(visible_works, dtype=np.int64))
        queries = embeddings.static_vectors([without_names(p.text) for p in draft])
        # Which search runs depends on the passages the writer may be shown, never on how many
        # others there are: the approximate index and the exact search may differ at the margin.
        if allowed.sum() >= 0.5 * visible.sum():
            # Most works may be used: the index, asked for the nearest among those alone (the
            # nearest of all, the others then dropped, would let hidden passages crowd out
            # posted ones, and a report say that they exist).
            hits = cache.search(queries, NEIGHBOURS, STATIC_MIN, allowed)
        else:
            # Few works may be used (a writer's own): an exact search among just those.
            hits = _exact_search(queries, cache.ids[allowed], cache.vectors[allowed], NEIGHBOURS)
        candidates: list[Candidate] = []
        for passage, found in zip(draft, hits, strict=True):
            candidates.extend(
                Candidate(passage, pid, self.name, score, {"static": score}) for pid, score in found
            )
        return candidates


def _exact_search(
    queries: np.ndarray, ids: np.ndarray, vectors: np.ndarray, k: int
) -> list[list[tuple[int, float]]]:
    if not len(ids):
        return [[] for _ in queries]
    scores = queries @ vectors.T
    hits = []
    for row in scores:
        best = np.argsort(-row)[:k]
        hits.append([(int(ids[i]), float(row[i])) for i in best if row[i] >= STATIC_MIN])
    return hits


def forget_vectors() -> None:
    """Drop the in-memory vectors (tests, whose rolled-back ids come back with other rows)."""
    global _cache
    _cache = _VectorCache()


def passage_vectors() -> _VectorCache:
    """Every stored passage's static vector, brought up to date with the table."""
    return _cache.current()
