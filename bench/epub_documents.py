"""Parse time of an EPUB with 2,000 spine documents (issue 15: under 5 s).

A big fic split per scene: one EPUB 3 book whose spine lists 2,000 documents of a paragraph or
two each, every tenth one a chapter in the table of contents. `parse_bytes` reads it three
times; the median is printed with the machine and the Python that ran it.

    python bench/epub_documents.py [--documents 2000] [--runs 3]

Run from the repository root (it builds the book with the tests' EPUB builder).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from hostile_files import machine

import ficarchive.texts.formats.builtin  # noqa: F401  (no django.setup(): register them)
from ficarchive.texts.formats import parse_bytes
from tests.texts.epub_builder import Book, Doc, build_epub

PARAGRAPHS = (
    "The lamps along the quay went out one by one, and Mara counted them the way her mother "
    "had taught her, under her breath, as if the harbour could hear.",
    "“You’re late,” said the ferryman, not unkindly. He had been waiting since the tide "
    "turned, and the rope in his hands was wet and cold.",
)


def book(documents: int) -> bytes:
    docs = []
    for number in range(1, documents + 1):
        paragraphs = PARAGRAPHS[: 1 + number % 2]
        body = "\n".join(f"<p>{number}. {text}</p>" for text in paragraphs)
        label = f"Chapter {number // 10 + 1}" if number % 10 == 1 else None
        docs.append(Doc(f"part{number:04d}.xhtml", body, label))
    return build_epub(Book(title="Two Thousand Scenes", docs=docs))


def main() -> None:
    options = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    options.add_argument("--documents", type=int, default=2000)
    options.add_argument("--runs", type=int, default=3)
    args = options.parse_args()
    data = book(args.documents)
    times = []
    for _ in range(args.runs):
        started = time.perf_counter()
        work = parse_bytes(data, "scenes.epub")
        times.append(time.perf_counter() - started)
    print(machine())
    print(
        f"{args.documents} documents, {len(data) / 1e6:.1f} MB: {len(work.chapters)} chapters, "
        f"{work.word_count} words; parse median {statistics.median(times):.2f} s "
        f"(runs: {', '.join(f'{t:.2f}' for t in times)})"
    )


if __name__ == "__main__":
    main()
