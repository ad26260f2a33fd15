"""What a finding means to the writer who ran the check, in the words the report and
`ficarchive check` both use: whose the source is, how sure the check is, how much of the draft
the finding covers, and whether she already said the likeness is intended.

A finding is *acknowledged* when the draft and its source are related works (`works.related`):
the report's *Mark as intended* links them, and every later check of the draft shows its
findings against that source as acknowledged (still shown: the writer may want to reword
anyway, and a reader of the report should see what was found).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ficarchive.accounts.types import AnyUser
from ficarchive.overlap.calibration import DEFAULT_THRESHOLD
from ficarchive.overlap.findings import FindingJSON
from ficarchive.texts.counting import count_words_in_text
from ficarchive.works.models import RelatedWork, Work
from ficarchive.works.queries import is_creator
from ficarchive.works.related import linked_pairs

# Scores are calibrated probabilities that a finding is real reuse (`calibration`): above
# `VERY_LIKELY` a writer should treat it as reuse; from the report threshold up it is more
# likely reuse than not; below it (shown only when asked for with a lower threshold), chance.
VERY_LIKELY = 0.8
VERDICTS = (
    (VERY_LIKELY, "very likely reused"),
    (DEFAULT_THRESHOLD, "possibly reused"),
    (0.0, "likely chance"),
)


def verdict(score: float) -> str:
    """The score in words: "very likely reused", "possibly reused" or "likely chance"."""
    return next(words for lowest, words in VERDICTS if score >= lowest)


def verdict_scale() -> str:
    """The verdicts with their scores, for a report's legend: `80% and up: very likely …`."""
    steps = []
    for number, (lowest, words) in enumerate(VERDICTS):
        if number == 0:
            steps.append(f"{round(lowest * 100)}% and up, {words}")
        elif lowest > 0:
            steps.append(f"from {round(lowest * 100)}%, {words}")
        else:
            steps.append(f"below that, {words}")
    return "; ".join(steps)


@dataclass
class Explained:
    verdict: str
    own: bool  # the writer is a creator of the source
    creators: list[str]  # the source's bylines
    covered_words: int  # words of the draft the finding covers
    part_words: int  # words of the draft chapter (or notes) it is in
    link: RelatedWork | None  # the related-work link between draft and source, if any
    source_id: int = 0

    @property
    def share(self) -> float:
        return self.covered_words / self.part_words if self.part_words else 0.0

    @property
    def percent_of_part(self) -> int:
        return round(self.share * 100)

    @property
    def acknowledged(self) -> bool:
        return self.link is not None

    @property
    def intended(self) -> str:
        """`Marked as intended: this work retells it.` (empty when not acknowledged)."""
        if self.link is None:
            return ""
        kind = self.link.get_kind_display()
        if self.link.parent_id == self.source_id:
            return f"Marked as intended: this work {kind} it."
        return f"Marked as intended: it {kind} this work."

    def whose(self, title: str) -> str:
        """`your work “Title”` or `“Title” by someone else`."""
        return f"your work “{title}”" if self.own else f"“{title}” by someone else"

    def coverage(self, finding: FindingJSON) -> str:
        """`86 words, 12% of chapter 2` (or `of the notes`)."""
        chapter = finding["draft"].get("chapter")
        where = f"chapter {chapter}" if finding["draft"].get("part", "text") == "text" else "notes"
        words = "word" if self.covered_words == 1 else "words"
        return f"{self.covered_words} {words}, {self.percent_of_part}% of {where}"

    def as_json(self) -> dict[str, Any]:
        return {
            "verdict": self.verdict,
            "covered_words": self.covered_words,
            "covered_share": round(self.share, 3),
            "acknowledged": self.acknowledged,
            "relation": self.link.kind if self.link else None,
        }


def explain(
    finding: FindingJSON,
    source: Work,
    user: AnyUser,
    parts: list[str],
    links: dict[int, RelatedWork],
) -> Explained:
    """One finding (as stored, `Finding.as_json`) explained. `source` is its work with its
    creators prefetched; `parts` the draft's chapter texts (then its notes text, if checked);
    `links` the draft's related-work links by the other work's id (`works.related.linked_pairs`).
    """
    draft = finding["draft"]
    index = (
        len(parts) - 1 if draft.get("part", "text") == "notes" else int(draft["chapter"] or 0) - 1
    )
    part = parts[index] if 0 <= index < len(parts) else ""
    return Explained(
        verdict=verdict(float(finding["score"])),
        own=is_creator(user, source),
        creators=[creatorship.pseud.byline for creatorship in source.creatorships.all()],
        covered_words=count_words_in_text(draft["text"]),
        part_words=count_words_in_text(part),
        link=links.get(source.pk),
        source_id=source.pk,
    )


def explain_report(
    findings: list[FindingJSON],
    user: AnyUser,
    parts: list[str],
    draft: Work | None = None,
) -> list[Explained]:
    """Every finding explained, for the command line: its sources read in one query."""
    ids = {int(f["source"]["work_id"]) for f in findings}
    sources = Work.objects.filter(pk__in=ids).prefetch_related("creatorships__pseud")
    works = {work.pk: work for work in sources}
    links = linked_pairs(draft, ids) if draft is not None else {}
    return [explain(f, works[int(f["source"]["work_id"])], user, parts, links) for f in findings]


def explained_json(
    found: dict[str, Any], user: AnyUser, parts: list[str], draft: Work | None = None
) -> dict[str, Any]:
    """A report's JSON (`Report.as_json`) with each finding explained: `source.own` and
    `source.creators`, `verdict`, `covered_words`, `covered_share`, `acknowledged`, `relation`."""
    for finding, explained in zip(
        found["findings"], explain_report(found["findings"], user, parts, draft), strict=True
    ):
        finding["source"]["own"] = explained.own
        finding["source"]["creators"] = explained.creators
        finding.update(explained.as_json())
    return found
