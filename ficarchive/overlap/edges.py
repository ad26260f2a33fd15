"""Exact edges for a finding: where the reused words start and stop on both sides.

The aligner works in sentences, so its spans can stop short of the true start when a word was
changed early in a sentence, or run one word into the next paragraph when both paragraphs happen
to start alike. A writer reading the report wants the edges where the shared words are: this
module pulls each edge in to the nearest run of matching words (not past words found elsewhere
on the other side: a sentence moved to the passage's edge), then moves it outward over
matching words (allowing a changed, added or dropped word between runs of at least two). Last,
an edge a few words from a sentence's start or end is moved there (`to_sentences`): a passage
is reported in whole sentences unless the reuse really starts mid-sentence.
"""

from __future__ import annotations

import re
from collections import Counter

_WORD = re.compile(r"\w+(?:['’]\w+)*")
LOOK = 40  # words examined beyond each edge
MIN_RUN = 2  # matching words needed to move an edge over a changed word
TRIM_RUN = 4  # an edge is pulled in to the nearest run of this many matching words
# ...but not past a run of this many words found anywhere on the other side: reordered sentences.
REUSED_RUN = 6
# An edge this many words or fewer from its sentence's edge, on both sides, moves there.
SNAP_WORDS = 8
# A sentence ends after . ! ? or … (with closing quotes or brackets) before whitespace; a
# paragraph ends at a line break.
_SENTENCE_END = re.compile(r"[.!?…]+[\"'”’)\]]*(?=\s)|\n")


def _norm(word: str) -> str:
    return word.lower().replace("’", "'")


def refine(
    draft: str, d_start: int, d_end: int, source: str, s_start: int, s_end: int
) -> tuple[int, int, int, int]:
    """Edges for copied or edited text; a paraphrase (no shared runs near an edge) keeps the
    aligner's."""
    d_start, s_start, d_end, s_end = _off_stray_words(draft, d_start, d_end, source, s_start, s_end)
    d_start, s_start = _trim_start(draft, d_start, d_end, source, s_start, s_end)
    d_end, s_end = _trim_end(draft, d_start, d_end, source, s_start, s_end)
    d_start, s_start = _extend_back(draft, d_start, source, s_start)
    d_end, s_end = _extend_forward(draft, d_end, source, s_end)
    return d_start, d_end, s_start, s_end


def _extend_back(draft: str, d_start: int, source: str, s_start: int) -> tuple[int, int]:
    a = list(_WORD.finditer(draft, max(0, d_start - 12 * LOOK), d_start))[-LOOK:][::-1]
    b = list(_WORD.finditer(source, max(0, s_start - 12 * LOOK), s_start))[-LOOK:][::-1]
    i, j = _walk([_norm(m.group()) for m in a], [_norm(m.group()) for m in b])
    if i == 0:
        return d_start, s_start
    return _with_opening(draft, a[i - 1].start()), _with_opening(source, b[j - 1].start())


def _extend_forward(draft: str, d_end: int, source: str, s_end: int) -> tuple[int, int]:
    a = list(_WORD.finditer(draft, d_end, d_end + 12 * LOOK))[:LOOK]
    b = list(_WORD.finditer(source, s_end, s_end + 12 * LOOK))[:LOOK]
    i, j = _walk([_norm(m.group()) for m in a], [_norm(m.group()) for m in b])
    if i == 0:
        return d_end, s_end
    return _with_punctuation(draft, a[i - 1].end()), _with_punctuation(source, b[j - 1].end())


def _walk(a: list[str], b: list[str]) -> tuple[int, int]:
    """How many words of `a` and `b` (read outward from the edge) belong to the match: runs of
    matching words, each run at least MIN_RUN long, with at most one changed, added or dropped
    word between runs."""
    i = j = 0
    while i < len(a) and j < len(b):
        best = None
        for skip_a, skip_b in ((0, 0), (1, 1), (1, 0), (0, 1)):
            run = _run(a, b, i + skip_a, j + skip_b)
            if run >= MIN_RUN or (run and not skip_a and not skip_b and i + j > 0):
                best = (skip_a, skip_b, run)
                break
        if best is None:
            break
        skip_a, skip_b, run = best
        i, j = i + skip_a + run, j + skip_b + run
    return i, j


def _run(a: list[str], b: list[str], i: int, j: int) -> int:
    run = 0
    while i + run < len(a) and j + run < len(b) and a[i + run] == b[j + run]:
        run += 1
    return run


def _with_punctuation(text: str, end: int) -> int:
    """Take the closing punctuation of the last word along (a full stop, a closing quote)."""
    while end < len(text) and text[end] in ".,;:!?…\"'”’)]*-—–":
        end += 1
    return end


def _with_opening(text: str, start: int) -> int:
    """Take the opening quote or bracket of the first word along."""
    while start > 0 and text[start - 1] in "\"'“‘([*-—–":
        start -= 1
    return start


