"""Issue 14's hostile files: how long each takes to be refused and the memory it costs.

    python bench/hostile_files.py [--only KEY …]

For every file of the battery (built by tests/texts/hostile_files.py) it measures, each in a
fresh process so one file's memory does not hide another's:

- `child`: the way the archive reads an upload or an imported file: `ParserProcess` (a child
  process under IMPORT_PARSE_MEMORY_MB and IMPORT_PARSE_SECONDS). Seconds from handing the file
  over to the answer, and the child's peak resident memory (getrusage in the child);
- `in-process`: `parse_bytes` called in the measuring process itself (what a script calling the
  parser directly pays). Seconds, and the process's peak resident memory (getrusage), less what
  it held before (the interpreter and the file's bytes) shown apart.

Target (issue 14): every file answered in <= 5 s with a clear message, <= 300 MB peak memory in
the process that handled it. Prints the machine first, then a line a file. Then the same for
works just under the word limit (990,000 words in 50 chapters, each format), which must be read:
what the largest work the archive takes costs, so IMPORT_PARSE_MEMORY_MB and
IMPORT_PARSE_SECONDS can be set with room to spare.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    return (
        f"{cpu}, {os.cpu_count()} cores (load {load}); {platform.platform()}; "
        f"Python {platform.python_version()}"
    )


def at_the_limit(kind: str, words: int = 990_000, chapters: int = 50) -> tuple[str, bytes]:
    """A legitimate work just under the default word limit, as a writer's tool would make it."""
    from tests.texts.docx_builder import Docx, para
    from tests.texts.epub_builder import Book, Doc, build_epub
    from tests.texts.hostile_files import PARAGRAPH

    per_chapter = words // len(PARAGRAPH.split()) // chapters
    if kind == "epub":
        body = f"<p>{PARAGRAPH}</p>\n" * per_chapter
        docs = [Doc(f"c{n}.xhtml", body, f"Chapter {n}") for n in range(1, chapters + 1)]
        return "limit.epub", build_epub(Book(docs=docs))
    if kind == "docx":
        paragraphs = []
        for number in range(1, chapters + 1):
            paragraphs += [para(f"Chapter {number}", style="Heading1")]
            paragraphs += [para(PARAGRAPH)] * per_chapter
        return "limit.docx", Docx(paragraphs=paragraphs).build()
    text = "".join(
        f"Chapter {n}\n\n" + (PARAGRAPH + "\n\n") * per_chapter for n in range(1, chapters + 1)
    )
    if kind == "html":
        html = text.replace("\n\n", "</p>\n<p>")
        return "limit.html", f"<html><body><p>{html}</p></body></html>".encode()
    return "limit.txt", text.encode()


LIMIT_KINDS = ("txt", "html", "epub", "docx")


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def measure(key: str, way: str) -> dict[str, object]:
    """One file, one way, in this process (a fresh one: see main)."""
    import ficarchive.texts.formats.builtin  # noqa: F401  (no django.setup() here)
    from ficarchive.texts.formats import parse_bytes
    from ficarchive.texts.isolation import ParserProcess
    from ficarchive.texts.limits import Limits
    from ficarchive.texts.structure import ParseError
    from tests.texts.hostile_files import hostile_file

    kind = key.removeprefix("limit-")
    name, data = at_the_limit(kind) if kind in LIMIT_KINDS else hostile_file(key)
    before = _peak_mb()
    outcome = ""
    if way == "child":
        with ParserProcess(Limits()) as parser:
            parser.parse(b"Warm.", "warm.txt")  # the child's start is not the file's time
            started = time.perf_counter()
            try:
                work = parser.parse(data, name)
                outcome = f"READ: {work.word_count:,} words"
            except ParseError as error:
                outcome = error.message
            seconds = time.perf_counter() - started
            peak = parser.peak_kib / 1024
    else:
        started = time.perf_counter()
        try:
            work = parse_bytes(data, name, Limits())
            outcome = f"READ: {work.word_count:,} words"
        except ParseError as error:
            outcome = error.message
        except MemoryError:
            outcome = "MemoryError"
        seconds = time.perf_counter() - started
        peak = _peak_mb()
    return {
        "key": key,
        "name": name,
        "size_mb": len(data) / 1024 / 1024,
        "way": way,
        "seconds": seconds,
        "peak_mb": peak,
        "before_mb": before,
        "outcome": outcome,
    }


def main() -> None:
    from tests.texts.hostile_files import BUILDERS

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    keys = [*BUILDERS, *(f"limit-{kind}" for kind in LIMIT_KINDS)]
    parser.add_argument("--only", nargs="*", choices=keys, help="these files only")
    parser.add_argument("--one", nargs=2, metavar=("KEY", "WAY"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(measure(*args.one)))
        return
    print(f"# {time.strftime('%Y-%m-%d')} {machine()}")
    print(f"{'file':<22} {'MB':>6} {'way':<10} {'seconds':>8} {'peak MB':>8}  answer")
    failures = 0
    for key in args.only or keys:
        for way in ("child", "in-process"):
            done = subprocess.run(
                [sys.executable, __file__, "--one", key, way],
                capture_output=True,
                text=True,
                timeout=600,
                cwd=ROOT,
            )
            if done.returncode != 0:
                print(f"{key:<22} {way}: failed\n{done.stderr}")
                failures += 1
                continue
            row = json.loads(done.stdout.strip().splitlines()[-1])
            if key.startswith("limit"):  # must be read, within the child's default limits
                met = "READ" in row["outcome"] and row["seconds"] <= 30 and row["peak_mb"] <= 512
            else:
                met = "READ" not in row["outcome"] and row["seconds"] <= 5 and row["peak_mb"] <= 300
            failures += not met
            peak = f"{row['peak_mb']:.0f}"
            if way == "in-process":
                peak += f" ({row['before_mb']:.0f} before)"
            print(
                f"{row['name']:<22} {row['size_mb']:>6.1f} {way:<10} {row['seconds']:>8.2f} "
                f"{peak:>8}  {'' if met else 'MISSED: '}{row['outcome']}"
            )
    print(
        f"# {failures} missed (hostile: refused in <= 5 s, <= 300 MB; limit-: read within the "
        "default IMPORT_PARSE_SECONDS and IMPORT_PARSE_MEMORY_MB, 30 s and 512 MB)"
    )


if __name__ == "__main__":
    main()
