"""The PAN plagiarism detection measure (Potthast, Stein, Barrón-Cedeño, Rosso, COLING 2010).

A case (or a detection) is a passage of a suspicious text and a passage of a source text, both as
sets of characters. With S the true cases and R the detections of a collection:

- a detection r *detects* a case s when they overlap on the suspicious side and on the source
  side (and concern the same pair of documents);
- precision = mean over detections r of |r ∩ union of the cases r detects| / |r|,
  recall = mean over cases s of |s ∩ union of the detections of s| / |s|, where a passage's
  size counts the characters of both its sides (macro averages, as PAN computes them);
- granularity = mean, over the detected cases, of how many detections detect each one;
- plagdet = F1(precision, recall) / log2(1 + granularity).

The measures are taken over the whole set of cases and detections of a collection, so
`PlagdetAccumulator` collects per-pair contributions and divides at the end; it is not an average
of per-pair scores. Edge cases follow PAN's evaluation script: with neither cases nor detections
precision and recall are 1; with only one of the two they are 0.

Also reads and writes PAN's XML: one `<document reference=...>` per suspicious text with one
`<feature name="plagiarism"|"detected-plagiarism" this_offset= this_length= source_reference=
source_offset= source_length=/>` per passage.
"""

from __future__ import annotations

import math
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

# (this_start, this_end, source_start, source_end): character offsets, end exclusive.
Span = tuple[int, int, int, int]


@dataclass(frozen=True)
class Scores:
    """The PAN measures of a collection."""

    precision: float
    recall: float
    granularity: float
    plagdet: float
    cases: int
    detections: int


def _overlaps(a: Span, b: Span) -> bool:
    """Whether two passages overlap on both sides (PAN's 'detects')."""
    return a[0] < b[1] and b[0] < a[1] and a[2] < b[3] and b[2] < a[3]


def _covered(start: int, end: int, intervals: Iterable[tuple[int, int]]) -> int:
    """How many characters of [start, end) lie in the union of the intervals."""
    clipped = sorted((max(s, start), min(e, end)) for s, e in intervals if s < end and e > start)
    total = 0
    reach = start
    for s, e in clipped:
        s = max(s, reach)
        if e > s:
            total += e - s
            reach = e
    return total


def _share_covered(passage: Span, others: Sequence[Span]) -> float:
    """The share of a passage's characters (both sides) that the overlapping others cover."""
    hits = [o for o in others if _overlaps(passage, o)]
    size = (passage[1] - passage[0]) + (passage[3] - passage[2])
    if not hits or size <= 0:
        return 0.0
    covered = _covered(passage[0], passage[1], [(o[0], o[1]) for o in hits])
    covered += _covered(passage[2], passage[3], [(o[2], o[3]) for o in hits])
    return covered / size


class PlagdetAccumulator:
    """Collects cases and detections pair by pair; `scores()` gives the collection's measures."""

    def __init__(self) -> None:
        self.cases = 0
        self.detections = 0
        self.recall_sum = 0.0
        self.precision_sum = 0.0
        self.detected_cases = 0
        self.detections_per_detected_case = 0

    def add(self, truth: Sequence[Span], detections: Sequence[Span]) -> None:
        """Add one pair of documents: its true cases and the detections made on it."""
        self.cases += len(truth)
        self.detections += len(detections)
        for case in truth:
            self.recall_sum += _share_covered(case, detections)
            hits = sum(1 for d in detections if _overlaps(case, d))
            if hits:
                self.detected_cases += 1
                self.detections_per_detected_case += hits
        for detection in detections:
            self.precision_sum += _share_covered(detection, truth)

    def merge(self, other: PlagdetAccumulator) -> None:
        """Add everything another accumulator has collected (e.g. a subset into the total)."""
        self.cases += other.cases
        self.detections += other.detections
        self.recall_sum += other.recall_sum
        self.precision_sum += other.precision_sum
        self.detected_cases += other.detected_cases
        self.detections_per_detected_case += other.detections_per_detected_case

    def scores(self) -> Scores:
        """Precision, recall, granularity and plagdet over everything added."""
        if self.cases == 0 and self.detections == 0:
            precision = recall = 1.0
        elif self.cases == 0 or self.detections == 0:
            precision = recall = 0.0
        else:
            precision = self.precision_sum / self.detections
            recall = self.recall_sum / self.cases
        granularity = (
            self.detections_per_detected_case / self.detected_cases if self.detected_cases else 1.0
        )
        return Scores(
            precision=precision,
            recall=recall,
            granularity=granularity,
            plagdet=plagdet_score(precision, recall, granularity),
            cases=self.cases,
            detections=self.detections,
        )


def plagdet_score(precision: float, recall: float, granularity: float) -> float:
    """F1 of precision and recall, discounted by granularity."""
    if precision + recall == 0:
        return 0.0
    f1 = 2 * precision * recall / (precision + recall)
    return f1 / math.log2(1 + granularity)


def evaluate(truth: Sequence[Span], detections: Sequence[Span]) -> Scores:
    """The measures for a single pair of documents."""
    accumulator = PlagdetAccumulator()
    accumulator.add(truth, detections)
    return accumulator.scores()


@dataclass(frozen=True)
class PairAnnotation:
    """The passages of one PAN XML file: a suspicious document and its source passages."""

    this_reference: str
    passages: list[tuple[str, Span]]  # (source_reference, span)


def read_pan_xml(path: Path | str) -> PairAnnotation:
    """Read a PAN truth or answer file; both `plagiarism` and `detected-plagiarism` features."""
    root = ET.parse(path).getroot()
    passages: list[tuple[str, Span]] = []
    for feature in root.iter("feature"):
        if feature.get("name") not in ("plagiarism", "detected-plagiarism"):
            continue
        this_offset = int(feature.get("this_offset", "0"))
        source_offset = int(feature.get("source_offset", "0"))
        span = (
            this_offset,
            this_offset + int(feature.get("this_length", "0")),
            source_offset,
            source_offset + int(feature.get("source_length", "0")),
        )
        passages.append((feature.get("source_reference", ""), span))
    return PairAnnotation(root.get("reference", ""), passages)


def pan_xml(this_reference: str, source_reference: str, detections: Iterable[Span]) -> str:
    """A PAN answer file for one pair: one `detected-plagiarism` feature per detection."""
    root = ET.Element("document", reference=this_reference)
    for span in detections:
        ET.SubElement(
            root,
            "feature",
            name="detected-plagiarism",
            this_offset=str(span[0]),
            this_length=str(span[1] - span[0]),
            source_reference=source_reference,
            source_offset=str(span[2]),
            source_length=str(span[3] - span[2]),
        )
    ET.indent(root)
    return ET.tostring(root, encoding="unicode") + "\n"


def write_pan_xml(
    path: Path | str, this_reference: str, source_reference: str, detections: Iterable[Span]
) -> None:
    """Write a PAN answer file for one pair."""
    Path(path).write_text(pan_xml(this_reference, source_reference, detections), encoding="utf-8")
