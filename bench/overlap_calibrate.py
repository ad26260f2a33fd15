"""Fit the overlap scores: one logistic curve per kind, on labelled pairs from PAN 2013.

    python bench/overlap_calibrate.py PAN13_DIR [--pairs 150] [--seed 7]

For the lexical kinds (verbatim, near-verbatim, paraphrase) it runs the aligner over a sample of
pairs of every obfuscation subset and of the no-plagiarism pairs, and labels each alignment real
when most of it lies inside a case of the answer key. For `retold` it takes passages of the
summary-obfuscation cases (the summary against its source passage: the same events in far
fewer, other words) as real, and same-length passages from elsewhere in the same documents as
chance likeness, plus the hard negatives PAN lacks: passages of each novel in `--novels`
(default the three in tests/fixtures/gutenberg) against their most alike passages (static
vectors, names out, as the semantic detector picks them) at least ten passages away — the same
characters and setting, another scene — and across the novels; and measures
`verify.scene_likeness`. Each kind's curve maps its evidence
(similarity, log of the word count) to the probability of real reuse; the fitted parameters are
printed in the form of `ficarchive/overlap/calibration.py`, with each kind's precision and
recall at the default threshold on the same data.
"""

from __future__ import annotations

import argparse
import math
import platform
import random
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from ficarchive.overlap.align import align
from ficarchive.overlap.calibration import CURVES, DEFAULT_THRESHOLD
from ficarchive.overlap.plagdet import read_pan_xml

SUBSETS = {
    "01-no-plagiarism": None,
    "02-no-obfuscation": "verbatim",
    "03-random-obfuscation": "near-verbatim",
    "04-translation-obfuscation": "paraphrase",
    "05-summary-obfuscation": "retold",
}


def lexical_kind(this: str, source: str, verbatim_ratio: float) -> str:
    if " ".join(this.lower().split()) == " ".join(source.lower().split()):
        return "verbatim"
    return "near-verbatim" if verbatim_ratio >= 0.5 else "paraphrase"


def inside(start: int, end: int, cases: list[tuple[int, int]]) -> float:
    covered = sum(max(0, min(end, b) - max(start, a)) for a, b in cases)
    return covered / max(1, end - start)


def collect(
    corpus: Path, pairs: int, rng: random.Random, novels: Path
) -> dict[str, list[tuple[float, int, int]]]:
    """(similarity, words, label) samples per kind."""
    samples: dict[str, list[tuple[float, int, int]]] = {k: [] for k in SUBSETS.values() if k}
    summary_cases: list[tuple[str, str, str, str]] = []
    for subset in SUBSETS:
        lines = (corpus / subset / "pairs").read_text().split("\n")
        chosen = rng.sample([line for line in lines if line.strip()], pairs)
        for line in chosen:
            susp_name, src_name = line.split()
            this = (corpus / "susp" / susp_name).read_text(encoding="utf-8")
            source = (corpus / "src" / src_name).read_text(encoding="utf-8")
            key = corpus / subset / f"{susp_name[:-4]}-{src_name[:-4]}.xml"
            truth = read_pan_xml(key).passages if key.exists() else []
            cases = [(span[0], span[1]) for _, span in truth]
            for found in align(this, source):
                part = this[found.this_start : found.this_end]
                source_part = source[found.source_start : found.source_end]
                words = min(len(part.split()), len(source_part.split()))
                if words < 20:
                    continue
                kind = lexical_kind(part, source_part, found.verbatim_ratio)
                label = int(inside(found.this_start, found.this_end, cases) >= 0.5)
                samples[kind].append((found.similarity, words, label))
            if subset == "05-summary-obfuscation":
                for _, span in truth:
                    summary_cases.append(
                        (this, source, this[span[0] : span[1]], source[span[2] : span[3]])
                    )
    samples["retold"] = retold_samples(summary_cases, rng) + novel_negatives(novels, rng)
    return samples


def novel_negatives(
    novels: Path, rng: random.Random, per_book: int = 200
) -> list[tuple[float, int, int]]:
    """Other scenes with the same characters: each sampled passage of a novel against the most
    alike passage at least ten passages away, and against the most alike of another novel."""
    import gzip

    from ficarchive.overlap.embeddings import static_vectors
    from ficarchive.overlap.passages import cut, without_names
    from ficarchive.overlap.verify import scene_likeness

    books = []
    for path in sorted(novels.glob("*.txt.gz")):
        raw = gzip.decompress(path.read_bytes()).decode("utf-8-sig", errors="replace")
        raw = raw.replace("\r\n", "\n")  # Gutenberg files have Windows line ends
        body = raw.split("*** START", 1)[-1].split("*** END", 1)[0]
        text = "\n\n".join(" ".join(p.split()) for p in body.split("\n\n") if len(p.split()) >= 8)
        passages = [text[c.start : c.end] for c in cut(text)]
        books.append((passages, static_vectors([without_names(p) for p in passages])))
    pairs: list[tuple[str, str]] = []
    for number, (passages, vectors) in enumerate(books):
        other_passages, other_vectors = books[(number + 1) % len(books)]
        for i in rng.sample(range(len(passages)), min(per_book, len(passages))):
            alike = vectors @ vectors[i]
            alike[max(0, i - 10) : i + 10] = -1
            pairs.append((passages[i], passages[int(alike.argmax())]))
            pairs.append((passages[i], other_passages[int((other_vectors @ vectors[i]).argmax())]))
    likeness = scene_likeness(pairs)
    return [
        (value, min(len(a.split()), len(b.split())), 0)
        for value, (a, b) in zip(likeness, pairs, strict=True)
    ]


