"""Quality of the overlap aligner on the PAN 2013 text alignment training corpus.

    python bench/overlap_pan13.py CORPUS_DIR [--out DIR] [--jobs N] [--limit N]

CORPUS_DIR holds `src/`, `susp/` and one folder per obfuscation type (`01-no-plagiarism`,
`02-no-obfuscation`, ...), each with a `pairs` file ("suspicious source" per line) and one truth
XML per pair. Runs `ficarchive.overlap.align.align` on every pair (in `--jobs` processes) and
prints the PAN measures — plagdet, precision, recall, granularity — for each obfuscation type and
overall, the detections per 100 pairs without plagiarism, the wall time, pairs/s and the machine.
`--limit N` takes the first N pairs of each type; `--out DIR` writes one PAN answer XML per pair.

Precision and recall are macro averages over all cases and detections of a subset (as PAN
computes them), not averages of per-pair scores. Target (whole corpus): plagdet >= 0.88 overall.
Does not import Django.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import platform
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from ficarchive.overlap.align import align  # noqa: E402
from ficarchive.overlap.plagdet import (  # noqa: E402
    PlagdetAccumulator,
    Span,
    read_pan_xml,
    write_pan_xml,
)

Task = tuple[str, str, str]  # (subset folder, suspicious file name, source file name)


def _read(path: Path) -> str:
    """A corpus text exactly as PAN counts its offsets: UTF-8, newlines untranslated."""
    with open(path, encoding="utf-8", newline="") as handle:
        return handle.read()


def _tasks(corpus: Path, limit: int | None) -> list[Task]:
    """Every (subset, suspicious, source) listed in the subsets' `pairs` files."""
    tasks: list[Task] = []
    for subset in sorted(p for p in corpus.iterdir() if (p / "pairs").is_file()):
        lines = (subset / "pairs").read_text(encoding="utf-8").split("\n")
        pairs = [line.split() for line in lines if line.strip()]
        tasks.extend((subset.name, susp, src) for susp, src in pairs[:limit])
    return tasks


def _xml_name(susp: str, src: str) -> str:
    return f"{Path(susp).stem}-{Path(src).stem}.xml"


_CORPUS = Path()
_OUT: Path | None = None


def _init(corpus: Path, out: Path | None) -> None:
    global _CORPUS, _OUT
    _CORPUS, _OUT = corpus, out


def _run(task: Task) -> tuple[str, list[Span], list[Span]]:
    """Align one pair; return its subset, true spans and detected spans."""
    subset, susp, src = task
    found = align(_read(_CORPUS / "susp" / susp), _read(_CORPUS / "src" / src))
    detections = [(a.this_start, a.this_end, a.source_start, a.source_end) for a in found]
    truth_file = _CORPUS / subset / _xml_name(susp, src)
    truth = [span for _, span in read_pan_xml(truth_file).passages] if truth_file.exists() else []
    if _OUT is not None:
        write_pan_xml(_OUT / _xml_name(susp, src), susp, src, detections)
    return subset, truth, detections


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("corpus", type=Path, help="the pan13-train folder")
    parser.add_argument("--out", type=Path, help="write one PAN answer XML per pair here")
    parser.add_argument("--jobs", type=int, default=2, help="worker processes (default 2)")
    parser.add_argument("--limit", type=int, help="only the first N pairs of each subset")
    args = parser.parse_args()
    if args.out:
        args.out.mkdir(parents=True, exist_ok=True)

    tasks = _tasks(args.corpus, args.limit)
    subsets: dict[str, PlagdetAccumulator] = {}
    pairs: dict[str, int] = {}
    began = time.perf_counter()
    with multiprocessing.Pool(args.jobs, _init, (args.corpus, args.out)) as pool:
        for subset, truth, detections in pool.imap_unordered(_run, tasks, chunksize=8):
            subsets.setdefault(subset, PlagdetAccumulator()).add(truth, detections)
            pairs[subset] = pairs.get(subset, 0) + 1
    elapsed = time.perf_counter() - began

    total = PlagdetAccumulator()
    header = f"{'subset':28} {'pairs':>5} {'cases':>5} {'dets':>5} {'plagdet':>7} "
    print(header + f"{'prec':>6} {'recall':>6} {'gran':>6}")
    for name in sorted(subsets):
        total.merge(subsets[name])
        _print_row(name, pairs[name], subsets[name])
    _print_row("overall", len(tasks), total)
    negatives = [n for n in subsets if "no-plagiarism" in n]
    for name in negatives:
        per_100 = 100 * subsets[name].detections / pairs[name]
        print(f"\nfalse detections on {name}: {per_100:.2f} per 100 pairs")
    print(
        f"\n{len(tasks)} pairs in {elapsed:.1f} s ({len(tasks) / elapsed:.1f} pairs/s), "
        f"{args.jobs} processes; {_cpu_model()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}"
    )


def _print_row(name: str, n_pairs: int, accumulator: PlagdetAccumulator) -> None:
    s = accumulator.scores()
    start = f"{name:28} {n_pairs:5d} {s.cases:5d} {s.detections:5d}"
    if s.cases == 0:  # no cases: only the false detections say anything (see below)
        print(f"{start} {'-':>7} {'-':>6} {'-':>6} {'-':>6}")
        return
    print(f"{start} {s.plagdet:7.4f} {s.precision:6.4f} {s.recall:6.4f} {s.granularity:6.4f}")


if __name__ == "__main__":
    main()
