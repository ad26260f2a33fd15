"""Hostile searches: how long a query that repeats a common word takes, as the search page
reads it (the number of works and the first page of 20), logged out.

    python bench/hostile_search.py DATA_FOLDER [--database-url URL] [--runs 3]

DATA_FOLDER is an archive's data folder, e.g. the SQLite one `bench/search.py --keep-data`
keeps (`…/data-sqlite`); with `--database-url` the database is that PostgreSQL one instead
(`bench/search.py --both --keep-data` keeps `ficarchive_bench`). The queries:

    the x400     "the " typed 400 times (1.6 KB), the report's query
    the x400 +w  the same and one more word
    40 words     40 different common words (the most a query may have)

Each runs `--runs` times (the first is not counted apart: a hostile query is rarely warm), and
the script prints each one's parsed size, its times in seconds and, for a query the archive
refuses, its message. To time the code before a change, run it with PYTHONPATH pointing at a
checkout of that code (`git worktree add /tmp/before HEAD~1`). Numbers: bench/README.md.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

COMMON = (
    "the and of to a in was he she it that his her with for as had you not on at but be is "
    "him they all said one from so were there what an out have up been by no into"
).split()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data", type=Path, help="the archive's data folder")
    parser.add_argument("--database-url", help="PostgreSQL instead of the folder's SQLite")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    os.environ["FICARCHIVE_DATA"] = str(args.data)
    os.environ.pop("DATABASE_URL", None)
    os.environ.pop("DEBUG", None)
    if args.database_url:
        os.environ["DATABASE_URL"] = args.database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ficarchive.settings")
    import django

    django.setup()
    from django.contrib.auth.models import AnonymousUser
    from django.db import connection

    from ficarchive.search import services
    from ficarchive.search.paging import Matches
    from ficarchive.works.models import Work

    queries = {
        "the x400": "the " * 400,
        "the x400 +w": "the " * 400 + "candle",
        "40 words": " ".join(COMMON[:40]),
    }
    works = Work.objects.filter(posted=True).count()
    print(f"{connection.vendor}, {works:,} posted works; code from {services.__file__}")
    for name, text in queries.items():
        times: list[float] = []
        found = 0
        for _ in range(args.runs):
            started = time.perf_counter()
            try:
                results = services.search(AnonymousUser(), text.strip())
                matches = Matches(results.works)
                found = len(matches)
                list(matches[0:20])
            except services.SearchError as refused:
                print(f"{name:12} refused: {refused}")
                break
            times.append(time.perf_counter() - started)
        if times:
            shown = " ".join(f"{seconds:.3f}" for seconds in times)
            print(f"{name:12} {len(text):5} chars  {found:6} works  seconds: {shown}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