def retold_samples(
    cases: list[tuple[str, str, str, str]], rng: random.Random
) -> list[tuple[float, int, int]]:
    from ficarchive.overlap.verify import scene_likeness

    pairs: list[tuple[str, str]] = []
    labels: list[int] = []
    for this, source, summary, original in cases:
        pairs.append((summary, original[:2500]))
        labels.append(1)
        # Chance likeness: a passage of the same suspicious document against another part of
        # the source, about the same topic (the documents are about one subject) but not reuse.
        start = rng.randrange(0, max(1, len(this) - len(summary)))
        other = rng.randrange(0, max(1, len(source) - 2500))
        if original not in source[other : other + 2500] and summary not in this[start:]:
            pairs.append((this[start : start + len(summary)], source[other : other + 2500]))
            labels.append(0)
    likeness = scene_likeness(pairs)
    report_gate([pair for pair, label in zip(pairs, labels, strict=True) if label])
    return [
        (value, min(len(a.split()), len(b.split())), label)
        for value, (a, b), label in zip(likeness, pairs, labels, strict=True)
    ]


def report_gate(real: list[tuple[str, str]]) -> None:
    """How the summaries fare at the sentence model's gate (`verify.EVENT_GATE`): the lowest
    event evidence among them and how many are below it (the model never sees those)."""
    from ficarchive.overlap import verify
    from ficarchive.overlap.passages import sentences, without_names

    evidence = []
    for summary, original in real:
        a, b = sentences(without_names(summary)), sentences(without_names(original))
        if a and b:
            evidence.append(verify.event_evidence(verify._shared_events(a, b)))
    below = sum(value < verify.EVENT_GATE for value in evidence)
    print(
        f"retold gate: lowest event evidence of {len(evidence)} summaries "
        f"{min(evidence, default=0):.3f}; {below} below EVENT_GATE = {verify.EVENT_GATE}"
    )


def fit(samples: list[tuple[float, int, int]], use_words: bool) -> tuple[float, float, float]:
    """Logistic regression by Newton's method, lightly regularised."""
    x = np.array(
        [[1.0, s, math.log(w) if use_words else 0.0] for s, w, _ in samples], dtype=np.float64
    )
    y = np.array([label for *_, label in samples], dtype=np.float64)
    beta = np.zeros(3)
    ridge = np.diag([1e-3, 1e-2, 1e-2])
    for _ in range(50):
        p = 1 / (1 + np.exp(-(x @ beta)))
        gradient = x.T @ (y - p) - ridge @ beta
        hessian = (x.T * (p * (1 - p))) @ x + ridge
        step = np.linalg.lstsq(hessian, gradient, rcond=None)[0]
        beta += step
        if np.abs(step).max() < 1e-8:
            break
    return float(beta[0]), float(beta[1]), float(beta[2])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("corpus", type=Path, help="the PAN 2013 text alignment corpus folder")
    parser.add_argument("--pairs", type=int, default=150, help="pairs sampled per subset")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--novels",
        type=Path,
        default=Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "gutenberg",
        help="Project Gutenberg novels (*.txt.gz) for same-character negatives of `retold`",
    )
    args = parser.parse_args()
    started = time.monotonic()
    print(
        f"machine: {platform.processor() or platform.machine()}, Python {platform.python_version()}"
    )
    samples = collect(args.corpus, args.pairs, random.Random(args.seed), args.novels)
    print(f"collected in {time.monotonic() - started:.0f} s\n")
    print("CURVES = {")
    for kind, found in samples.items():
        positives = sum(label for *_, label in found)
        if not found or positives in (0, len(found)):
            print(f"    # {kind}: {len(found)} samples, {positives} real — too one-sided to fit")
            continue
        bias, similarity, log_words = fit(found, use_words=kind != "retold")
        kept = [
            label
            for s, w, label in found
            if bias + similarity * s + log_words * (math.log(w) if kind != "retold" else 0) >= 0
        ]
        precision = sum(kept) / len(kept) if kept else float("nan")
        recall = sum(kept) / positives
        print(
            f'    "{kind}": Curve(bias={bias:.2f}, similarity={similarity:.2f}, '
            f"log_words={log_words:.2f}),  # {len(found)} samples, {positives} real; "
            f"at 0.5: precision {precision:.2f}, recall {recall:.2f}"
        )
    print("}")
    print("\nthe shipped curves (ficarchive/overlap/calibration.py) on the same samples:")
    for kind, found in samples.items():
        kept = [label for s, w, label in found if CURVES[kind](s, w) >= DEFAULT_THRESHOLD]
        positives = sum(label for *_, label in found)
        precision = sum(kept) / len(kept) if kept else float("nan")
        recall = sum(kept) / positives if positives else float("nan")
        print(
            f"  {kind:<14} {len(found):>4} samples, {positives:>4} real: at "
            f"{DEFAULT_THRESHOLD} precision {precision:.2f}, recall {recall:.2f}"
        )
    print(f"\ntotal {time.monotonic() - started:.0f} s")


if __name__ == "__main__":
    main()
