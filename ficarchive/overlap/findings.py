"""From candidate passage pairs to findings: exact spans, a kind and a calibrated score.

Lexical candidates are aligned (`align`) over the neighbourhood of the matching passages, which
gives maximal matching spans with character offsets on both sides. Semantic candidates are first
verified by the sentence model; those the aligner cannot explain as edited text are the same
scene retold, reported passage to passage.

One reused passage is one finding: findings that are neighbours in both texts (the same source
chapter, a few sentences apart on both sides, in either order) are merged, edges are moved to
sentence boundaries nearby, and findings come in the draft's order (`by_score` for the
strongest first).
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypedDict

from ficarchive.overlap import calibration, edges
from ficarchive.overlap.align import Alignment, align
from ficarchive.overlap.detectors import Candidate
from ficarchive.overlap.models import Passage
from ficarchive.overlap.verify import scene_likeness

KINDS = ("verbatim", "near-verbatim", "paraphrase", "retold")

# Semantic candidate pairs the sentence model verifies per check, most alike first.
MAX_VERIFIED = 6

# Copied or edited text (this share of its words in shared 8-word runs) gets word-exact edges.
EDITED_RATIO = 0.3

# A finding shorter than this is a shared phrase, not a reused passage.
MIN_WORDS = 20

# Findings at most this many sentences apart on both sides (same source chapter, same order)
# are one reused passage, edited in between (a sentence added, one rewritten).
MERGE_SENTENCES = 3
_SENTENCE = re.compile(r"[.!?…]+[\"'”’)\]]*(?=\s)|\n\s*\n")


@dataclass
class Span:
    chapter: int  # 1-based chapter position (0 for the notes)
    start: int
    end: int
    text: str
    # "text": a chapter's text; "notes": the notes, when asked to check them too
    part: str = field(default="text", kw_only=True)


@dataclass
class SourceSpan(Span):
    work_id: int
    title: str


class DraftSpanJSON(TypedDict):
    part: str
    chapter: int | None
    start: int
    end: int
    text: str


class SourceSpanJSON(TypedDict):
    work_id: int
    title: str
    chapter: int
    start: int
    end: int
    text: str


class FindingJSON(TypedDict):
    """A finding as a check stores it (`OverlapCheck.findings`) and `check --json` prints it."""

    kind: str
    score: float
    detector: str
    draft: DraftSpanJSON
    source: SourceSpanJSON


@dataclass
class Finding:
    kind: str
    score: float
    detector: str
    draft: Span
    source: SourceSpan

    def as_json(self) -> FindingJSON:
        return {
            "kind": self.kind,
            "score": round(self.score, 3),
            "detector": self.detector,
            "draft": {
                "part": self.draft.part,
                "chapter": self.draft.chapter if self.draft.part == "text" else None,
                "start": self.draft.start,
                "end": self.draft.end,
                "text": self.draft.text,
            },
            "source": {
                "work_id": self.source.work_id,
                "title": self.source.title,
                "chapter": self.source.chapter,
                "start": self.source.start,
                "end": self.source.end,
                "text": self.source.text,
            },
        }


@dataclass
class SourceChapter:
    work_id: int
    title: str
    position: int
    text: str


SourceLookup = Callable[[int], SourceChapter]


def from_candidates(
    candidates: list[Candidate],
    draft_chapters: list[str],
    sources: SourceLookup,
    passages: dict[int, Passage],
) -> list[Finding]:
    """Findings for the candidates of every detector, overlaps resolved, neighbours merged, in
    the draft's order."""
    source_texts: dict[tuple[int, int], str] = {}

    def lookup(chapter_id: int) -> SourceChapter:
        chapter = sources(chapter_id)
        source_texts[(chapter.work_id, chapter.position)] = chapter.text
        return chapter

    lexical = [c for c in candidates if c.detector != "semantic"]
    semantic = [c for c in candidates if c.detector == "semantic"]
    findings = _aligned(lexical, draft_chapters, lookup, passages, "lexical")
    findings += _verified(semantic, draft_chapters, lookup, passages, findings)
    kept = _merged(_resolve(findings), draft_chapters, source_texts)
    return sorted(kept, key=lambda f: (f.draft.chapter, f.draft.start, f.source.start))


def by_score(findings: list[Finding]) -> list[Finding]:
    """The strongest first (then in the draft's order)."""
    return sorted(findings, key=lambda f: -f.score)


