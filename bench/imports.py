"""Import throughput: `ficarchive import` on generated folders of plain-text and EPUB works.

    python bench/imports.py [--works 1000] [--words 5000] [--broken 10] [--runs 3]

Each run makes a fresh data folder, migrates it, and times the real command (a subprocess, as a
user would run it) on a folder of generated works: plain text with the conventions writers use
(header lines, A/N notes, chapter headings, scene breaks, The End), and the same works as EPUB 3
files. The text folder also holds `--broken` unreadable files, which the run must name. Prints
the machine, every run, and the medians of files/s and words/s. Target: 1,000 works in < 60 s.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import platform
import random
import re
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WORDS = (
    "the a and she he they rory jess lorelai luke dean said looked back town diner coffee book "
    "road bridge night rain smiled quiet again never always stars hollow paris yale letter "
    "window door kitchen morning silence remembered laughed whispered finally maybe"
).split()


def machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = ""
    try:
        kib = int(Path("/proc/meminfo").read_text().split()[1])
        memory = f", {kib / 1024 / 1024:.0f} GiB RAM"
    except (OSError, ValueError, IndexError):
        pass
    return (
        f"{cpu}, {os.cpu_count()} cores{memory}; {platform.platform()}; "
        f"Python {platform.python_version()}; SQLite {sqlite3.sqlite_version}"
    )


def _paragraph(rng: random.Random, words: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(words)).capitalize() + "."


def story(rng: random.Random, number: int, words: int) -> tuple[str, list[tuple[str, list[str]]]]:
    """A work of about `words` words in 3 chapters: its title and chapters of paragraphs."""
    chapters = []
    per_chapter = words // 3
    for chapter in range(1, 4):
        paragraphs, count = [], 0
        while count < per_chapter:
            size = min(rng.randint(40, 90), per_chapter - count)
            paragraphs.append(_paragraph(rng, size))
            count += size
        chapters.append((f"Part of the Night {chapter}", paragraphs))
    return f"Generated Story {number}", chapters


def as_text(title: str, chapters: list[tuple[str, list[str]]], number: int) -> str:
    parts = [
        f"Title: {title}\nFandom: Gilmore Girls\nRating: T\nPairing: Rory Gilmore/Jess Mariano",
        f"A/N: Story number {number}, written for the benchmark.",
    ]
    for index, (chapter_title, paragraphs) in enumerate(chapters, start=1):
        parts.append(f"Chapter {index}: {chapter_title}")
        middle = len(paragraphs) // 2
        parts.extend([*paragraphs[:middle], "* * *", *paragraphs[middle:]])
    parts += ["The End", "A/N: Thanks for reading!"]
    return "\n\n".join(parts)


def as_epub(title: str, chapters: list[tuple[str, list[str]]]) -> bytes:
    """A small valid EPUB 3: container, package, nav and one XHTML file per chapter."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as epub:
        epub.writestr("mimetype", "application/epub+zip", compress_type=zipfile.ZIP_STORED)
        epub.writestr(
            "META-INF/container.xml",
            '<?xml version="1.0"?><container version="1.0" '
            'xmlns="urn:oasis:names:tc:opendocument:xmlns:container"><rootfiles>'
            '<rootfile full-path="OEBPS/content.opf" media-type="application/oebps-package+xml"/>'
            "</rootfiles></container>",
        )
        items, spine, nav = [], [], []
        for index, (chapter_title, paragraphs) in enumerate(chapters, start=1):
            body = "".join(f"<p>{p}</p>" for p in paragraphs)
            epub.writestr(
                f"OEBPS/chapter{index}.xhtml",
                '<?xml version="1.0" encoding="utf-8"?><html xmlns="http://www.w3.org/1999/xhtml">'
                f"<head><title>{chapter_title}</title></head><body>"
                f"<h2>Chapter {index}: {chapter_title}</h2>{body}</body></html>",
            )
            items.append(
                f'<item id="c{index}" href="chapter{index}.xhtml" '
                'media-type="application/xhtml+xml"/>'
            )
            spine.append(f'<itemref idref="c{index}"/>')
            nav.append(f'<li><a href="chapter{index}.xhtml">{chapter_title}</a></li>')
        epub.writestr(
            "OEBPS/nav.xhtml",
            '<?xml version="1.0" encoding="utf-8"?><html xmlns="http://www.w3.org/1999/xhtml" '
            'xmlns:epub="http://www.idpf.org/2007/ops"><head><title>Contents</title></head><body>'
            f'<nav epub:type="toc"><ol>{"".join(nav)}</ol></nav></body></html>',
        )
        epub.writestr(
            "OEBPS/content.opf",
            '<?xml version="1.0" encoding="utf-8"?><package xmlns="http://www.idpf.org/2007/opf" '
            'version="3.0" unique-identifier="id"><metadata '
            'xmlns:dc="http://purl.org/dc/elements/1.1/">'
            f'<dc:identifier id="id">urn:bench:{title}</dc:identifier><dc:title>{title}</dc:title>'
            "<dc:creator>Bench Writer</dc:creator><dc:language>en</dc:language>"
            '<meta property="dcterms:modified">2026-01-01T00:00:00Z</meta></metadata><manifest>'
            '<item id="nav" href="nav.xhtml" media-type="application/xhtml+xml" properties="nav"/>'
            f"{''.join(items)}</manifest><spine>{''.join(spine)}</spine></package>",
        )
    return buffer.getvalue()


