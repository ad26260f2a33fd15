"""The community benchmark: a work page with 2,000 comments, and 200 kudos at once.

    python bench/community.py [--postgres postgresql://postgres@127.0.0.1:5432/postgres]
                              [--runs 40] [--kudos 200] [--keep-data]

(a) Builds a work with 2,000 comments in 300 threads (rows made with `bulk_create`, thread by
thread and level by level) and a work with 20, then renders the first work's page through
Django's test client, logged in (no page cache), `--runs` times: prints the median and p95 in
ms, the SQL queries of that page and of the 20-comment page (they must be equal), and the
median of a logged-out reader's page from the page cache.
(b) Leaves `--kudos` kudos on one work from as many users at once, one thread and database
connection each, through `leave_kudos`: prints the rows and the work's `kudos_count` (both must
equal `--kudos`) and how long it took.

Runs on SQLite (a file database in a temporary folder, WAL) and, with `--postgres`, also on
PostgreSQL in a scratch database `bench_community` that is dropped afterwards. Each database
runs in a child process of its own. Prints the machine; exits non-zero when a check fails.
Targets: page median <= 100 ms, constant queries, 0 kudos lost.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit, urlunsplit

from search import _admin, machine, setup_django

if TYPE_CHECKING:
    from ficarchive.accounts.models import User
    from ficarchive.works.models import Work

SCRATCH_DB = "bench_community"
TARGET_MEDIAN_MS = 100.0
THREADS = 300
COMMENTS = 2000
FEW_COMMENTS = 20
FEW_THREADS = 5
COMMENTERS = 40
HOST = "localhost"  # in ALLOWED_HOSTS by default


# -- building the archive ----------------------------------------------------------------------


def _users(prefix: str, count: int) -> list[User]:
    """Users with their default pseuds, made in two bulk inserts (no password hashing)."""
    from ficarchive.accounts.models import Pseud, User

    users = User.objects.bulk_create(
        User(username=f"{prefix}{number}", email=f"{prefix}{number}@example.org", password="!")
        for number in range(count)
    )
    Pseud.objects.bulk_create(
        Pseud(user=user, name=user.username, is_default=True) for user in users
    )
    return users


def _work(title: str) -> Work:
    from ficarchive.accounts.services import create_user, default_pseud
    from ficarchive.works.models import Work
    from ficarchive.works.services import ChapterData, WorkData, create_work

    author = create_user(f"author_{title.lower().replace(' ', '_')}"[:40], None)
    data = WorkData(title=title, rating="General Audiences", fandoms=["Gilmore Girls"])
    body = "\n\n".join(f"Paragraph {number} of the story, with some words." for number in range(40))
    work = create_work([default_pseud(author)], data, ChapterData(body=body), post=True)
    return Work.objects.get(pk=work.pk)


def add_comments(work: Work, total: int, threads: int, commenters: list[User]) -> None:
    """`threads` top comments, then replies in waves, each wave answering the one before."""
    from django.db.models import F

    from ficarchive.accounts.models import Pseud
    from ficarchive.community.models import Comment
    from ficarchive.works.models import Work

    chapter = work.chapters.get()
    pseuds = {p.user_id: p for p in Pseud.objects.filter(user__in=commenters, is_default=True)}

    def made(index: int, parent: Comment | None, top: Comment | None) -> Comment:
        user = commenters[index % len(commenters)]
        return Comment(
            work=work,
            chapter=chapter,
            user=user,
            pseud=pseuds[user.pk],
            parent=parent,
            thread=top,
            depth=0 if parent is None else parent.depth + 1,
            body=f"<p>Comment {index}: I loved the part at the bridge, and the coffee.</p>",
        )

    tops = Comment.objects.bulk_create(made(index, None, None) for index in range(threads))
    Comment.objects.filter(pk__in=[top.pk for top in tops]).update(thread=F("pk"))
    for top in tops:
        top.thread = top
    count, previous, wave = len(tops), tops, 0
    while count < total:
        # Odd waves answer the previous wave (deeper threads), even waves the top comments.
        parents = previous if wave % 2 == 0 else tops
        parents = parents[: total - count]
        replies = Comment.objects.bulk_create(
            made(count + number, parent, parent.thread) for number, parent in enumerate(parents)
        )
        count += len(replies)
        previous, wave = replies, wave + 1
    Work.objects.filter(pk=work.pk).update(comments_count=total)


# -- (a) the work page ---------------------------------------------------------------------------


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def page_queries(client: Any, url: str) -> list[dict[str, str]]:
    """The SQL statements one request of the page runs, with their times (seconds)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
    if response.status_code != 200:
        raise SystemExit(f"{url} answered {response.status_code}")
    return list(context.captured_queries)


