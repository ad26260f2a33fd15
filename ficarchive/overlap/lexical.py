"""The lexical detector: winnowed word fingerprints in an inverted index table.

It finds any shared run of 12 or more words, with edits around it (`overlap.fingerprints` makes
the fingerprints: word 5-grams, and content-word stem runs for wordings that change only the
function words).
"""

from __future__ import annotations

from collections import defaultdict

from django.db import connection

from ficarchive.overlap.detectors import Candidate, DraftPassage
from ficarchive.overlap.fingerprints import fingerprints, stem_fingerprints
from ficarchive.overlap.models import Fingerprint, Passage

# A fingerprint found in this many works or more is a phrase of the fandom or of boilerplate,
# not evidence of reuse: it alone never makes a candidate. Counted over the works the writer
# could be shown, never over others' drafts and restricted works.
COMMON_IN_WORKS = 8
# A candidate needs this many shared fingerprints. One is guaranteed by a 12-word run; requiring
# two lost short, heavily edited passages (bench/overlap_scale.py: recall 0.72 -> 0.83 with one),
# and a chance shared 5-gram costs only an alignment that finds nothing.
MIN_SHARED = 1
# Stem fingerprints are less specific (content words only): a candidate needs two of them.
MIN_SHARED_STEMS = 2


class LexicalDetector:
    name = "lexical"

    def index(self, passages: list[tuple[Passage, str]]) -> None:
        rows: list[Fingerprint] = []
        for passage, text in passages:
            hashes = {*fingerprints(text)[0].tolist(), *stem_fingerprints(text)[0].tolist()}
            rows.extend(Fingerprint(hash=h, passage_id=passage.pk) for h in hashes)
        Fingerprint.objects.bulk_create(rows, batch_size=5000)

    def candidates(
        self, draft: list[DraftPassage], allowed_works: set[int], visible_works: set[int]
    ) -> list[Candidate]:
        by_hash: dict[int, list[int]] = defaultdict(list)
        stem_hashes: set[int] = set()
        for number, passage in enumerate(draft):
            words = set(fingerprints(passage.text)[0].tolist())
            stems = set(stem_fingerprints(passage.text)[0].tolist())
            stem_hashes |= stems
            for value in words | stems:
                by_hash[value].append(number)
        if not by_hash or not allowed_works:
            return []
        postings = _postings(list(by_hash))
        shared: dict[tuple[int, int], list[int]] = defaultdict(lambda: [0, 0])
        for value, found in postings.items():
            if len({work for _, work in found if work in visible_works}) >= COMMON_IN_WORKS:
                continue
            family = 1 if value in stem_hashes else 0
            for passage_id, work_id in found:
                if work_id in allowed_works:
                    for number in by_hash[value]:
                        shared[(number, passage_id)][family] += 1
        return [
            Candidate(draft[number], passage_id, self.name, float(w + s), {"words": w, "stems": s})
            for (number, passage_id), (w, s) in shared.items()
            if w >= MIN_SHARED or s >= MIN_SHARED_STEMS
        ]


def _postings(hashes: list[int]) -> dict[int, list[tuple[int, int]]]:
    """For each hash, the (passage, work) pairs it occurs in, in batches under SQL's limits."""
    found: dict[int, list[tuple[int, int]]] = defaultdict(list)
    fingerprint = Fingerprint._meta.db_table
    passage = Passage._meta.db_table
    with connection.cursor() as cursor:
        for at in range(0, len(hashes), 900):
            batch = hashes[at : at + 900]
            marks = ",".join(["%s"] * len(batch))
            cursor.execute(
                f"SELECT f.hash, f.passage_id, p.work_id FROM {fingerprint} f "
                f"JOIN {passage} p ON p.id = f.passage_id WHERE f.hash IN ({marks})",
                batch,
            )
            for value, passage_id, work_id in cursor.fetchall():
                found[value].append((passage_id, work_id))
    return found
