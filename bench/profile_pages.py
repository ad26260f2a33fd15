"""Where a page's CPU time goes: the reading pages rendered in-process, counted with cProfile.

    python bench/profile_pages.py [--works 1000] [--requests 30] [--top 6] [--json PATH]

Builds a fresh archive in a temporary data folder (migrate, bench/generate.py, the search
index), then renders through Django's test client — the whole middleware stack, no network —
the work page (chapter 1 of the 20-chapter work), a chapter page, the home page, a tag page and
search results, `--requests` times each, for two readers:

- signed in: history on, a kudos given, a bookmark, a subscription, a muted tag and a muted user;
- a guest who sends a cookie, so the logged-out page cache (`server.page_cache`) is bypassed.

It prints the machine, the median CPU milliseconds per request of each page (process time, so
other processes on a shared machine matter little), and, over the signed-in requests, where the
time went: the self time of every function summed by area (template engine, ORM/SQL, sanitizer,
URL reversing, other) and the functions with the most cumulative time in each (for "other",
ficarchive's own). The first request of each page is not counted (caches warm, templates
compiled). `--profile-page NAME` profiles one page only. See bench/README.md.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import platform
import pstats
import re
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH.parent))
sys.path.insert(0, str(BENCH))

# Areas by the file a function lives in, first match wins.
AREAS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("sanitizer", ("sanitiz", "nh3", "bleach", "html5lib", "lxml")),
    ("URL reversing", ("django/urls/",)),
    ("ORM/SQL", ("django/db/", "sqlite3", "psycopg")),
    ("template engine", ("django/template/", "django/templatetags/", "django/utils/html.py")),
)


def area_of(filename: str) -> str:
    for area, needles in AREAS:
        if any(needle in filename for needle in needles):
            return area
    return "other"


def machine() -> dict[str, Any]:
    def read(path: str) -> str:
        try:
            return Path(path).read_text(encoding="utf-8", errors="replace")
        except OSError:
            return ""

    cpu = re.search(r"^model name\s*:\s*(.+)$", read("/proc/cpuinfo"), re.MULTILINE)
    return {
        "cpu": cpu.group(1).strip() if cpu else platform.processor() or "unknown",
        "cores": os.cpu_count() or 1,
        "load_1min": round(os.getloadavg()[0], 2),
        "python": platform.python_version(),
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
    }


def build(works: int) -> dict[str, Any]:
    """The archive and the signed-in reader; returns the addresses of the pages."""
    from django.core.management import call_command

    call_command("migrate", "--no-input", verbosity=0)
    call_command("collectstatic", "--no-input", verbosity=0)  # as `serve` does
    from generate import busiest_fandom_path, generate, signed_in_reader

    big = generate(works, 20, 1)

    from ficarchive.search.services import reindex_all
    from ficarchive.works.models import Work

    reindex_all()
    work = Work.objects.get(pk=big)
    reader = signed_in_reader(big)
    chapters = list(work.chapters.order_by("position").values_list("pk", flat=True))
    return {
        "reader": reader,
        "pages": {
            "work page": f"/works/{big}",
            "chapter page": f"/works/{big}/chapters/{chapters[1]}",
            "home page": "/",
            "tag page": busiest_fandom_path(),
            "search results": "/search?q=the",
        },
    }


def measure(client: Any, path: str, requests: int, profile: cProfile.Profile | None) -> list[float]:
    """CPU ms of each request after the first; profiled when `profile` is given."""
    response = client.get(path)
    if response.status_code != 200:
        raise SystemExit(f"{path} answered {response.status_code}")
    times = []
    for _ in range(requests):
        if profile is not None:
            profile.enable()
        started = time.process_time()
        response = client.get(path)
        times.append((time.process_time() - started) * 1000)
        if profile is not None:
            profile.disable()
        assert response.status_code == 200, path
    return times


def by_area(stats: pstats.Stats, top: int) -> dict[str, Any]:
    table: dict[tuple[str, int, str], tuple[Any, ...]] = stats.stats  # type: ignore[attr-defined]
    self_ms: dict[str, float] = defaultdict(float)
    functions: dict[str, list[tuple[float, str]]] = defaultdict(list)
    for (filename, line, name), (_, _, tottime, cumtime, _) in table.items():
        area = area_of(filename)
        self_ms[area] += tottime * 1000
        short = "/".join(filename.split("/")[-2:])
        if area == "other" and "/ficarchive/" not in filename:
            continue  # the request machinery around everything: our own functions say more
        functions[area].append((cumtime * 1000, f"{short}:{line}({name})"))
    total = sum(self_ms.values()) or 1.0
    return {
        area: {
            "self_ms": round(ms, 1),
            "share": round(ms / total, 3),
            "top": [
                {"cum_ms": round(cum, 1), "function": where}
                for cum, where in sorted(functions[area], reverse=True)[:top]
            ],
        }
        for area, ms in sorted(self_ms.items(), key=lambda item: -item[1])
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--works", type=int, default=1000)
    parser.add_argument("--requests", type=int, default=30)
    parser.add_argument("--top", type=int, default=6)
    parser.add_argument("--profile-page", help="profile only this page (its name, as printed)")
    parser.add_argument("--json", type=Path, help="also write the results here")
    args = parser.parse_args(argv)

    data = Path(tempfile.mkdtemp(prefix="ficarchive-profile-"))
    os.environ["FICARCHIVE_DATA"] = str(data)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ficarchive.settings")
    import django

    django.setup()
    from django.test import Client

    info = machine()
    print("machine: " + ", ".join(f"{key} {value}" for key, value in info.items()))
    started = time.perf_counter()
    built = build(args.works)
    print(f"archive: {args.works} works built in {time.perf_counter() - started:.0f} s ({data})")

    signed_in = Client(HTTP_HOST="127.0.0.1")
    signed_in.force_login(built["reader"])
    guest = Client(HTTP_HOST="127.0.0.1")
    guest.cookies["bench"] = "uncached"  # any cookie: the page cache keeps cookie-less pages only

    profile = cProfile.Profile()
    results: dict[str, Any] = {"machine": info, "works": args.works, "pages": {}}
    print(f"\nCPU ms per request, median of {args.requests} (process time)")
    print(f"{'page':<16} {'signed in':>10} {'guest':>10}")
    for name, path in built["pages"].items():
        mine = statistics.median(measure(signed_in, path, args.requests, None))
        theirs = statistics.median(measure(guest, path, args.requests, None))
        results["pages"][name] = {"path": path, "signed_in_ms": mine, "guest_ms": theirs}
        print(f"{name:<16} {mine:>10.2f} {theirs:>10.2f}")

    profiled = [path for name, path in built["pages"].items() if args.profile_page in (None, name)]
    for path in profiled:
        measure(signed_in, path, args.requests, profile)
    stats = pstats.Stats(profile)
    areas = by_area(stats, args.top)
    results["areas"] = areas
    requests = args.requests * len(profiled)
    print(f"\nSigned-in requests profiled: {requests}; self time by area (cProfile adds overhead)")
    for area, row in areas.items():
        print(f"  {area:<16} {row['self_ms'] / requests:7.2f} ms/request  {row['share']:6.1%}")
        for item in row["top"]:
            print(f"      {item['cum_ms'] / requests:7.2f} ms cumulative  {item['function']}")
    if args.json:
        args.json.write_text(json.dumps(results, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
