"""The API under load, side by side with the web pages that show the same things.

    python bench/api.py [--works 10000] [--duration 15] [--connections 16] [--runs 3]
                        [--threads 2] [--warmup 3] [--web-workers N] [--web-threads N]

Builds a fresh archive in a temporary data folder (migrate, bench/generate.py), makes a read
token for a user (`ficarchive token create`), starts `ficarchive serve` with the API's rate
limits off, and loads with wrk, in one run:

- a filtered list of works: the busiest fandom's complete works, 25 of them from the API
  (`/api/v1/works?tag=…&complete=yes&limit=25`) and the tag page with the same filter (20 a
  page, as the web shows them);
- one work with its chapters: `/api/v1/works/{id}` (the 20-chapter work: its tags, creators,
  series, stats and chapter list) and its web page, logged out;
- for comparison, no target: the same two API reads with the token (the list from the copy
  shared by signed-in callers who mute the same; the work made for that caller) and the web
  page with its page cache bypassed.

Prints the machine, every run, the medians and whether each API read is at least as fast as its
page (req/s); writes it all to bench/out/api-<timestamp>.json. See bench/README.md.
"""

from __future__ import annotations

import argparse
import json
import shutil
import signal
import sys
import tempfile
import urllib.parse
from dataclasses import asdict
from datetime import datetime
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))

from load import (  # noqa: E402  (bench/ is not a package)
    BenchError,
    PageResult,
    Server,
    _terminated,
    describe_run,
    ficarchive,
    free_port,
    machine_info,
    print_machine,
    run_step,
    say,
    say_median,
    server_env,
    wrk_run,
)

OUT = BENCH / "out"


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--works", type=int, default=10_000)
    parser.add_argument("--duration", type=int, default=15, help="seconds per wrk run (15)")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--web-workers", type=int, default=2)
    parser.add_argument("--web-threads", type=int, default=4)
    args = parser.parse_args(argv)
    if min(args.works, args.duration, args.connections, args.runs, args.threads) < 1:
        parser.error("--works, --duration, --connections, --runs and --threads must be >= 1")
    return args


def pages(work_id: int, tag_path: str, token: str) -> list[tuple[PageResult, str | None]]:
    """Each page, and the Authorization header it is sent with (None: a guest)."""
    name = urllib.parse.unquote(tag_path.split("/")[2])
    tag = urllib.parse.quote(name)
    bearer = f"Bearer {token}"
    listing = f"/api/v1/works?tag={tag}&complete=yes&limit=25"
    return [
        (PageResult("API: works of a tag, complete, 25", listing), None),
        (PageResult("web: tag page, complete (20 a page)", f"{tag_path}?complete=yes"), None),
        (PageResult("API: one work with its chapters", f"/api/v1/works/{work_id}"), None),
        (PageResult("web: the work's page", f"/works/{work_id}"), None),
        (PageResult("API with a token: works of a tag (no target)", listing), bearer),
        (PageResult("API with a token: one work (no target)", f"/api/v1/works/{work_id}"), bearer),
        (
            PageResult(
                "web: the work's page, page cache bypassed (no target)",
                f"/works/{work_id}",
                cookie="bench=uncached",
            ),
            None,
        ),
    ]


def verdicts(results: list[PageResult]) -> list[tuple[str, bool]]:
    by_name = {page.name: page.median()["rps"] for page in results}
    pairs = [
        ("API: works of a tag, complete, 25", "web: tag page, complete (20 a page)"),
        ("API: one work with its chapters", "web: the work's page"),
    ]
    lines = []
    for api, web in pairs:
        ok = by_name[api] >= by_name[web]
        lines.append((f"{api} {by_name[api]:.1f} req/s >= {web} {by_name[web]:.1f}", ok))
    return lines


