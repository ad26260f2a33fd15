"""Issue 14, finding 4: how quickly others are answered while one writer imports 20 MB.

    python bench/import_stall.py [--runs N]

Runs the scenario of tests/works/import_stall.py (a real `ficarchive serve` on a scratch
SQLite archive, or on a scratch PostgreSQL database when DATABASE_URL is set; a 40-file, 20 MB
folder uploaded on the web; meanwhile 50 new visitors each log in and open the home page and a
work page) N times, and prints the machine, then per run and over all runs the median, 95th
percentile and slowest answer of the log-ins and of the pages. Target: every answer within 1 s.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ficarchive.settings")


def machine() -> str:
    cpu = "unknown CPU"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    return (
        f"{cpu}, {os.cpu_count()} cores (load {load}); {platform.platform()}; "
        f"Python {platform.python_version()}"
    )


def summary(seconds: list[float]) -> str:
    ordered = sorted(seconds)
    p95 = ordered[max(0, round(0.95 * len(ordered)) - 1)]
    return (
        f"median {statistics.median(ordered) * 1000:6.0f} ms  p95 {p95 * 1000:6.0f} ms  "
        f"slowest {ordered[-1] * 1000:6.0f} ms  ({len(ordered)} answers)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    runs = parser.parse_args().runs

    import django

    django.setup()
    from tests.works.import_stall import import_while_others_read

    engine = "PostgreSQL" if os.environ.get("DATABASE_URL") else "SQLite"
    print(f"machine: {machine()}")
    print(f"database: {engine}; {runs} runs")
    log_ins: list[float] = []
    pages: list[float] = []
    for run in range(1, runs + 1):
        with tempfile.TemporaryDirectory() as folder:
            outcome = import_while_others_read(Path(folder))
        status = outcome.answer[0][0] if outcome.answer else None
        wrong = [t for t in outcome.timings if t[2] not in (200, 302)]
        these_log_ins = [s for what, s, _ in outcome.timings if what == "log-in"]
        these_pages = [s for what, s, _ in outcome.timings if what != "log-in"]
        log_ins += these_log_ins
        pages += these_pages
        print(
            f"run {run}: import answered {status}; {len(wrong)} wrong answers; "
            f"import still running after {sum(outcome.during)} of {len(outcome.during)} visits"
        )
        print(f"  log-ins {summary(these_log_ins)}")
        print(f"  pages   {summary(these_pages)}")
    print(f"all runs: log-ins {summary(log_ins)}")
    print(f"          pages   {summary(pages)}")
    slow = sum(1 for s in log_ins + pages if s >= 1.0)
    print(f"answers of 1 s or more: {slow} of {len(log_ins) + len(pages)} (target: 0)")


if __name__ == "__main__":
    main()