def work_page(runs: int) -> dict[str, Any]:
    from django.core.cache import cache
    from django.test import Client

    from ficarchive.community.models import Comment

    commenters = _users("reader", COMMENTERS)
    big, small = _work("Two Thousand Comments"), _work("Twenty Comments")
    started = time.perf_counter()
    add_comments(big, COMMENTS, THREADS, commenters)
    add_comments(small, FEW_COMMENTS, FEW_THREADS, commenters)
    built = time.perf_counter() - started
    made = Comment.objects.filter(work=big).count()
    threads = Comment.objects.filter(work=big, parent__isnull=True).count()

    reader = Client(HTTP_HOST=HOST)
    reader.force_login(commenters[0])
    url = big.get_absolute_url()
    for _ in range(3):  # warm: templates compiled, the reader's hit counted
        reader.get(url)
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        response = reader.get(url)
        times.append((time.perf_counter() - start) * 1000)
        if response.status_code != 200:
            raise SystemExit(f"{url} answered {response.status_code}")
    reader.get(small.get_absolute_url())
    queries_big = page_queries(reader, url)
    queries_small = page_queries(reader, small.get_absolute_url())
    slowest = sorted(queries_big, key=lambda query: -float(query["time"]))[:3]

    cache.clear()
    Client(HTTP_HOST=HOST).get(url)  # renders the page for logged-out readers, and caches it
    cached = []
    guest = Client(HTTP_HOST=HOST)  # one client: a new one would set up the middleware again
    for number in range(runs):
        guest.cookies.clear()  # each a new guest: no cookies, another address, a new hit
        address = f"10.0.{number // 250}.{number % 250 + 1}"
        start = time.perf_counter()
        guest.get(url, REMOTE_ADDR=address)
        cached.append((time.perf_counter() - start) * 1000)
    return {
        "comments": made,
        "threads": threads,
        "build_s": round(built, 2),
        "page_bytes": len(response.content),
        "median_ms": round(statistics.median(times), 1),
        "p95_ms": round(_percentile(times, 0.95), 1),
        "queries": len(queries_big),
        "queries_20_comments": len(queries_small),
        "slowest_queries": [f"{float(q['time']) * 1000:.1f} ms {q['sql'][:100]}" for q in slowest],
        "cached_median_ms": round(statistics.median(cached), 2),
    }


# -- (b) kudos at once ---------------------------------------------------------------------------


def concurrent_kudos(count: int) -> dict[str, Any]:
    from django.db import connection, connections
    from django.db.models import Prefetch

    from ficarchive.community.kudos import KudosError, leave_kudos
    from ficarchive.community.models import Kudos
    from ficarchive.works.models import Creatorship, Work

    users = _users("fan", count)
    work_id = _work("Two Hundred Kudos").pk
    work = Work.objects.prefetch_related(
        Prefetch("creatorships", queryset=Creatorship.objects.select_related("pseud"))
    ).get(pk=work_id)
    threads = count
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SHOW max_connections")
            row = cursor.fetchone()
        threads = min(count, int(row[0]) - 10) if row else count
    connections.close_all()
    start_line = threading.Barrier(threads)
    errors: list[str] = []
    lock = threading.Lock()
    mine = [users[number::threads] for number in range(threads)]

    def give(own: list[User]) -> None:
        try:
            start_line.wait()
            for user in own:
                try:
                    leave_kudos(work, user)
                except KudosError as error:
                    with lock:
                        errors.append(str(error))
        except Exception as error:  # a lost kudos must show, whatever lost it
            with lock:
                errors.append(f"{type(error).__name__}: {error}")
        finally:
            connection.close()

    workers = [threading.Thread(target=give, args=(own,)) for own in mine]
    started = time.perf_counter()
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    took = time.perf_counter() - started
    work.refresh_from_db()
    return {
        "users": count,
        "threads": threads,
        "rows": Kudos.objects.filter(work=work).count(),
        "kudos_count": work.kudos_count,
        "errors": errors[:5],
        "error_count": len(errors),
        "seconds": round(took, 2),
    }


# -- the driver ----------------------------------------------------------------------------------