def benchmark(args: argparse.Namespace, wrk: str, data: Path, report: dict[str, Any]) -> bool:
    port = free_port()
    env = server_env(data, port, args.web_workers, args.web_threads)
    env.update({"API_RATE_TOKEN": "0", "API_RATE_ADDRESS": "0"})
    run_step("migrate", ficarchive("migrate", "--no-input", "--verbosity=0"), env)
    generated = run_step(
        f"generate {args.works} works",
        [sys.executable, str(BENCH / "generate.py"), "--works", str(args.works), "--json"],
        env,
    )
    dataset: dict[str, Any] = json.loads(generated.strip().splitlines()[-1])
    report["dataset"] = dataset
    creator = run_step(
        "a user for the token",
        [
            sys.executable,
            "-c",
            "import django, os; os.environ.setdefault('DJANGO_SETTINGS_MODULE', "
            "'ficarchive.settings'); django.setup(); "
            "from ficarchive.accounts.services import create_user; "
            "print(create_user('apibench', 'correct horse battery staple', 'api@example.org'))",
        ],
        env,
    )
    say(f"  user {creator.strip()}")
    token = run_step(
        "token",
        ficarchive("token", "create", "--user", "apibench", "--scope", "read", "--name", "bench"),
        env,
    ).strip()
    work_id, tag_path = int(dataset["big_work_id"]), str(dataset["tag_path"])
    say(f"  the big work: /works/{work_id}; the busiest fandom: {tag_path}")
    server = Server(env, port, data / "server.log")
    results: list[PageResult] = []
    try:
        server.start()
        say(f"serve: ready in {server.wait_ready():.1f} s")
        chosen = pages(work_id, tag_path, token)
        for page, _ in chosen:
            server.get(page.path)  # answers 200 before it is loaded (raises otherwise)
        report["results"] = results
        say()
        say(f"wrk -t{args.threads} -c{args.connections} -d{args.duration}s --latency URL")
        for page, authorization in chosen:
            results.append(page)
            url = server.base + page.path
            header = f"Authorization: {authorization}" if authorization else None
            say(f"{page.name}: {page.path}")
            if args.warmup:
                _load(wrk, url, args, args.warmup, server, page.cookie, header)
            for number in range(1, args.runs + 1):
                run = _load(wrk, url, args, args.duration, server, page.cookie, header)
                page.runs.append(run)
                say(f"  run {number}/{args.runs}: {describe_run(run)}")
            say_median(page)
        return not any(page.failures for page in results)
    except BenchError:
        say(server.log_tail())
        raise
    finally:
        server.stop()


def _load(
    wrk: str,
    url: str,
    args: argparse.Namespace,
    seconds: int,
    server: Server,
    cookie: str | None,
    header: str | None,
) -> Any:
    return wrk_run(wrk, url, args.threads, args.connections, seconds, server.group, cookie, header)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    wrk = shutil.which("wrk")
    if wrk is None:
        print("bench: wrk is not installed (apt-get install wrk).", file=sys.stderr)
        return 2
    signal.signal(signal.SIGTERM, _terminated)
    machine = machine_info(wrk)
    print_machine(machine, args.web_workers, args.web_threads)
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    report: dict[str, Any] = {"timestamp": stamp, "machine": machine, "wrk": vars(args)}
    data = Path(tempfile.mkdtemp(prefix="ficarchive-api-bench-"))
    say(f"Data folder {data}\n")
    try:
        clean = benchmark(args, wrk, data, report)
    finally:
        shutil.rmtree(data, ignore_errors=True)
    results: list[PageResult] = report.get("results", [])
    say("\nSummary (median of the runs)")
    passed = True
    for line, ok in verdicts(results):
        say(f"Target: {line} -> {'PASS' if ok else 'FAIL'}")
        passed = passed and ok
    OUT.mkdir(exist_ok=True)
    report["results"] = [{**asdict(page), "median": page.median()} for page in results]
    path = OUT / f"api-{stamp}.json"
    path.write_text(json.dumps(report, indent=2, default=str), encoding="utf-8")
    say(f"Results written to bench/out/{path.name}")
    return 0 if clean else 1


if __name__ == "__main__":
    raise SystemExit(main())