def _aligned(
    candidates: list[Candidate],
    draft_chapters: list[str],
    sources: SourceLookup,
    passages: dict[int, Passage],
    detector: str,
) -> list[Finding]:
    """Align each (draft chapter, source chapter) pair around its candidate passages."""
    pairs: dict[tuple[int, int], list[Candidate]] = defaultdict(list)
    for candidate in candidates:
        passage = passages[candidate.passage_id]
        pairs[(candidate.draft.chapter, passage.chapter_id)].append(candidate)
    findings = []
    for (chapter, source_chapter_id), found in pairs.items():
        draft_text = draft_chapters[chapter - 1]
        source = sources(source_chapter_id)
        this_start, this_end = _around(draft_text, [(c.draft.start, c.draft.end) for c in found])
        source_start, source_end = _around(
            source.text,
            [(passages[c.passage_id].start, passages[c.passage_id].end) for c in found],
        )
        for alignment in align(
            draft_text[this_start:this_end], source.text[source_start:source_end]
        ):
            finding = _finding(
                alignment, this_start, source_start, chapter, draft_text, source, detector
            )
            if finding is not None:
                findings.append(finding)
    return findings


def _around(text: str, spans: list[tuple[int, int]], margin: int = 1500) -> tuple[int, int]:
    """The region to align: the candidate passages and some text either side, so that a
    reused passage cut across two stored passages is aligned whole."""
    start = max(0, min(s for s, _ in spans) - margin)
    end = min(len(text), max(e for _, e in spans) + margin)
    return start, end


def _finding(
    alignment: Alignment,
    this_offset: int,
    source_offset: int,
    chapter: int,
    draft_text: str,
    source: SourceChapter,
    detector: str,
) -> Finding | None:
    draft_start, draft_end, source_start, source_end = (
        this_offset + alignment.this_start,
        this_offset + alignment.this_end,
        source_offset + alignment.source_start,
        source_offset + alignment.source_end,
    )
    if alignment.verbatim_ratio >= EDITED_RATIO:
        draft_start, draft_end, source_start, source_end = edges.refine(
            draft_text, draft_start, draft_end, source.text, source_start, source_end
        )
    draft_start, draft_end, source_start, source_end = edges.to_sentences(
        draft_text, draft_start, draft_end, source.text, source_start, source_end
    )
    draft_part = draft_text[draft_start:draft_end]
    source_part = source.text[source_start:source_end]
    words = min(len(draft_part.split()), len(source_part.split()))
    if words < MIN_WORDS:
        return None
    kind = _lexical_kind(alignment, draft_part, source_part)
    score = calibration.score(kind, similarity=alignment.similarity, words=words)
    return Finding(
        kind,
        score,
        detector,
        Span(chapter, draft_start, draft_end, draft_part),
        SourceSpan(
            source.position, source_start, source_end, source_part, source.work_id, source.title
        ),
    )


def _lexical_kind(alignment: Alignment, draft_part: str, source_part: str) -> str:
    if _normal(draft_part) == _normal(source_part):
        return "verbatim"
    if alignment.verbatim_ratio >= 0.5:
        return "near-verbatim"
    return "paraphrase"


def _normal(text: str) -> str:
    return " ".join(text.lower().replace("’", "'").split())


def _verified(
    candidates: list[Candidate],
    draft_chapters: list[str],
    sources: SourceLookup,
    passages: dict[int, Passage],
    lexical: list[Finding],
) -> list[Finding]:
    """Semantic candidates that lexical findings do not explain: first the aligner (cheap; it
    finds edited and paraphrased passages that share too few exact runs for the fingerprints),
    then the sentence model on the most alike of the rest, for scenes retold."""
    unexplained = [c for c in candidates if not _explained(c, passages, sources, lexical)]
    aligned = _aligned(unexplained, draft_chapters, sources, passages, "semantic")
    copied = lexical + aligned
    rest = [
        c
        for c in unexplained
        if not _explained(c, passages, sources, aligned) and not _mostly_copied(c, copied)
    ]
    # The sentence model is the slow part: it looks at the most alike pairs only.
    open_pairs = sorted(rest, key=lambda c: -c.strength)[:MAX_VERIFIED]
    if not open_pairs:
        return aligned
    source_texts = []
    for candidate in open_pairs:
        passage = passages[candidate.passage_id]
        source_texts.append(sources(passage.chapter_id).text[passage.start : passage.end])
    likeness = scene_likeness(
        [(c.draft.text, text) for c, text in zip(open_pairs, source_texts, strict=True)]
    )
    findings = []
    for candidate, source_text, value in zip(open_pairs, source_texts, likeness, strict=True):
        if value < calibration.SCENE_MIN:
            continue
        passage = passages[candidate.passage_id]
        source = sources(passage.chapter_id)
        words = min(len(candidate.draft.text.split()), len(source_text.split()))
        findings.append(
            Finding(
                "retold",
                calibration.score("retold", similarity=value, words=words),
                "semantic",
                Span(
                    candidate.draft.chapter,
                    candidate.draft.start,
                    candidate.draft.end,
                    candidate.draft.text,
                ),
                SourceSpan(
                    source.position,
                    passage.start,
                    passage.end,
                    source_text,
                    source.work_id,
                    source.title,
                ),
            )
        )
    return aligned + findings


