"""Describe a story: find works from what happens in them, not from words they must contain.

"Rory and Jess get back together after she breaks up with Dean" names no word a story is
sure to use, so the description is compared with each work's meaning: a work's vector is the
mean of the overlap index's passage vectors (static WordLlama embeddings of the text with its
names taken out), normalised. Names are what a description is surest to share with the story,
though, and the passage vectors leave them out; so the full-text search runs too, with the
description's content words OR-ed, and the two rankings are mixed:

    score = SEMANTIC_WEIGHT * semantic rank score + KEYWORD_WEIGHT * keyword rank score

A rank score is (n - r) / n for the work at rank r (from 0) of a ranking of n works (the best
gets 1, a work outside the ranking 0). Ranks, not raw scores, because a cosine and a BM25 score
have no common scale; the semantic side weighs more because it is what the page is for, and a
work first on one side and last on the other still beats a work that only one side found.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np

from ficarchive.accounts.types import AnyUser
from ficarchive.overlap import embeddings, tokens
from ficarchive.overlap.passages import without_names
from ficarchive.overlap.semantic import passage_vectors
from ficarchive.search import services
from ficarchive.search.saved import without_muted
from ficarchive.works.models import Work
from ficarchive.works.queries import listed_works, with_blurb_data

SEMANTIC_WEIGHT = 0.6
KEYWORD_WEIGHT = 0.4
# Each ranking is cut here: past a few hundred works, a rank says nothing a reader will use.
RANKING_DEPTH = 500
# A description longer than this is cut: it is a description, not a story.
MAX_DESCRIPTION = 1000
# Content words for the keyword half: longer than three letters, not in STOP_WORDS, at most
# this many (each OR-ed word is one more full-text leaf).
MAX_KEYWORDS = 16
# The overlap check's function words, and the words any story description is full of.
STOP_WORDS = tokens.STOP_WORDS | frozenset(
    """
    although among another anyone anything around away back behind beside came come comes done
    either else even ever every gets getting goes going gone keep keeps know later like made
    make makes many maybe much near never next onto quite rather really said says since someone
    something soon still thing things though till time toward towards want wants whether within
    without story stories
    """.split()
)
_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?")


@dataclass
class _WorkVectors:
    """Work-level vectors, from the overlap check's passage cache, remade when it changes."""

    source: object = None  # the passage cache they were made from (tests replace it)
    stamp: object = None  # its stamp when they were made
    work_ids: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    vectors: np.ndarray = field(
        default_factory=lambda: np.zeros((0, embeddings.STATIC_DIM), dtype=np.float32)
    )

    def current(self) -> _WorkVectors:
        passages = passage_vectors()
        if passages is not self.source or passages.stamp != self.stamp:
            self.work_ids, self.vectors = work_means(
                passages.works[passages.alive], passages.vectors[passages.alive]
            )
            self.source, self.stamp = passages, passages.stamp
        return self


_work_vectors = _WorkVectors()


def work_means(work_ids: np.ndarray, vectors: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each work once, with the normalised mean of its passages' vectors."""
    works, inverse = np.unique(work_ids, return_inverse=True)
    sums = np.zeros((len(works), vectors.shape[1]), dtype=np.float32)
    np.add.at(sums, inverse, vectors)
    return works, embeddings.normalise(sums)


def keyword_query(text: str) -> str:
    """The description's content words as one full-text query: `word OR word …`."""
    words: list[str] = []
    for match in _WORD.finditer(text):
        word = match.group().lower().replace("’", "'")
        if len(word) > 3 and word not in STOP_WORDS and "'" not in word and word not in words:
            words.append(word)
    return " OR ".join(words[:MAX_KEYWORDS])


def rank_scores(ranked: list[int]) -> dict[int, float]:
    """(n - r) / n for the work at rank r of n: the first gets 1, the last 1/n."""
    count = len(ranked)
    return {work_id: (count - rank) / count for rank, work_id in enumerate(ranked)}


def semantic_ranking(text: str, allowed: set[int]) -> list[int]:
    """Allowed works with passage vectors, most like the description first."""
    cached = _work_vectors.current()
    if not len(cached.work_ids) or not allowed:
        return []
    query = embeddings.static_vectors([without_names(text)])[0]
    if not query.any():
        return []
    keep = np.isin(cached.work_ids, np.fromiter(allowed, dtype=np.int64))
    work_ids, scores = cached.work_ids[keep], cached.vectors[keep] @ query
    best = np.argsort(-scores, kind="stable")[:RANKING_DEPTH]
    return [int(work_ids[i]) for i in best]


def keyword_ranking(user: AnyUser, text: str) -> list[int]:
    """Works the full-text search finds for the description's words, best match first."""
    query = keyword_query(text)
    if not query:
        return []
    try:
        results = services.search(user, query)
    except services.SearchError:
        return []  # a description is not a query: what the parser refuses, we do without
    return list(results.works.values_list("pk", flat=True)[:RANKING_DEPTH])


def describe(user: AnyUser, text: str, limit: int = 20) -> list[tuple[Work, float]]:
    """The works this reader may see that best fit a description, with their mixed scores
    (between 0 and 1), best first."""
    text = " ".join(text.split())[:MAX_DESCRIPTION]
    if not text:
        return []
    allowed = set(without_muted(listed_works(user), user).values_list("pk", flat=True))
    semantic = rank_scores(semantic_ranking(text, allowed))
    keyword = rank_scores([pk for pk in keyword_ranking(user, text) if pk in allowed])
    mixed = {
        pk: SEMANTIC_WEIGHT * semantic.get(pk, 0.0) + KEYWORD_WEIGHT * keyword.get(pk, 0.0)
        for pk in semantic.keys() | keyword.keys()
    }
    best = sorted(mixed, key=lambda pk: (-mixed[pk], -pk))[:limit]
    works = with_blurb_data(Work.objects.filter(pk__in=best)).in_bulk()
    return [(works[pk], mixed[pk]) for pk in best if pk in works]
