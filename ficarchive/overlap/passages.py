"""Cut a chapter's plain text into passages: the units the overlap index stores.

A passage is a run of whole paragraphs of about `TARGET_WORDS` words, never crossing a scene break
(`* * *`), so that a passage is one piece of one scene. Offsets are characters into the chapter's
plain text (`html_to_text` of its body), the same text `ficarchive parse --json` prints, so a
finding's span can always be cut out of it exactly.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ficarchive.overlap.tokens import WORD

TARGET_WORDS = 200
MIN_WORDS = 60

_PARAGRAPH = re.compile(r"[^\n]+(?:\n[^\n]+)*")
_SCENE_BREAK = re.compile(r"^\W*$")


@dataclass(frozen=True)
class Cut:
    position: int
    start: int
    end: int
    word_count: int


def cut(text: str, target: int = TARGET_WORDS) -> list[Cut]:
    """Paragraph-aligned passages of about `target` words; scenes are never joined."""
    scenes: list[list[tuple[int, int, int]]] = [[]]
    for paragraph in _PARAGRAPH.finditer(text):
        body = paragraph.group()
        if _SCENE_BREAK.match(body):
            scenes.append([])
            continue
        scenes[-1].append((paragraph.start(), paragraph.end(), len(WORD.findall(body))))
    cuts: list[Cut] = []
    for scene in scenes:
        for start, end, count in _group(scene, target):
            cuts.append(Cut(len(cuts), start, end, count))
    return cuts


def _group(paragraphs: list[tuple[int, int, int]], target: int) -> list[tuple[int, int, int]]:
    """Join paragraphs into runs near `target` words; a long paragraph is split by sentences
    no further (a 600-word paragraph is one passage), and a short tail joins the run before it."""
    runs: list[tuple[int, int, int]] = []
    start = end = count = 0
    for p_start, p_end, p_count in paragraphs:
        if count and count + p_count > target and count >= target // 2:
            runs.append((start, end, count))
            count = 0
        if not count:
            start = p_start
        end = p_end
        count += p_count
    if count:
        if runs and count < MIN_WORDS:
            last_start, _, last_count = runs.pop()
            runs.append((last_start, end, last_count + count))
        else:
            runs.append((start, end, count))
    return runs


_CAPITALISED = re.compile(r"\b[A-Z][\w'’]*")
_SENTENCE_END = re.compile(r"(?<=[.!?…\"”])\s+")


def without_names(text: str) -> str:
    """The text with its names taken out, for comparing what happens rather than who is there.

    A writer's stories share their characters and places; left in, the names alone make two
    different scenes of the same people look alike. A name is a capitalised word seen somewhere
    in the text away from the start of a sentence; all its occurrences go.
    """
    names = set()
    for sentence in sentences(text):
        for match in _CAPITALISED.finditer(sentence, 1):
            if match.start() > 0 and sentence[match.start() - 1] not in "\"“‘'(":
                names.add(match.group())
    if not names:
        return text
    pattern = re.compile(r"\b(?:" + "|".join(map(re.escape, sorted(names))) + r")\b")
    return " ".join(pattern.sub("", text).split())


def sentences(text: str) -> list[str]:
    """Sentences of three words or more (dialogue tags and fragments join their neighbours)."""
    found: list[str] = []
    for part in _SENTENCE_END.split(" ".join(text.split())):
        if found and len(part.split()) < 3:
            found[-1] += " " + part
        elif part:
            found.append(part)
    return found
