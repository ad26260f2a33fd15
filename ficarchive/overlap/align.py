"""Pairwise text alignment: the passages two texts share, with exact character offsets.

The method follows Sanchez-Perez, Sidorov and Gelbukh (PAN 2014, and their 2015 adaptive
follow-up), written anew here:

1. *Preprocessing* — sentences with character offsets; words lower-cased, stop-words dropped,
   stemmed (Snowball English). Sentences with too few content words join their neighbour,
   because a three-word sentence matches anything.
2. *Seeding* — every sentence becomes a tf-isf vector (isf counted over the sentences of both
   texts); a pair of sentences is a seed when both its cosine and its Dice coefficient pass a
   threshold. Computed through an inverted index over the stems the texts share, so the work
   grows with the shared vocabulary, not with the product of the sentence counts.
3. *Extension* — seeds are clustered by the gaps between them, on the draft side and then the
   source side, until stable; a cluster is kept when the two fragments it spans are similar as
   wholes, and re-clustered with smaller gaps when they are not.
4. *Summary mode* — a summary condenses a long source passage into a few sentences, so its seeds
   sit close together in the draft but far apart in the source. A second clustering with a small
   draft gap and a large source gap finds those; its cases are kept only when the draft side is
   much shorter than the source side and they join several plain cases. A summary drawing on
   most of its source is taken to summarise all of it.
5. *Boundaries* — sentence granularity misplaces the ends of copied passages (a heading without a
   full stop, two copies side by side). When chains of exact shared word runs cover most of a
   case, the chains replace it: exact ends on both sides, and a split where the copying stops.
   Chains bridge small edits (a word changed every line or two), and a sentence beside a copy
   that matches nothing on the other side (a stray seed) does not stretch it. Chains whose
   source sides lie together are one passage even out of order (its sentences reordered, one
   added): the draft span covers them and the source span is their union.
6. *Filtering* — overlapping cases are resolved in favour of the better-supported one; short
   cases are dropped, and short or loose ones need a higher similarity (see `_plausible`).

`verbatim_ratio` lets the caller tell a copy from a paraphrase: the share of the shorter side's
words that lie inside word runs (of `AlignSettings.verbatim_run` words) found on both sides.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
import numpy.typing as npt

from ficarchive.overlap.tokens import STEMMER, STOP_WORDS, WORD_PIECE

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
# (this_start, this_end, source_start, source_end): character or token offsets, end exclusive.
Span = tuple[int, int, int, int]


@dataclass(frozen=True)
class Alignment:
    """A passage of the draft (`this`) that matches a passage of the source."""

    this_start: int
    this_end: int
    source_start: int
    source_end: int
    similarity: float
    verbatim_ratio: float


@dataclass(frozen=True)
class AlignSettings:
    """The tuned parameters of `align` (tuned on the PAN 2013 text alignment training corpus)."""

    # Sentences with fewer content words than this are merged into the next sentence.
    min_sentence_words: int = 3
    # Longer runs of words without sentence punctuation are cut at line breaks, then evenly.
    max_sentence_words: int = 40
    # A sentence pair is a seed when its tf-isf cosine and its stem-set Dice both reach these.
    seed_cosine: float = 0.33
    seed_dice: float = 0.33
    # Extension: seeds further apart than this many sentences (on either side) start a new cluster.
    max_gap: int = 4
    # When a cluster fails validation it is re-clustered with smaller gaps, down to this one.
    min_gap: int = 0
    # A cluster is a case when the tf-isf cosine of its two fragments reaches this.
    validation_cosine: float = 0.34
    # Summary mode: gaps of the second clustering, and the largest draft/source length ratio
    # at which one of its cases counts as a summary.
    summary_this_gap: int = 3
    summary_source_gap: int = 40
    summary_ratio: float = 0.5
    summary_dominance: float = 0.75
    # ...and not when plain cases this similar, each as long on both sides, fill this share of
    # its draft side.
    summary_reuse_similarity: float = 0.85
    summary_whole_reuse: float = 0.6
    # A summary whose source side spans this share of the source is taken to summarise it all.
    summary_whole: float = 0.5
    # Cases shorter than this many characters on either side are dropped.
    min_case_chars: int = 150
    # Cases shorter than short_case_chars on either side need this similarity.
    short_case_chars: int = 200
    short_case_similarity: float = 0.5
    # Copy mode: when one case has this verbatim ratio, the pair's other cases need either
    # copy_loose_ratio or copy_loose_similarity.
    copy_ratio: float = 0.8
    copy_loose_ratio: float = 0.5
    copy_loose_similarity: float = 0.6
    # Boundaries: exact runs of this many words move a case's ends; the search looks this many
    # sentences beyond each end.
    boundary_run: int = 6
    boundary_margin: int = 1
    # Shared runs further apart than this many words (on either side) start a new chain; a case
    # whose chains cover this share of its words is a copy and takes the chains' exact ends.
    chain_gap: int = 6
    verbatim_cover: float = 0.8
    # ...or cover that share of the sentences they touch, when those are this share of the case
    # (and the rest is not alike on both sides: stray seeds beside a copy).
    copy_core: float = 0.5
    # Up to this many unshared words between a copy's outer runs and its sentence's ends are
    # taken into the copy (an edit at the very start or end of a sentence).
    snap_words: int = 3
    # Chains with at most this many whole sentences between them in the draft, whose source
    # sides put in order leave no hole of more sentences, are one passage, its sentences
    # reordered (or one added, or one dropped): the draft span covers them, the source span is
    # their union.
    reorder_sentences: int = 3
    # Exact shared runs of this many words count as verbatim for `verbatim_ratio`.
    verbatim_run: int = 8


DEFAULT_SETTINGS = AlignSettings()

# A sentence ends after . ! or ? (with closing quotes or brackets) before whitespace, or at a
# blank line.
_SENTENCE_END = re.compile(r"[.!?]+[\"'”’)\]]*(?=\s)|\n[ \t\r\f\v]*\n")
_NEWLINE = re.compile(r"\n")
# What may close a passage after its last word.
_CLOSING = re.compile(r"[.!?;:\"'”’)\]]*")


class _Doc(NamedTuple):
    """One text, tokenised: word tokens and sentences, all with character offsets."""

    text: str
    tok_start: IntArray  # char offset where each word token starts
    tok_end: IntArray  # char offset where each word token ends
    word_ids: IntArray  # lower-cased word, as an id shared by both texts of the pair
    stem_ids: IntArray  # stem id shared by both texts, -1 for stop-words
    sent_start: IntArray  # char offset where each sentence starts
    sent_end: IntArray
    sent_tok: IntArray  # sentence k holds tokens sent_tok[k]:sent_tok[k + 1]


class _Case(NamedTuple):
    """A candidate alignment in sentences (inclusive ranges) before it gets character offsets."""

    this_first: int
    this_last: int
    source_first: int
    source_last: int
    weight: float  # sum of the seeds' cosines: how much evidence backs the case
    summary: bool = False  # found by the summary-mode clustering


class _Vocab:
    """Word and stem ids shared by the two texts of one pair."""

    def __init__(self) -> None:
        self.words: dict[str, int] = {}
        self.stems: dict[str, int] = {}
        self.stem_of_word: dict[int, int] = {}

    def tokenise(self, text: str) -> tuple[IntArray, IntArray, IntArray, IntArray]:
        """Word tokens of `text`: starts, ends, word ids and stem ids (-1 for stop-words)."""
        matches = list(WORD_PIECE.finditer(text))
        spans = np.asarray([m.span() for m in matches], dtype=np.int64).reshape(-1, 2)
        tokens = [m.group().lower() for m in matches]
        words = self.words
        new = [w for w in dict.fromkeys(tokens) if w not in words]
        content = [w for w in new if w not in STOP_WORDS]
        stems = dict(zip(content, STEMMER.stemWords(content), strict=True))
        for word in new:
            words[word] = len(words)
            stem = stems.get(word)
            self.stem_of_word[words[word]] = (
                -1 if stem is None else self.stems.setdefault(stem, len(self.stems))
            )
        ids = np.asarray([words[w] for w in tokens], dtype=np.int64)
        stem_of = np.asarray(list(self.stem_of_word.values()), dtype=np.int64)
        return spans[:, 0], spans[:, 1], ids, stem_of[ids] if len(ids) else ids


def _sentences(text: str, tok_start: IntArray, stem_ids: IntArray, s: AlignSettings) -> IntArray:
    """Sentence boundaries as token indices.

    Long stretches without sentence punctuation (lists, headings, tables) are cut at line breaks
    and then into even pieces, so that one huge "sentence" cannot swallow a whole page; short
    sentences are merged into the next one.
    """
    n_tok = len(tok_start)
    cuts = {0, n_tok}
    cuts.update(int(np.searchsorted(tok_start, m.end())) for m in _SENTENCE_END.finditer(text))
    bounds = sorted(cuts)
    newlines = np.unique(np.searchsorted(tok_start, [m.end() for m in _NEWLINE.finditer(text)]))
    fine = [0]
    for a, b in itertools.pairwise(bounds):
        if b - a > s.max_sentence_words:
            inner = newlines[(newlines > a) & (newlines < b)].tolist()
            for p, q in zip([a, *inner], [*inner, b], strict=True):
                pieces = -(-(q - p) // s.max_sentence_words)
                fine.extend(p + round(k * (q - p) / pieces) for k in range(1, pieces + 1))
        else:
            fine.append(b)
    content = np.concatenate(([0], np.cumsum(stem_ids >= 0)))
    merged = [0]
    for end in fine[1:]:
        if content[end] - content[merged[-1]] >= s.min_sentence_words:
            merged.append(end)
    if merged[-1] != n_tok:
        if len(merged) > 1:
            merged[-1] = n_tok  # a short last sentence joins the one before
        else:
            merged.append(n_tok)
    return np.asarray(merged, dtype=np.int64)


def _prepare(text: str, vocab: _Vocab, settings: AlignSettings) -> _Doc:
    """Tokenise and split one text."""
    tok_start, tok_end, word_ids, stem_ids = vocab.tokenise(text)
    sent_tok = _sentences(text, tok_start, stem_ids, settings)
    if len(tok_start):
        sent_start = tok_start[sent_tok[:-1]]
        sent_end = np.asarray(
            [_closed_end(text, int(e)) for e in tok_end[sent_tok[1:] - 1]], dtype=np.int64
        )
    else:
        sent_start = sent_end = np.zeros(0, dtype=np.int64)
    return _Doc(text, tok_start, tok_end, word_ids, stem_ids, sent_start, sent_end, sent_tok)


def _closed_end(text: str, end: int) -> int:
    """Move a passage end past the punctuation that closes its last word."""
    match = _CLOSING.match(text, end)
    return match.end() if match else end


def _sentence_terms(doc: _Doc) -> tuple[IntArray, IntArray, IntArray]:
    """Distinct (sentence, stem) pairs of a text with their counts."""
    sent_of_tok = np.repeat(np.arange(len(doc.sent_tok) - 1), np.diff(doc.sent_tok))
    keep = doc.stem_ids >= 0
    n_stems = int(doc.stem_ids.max()) + 1 if keep.any() else 1
    keys = sent_of_tok[keep] * n_stems + doc.stem_ids[keep]
    uniq, counts = np.unique(keys, return_counts=True)
    return uniq // n_stems, uniq % n_stems, counts.astype(np.int64)


class _Model:
    """tf-isf weights of both texts and the sentence-pair similarities that give the seeds."""

    def __init__(self, this: _Doc, source: _Doc, n_stems: int) -> None:
        n_this = len(this.sent_tok) - 1
        n_source = len(source.sent_tok) - 1
        t_sent, t_stem, t_count = _sentence_terms(this)
        s_sent, s_stem, s_count = _sentence_terms(source)
        df = np.bincount(np.concatenate((t_stem, s_stem)), minlength=n_stems)
        self.isf: FloatArray = np.log((n_this + n_source) / np.maximum(df, 1))
        self.n_stems = n_stems
        self.this_terms = (t_sent, t_stem, t_count, n_this)
        self.source_terms = (s_sent, s_stem, s_count, n_source)

    def seeds(self, settings: AlignSettings) -> list[tuple[int, int, float]]:
        """Sentence pairs (this, source, cosine) whose cosine and Dice pass the thresholds."""
        t_sent, t_stem, t_count, n_this = self.this_terms
        s_sent, s_stem, s_count, n_source = self.source_terms
        if n_this == 0 or n_source == 0:
            return []
        shared = np.intersect1d(t_stem, s_stem)
        if len(shared) == 0:
            return []
        t_weight = t_count * self.isf[t_stem]
        s_weight = s_count * self.isf[s_stem]
        t_norm = np.sqrt(np.bincount(t_sent, weights=t_weight**2, minlength=n_this))
        s_norm = np.sqrt(np.bincount(s_sent, weights=s_weight**2, minlength=n_source))
        t_size = np.bincount(t_sent, minlength=n_this).astype(np.float64)
        s_size = np.bincount(s_sent, minlength=n_source).astype(np.float64)
        # Every (this sentence, source sentence) pair that shares a stem, through an inverted
        # index: the work is the sum over shared stems of their sentence counts multiplied.
        on_t = np.isin(t_stem, shared)
        t_sent, t_stem, t_weight = t_sent[on_t], t_stem[on_t], t_weight[on_t]
        order = np.argsort(s_stem, kind="stable")
        s_sent, s_stem, s_weight = s_sent[order], s_stem[order], s_weight[order]
        per_stem = np.bincount(s_stem, minlength=self.n_stems)
        first = np.concatenate(([0], np.cumsum(per_stem)[:-1]))
        reps = per_stem[t_stem]
        left = np.repeat(np.arange(len(t_stem)), reps)
        offset = np.arange(len(left)) - np.repeat(np.cumsum(reps) - reps, reps)
        right = first[t_stem][left] + offset
        cell = t_sent[left] * n_source + s_sent[right]
        size = n_this * n_source
        dot = np.bincount(cell, weights=t_weight[left] * s_weight[right], minlength=size)
        shared_count = np.bincount(cell, minlength=size)
        with np.errstate(divide="ignore", invalid="ignore"):
            cosine = dot.reshape(n_this, n_source) / np.outer(t_norm, s_norm)
            dice = 2 * shared_count.reshape(n_this, n_source) / np.add.outer(t_size, s_size)
        hits = np.argwhere((cosine >= settings.seed_cosine) & (dice >= settings.seed_dice))
        return [(int(i), int(j), float(cosine[i, j])) for i, j in hits]

    def fragment_vector(self, doc: _Doc, tok_from: int, tok_to: int) -> FloatArray:
        """The tf-isf vector of the tokens tok_from:tok_to of a text."""
        stems = doc.stem_ids[tok_from:tok_to]
        stems = stems[stems >= 0]
        return np.bincount(stems, minlength=self.n_stems) * self.isf

    def similarity(self, this: _Doc, source: _Doc, case: Span) -> float:
        """Cosine of the tf-isf vectors of two token ranges: (this from, to, source from, to)."""
        a = self.fragment_vector(this, case[0], case[1])
        b = self.fragment_vector(source, case[2], case[3])
        denominator = float(np.linalg.norm(a) * np.linalg.norm(b))
        return float(a @ b) / denominator if denominator else 0.0


Seed = tuple[int, int, float]


def _split(seeds: list[Seed], side: int, gap: int) -> list[list[Seed]]:
    """Split seeds into runs along one side wherever two neighbours are more than `gap` apart."""
    ordered = sorted(seeds, key=lambda s: (s[side], s[1 - side]))
    groups = [[ordered[0]]]
    for seed in ordered[1:]:
        if seed[side] - groups[-1][-1][side] > gap + 1:
            groups.append([seed])
        else:
            groups[-1].append(seed)
    return groups


def _cluster(seeds: list[Seed], this_gap: int, source_gap: int) -> list[list[Seed]]:
    """Clusters of seeds that are gap-connected on both sides at once."""
    clusters: list[list[Seed]] = []
    for group in _split(seeds, 0, this_gap):
        parts = _split(group, 1, source_gap)
        if len(parts) == 1:
            clusters.append(group)
        else:
            for part in parts:
                clusters.extend(_cluster(part, this_gap, source_gap))
    return clusters


class _Aligner:
    """The state of one `align` call: both texts, the model and the settings."""

    def __init__(self, this: str, source: str, settings: AlignSettings) -> None:
        vocab = _Vocab()
        self.settings = settings
        self.this = _prepare(this, vocab, settings)
        self.source = _prepare(source, vocab, settings)
        self.model = _Model(self.this, self.source, max(len(vocab.stems), 1))

    def run(self) -> list[Alignment]:
        """Seeds, extension (plain and summary), filtering, boundaries, scores."""
        seeds = self.model.seeds(self.settings)
        if not seeds:
            return []
        s = self.settings
        cases = self._extend(seeds, s.max_gap, s.max_gap)
        summaries = [
            case._replace(summary=True)
            for case in self._extend(seeds, s.summary_this_gap, s.summary_source_gap)
            if self._is_summary(case, cases)
        ]
        cases = self._resolve_overlaps(summaries + cases)
        spans = [span for case in cases for span in self._refine(case)]
        spans = self._drop_overlapping_spans(spans)
        found = [self._score(span) for span in spans if self._long_enough(span)]
        return sorted(self._plausible(found), key=lambda a: (a.this_start, a.source_start))

    def _plausible(self, found: list[Alignment]) -> list[Alignment]:
        """Drop the weak cases that are more likely shared topic than reuse.

        A short case needs a higher similarity: a sentence or two on the same subject share
        enough words to pass the seed thresholds. And when a source was copied word for word
        somewhere in the draft, a loose resemblance elsewhere is most likely the shared topic,
        not a second, disguised reuse (the PAN 2015 "adaptive" idea: the text decides the mode).
        """
        s = self.settings
        found = [
            a
            for a in found
            if a.similarity >= s.short_case_similarity
            or min(a.this_end - a.this_start, a.source_end - a.source_start) >= s.short_case_chars
        ]
        if any(a.verbatim_ratio >= s.copy_ratio for a in found):
            found = [
                a
                for a in found
                if a.verbatim_ratio >= s.copy_loose_ratio or a.similarity >= s.copy_loose_similarity
            ]
        return found

    # --- extension -----------------------------------------------------------------------

    def _extend(self, seeds: list[Seed], this_gap: int, source_gap: int) -> list[_Case]:
        """Cluster seeds and keep the clusters whose fragments are similar as wholes."""
        cases: list[_Case] = []
        for cluster in _cluster(seeds, this_gap, source_gap):
            case = _Case(
                min(c[0] for c in cluster),
                max(c[0] for c in cluster),
                min(c[1] for c in cluster),
                max(c[1] for c in cluster),
                sum(c[2] for c in cluster),
            )
            if self._sentence_similarity(case) >= self.settings.validation_cosine:
                cases.append(case)
            elif this_gap > self.settings.min_gap or source_gap > self.settings.min_gap:
                least = self.settings.min_gap
                smaller = (max(this_gap - 1, least), max(source_gap - 1, least))
                if len(cluster) > 1:
                    cases.extend(self._extend(cluster, *smaller))
        return cases

    def _sentence_similarity(self, case: _Case) -> float:
        """Cosine of the two fragments a sentence-range case spans."""
        t, s = self.this.sent_tok, self.source.sent_tok
        return self.model.similarity(
            self.this,
            self.source,
            (
                t[case.this_first],
                t[case.this_last + 1],
                s[case.source_first],
                s[case.source_last + 1],
            ),
        )

    def _chars(self, case: _Case) -> tuple[int, int]:
        """Character lengths of the two sides of a sentence-range case."""
        this_len = self.this.sent_end[case.this_last] - self.this.sent_start[case.this_first]
        src_len = self.source.sent_end[case.source_last] - self.source.sent_start[case.source_first]
        return int(this_len), int(src_len)

    def _is_summary(self, case: _Case, plain: list[_Case]) -> bool:
        """Whether a summary-mode case is a summary rather than a plain case with stray seeds.

        Its draft side must be much shorter than its source side, and it must join several
        plain cases: when one plain case already holds most of its evidence, the plain case is
        the reuse and the rest are stray seeds. Nor is it a summary when plain cases as
        long on both sides and as alike as copies fill most of its draft side: those are
        passages reused whole, a few paragraphs apart in both texts.
        """
        s = self.settings
        this_len, src_len = self._chars(case)
        if this_len >= s.summary_ratio * src_len:
            return False
        inside = [
            p for p in plain if p.this_first <= case.this_last and case.this_first <= p.this_last
        ]
        reused = [
            self._chars(p)
            for p in inside
            if self._sentence_similarity(p) >= s.summary_reuse_similarity
        ]
        uncondensed = sum(t for t, src in reused if t >= s.summary_ratio * src)
        if uncondensed >= s.summary_whole_reuse * this_len:
            return False
        best = max((p.weight for p in inside), default=0.0)
        return best <= s.summary_dominance * case.weight

    # --- filtering -----------------------------------------------------------------------

    def _resolve_overlaps(self, cases: list[_Case]) -> list[_Case]:
        """Keep the best-supported case wherever cases overlap on the draft side."""
        kept: list[_Case] = []
        for case in sorted(cases, key=lambda c: -c.weight):
            if all(case.this_last < k.this_first or case.this_first > k.this_last for k in kept):
                kept.append(case)
        return kept

    def _drop_overlapping_spans(self, spans: list[Span]) -> list[Span]:
        """Refined ends can meet; trim a later span so that draft sides never overlap."""
        out: list[Span] = []
        for span in sorted(spans):
            if out and span[0] < out[-1][1]:
                start = _skip_space(self.this.text, out[-1][1])
                if start >= span[1]:
                    continue
                span = (start, span[1], span[2], span[3])
            out.append(span)
        return out

    def _long_enough(self, span: Span) -> bool:
        """Short cases are mostly shared stock phrases, not reuse."""
        minimum = self.settings.min_case_chars
        return span[1] - span[0] >= minimum and span[3] - span[2] >= minimum

    # --- boundaries ----------------------------------------------------------------------

    def _refine(self, case: _Case) -> list[Span]:
        """Character offsets of a case; a copied one is cut to the exact word runs it shares.

        When chains of shared word runs cover most of the case, the chains are the case: their
        ends are exact, and a gap of unshared text inside (two copies side by side, from different
        places of the source) splits it. Otherwise the sentence boundaries stand.
        """
        this, source, s = self.this, self.source, self.settings
        span = (
            int(this.sent_start[case.this_first]),
            int(this.sent_end[case.this_last]),
            int(source.sent_start[case.source_first]),
            int(source.sent_end[case.source_last]),
        )
        if case.summary:
            return [self._summary_span(span)]
        m = s.boundary_margin
        t_from = int(this.sent_tok[max(case.this_first - m, 0)])
        t_to = int(this.sent_tok[min(case.this_last + 1 + m, len(this.sent_tok) - 1)])
        s_from = int(source.sent_tok[max(case.source_first - m, 0)])
        s_to = int(source.sent_tok[min(case.source_last + 1 + m, len(source.sent_tok) - 1)])
        chains = _chains(
            this.word_ids[t_from:t_to], source.word_ids[s_from:s_to], s.boundary_run, s.chain_gap
        )
        # One copied side suffices: stray seeds can stretch the other side of a copy. A summary
        # may copy sentences, but its source side is the whole passage it condenses.
        if not chains or not self._copied(case, chains, t_from, s_from):
            return [span]
        placed = [(t_from + c[0], t_from + c[1], s_from + c[2], s_from + c[3]) for c in chains]
        return [
            self._snap(c)
            for c in _reordered(placed, this.sent_tok, source.sent_tok, s.reorder_sentences)
        ]

    def _copied(self, case: _Case, chains: list[Span], t_from: int, s_from: int) -> bool:
        """Whether a case is a copy: chains of shared runs cover most of one side's words.

        Or most of the sentences the chains touch on one side, when those are most of the case
        and what the case holds beyond them (before, and after) is not alike on both sides: a
        stray seed beside a copy stretches the case by a sentence that matches nothing.
        """
        s = self.settings
        t_tok, s_tok = self.this.sent_tok, self.source.sent_tok
        t_case = (int(t_tok[case.this_first]), int(t_tok[case.this_last + 1]))
        s_case = (int(s_tok[case.source_first]), int(s_tok[case.source_last + 1]))
        t_core = _core(t_tok, [(t_from + c[0], t_from + c[1]) for c in chains])
        s_core = _core(s_tok, [(s_from + c[2], s_from + c[3]) for c in chains])
        t_covered = sum(c[1] - c[0] for c in chains)
        s_covered = sum(c[3] - c[2] for c in chains)
        if t_covered >= s.verbatim_cover * (t_case[1] - t_case[0]) or s_covered >= (
            s.verbatim_cover * (s_case[1] - s_case[0])
        ):
            return True
        if not any(
            covered >= s.verbatim_cover * (core[1] - core[0])
            and core[1] - core[0] >= s.copy_core * (whole[1] - whole[0])
            for covered, core, whole in ((t_covered, t_core, t_case), (s_covered, s_core, s_case))
        ):
            return False
        before = (t_case[0], t_core[0], s_case[0], s_core[0])
        after = (t_core[1], t_case[1], s_core[1], s_case[1])
        return not any(
            tail[1] > tail[0]
            and tail[3] > tail[2]
            and self.model.similarity(self.this, self.source, tail) >= s.validation_cosine
            for tail in (before, after)
        )

    def _summary_span(self, span: Span) -> Span:
        """A summary that draws on most of its source summarises all of it."""
        source = self.source
        if len(source.sent_start) and (span[3] - span[2]) >= self.settings.summary_whole * (
            source.sent_end[-1] - source.sent_start[0]
        ):
            return (span[0], span[1], int(source.sent_start[0]), int(source.sent_end[-1]))
        return span

    def _snap(self, chain: Span) -> Span:
        """Character offsets of a chain (token ranges), its ends moved over edited edge words.

        An edit in the first or last words of a copied sentence leaves a few unshared words
        before the first run (or after the last); when both sides have such a short remnant
        within their sentence, it belongs to the copy.
        """
        this, source, most = self.this, self.source, self.settings.snap_words
        t_first, t_last, s_first, s_last = chain
        t_start = _sentence_start(this.sent_tok, t_first)
        s_start = _sentence_start(source.sent_tok, s_first)
        if 0 < t_first - t_start <= most and 0 < s_first - s_start <= most:
            t_first, s_first = t_start, s_start
        t_end = _sentence_end(this.sent_tok, t_last)
        s_end = _sentence_end(source.sent_tok, s_last)
        if 0 < t_end - t_last <= most and 0 < s_end - s_last <= most:
            t_last, s_last = t_end, s_end
        return (
            int(this.tok_start[t_first]),
            _closed_end(this.text, int(this.tok_end[t_last - 1])),
            int(source.tok_start[s_first]),
            _closed_end(source.text, int(source.tok_end[s_last - 1])),
        )

    # --- scores --------------------------------------------------------------------------

    def _score(self, span: Span) -> Alignment:
        """The similarity and verbatim ratio of a final character span."""
        this, source = self.this, self.source
        t_from, t_to = np.searchsorted(this.tok_start, [span[0], span[1]])
        s_from, s_to = np.searchsorted(source.tok_start, [span[2], span[3]])
        similarity = self.model.similarity(
            this, source, (int(t_from), int(t_to), int(s_from), int(s_to))
        )
        this_cover, source_cover = _run_cover(
            this.word_ids[t_from:t_to], source.word_ids[s_from:s_to], self.settings.verbatim_run
        )
        shorter = this_cover if len(this_cover) <= len(source_cover) else source_cover
        ratio = float(shorter.mean()) if len(shorter) else 0.0
        return Alignment(span[0], span[1], span[2], span[3], round(similarity, 4), round(ratio, 4))


def _core(sent_tok: IntArray, runs: list[tuple[int, int]]) -> tuple[int, int]:
    """The tokens of the whole sentences that a set of token runs touch."""
    return (
        _sentence_start(sent_tok, min(r[0] for r in runs)),
        _sentence_end(sent_tok, max(r[1] for r in runs)),
    )


def _skip_space(text: str, at: int) -> int:
    """The first position at or after `at` that is not whitespace."""
    while at < len(text) and text[at].isspace():
        at += 1
    return at


def _sentence_start(sent_tok: IntArray, token: int) -> int:
    """The first token of the sentence that holds a token."""
    return int(sent_tok[np.searchsorted(sent_tok, token, side="right") - 1])


def _sentence_end(sent_tok: IntArray, end: int) -> int:
    """The end (exclusive) of the sentence that holds the token before `end`."""
    return int(sent_tok[np.searchsorted(sent_tok, end - 1, side="right")])


def _ngram_keys(ids: IntArray, n: int) -> IntArray:
    """A hash of every run of n consecutive ids (overflow is fine: collisions stay rare)."""
    if len(ids) < n:
        return np.zeros(0, dtype=np.int64)
    keys = np.zeros(len(ids) - n + 1, dtype=np.int64)
    with np.errstate(over="ignore"):
        for k in range(n):
            keys = keys * np.int64(1_000_003) + ids[k : len(ids) - n + 1 + k]
    return keys


def _runs(a: IntArray, b: IntArray, n: int) -> list[tuple[int, int, int]]:
    """Maximal shared runs of at least n words as (start in a, start in b, length)."""
    keys_a, keys_b = _ngram_keys(a, n), _ngram_keys(b, n)
    where: dict[int, list[int]] = {}
    for j, key in enumerate(keys_b.tolist()):
        where.setdefault(key, []).append(j)
    open_runs: dict[int, tuple[int, int]] = {}  # diagonal j - i -> (run start in a, last i)
    runs: list[tuple[int, int, int]] = []
    for i, key in enumerate(keys_a.tolist()):
        for j in where.get(key, ()):
            start, last = open_runs.get(j - i, (i, i - 1))
            if last != i - 1:
                runs.append((start, start + j - i, last - start + n))
                start = i
            open_runs[j - i] = (start, i)
    runs.extend((start, start + d, last - start + n) for d, (start, last) in open_runs.items())
    return sorted(runs)


def _chains(a: IntArray, b: IntArray, n: int, gap: int) -> list[Span]:
    """Runs joined into chains that advance together on both sides with small gaps.

    Returns (a_from, a_to, b_from, b_to) word ranges. Runs that overlap a longer chain on the
    a side (repeated phrases matched twice) are left out.
    """
    chains: list[list[int]] = []  # [a_from, a_to, b_from, b_to]
    for i, j, length in sorted(_runs(a, b, n), key=lambda r: -r[2]):
        joined = False
        for chain in chains:
            if i + length <= chain[0] + n and chain[0] - (i + length) <= gap:
                before_b = chain[2] - (j + length)
                if -n <= before_b <= gap:
                    chain[0], chain[2] = min(chain[0], i), min(chain[2], j)
                    joined = True
            elif i >= chain[1] - n and i - chain[1] <= gap:
                after_b = j - chain[3]
                if -n <= after_b <= gap:
                    chain[1], chain[3] = max(chain[1], i + length), max(chain[3], j + length)
                    joined = True
            elif i < chain[1] and i + length > chain[0]:
                joined = True  # inside or across a chain already placed: a repeat, skip it
            if joined:
                break
        if not joined:
            chains.append([i, i + length, j, j + length])
    return _joined(sorted((c[0], c[1], c[2], c[3]) for c in chains), n, gap)


def _joined(chains: list[Span], n: int, gap: int) -> list[Span]:
    """Chains that meet on both sides joined into one.

    Chains grow from the longest runs first, so two long runs with an edit between them each
    start a chain, and the short run between them joins only one: the two would stay apart.
    """
    out: list[Span] = []
    for chain in chains:
        if out:
            last = out[-1]
            if -n <= chain[0] - last[1] <= gap and -n <= chain[2] - last[3] <= gap:
                out[-1] = (last[0], max(last[1], chain[1]), last[2], max(last[3], chain[3]))
                continue
        out.append(chain)
    return out


def _reordered(
    chains: list[Span], this_tok: IntArray, source_tok: IntArray, most: int
) -> list[Span]:
    """Chains of one passage whose sentences were moved about, joined into one.

    Chains that follow each other in the draft with at most `most` whole sentences between
    them are one passage when their source sides, sorted, leave no hole of more than `most`
    whole sentences: the sentences of one passage reordered, one added or dropped. Where the
    source sides fall apart (two copies side by side from different places of the source) the
    draft is split between them. `this_tok` and `source_tok` are the sentences' first tokens.
    """

    def between(tok: IntArray, end: int, start: int) -> int:
        """Whole sentences between a chain ending at token `end` and one starting at `start`."""
        starts = np.searchsorted(tok, start, side="right") - np.searchsorted(tok, end)
        return max(int(starts) - 1, 0)

    runs: list[list[Span]] = []
    for chain in sorted(chains):
        if runs and between(this_tok, max(c[1] for c in runs[-1]), chain[0]) <= most:
            runs[-1].append(chain)
        else:
            runs.append([chain])
    out: list[Span] = []
    for run in runs:
        place: dict[Span, int] = {}  # chain -> which stretch of the source it lies in
        by_source = sorted(run, key=lambda c: c[2])
        stretch, reach = 0, by_source[0][2]
        for chain in by_source:
            stretch += between(source_tok, reach, chain[2]) > most
            place[chain] = stretch
            reach = max(reach, chain[3])
        for _, group in itertools.groupby(run, key=place.__getitem__):
            parts = list(group)
            out.append(
                (
                    parts[0][0],
                    max(c[1] for c in parts),
                    min(c[2] for c in parts),
                    max(c[3] for c in parts),
                )
            )
    return out


def _run_cover(a: IntArray, b: IntArray, n: int) -> tuple[npt.NDArray[np.bool_], ...]:
    """Which words of a and of b lie in a run of n words that occurs in both."""
    cover_a = np.zeros(len(a), dtype=bool)
    cover_b = np.zeros(len(b), dtype=bool)
    keys_a, keys_b = _ngram_keys(a, n), _ngram_keys(b, n)
    if len(keys_a) == 0 or len(keys_b) == 0:
        return cover_a, cover_b
    for keys, other, cover in ((keys_a, keys_b, cover_a), (keys_b, keys_a, cover_b)):
        starts = np.flatnonzero(np.isin(keys, other))
        if len(starts):
            marks = np.zeros(len(cover) + 1, dtype=np.int64)
            np.add.at(marks, starts, 1)
            np.add.at(marks, starts + n, -1)
            cover |= np.cumsum(marks[:-1]) > 0
    return cover_a, cover_b


def align(this: str, source: str, *, settings: AlignSettings | None = None) -> list[Alignment]:
    """The passages of `this` (a draft) that match passages of `source`, sorted by position.

    Offsets are character offsets into the given strings, end exclusive, so
    `this[a.this_start:a.this_end]` is the matching passage.
    """
    if not this.strip() or not source.strip():
        return []
    return _Aligner(this, source, settings or DEFAULT_SETTINGS).run()


__all__ = ["DEFAULT_SETTINGS", "AlignSettings", "Alignment", "align"]
