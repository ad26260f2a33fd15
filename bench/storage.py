"""Stored bytes per word: story text, the search index and the overlap index, per table.

    python bench/storage.py [GUTENBERG_DIR] [--database-url URL] [--work-words 5000]
        [--chapter-words 2500] [--remix-words 0] [--no-overlap] [--out FILE]

Builds a fresh archive in a temporary data folder (SQLite, or with `--database-url` a scratch
PostgreSQL database `ficarchive_storage` on that server, dropped at the end) and writes the
Project Gutenberg novels of GUTENBERG_DIR (default ../shared/corpus/gutenberg beside the
repository) into it as posted works of `--work-words` words in chapters of `--chapter-words`,
with the rows `works.services.create_work` makes (sanitized `<p>` HTML; `bulk_create`, as
bench/overlap_scale.py writes them). The text is the books' own, not remixed: compression is
what is measured, and it is per value. `--remix-words N` adds N words of works remixed from the
books as bench/overlap_scale.py makes them (words shuffled and replaced: they compress less
than prose), for the indexes of an archive bigger than the books. Then it builds the search
index (`search.services.reindex_all`) and the overlap index (`overlap.services.reindex_all`)
and prints, with the machine:

- the chapter text: words (`count_words`, as the archive counts them), bytes of stored HTML,
  bytes the database keeps for it (`pg_column_size`: after TOAST compression, pglz by default,
  and the same values in a scratch column compressed with lz4; SQLite keeps text as it is);
- every table with its indexes (SQLite: `dbstat`; PostgreSQL: `pg_total_relation_size`, the
  heap, TOAST and indexes), grouped as story text (works_chapter), search index (search_work and
  its FTS5 shadow tables), overlap index (overlap_*) and the rest, in bytes per word of text.

See bench/README.md ("Storage per word") and docs/scaling.md.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import sqlite3
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
OUT = BENCH / "out"
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(BENCH))

import overlap_scale  # noqa: E402  (bench/overlap_scale.py: the books, the archive, the writer)

SCRATCH_DB = "ficarchive_storage"
GROUPS = (
    ("story text", ("works_chapter",)),
    ("search index", ("search_work",)),
    ("overlap index", ("overlap_",)),
)


def say(line: str = "") -> None:
    print(line, flush=True)


def machine() -> dict[str, Any]:
    cpu = "unknown CPU"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "os": platform.platform(),
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "when": datetime.now().isoformat(timespec="seconds"),
    }


def _admin(url: str, statement: str) -> None:
    import psycopg

    with psycopg.connect(url, autocommit=True) as admin:
        admin.execute(statement.encode())  # a fixed statement of ours, no parameters


def work_specs(
    books: list[overlap_scale.Book], work_words: int, chapter_words: int
) -> list[overlap_scale.WorkSpec]:
    """The books' paragraphs in order, cut into chapters and works of about the given size."""
    specs: list[overlap_scale.WorkSpec] = []
    for book in books:
        chapters: list[list[str]] = []
        chapter: list[str] = []
        words = 0
        for sentences in book.paragraphs:
            paragraph = " ".join(sentences)
            chapter.append(paragraph)
            words += len(paragraph.split())
            if words >= chapter_words:
                chapters.append(chapter)
                chapter, words = [], 0
                if len(chapters) * chapter_words >= work_words:
                    specs.append(overlap_scale.WorkSpec(chapters))
                    chapters = []
        if chapter:
            chapters.append(chapter)
        if chapters:
            specs.append(overlap_scale.WorkSpec(chapters))
    return specs


def table_sizes() -> dict[str, int]:
    """Bytes of every table with its indexes (and, on PostgreSQL, its TOAST)."""
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT c.relname, pg_total_relation_size(c.oid) FROM pg_class c "
                "JOIN pg_namespace n ON n.oid = c.relnamespace "
                "WHERE c.relkind IN ('r', 'p') AND n.nspname = 'public'"
            )
        else:
            cursor.execute(
                "SELECT m.tbl_name, SUM(d.pgsize) FROM dbstat d "
                "JOIN sqlite_master m ON m.name = d.name GROUP BY m.tbl_name"
            )
        return {str(name): int(size or 0) for name, size in cursor.fetchall()}


