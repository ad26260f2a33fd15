"""Fit the relevance floor of "describe a story" on labelled descriptions, and measure it.

    python bench/describe_floor.py [--weights 0:2:0.05]

Loads the 44 works of tests/search/describe_corpus.py (chapters of Alice in Wonderland and
Pride and Prejudice, the Adventures of Sherlock Holmes, the fan works and short stories of
tests/fixtures) into a scratch SQLite archive, indexes them for both halves of the search, and
weighs each description of tests/fixtures/describe/descriptions.json against the best works of
the mixed ranking (`search.semantic.weigh`): the cosine of description and work, and the
IDF-weighted share of the description's content words the work has.

A description returns the works whose `cosine + weight * coverage` clears the floor. Precision
is the share of the descriptions returning any work that return the one they describe (a
description of a story the archive lacks should return nothing); recall, the share of the
descriptions of a story of the archive that return it.

It fits the weight (from `--weights`, start:stop:step) and the floor of the best precision
at a recall of MIN_RECALL or more (ties: the higher recall, then the wider margin: each floor
tried lies halfway between two neighbouring values where an outcome changes, a description's
best work or its story, and the margin is their gap as a share of the range of those values)
three times: on the "fit" half, on the "held out" half and on all descriptions, and prints each
fit's precision and recall on both halves and on all; then the same for the cosine alone
(weight 0, fitted on all) and for the constants `search/semantic.py` ships, through
`semantic.describe` itself, with the descriptions those get wrong. Numbers: bench/README.md.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
# The floor is fitted for the best precision among those with at least this recall.
MIN_RECALL = 0.9


def machine() -> str:
    cpu = "unknown CPU"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    return (
        f"{cpu}, {os.cpu_count()} cores; {platform.platform()}; Python {platform.python_version()}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--weights", default="0:2:0.05", help="coverage weights tried")
    args = parser.parse_args()
    start, stop, step = (float(part) for part in args.weights.split(":"))
    weights = [round(start + i * step, 4) for i in range(int((stop - start) / step + 1.5))]

    data = tempfile.TemporaryDirectory()
    os.environ["FICARCHIVE_DATA"] = data.name
    os.environ.pop("DATABASE_URL", None)
    os.environ["DJANGO_SETTINGS_MODULE"] = "ficarchive.settings"
    import django

    django.setup()
    from django.contrib.auth.models import AnonymousUser
    from django.core.management import call_command

    from ficarchive.search import semantic
    from tests.cast import make_user
    from tests.search import describe_corpus as corpus

    print(f"machine: {machine()}")
    started = time.monotonic()
    call_command("migrate", verbosity=0)
    works = corpus.load(make_user("author"))
    keys = {work.pk: key for key, work in works.items()}
    descriptions = corpus.descriptions()
    print(
        f"archive: {len(works)} works, loaded and indexed in {time.monotonic() - started:.0f} s; "
        f"{len(descriptions)} descriptions ({sum(1 for d in descriptions if d.story)} of its "
        f"stories), {sum(1 for d in descriptions if d.half == 'fit')} in the fitting half"
    )
    weighed = [
        (
            d,
            {
                keys[pk]: (e.cosine, e.coverage)
                for pk, e in semantic.weigh(AnonymousUser(), d.text).items()
            },
        )
        for d in descriptions
    ]

    def outcomes(
        half: str | None, weight: float, floor: float
    ) -> list[tuple[corpus.Description, set[str]]]:
        return [
            (d, {key for key, (c, v) in found.items() if c + weight * v >= floor})
            for d, found in weighed
            if half is None or d.half == half
        ]

    def f1(s: corpus.Score) -> float:
        return 2 * s.precision * s.recall / (s.precision + s.recall) if s.right else 0.0

    def fit(half: str | None, weights: list[float] = weights) -> tuple[float, float]:
        """The weight and floor of the best precision at MIN_RECALL on this half (None: all)."""
        best: tuple[float, float, float, float, float, float] | None = None
        chosen = [(d, found) for d, found in weighed if half is None or d.half == half]
        for weight in weights:
            # The outcomes change only at a description's best value and its story's value.
            values = sorted(
                {
                    value
                    for d, found in chosen
                    for c, v in (
                        max(found.values(), key=lambda e: e[0] + weight * e[1], default=(0, 0)),
                        found.get(d.story or "", (0.0, 0.0)),
                    )
                    for value in (c + weight * v,)
                }
            )
            # Each floor between two neighbouring values gives the same outcome: the middle.
            for low, high in zip([values[0] - 0.01, *values], values, strict=False):
                floor = (low + high) / 2
                s = corpus.score(outcomes(half, weight, floor))
                margin = (high - low) / (values[-1] - values[0])
                candidate = (
                    float(s.recall >= MIN_RECALL),
                    s.precision,
                    s.recall,
                    margin,
                    -weight,
                    floor,
                )
                if best is None or candidate > best:
                    best = candidate
        assert best is not None
        return -best[4], best[5]

    def report(label: str, halves: dict[str, list[tuple[corpus.Description, set[str]]]]) -> None:
        print(label)
        for half, found in halves.items():
            s = corpus.score(found)
            print(
                f"  {half:<9} precision {s.precision:.2f} ({s.right} of {s.returned} returning "
                f"any work), recall {s.recall:.2f} ({s.right} of "
                f"{sum(1 for d, _ in found if d.story)}), F1 {f1(s):.2f}"
            )

    halves = ("fit", "held out", "all")
    weight, floor = fit(None, [0.0])
    report(
        f"the cosine alone (weight 0), fitted on all: floor {floor:.4f}",
        {h: outcomes(h if h != "all" else None, weight, floor) for h in halves},
    )
    for half in ("fit", "held out", None):
        weight, floor = fit(half)
        report(
            f"fitted on {half or 'all'}: weight {weight:.2f}, floor {floor:.4f}",
            {h: outcomes(h if h != "all" else None, weight, floor) for h in halves},
        )
    shipped: list[tuple[corpus.Description, set[str]]] = []
    for d in descriptions:
        found = semantic.describe(AnonymousUser(), d.text, limit=len(works))
        shipped.append((d, {keys[work.pk] for work, _ in found.fits}))
    report(
        f"shipped (semantic.describe): COVERAGE_WEIGHT {semantic.COVERAGE_WEIGHT}, "
        f"FLOOR {semantic.FLOOR}",
        {
            "fit": [o for o in shipped if o[0].half == "fit"],
            "held out": [o for o in shipped if o[0].half == "held out"],
            "all": shipped,
        },
    )
    wrong = [(d, keys) for d, keys in shipped if keys and d.story not in keys]
    missed = [d for d, keys in shipped if d.story and d.story not in keys]
    for d, found_keys in wrong:
        print(f"  returned {sorted(found_keys)} for {d.story or 'no story'}: {d.text}")
    for d in missed:
        print(f"  missed {d.story}: {d.text}")
    print(f"total {time.monotonic() - started:.0f} s")


if __name__ == "__main__":
    main()
