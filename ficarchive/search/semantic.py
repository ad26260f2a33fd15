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

Ranks have no floor, though: every work gets one, so a description of a story the archive does
not hold would still list every work. A work is shown as a fit only when two absolute measures,
which mean the same on both search backends, together clear a floor:

    cosine + COVERAGE_WEIGHT * coverage >= FLOOR

the cosine of the description's vector and the work's, and the coverage: the share of the
description's content words (those of the keyword half) that the work has anywhere, each word
weighed by its inverse document frequency, log((N + 1) / (n + 0.5)) for a word that n of the N
listed works have. A word no work has weighs most, so "a dragon rider fights a war in space" covers
little of any archive without dragons. The two constants are fitted on labelled descriptions of
the stories in tests/fixtures (bench/describe_floor.py, numbers in bench/README.md); the rank
mix still orders the works above the floor. A description with no content word at all ("the
the the") is not searched: every story would fit it equally.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

import numpy as np
from django.db.models import QuerySet
from django.db.models.expressions import RawSQL

from ficarchive.accounts.types import AnyUser
from ficarchive.overlap import embeddings, tokens
from ficarchive.overlap.passages import without_names
from ficarchive.overlap.semantic import passage_vectors
from ficarchive.search import services
from ficarchive.search.backends import backend
from ficarchive.search.saved import without_muted
from ficarchive.works.models import Work
from ficarchive.works.queries import listed_works, with_blurb_data

SEMANTIC_WEIGHT = 0.6
KEYWORD_WEIGHT = 0.4
# The relevance floor, fitted by bench/describe_floor.py on all of tests/fixtures/describe:
# the best precision at a recall of 0.9 or more (precision and recall, also of fits on each
# half reported on the other, in bench/README.md).
COVERAGE_WEIGHT = 0.2
FLOOR = 0.326
# The floor is measured for the best of the mixed ranking only: further down nothing fits.
FLOOR_CANDIDATES = 50
# When nothing clears the floor, the page still shows this many of the nearest works.
NEAREST = 3
NO_CONTENT = (
    "Describe what happens in the story: this description has only words every story uses "
    "(“the”, “and”, “of” …). Say who is in it, where it happens or what they do."
)
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


def content_words(text: str) -> list[str]:
    """The description's words of three letters or more that are not stop words (nor a stop
    word with an ending: "it's")."""
    words: list[str] = []
    for match in _WORD.finditer(text):
        word = match.group().lower().replace("’", "'")
        stem = word.split("'")[0]
        if len(word) > 2 and stem not in STOP_WORDS and word not in words:
            words.append(word)
    return words


def keywords(text: str) -> list[str]:
    """The content words the keyword half searches for (longer than three letters, no
    apostrophe: `'` would be query syntax), at most MAX_KEYWORDS."""
    return [w for w in content_words(text) if len(w) > 3 and "'" not in w][:MAX_KEYWORDS]


def keyword_query(text: str) -> str:
    """The description's content words as one full-text query: `word OR word …`."""
    return " OR ".join(keywords(text))


def rank_scores(ranked: list[int]) -> dict[int, float]:
    """(n - r) / n for the work at rank r of n: the first gets 1, the last 1/n."""
    count = len(ranked)
    return {work_id: (count - rank) / count for rank, work_id in enumerate(ranked)}


def semantic_scores(text: str, allowed: set[int]) -> dict[int, float]:
    """Allowed works with passage vectors and their cosine with the description, most like it
    first."""
    cached = _work_vectors.current()
    if not len(cached.work_ids) or not allowed:
        return {}
    query = embeddings.static_vectors([without_names(text)])[0]
    if not query.any():
        return {}
    keep = np.isin(cached.work_ids, np.fromiter(allowed, dtype=np.int64))
    work_ids, scores = cached.work_ids[keep], cached.vectors[keep] @ query
    best = np.argsort(-scores, kind="stable")[:RANKING_DEPTH]
    return {int(work_ids[i]): float(scores[i]) for i in best}


def semantic_ranking(text: str, allowed: set[int]) -> list[int]:
    """Allowed works with passage vectors, most like the description first."""
    return list(semantic_scores(text, allowed))


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


def coverage(words: list[str], candidates: list[int], listed: QuerySet[Work]) -> dict[int, float]:
    """For each candidate, the IDF-weighted share of `words` it has (0 to 1), the frequencies
    counted over `listed`: two queries a word, one counting, one over the candidates only."""
    have = dict.fromkeys(candidates, 0.0)
    if not words or not candidates:
        return have
    total = listed.count()
    weights = 0.0
    for word in words:
        sql, params = backend().matching([word], False, ())
        matching = listed.filter(pk__in=RawSQL(sql, params))
        weight = math.log((total + 1) / (matching.count() + 0.5))
        weights += weight
        for pk in matching.filter(pk__in=candidates).values_list("pk", flat=True):
            have[pk] += weight
    return {pk: value / weights for pk, value in have.items()}


@dataclass(frozen=True)
class Evidence:
    """What the search knows of one work against a description."""

    mixed: float  # the rank mix (0 to 1), which orders the works
    cosine: float  # of the description's vector and the work's (0 when it has none)
    coverage: float  # IDF-weighted share of the description's content words it has

    @property
    def fit(self) -> float:
        """What the floor is measured on."""
        return self.cosine + COVERAGE_WEIGHT * self.coverage


def weigh(user: AnyUser, text: str) -> dict[int, Evidence]:
    """The best FLOOR_CANDIDATES works of the mixed ranking for the (cleaned) description, best
    first, with the evidence the floor reads."""
    listed = without_muted(listed_works(user), user)
    allowed = set(listed.values_list("pk", flat=True))
    cosines = semantic_scores(text, allowed)
    semantic = rank_scores(list(cosines))
    keyword = rank_scores([pk for pk in keyword_ranking(user, text) if pk in allowed])
    mixed = {
        pk: SEMANTIC_WEIGHT * semantic.get(pk, 0.0) + KEYWORD_WEIGHT * keyword.get(pk, 0.0)
        for pk in semantic.keys() | keyword.keys()
    }
    best = sorted(mixed, key=lambda pk: (-mixed[pk], -pk))[:FLOOR_CANDIDATES]
    covered = coverage(keywords(text), best, listed)
    return {pk: Evidence(mixed[pk], cosines.get(pk, 0.0), covered[pk]) for pk in best}


@dataclass
class Described:
    """What the page shows for a description."""

    fits: list[tuple[Work, float]] = field(default_factory=list)  # above the floor, best first
    nearest: list[tuple[Work, float]] = field(default_factory=list)  # when none fits
    message: str = ""  # why it was not searched


def clean(text: str) -> str:
    """The description as it is searched: whitespace collapsed, cut at MAX_DESCRIPTION."""
    return " ".join(text.split())[:MAX_DESCRIPTION]


def describe(user: AnyUser, text: str, limit: int = 20) -> Described:
    """The works this reader may see that fit a description (above the floor), with their mixed
    scores (between 0 and 1), best first; when none does, the NEAREST closest ones apart."""
    text = clean(text)
    if not content_words(text):
        return Described(message=NO_CONTENT if text else "")
    found = weigh(user, text)
    fitting = [pk for pk, evidence in found.items() if evidence.fit >= FLOOR][:limit]
    nearest = [] if fitting else list(found)[: min(limit, NEAREST)]
    works = with_blurb_data(Work.objects.filter(pk__in=fitting + nearest)).in_bulk()
    return Described(
        fits=[(works[pk], found[pk].mixed) for pk in fitting if pk in works],
        nearest=[(works[pk], found[pk].mixed) for pk in nearest if pk in works],
    )