def _explained(
    candidate: Candidate,
    passages: dict[int, Passage],
    sources: SourceLookup,
    lexical: list[Finding],
) -> bool:
    passage = passages[candidate.passage_id]
    source = sources(passage.chapter_id)
    return any(
        f.draft.chapter == candidate.draft.chapter
        and f.source.work_id == source.work_id
        and f.source.chapter == source.position
        and _overlap(f.draft.start, f.draft.end, candidate.draft.start, candidate.draft.end)
        and _overlap(f.source.start, f.source.end, passage.start, passage.end)
        for f in lexical
    )


def _mostly_copied(candidate: Candidate, found: list[Finding]) -> bool:
    """Whether most of a draft passage lies in passages already found reused: the same scene
    "retold" elsewhere in a source is then the copied scene's neighbour, not a second reuse."""
    draft = candidate.draft
    covered = sum(
        max(0, min(f.draft.end, draft.end) - max(f.draft.start, draft.start))
        for f in found
        if f.draft.chapter == draft.chapter
    )
    return covered >= 0.5 * (draft.end - draft.start)


def _overlap(a_start: int, a_end: int, b_start: int, b_end: int) -> bool:
    return a_start < b_end and b_start < a_end


def _resolve(findings: list[Finding]) -> list[Finding]:
    """One finding per stretch of draft and source: where two overlap on both sides, the more
    precise kind (then the higher score) stays."""
    rank = {kind: number for number, kind in enumerate(KINDS)}
    ordered = sorted(findings, key=lambda f: (rank[f.kind], -f.score))
    kept: list[Finding] = []
    for finding in ordered:
        if not any(_same_stretch(finding, other) for other in kept):
            kept.append(finding)
    return kept


def _same_stretch(a: Finding, b: Finding) -> bool:
    return (
        a.draft.chapter == b.draft.chapter
        and a.source.work_id == b.source.work_id
        and a.source.chapter == b.source.chapter
        and _overlap(a.draft.start, a.draft.end, b.draft.start, b.draft.end)
        and _overlap(a.source.start, a.source.end, b.source.start, b.source.end)
    )


def _merged(
    findings: list[Finding], draft_chapters: list[str], source_texts: dict[tuple[int, int], str]
) -> list[Finding]:
    """Findings that are neighbours in both texts joined into one passage.

    Neighbours: text findings (not "retold", which are passage to passage) in one draft chapter
    from one source chapter, with at most MERGE_SENTENCES sentences between them on either side;
    in the source the second may come before the first (sentences of one passage reordered in
    the draft): the draft span covers both, the source span is their union.
    """
    ordered = sorted(findings, key=lambda f: (f.draft.chapter, f.draft.start))
    out: list[Finding] = []
    for finding in ordered:
        previous = next(
            (
                f
                for f in reversed(out)
                if f.kind != "retold"
                and finding.kind != "retold"
                and f.draft.part == finding.draft.part
                and f.draft.chapter == finding.draft.chapter
                and f.source.work_id == finding.source.work_id
                and f.source.chapter == finding.source.chapter
            ),
            None,
        )
        draft_text = draft_chapters[finding.draft.chapter - 1]
        source_text = source_texts.get((finding.source.work_id, finding.source.chapter))
        if (
            previous is None
            or source_text is None
            or not _near(draft_text, previous.draft.end, finding.draft.start)
            or not (
                _near(source_text, previous.source.end, finding.source.start)
                or _near(source_text, finding.source.end, previous.source.start)
            )
        ):
            out.append(finding)
            continue
        out[out.index(previous)] = _join(previous, finding, draft_text, source_text)
    return out


def _near(text: str, end: int, start: int) -> bool:
    """Whether a passage starting at `start` follows one ending at `end` within a few
    sentences (a little overlap allowed: edges are moved to sentence boundaries)."""
    if start < end - 200:
        return False
    return len(_SENTENCE.findall(text, end, max(end, start))) <= MERGE_SENTENCES


def _join(first: Finding, second: Finding, draft_text: str, source_text: str) -> Finding:
    draft_start, draft_end = first.draft.start, max(first.draft.end, second.draft.end)
    source_start = min(first.source.start, second.source.start)
    source_end = max(first.source.end, second.source.end)
    draft_part = draft_text[draft_start:draft_end]
    source_part = source_text[source_start:source_end]
    if _normal(draft_part) == _normal(source_part):
        kind = "verbatim"
    elif {first.kind, second.kind} & {"verbatim", "near-verbatim"}:
        kind = "near-verbatim"
    else:
        kind = "paraphrase"
    return Finding(
        kind,
        max(first.score, second.score),
        first.detector,
        Span(first.draft.chapter, draft_start, draft_end, draft_part, part=first.draft.part),
        SourceSpan(
            first.source.chapter,
            source_start,
            source_end,
            source_part,
            first.source.work_id,
            first.source.title,
        ),
    )