def _off_stray_words(
    draft: str, d_start: int, d_end: int, source: str, s_start: int, s_end: int
) -> tuple[int, int, int, int]:
    """A word or two across a paragraph break at either end ("…cliffs.\n\nShe") is two
    paragraphs that happen to start alike, not part of the reuse."""
    d_first, s_first = draft.find("\n\n", d_start, d_end), source.find("\n\n", s_start, s_end)
    if d_first >= 0 and s_first >= 0 and _few(draft[d_start:d_first], source[s_start:s_first]):
        d_start, s_start = _skip_space(draft, d_first), _skip_space(source, s_first)
    d_last, s_last = draft.rfind("\n\n", d_start, d_end), source.rfind("\n\n", s_start, s_end)
    if d_last >= 0 and s_last >= 0 and _few(draft[d_last:d_end], source[s_last:s_end]):
        d_end, s_end = d_last, s_last
    return d_start, s_start, d_end, s_end


def _few(a: str, b: str) -> bool:
    return len(_WORD.findall(a)) < 3 and len(_WORD.findall(b)) < 3


def _trim_start(
    draft: str, d_start: int, d_end: int, source: str, s_start: int, s_end: int
) -> tuple[int, int]:
    """Move both starts in (see `_trimmed`)."""
    a = list(_WORD.finditer(draft, d_start, d_end))
    b = list(_WORD.finditer(source, s_start, s_end))
    i, j = _trimmed(a, b)
    if (i, j) == (0, 0):
        return d_start, s_start
    return _with_opening(draft, a[i].start()), _with_opening(source, b[j].start())


def _trim_end(
    draft: str, d_start: int, d_end: int, source: str, s_start: int, s_end: int
) -> tuple[int, int]:
    """Move both ends in (see `_trimmed`)."""
    a = list(_WORD.finditer(draft, d_start, d_end))[::-1]
    b = list(_WORD.finditer(source, s_start, s_end))[::-1]
    i, j = _trimmed(a, b)
    if (i, j) == (0, 0):
        return d_end, s_end
    return _with_punctuation(draft, a[i].end()), _with_punctuation(source, b[j].end())


def _trimmed(a: list[re.Match[str]], b: list[re.Match[str]]) -> tuple[int, int]:
    """How many words to take off each side at an edge (`a` and `b` read inward from it): up to
    the nearest run of TRIM_RUN matching words, if one is near, but not past words reused
    elsewhere in the passage (a sentence moved to the edge)."""
    a_words, b_words = [_norm(m.group()) for m in a], [_norm(m.group()) for m in b]
    found = _first_run(a_words[:LOOK], b_words[:LOOK])
    if found is None:
        return 0, 0
    return (
        min(found[0], _first_reused(a_words, b_words)),
        min(found[1], _first_reused(b_words, a_words)),
    )


def _first_reused(a: list[str], b: list[str]) -> int:
    """Where the first run of REUSED_RUN words of `a` that occurs in `b`, and only once in `a`,
    starts (the length of `a` when none does): a phrase said twice is no evidence of reuse."""
    n = REUSED_RUN
    own = Counter(tuple(a[k : k + n]) for k in range(len(a) - n + 1))
    runs = {tuple(b[k : k + n]) for k in range(len(b) - n + 1)}
    return next(
        (
            i
            for i in range(len(a) - n + 1)
            if tuple(a[i : i + n]) in runs and own[tuple(a[i : i + n])] == 1
        ),
        len(a),
    )


def _first_run(a: list[str], b: list[str]) -> tuple[int, int] | None:
    """The run of TRIM_RUN matching words nearest the edge (smallest i + j), if any."""
    best: tuple[int, int] | None = None
    for i in range(len(a)):
        for j in range(len(b)):
            if best is not None and i + j >= sum(best):
                break
            if _run(a, b, i, j) >= TRIM_RUN:
                best = (i, j)
    return best


def _skip_space(text: str, at: int) -> int:
    while at < len(text) and text[at].isspace():
        at += 1
    return at


def to_sentences(
    draft: str, d_start: int, d_end: int, source: str, s_start: int, s_end: int
) -> tuple[int, int, int, int]:
    """Edges moved to the sentence boundaries nearby: where both sides' edges are at most
    SNAP_WORDS words inside (or short of) their sentences, the edited first or last words of a
    sentence belong to the passage."""
    d_first, s_first = _sentence_start(draft, d_start), _sentence_start(source, s_start)
    if _few_words(draft[d_first:d_start]) and _few_words(source[s_first:s_start]):
        d_start, s_start = d_first, s_first
    d_last, s_last = _sentence_end(draft, d_end), _sentence_end(source, s_end)
    if _few_words(draft[d_end:d_last]) and _few_words(source[s_end:s_last]):
        d_end, s_end = d_last, s_last
    return d_start, d_end, s_start, s_end


def _few_words(text: str) -> bool:
    return len(_WORD.findall(text)) <= SNAP_WORDS


def _sentence_start(text: str, at: int) -> int:
    """Where the sentence holding position `at` starts (its first character, quotes included);
    `at` itself when no sentence start is near."""
    window = max(0, at - 12 * LOOK)
    ends = [m.end() for m in _SENTENCE_END.finditer(text, window, at)]
    if ends:
        return min(_skip_space(text, ends[-1]), at)
    return 0 if window == 0 else at


def _sentence_end(text: str, at: int) -> int:
    """Where the sentence ending at or after position `at` ends (its closing marks included);
    `at` itself when no sentence end is near."""
    for found in _SENTENCE_END.finditer(text, max(0, at - 4), at + 12 * LOOK):
        end = found.start() if found.group() == "\n" else found.end()
        if end >= at:
            return end
    return at
