"""Download generation against calibre, and cached downloads under load.

    python bench/exports.py [--words 200000] [--chapters 60] [--runs 5] [--duration 10]

1. A fresh archive (temporary data folder) gets one posted work of `--words` words in
   `--chapters` chapters, with notes, summary and tags.
2. EPUB, cold, on one core: each run is a new process pinned to CPU 0 that loads Django, reads
   the work and writes its EPUB. We report the time of the generation itself (the first in the
   process: templates compiled, nothing cached) and of the whole process.
3. calibre, in the same run and on the same core: `ebook-convert` turning the work's HTML
   download into an EPUB, as AO3 makes its files. Its time is the whole process, as AO3 runs it.
4. Cached downloads: `ficarchive serve` (SQLite, as production) answers the EPUB, made once and
   kept on disk, to `wrk` for `--duration` seconds, three times.

Medians of the runs are printed with the machine; everything is also written to bench/out/.
Target: our EPUB at least 10 times faster than calibre's conversion, cold, on one core.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import asdict
from pathlib import Path
from typing import Any

from load import (
    BenchError,
    Server,
    ficarchive,
    free_port,
    machine_info,
    run_step,
    say,
    server_env,
    wrk_run,
)

BENCH = Path(__file__).resolve().parent
OUT = BENCH / "out"
TARGET_SPEED_UP = 10.0


def _pin_to_one_core() -> None:
    os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})


# -- child modes: run inside the benchmark's archive -----------------------------------------


def _django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ficarchive.settings")
    import django

    django.setup()


def make_work(words: int, chapters: int) -> dict[str, Any]:
    """One posted work of about `words` words in `chapters` chapters; its id and counts."""
    _django()
    import random

    from generate import Prose

    from ficarchive.accounts.services import create_user, default_pseud
    from ficarchive.works.services import ChapterData, WorkData, add_chapter, create_work

    prose = Prose(random.Random(7))
    user = create_user("novelist", "a long enough password 123", "novelist@example.org")
    data = WorkData(
        title="The Long Way Back to Stars Hollow",
        summary="<p>Sixty chapters of <em>everything</em> that happened after.</p>",
        notes="<p>Thank you to everyone who read this as it was posted.</p>",
        end_notes="<p>The end, at last.</p>",
        rating="Teen And Up Audiences",
        fandoms=["Gilmore Girls"],
        relationships=["Rory Gilmore/Jess Mariano"],
        characters=["Rory Gilmore", "Jess Mariano", "Lorelai Gilmore"],
        freeforms=["Slow Burn", "Getting Back Together", "Road Trips"],
        complete=True,
        expected_chapters=chapters,
    )
    per_chapter = words // chapters
    first, _ = prose.body(per_chapter)
    work = create_work(
        [default_pseud(user)],
        data,
        ChapterData(body=first, text_format="html", title="Chapter One"),
        post=True,
    )
    for number in range(2, chapters + 1):
        body, _ = prose.body(per_chapter)
        add_chapter(
            work,
            ChapterData(
                body=body,
                text_format="html",
                title=f"Part {number}",
                notes="<p>A note before the chapter.</p>",
            ),
        )
    work.refresh_from_db()
    return {"work_id": work.pk, "words": work.word_count, "chapters": work.chapter_count}


def render_once(work_id: int, extension: str, out: str) -> dict[str, Any]:
    """Load Django, make one file cold, write it; the generation's own time."""
    _pin_to_one_core()
    _django()
    from ficarchive.exports.formats import export_format
    from ficarchive.works.models import Work

    export = export_format(extension)
    if export is None:
        raise BenchError(f"no .{extension} format")
    work = Work.objects.get(pk=work_id)
    started = time.perf_counter()
    data = export.render(work)
    seconds = time.perf_counter() - started
    Path(out).write_bytes(data)
    return {"seconds": seconds, "bytes": len(data)}


# -- the benchmark ---------------------------------------------------------------------------