def child(database_url: str | None, result: Path, runs: int, kudos: int) -> None:
    """Runs both parts in this process, on one database, and writes the result as JSON."""
    data = result.parent / f"data-{'postgresql' if database_url else 'sqlite'}"
    data.mkdir()
    setup_django(data, database_url)
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    call_command("collectstatic", interactive=False, verbosity=0)
    sqlite_mode = ""
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA journal_mode")
            row = cursor.fetchone()
            sqlite_mode = (
                f" ({row[0] if row else '?'} journal, {settings.DATABASES['default']['NAME']})"
            )
    report = {
        "database": connection.vendor + sqlite_mode,
        "work_page": work_page(runs),
        "kudos": concurrent_kudos(kudos),
    }
    result.write_text(json.dumps(report))


def _scratch_url(url: str) -> str:
    return urlunsplit(urlsplit(url)._replace(path=f"/{SCRATCH_DB}"))


def run_database(url: str | None, args: argparse.Namespace, folder: Path) -> dict[str, Any]:
    result = folder / f"result-{'postgresql' if url else 'sqlite'}.json"
    command = [sys.executable, __file__, "--child", url or "sqlite", "--result", str(result)]
    command += ["--runs", str(args.runs), "--kudos", str(args.kudos)]
    if url:
        _admin(url, f"DROP DATABASE IF EXISTS {SCRATCH_DB} WITH (FORCE)")
        _admin(url, f"CREATE DATABASE {SCRATCH_DB}")
        command[3] = _scratch_url(url)
    try:
        subprocess.run(command, check=True)
    finally:
        if url and not args.keep_data:
            _admin(url, f"DROP DATABASE IF EXISTS {SCRATCH_DB} WITH (FORCE)")
    found: dict[str, Any] = json.loads(result.read_text())
    return found


def verdicts(report: dict[str, Any], kudos: int) -> list[tuple[str, bool]]:
    page, given = report["work_page"], report["kudos"]
    return [
        (
            f"page median {page['median_ms']} ms <= {TARGET_MEDIAN_MS:.0f}",
            page["median_ms"] <= TARGET_MEDIAN_MS,
        ),
        (
            f"queries constant: {page['queries']} with {page['comments']} comments, "
            f"{page['queries_20_comments']} with {FEW_COMMENTS}",
            page["queries"] == page["queries_20_comments"],
        ),
        (
            f"kudos: {given['rows']} rows, kudos_count {given['kudos_count']}, {kudos} given",
            given["rows"] == given["kudos_count"] == kudos,
        ),
    ]


def print_report(report: dict[str, Any], kudos: int) -> bool:
    page, given = report["work_page"], report["kudos"]
    print(f"\n== {report['database']}")
    print(
        f"work page, {page['comments']} comments in {page['threads']} threads "
        f"({page['page_bytes'] // 1024} KiB, rows built in {page['build_s']} s): "
        f"median {page['median_ms']} ms, p95 {page['p95_ms']} ms, {page['queries']} queries; "
        f"{FEW_COMMENTS} comments: {page['queries_20_comments']} queries; "
        f"logged out, from the page cache: median {page['cached_median_ms']} ms"
    )
    print("  slowest queries of the page: " + "; ".join(page["slowest_queries"]))
    print(
        f"kudos: {given['users']} users in {given['threads']} threads at once: "
        f"{given['rows']} rows, kudos_count {given['kudos_count']}, "
        f"{given['error_count']} refused or failed {given['errors']}, {given['seconds']} s"
    )
    passed = True
    for text, ok in verdicts(report, kudos):
        print(f"  {'PASS' if ok else 'FAIL'}  {text}")
        passed &= ok
    return passed


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--postgres", metavar="URL", help="also run on this PostgreSQL server")
    parser.add_argument("--runs", type=int, default=40, help="timed renders of the work page")
    parser.add_argument("--kudos", type=int, default=200, help="users leaving kudos at once")
    parser.add_argument("--keep-data", action="store_true", help="keep the scratch database")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--result", help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    if args.child:
        child(
            None if args.child == "sqlite" else args.child, Path(args.result), args.runs, args.kudos
        )
        return 0
    info = machine()
    print(
        f"machine: {info['cpu']}, {info['cores']} cores, {info['ram_gb']} GiB; Python "
        f"{info['python']}, SQLite {info['sqlite']}; load average {info['load_average']}"
    )
    passed = True
    with tempfile.TemporaryDirectory(prefix="bench-community-") as folder:
        for url in [None, args.postgres] if args.postgres else [None]:
            passed &= print_report(run_database(url, args, Path(folder)), args.kudos)
    print("\nall targets met" if passed else "\nsome targets missed (FAIL above)")
    return 0 if passed else 1


if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ficarchive.settings")
    sys.exit(main())