def generate(folder: Path, works: int, words: int, broken: int, kind: str) -> int:
    """Write the folder; returns the number of story words in it."""
    rng = random.Random(2026)
    folder.mkdir(parents=True)
    total = 0
    for number in range(works - broken):
        title, chapters = story(rng, number, words)
        total += sum(len(p.split()) for _, paragraphs in chapters for p in paragraphs)
        if kind == "text":
            (folder / f"story-{number:04}.txt").write_text(as_text(title, chapters, number))
        else:
            (folder / f"story-{number:04}.epub").write_bytes(as_epub(title, chapters))
    for number in range(broken):
        suffix = ".txt" if kind == "text" else ".epub"
        (folder / f"broken-{number:02}{suffix}").write_bytes(bytes(range(256)) * (number + 2))
    return total


def run_import(folder: Path, data: Path) -> tuple[float, dict[str, object]]:
    env = {**os.environ, "FICARCHIVE_DATA": str(data)}
    env.pop("DATABASE_URL", None)
    ficarchive = [sys.executable, "-m", "ficarchive.cli"]
    subprocess.run([*ficarchive, "migrate", "-v0"], env=env, check=True)
    started = time.perf_counter()
    result = subprocess.run(
        [*ficarchive, "import", str(folder), "--author", "bench", "--json"],
        env=env,
        capture_output=True,
        text=True,
    )
    elapsed = time.perf_counter() - started
    report = json.loads(result.stdout)
    report["returncode"] = result.returncode
    return elapsed, report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--works", type=int, default=1000, help="files per folder")
    parser.add_argument("--words", type=int, default=5000, help="words per work")
    parser.add_argument("--broken", type=int, default=10, help="unreadable files per folder")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    print(f"machine: {machine()}")
    print(f"folders: {args.works} files each ({args.broken} broken), ~{args.words} words a work")
    summary = {}
    failed = False
    with tempfile.TemporaryDirectory(prefix="ficarchive-bench-") as temp:
        for kind in ("text", "epub"):
            folder = Path(temp) / kind
            words = generate(folder, args.works, args.words, args.broken, kind)
            times = []
            for run in range(1, args.runs + 1):
                elapsed, report = run_import(folder, Path(temp) / f"data-{kind}-{run}")
                counts = report["counts"]
                assert isinstance(counts, dict)
                named = {
                    Path(str(r["path"])).name
                    for r in report["results"]  # type: ignore[attr-defined]
                    if r["status"] == "failed"
                }
                expected = {p.name for p in folder.iterdir() if p.name.startswith("broken-")}
                ok = (
                    counts["imported"] == args.works - args.broken
                    and named == expected
                    and report["returncode"] == (1 if args.broken else 0)
                )
                failed |= not ok
                times.append(elapsed)
                print(
                    f"{kind:>4} run {run}: {elapsed:6.2f} s  {counts['imported']} imported, "
                    f"{counts['failed']} failed (named {len(named)} of {len(expected)} broken) "
                    f"{'ok' if ok else 'WRONG'}"
                )
            median = statistics.median(times)
            summary[kind] = {
                "median_seconds": round(median, 2),
                "files_per_second": round(args.works / median, 1),
                "words_per_second": round(words / median),
            }
    print("\nmedians:")
    for kind, numbers in summary.items():
        verdict = "PASS" if numbers["median_seconds"] < 60 * args.works / 1000 else "FAIL"
        print(
            f"  {kind:>4}: {numbers['median_seconds']:6.2f} s for {args.works} files = "
            f"{numbers['files_per_second']} files/s, {numbers['words_per_second']:,} words/s  "
            f"(target: 1,000 works in < 60 s: {verdict})"
        )
    out = ROOT / "bench" / "out"
    out.mkdir(exist_ok=True)
    stamp = re.sub(r"\D", "", time.strftime("%Y%m%d%H%M%S"))
    (out / f"imports-{stamp}.json").write_text(
        json.dumps({"machine": machine(), "args": vars(args), "summary": summary}, indent=2)
    )
    if failed:
        sys.exit("some runs imported the wrong works or did not name the broken files")


if __name__ == "__main__":
    main()
