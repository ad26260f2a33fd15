"""The overlap detectors, behind one registry.

A detector keeps its own index of every passage (`index`) and, for a draft, finds the source
passages that resemble the draft's passages (`candidates`). Turning candidates into findings with
exact spans, kinds and scores is shared (`ficarchive.overlap.findings`), so a new detector only
has to say where to look. The built-in two register themselves (`overlap.builtin`, imported by
the app's `ready()`) exactly the way a new one would; this module imports none of them:

- `lexical` (`overlap.lexical`): winnowed word 5-gram fingerprints in an inverted index table —
  finds any shared run of 12 or more words, with edits around it;
- `semantic` (`overlap.semantic`): static passage embeddings searched by nearest neighbours,
  verified by a sentence model — finds the same scene told in other words.

    register(MyDetector())
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from ficarchive.overlap.models import Passage


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

    def candidates(
        self, draft: list[DraftPassage], allowed_works: set[int], visible_works: set[int]
    ) -> list[Candidate]:
        """Stored passages of the allowed works that resemble passages of the draft.

        `visible_works` are the works the checking writer could be shown (their own and the
        posted, unrestricted ones; `allowed_works` is within them). Anything a detector counts
        or ranks over the index (how common a fingerprint is, which passages are nearest) must
        be counted over these alone: a count that includes someone's hidden draft changes the
        report, and so tells the writer that the draft exists (issue 14)."""


_DETECTORS: dict[str, Detector] = {}


def register(detector: Detector) -> Detector:
    _DETECTORS[detector.name] = detector
    return detector


def detectors() -> list[Detector]:
    return list(_DETECTORS.values())


def detector(name: str) -> Detector | None:
    return _DETECTORS.get(name)