def table_parts() -> dict[str, dict[str, int]]:
    """PostgreSQL: each table's heap, TOAST (with its free space and visibility maps) and
    indexes, in bytes; SQLite: nothing (dbstat gives the table and its indexes together)."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return {}
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname, pg_relation_size(c.oid), "
            "pg_table_size(c.oid) - pg_relation_size(c.oid), pg_indexes_size(c.oid) "
            "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE c.relkind IN ('r', 'p') AND n.nspname = 'public'"
        )
        return {
            str(name): {"heap": int(heap), "toast": int(toast), "indexes": int(indexes)}
            for name, heap, toast, indexes in cursor.fetchall()
        }


def text_sizes() -> dict[str, int]:
    """The chapter text: bytes of HTML, and bytes the database keeps for it."""
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT SUM(octet_length(body)), SUM(pg_column_size(body)) FROM works_chapter"
            )
            html, stored = cursor.fetchone()
            cursor.execute("CREATE TEMP TABLE lz4_body (body text COMPRESSION lz4)")
            # `|| ''` makes a new value: a compressed value copied as it is keeps its method.
            cursor.execute("INSERT INTO lz4_body SELECT body || '' FROM works_chapter")
            cursor.execute("SELECT SUM(pg_column_size(body)) FROM lz4_body")
            lz4 = cursor.fetchone()[0]
            return {"html": int(html), "stored_pglz": int(stored), "stored_lz4": int(lz4)}
        cursor.execute("SELECT SUM(length(CAST(body AS BLOB))) FROM works_chapter")
        html = int(cursor.fetchone()[0])
        return {"html": html, "stored": html}


def group_of(table: str) -> str:
    for group, prefixes in GROUPS:
        if table.startswith(prefixes):
            return group
    return "the rest"


def measure(args: argparse.Namespace) -> dict[str, Any]:
    from django.db import connection

    from ficarchive.overlap import services as overlap
    from ficarchive.search import services as search
    from ficarchive.works.models import Chapter

    rng = random.Random(1)
    books = overlap_scale.load_books(args.gutenberg)
    archive = overlap_scale.make_people(rng)
    specs = work_specs(books, args.work_words, args.chapter_words)
    started = time.monotonic()
    overlap_scale.write_works(archive, specs, rng)
    if args.remix_words:
        remixer = overlap_scale.Remixer(books, rng)
        remixed = overlap_scale.work_specs(remixer, args.remix_words, rng)
        for batch in overlap_scale._batches(remixed):
            overlap_scale.write_works(archive, batch, rng)
    written = time.monotonic() - started
    words = sum(Chapter.objects.values_list("word_count", flat=True))
    chapters = Chapter.objects.count()
    say(f"{archive.works} works, {chapters} chapters, {words:,} words ({written:.1f} s)")
    started = time.monotonic()
    search.reindex_all()
    say(f"search index built ({time.monotonic() - started:.1f} s)")
    if args.overlap:
        started = time.monotonic()
        overlap.reindex_all()
        say(f"overlap index built ({time.monotonic() - started:.1f} s)")
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("VACUUM ANALYZE")
            cursor.execute("SELECT version()")
        else:
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            cursor.execute("SELECT 'SQLite ' || sqlite_version()")
        engine = str(cursor.fetchone()[0])
    tables = table_sizes()
    groups: dict[str, int] = {}
    for table, size in tables.items():
        groups[group_of(table)] = groups.get(group_of(table), 0) + size
    return {
        "engine": engine,
        "works": archive.works,
        "words": words,
        "text": text_sizes(),
        "tables": dict(sorted(tables.items(), key=lambda item: -item[1])),
        "parts": table_parts(),
        "groups": groups,
    }


def report(result: dict[str, Any]) -> None:
    words = result["words"]
    say()
    say(f"database: {result['engine']}")
    say(f"{words:,} words in {result['works']} works")
    for name, size in result["text"].items():
        say(f"  chapter text, {name:<12} {size:>14,} bytes  {size / words:6.2f} B/word")
    say()
    say(f"  {'group':<16} {'bytes':>14}  {'B/word':>7}")
    for group in [name for name, _ in GROUPS] + ["the rest"]:
        size = result["groups"].get(group, 0)
        say(f"  {group:<16} {size:>14,}  {size / words:7.2f}")
    total = sum(result["groups"].values())
    say(f"  {'all tables':<16} {total:>14,}  {total / words:7.2f}")
    say()
    say("  largest tables (with indexes and TOAST), B/word:")
    for table, size in list(result["tables"].items())[:12]:
        parts = result["parts"].get(table)
        split = (
            ", ".join(f"{name} {part / words:.2f}" for name, part in parts.items()) if parts else ""
        )
        say(f"    {table:<34} {size / words:7.2f}  {split}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "gutenberg",
        nargs="?",
        type=Path,
        default=ROOT.parent / "shared" / "corpus" / "gutenberg",
        help="folder of Project Gutenberg books, */*.txt",
    )
    parser.add_argument("--database-url", help="PostgreSQL server to use (a scratch database)")
    parser.add_argument("--work-words", type=int, default=5000, help="words a work (5000)")
    parser.add_argument("--chapter-words", type=int, default=2500, help="words a chapter (2500)")
    parser.add_argument(
        "--remix-words",
        type=int,
        default=0,
        help="also this many words of works remixed from the books (bench/overlap_scale.py's), "
        "for index sizes on a bigger archive (0)",
    )
    parser.add_argument(
        "--no-overlap", dest="overlap", action="store_false", help="skip the overlap index"
    )
    parser.add_argument("--out", type=Path, help="JSON report (bench/out/storage-<time>.json)")
    args = parser.parse_args()

    info = machine()
    say(
        f"machine: {info['cpu']}, {info['cores']} cores; {info['os']}; Python {info['python']}; "
        f"load {info['load_average']}"
    )
    url = None
    if args.database_url:
        parts = urlsplit(args.database_url)
        url = urlunsplit(parts._replace(path=f"/{SCRATCH_DB}"))
        _admin(args.database_url, f"DROP DATABASE IF EXISTS {SCRATCH_DB} WITH (FORCE)")
        _admin(args.database_url, f"CREATE DATABASE {SCRATCH_DB}")
    try:
        with tempfile.TemporaryDirectory(prefix="ficarchive-storage-") as data:
            overlap_scale.setup_django(Path(data), url)
            result = measure(args)
            from django.db import connections

            connections.close_all()
    finally:
        if args.database_url:
            _admin(args.database_url, f"DROP DATABASE IF EXISTS {SCRATCH_DB} WITH (FORCE)")
    result["machine"] = info
    report(result)
    out = args.out or OUT / f"storage-{datetime.now():%Y%m%d-%H%M%S}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2) + "\n")
    say(f"\nwritten to {out}")


if __name__ == "__main__":
    main()