def child(env: dict[str, str], *args: str) -> dict[str, Any]:
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, str(Path(__file__)), *args],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    wall = time.perf_counter() - started
    if done.returncode != 0:
        raise BenchError(f"{' '.join(args)} failed:\n{done.stdout}{done.stderr}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    result["process_seconds"] = wall
    return result


def calibre_run(program: str, source: Path, target: Path) -> float:
    environment = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    started = time.perf_counter()
    done = subprocess.run(
        [program, str(source), str(target)],
        capture_output=True,
        text=True,
        env=environment,
        preexec_fn=_pin_to_one_core,
        check=False,
    )
    seconds = time.perf_counter() - started
    if done.returncode != 0 or not target.exists():
        raise BenchError(f"ebook-convert failed:\n{done.stdout[-2000:]}{done.stderr[-2000:]}")
    target.unlink()
    return seconds


def wait_for_download(base: str, path: str, timeout: float = 300.0) -> float:
    """Ask until the file is ready (a big work's file is made by the job worker)."""
    started = time.perf_counter()
    while time.perf_counter() - started < timeout:
        try:
            with urllib.request.urlopen(base + path, timeout=60) as response:
                if response.status == 200:
                    response.read()
                    return time.perf_counter() - started
        except urllib.error.HTTPError as error:
            if error.code not in (202,):
                raise BenchError(f"GET {path} answered {error.code}") from None
        time.sleep(0.5)
    raise BenchError(f"{path} was not ready within {timeout:.0f} s")


def benchmark(args: argparse.Namespace, data: Path, report: dict[str, Any]) -> None:
    port = free_port()
    env = server_env(data, port, args.web_workers, 4)
    env["PYTHONPATH"] = os.pathsep.join([str(BENCH), env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    run_step("migrate", ficarchive("migrate", "--no-input", "--verbosity=0"), env)
    made = child(env, "--make-work", str(args.words), str(args.chapters))
    work_id = int(made["work_id"])
    report["work"] = made
    say(f"  the work: /works/{work_id}, {made['chapters']} chapters, {made['words']:,} words")

    html = data / "work.html"
    ours: list[dict[str, Any]] = []
    epub = data / "ours.epub"
    child(env, "--render", str(work_id), "html", str(html))
    say(f"\nEPUB by ficarchive, cold, one core ({args.runs} runs, each a new process):")
    for number in range(1, args.runs + 1):
        result = child(env, "--render", str(work_id), "epub", str(epub))
        ours.append(result)
        say(
            f"  run {number}: generation {result['seconds']:.3f} s, whole process "
            f"{result['process_seconds']:.2f} s, {result['bytes'] / 1024:.0f} KiB"
        )
    report["ours"] = ours

    program = shutil.which("ebook-convert")
    theirs: list[float] = []
    if program is None:
        say("\ncalibre is not installed (apt-get install calibre): no comparison this run")
    else:
        say(f"\ncalibre ebook-convert work.html → EPUB, one core ({args.runs} runs):")
        for number in range(1, args.runs + 1):
            seconds = calibre_run(program, html, data / "calibre.epub")
            theirs.append(seconds)
            say(f"  run {number}: {seconds:.2f} s")
    report["calibre_seconds"] = theirs

    server = Server(env, port, data / "server.log")
    path = f"/downloads/{work_id}/The_Long_Way_Back_to_Sta.epub"
    try:
        server.start()
        say(f"\nserve on {server.base}: ready in {server.wait_ready():.1f} s")
        made_in = wait_for_download(server.base, path)
        say(f"first download of {path}: ready after {made_in:.1f} s")
        wrk = shutil.which("wrk")
        if wrk is None:
            say("wrk is not installed (apt-get install wrk): no load test this run")
            report["cached"] = []
        else:
            say(f"wrk -t2 -c16 -d{args.duration}s on the cached EPUB (3 runs):")
            runs = []
            for number in range(1, 4):
                run = wrk_run(wrk, server.base + path, 2, 16, args.duration, server.group)
                runs.append(run)
                say(
                    f"  run {number}: {run.rps:8.1f} req/s   p50 {run.p50_ms:6.1f} ms   "
                    f"p95 {run.p95_ms:6.1f} ms   non-2xx {run.non2xx}"
                )
            report["cached"] = [asdict(run) for run in runs]
    finally:
        server.stop()

    say("\nSummary (medians)")
    generation = statistics.median(run["seconds"] for run in ours)
    process = statistics.median(run["process_seconds"] for run in ours)
    say(f"  ficarchive EPUB: generation {generation:.3f} s; whole process {process:.2f} s")
    if theirs:
        calibre = statistics.median(theirs)
        say(f"  calibre ebook-convert: {calibre:.2f} s")
        speed_up = calibre / generation
        whole = calibre / process
        say(f"  speed-up: {speed_up:.1f}x on generation, {whole:.1f}x process to process")
        say(
            f"  Target: >= {TARGET_SPEED_UP:.0f}x faster than calibre, cold, one core: "
            f"{speed_up:.1f}x -> {'PASS' if speed_up >= TARGET_SPEED_UP else 'FAIL'}"
        )
        report["speed_up"] = speed_up
    if report.get("cached"):
        rps = statistics.median(run["rps"] for run in report["cached"])
        say(f"  cached EPUB download ({ours[0]['bytes'] / 1024:.0f} KiB): {rps:.1f} req/s")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--words", type=int, default=200_000)
    parser.add_argument("--chapters", type=int, default=60)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--duration", type=int, default=10, help="seconds per wrk run")
    parser.add_argument("--web-workers", type=int, default=2)
    parser.add_argument("--keep-data", action="store_true")
    parser.add_argument("--make-work", nargs=2, type=int, help=argparse.SUPPRESS)
    parser.add_argument("--render", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.make_work:
        print(json.dumps(make_work(*args.make_work)))
        return 0
    if args.render:
        work_id, extension, out = args.render
        print(json.dumps(render_once(int(work_id), extension, out)))
        return 0

    wrk = shutil.which("wrk") or "wrk"
    machine = machine_info(wrk)
    say(
        f"machine: {machine['cpu']}, {machine['usable_cores']} usable cores, "
        f"{machine['ram_gib']} GiB; {machine['os']}; Python {machine['python']}; "
        f"code {machine['source']}"
    )
    report: dict[str, Any] = {"machine": machine}
    data = Path(tempfile.mkdtemp(prefix="ficarchive-bench-exports-"))
    try:
        benchmark(args, data, report)
    except BenchError as error:
        say(f"bench: {error}")
        return 1
    finally:
        if args.keep_data:
            say(f"data kept in {data}")
        else:
            shutil.rmtree(data, ignore_errors=True)
    OUT.mkdir(parents=True, exist_ok=True)
    out = OUT / f"exports-{time.strftime('%Y%m%d-%H%M%S')}.json"
    out.write_text(json.dumps(report, indent=2, default=str) + "\n", encoding="utf-8")
    say(f"Results written to {out.relative_to(BENCH.parent)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
