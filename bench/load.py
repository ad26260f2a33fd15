"""The load benchmark: how many pages a second `ficarchive serve` answers, and how fast.

    python bench/load.py [--works 10000] [--duration 15] [--connections 16] [--runs 3]
                         [--threads 2] [--warmup 3] [--web-workers N] [--web-threads N]
                         [--signed-in]

Builds a fresh archive in a temporary data folder (migrate, then bench/generate.py), starts
`ficarchive serve` on a free port exactly as production would run it, and loads three pages with
wrk, `--runs` times each: the home page, the first chapter of a 20-chapter work (with its chapter
navigation) and that work in full. `--signed-in` also loads, in the same run, the home page, the
work page and the busiest fandom's tag page as a signed-in reader (bench/generate.py's
`signed_in_reader`: history on, kudos left, a bookmark, a subscription, a muted tag and a muted
user), and the tag page logged out. Prints the machine, the server settings, every run and the
median of the runs, writes it all to bench/out/load-<timestamp>.json, and exits non-zero when a
response was not 2xx or a socket error happened. See bench/README.md.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import re
import resource
import shutil
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import asdict, dataclass, field
from datetime import datetime
from importlib import metadata
from pathlib import Path
from types import FrameType
from typing import Any

BENCH = Path(__file__).resolve().parent
REPORT_LUA = BENCH / "report.lua"
OUT = BENCH / "out"
TARGET_RPS = 300.0  # requests a second on the work page, on 2 cores
# With --signed-in (issue 20), on 2 cores: the signed-in work page, and at least this share of
# the logged-out (cached) work page's rate; the signed-in home and tag pages; every page's p95.
SIGNED_IN_WORK_RPS = 600.0
SIGNED_IN_SHARE = 0.5
SIGNED_IN_LIST_RPS = 400.0
P95_LIMIT_MS = 100.0
RESULT_LINE = re.compile(r"^BENCH_RESULT (\{.*\})$", re.MULTILINE)
BIG_WORK_CHAPTERS = 20
# Cores other processes may keep busy during a run before its numbers are flagged as disturbed.
OTHER_LOAD_LIMIT = 0.15


class BenchError(Exception):
    """The benchmark could not run or its results are not valid."""


# -- the machine -----------------------------------------------------------------------------


def _read(path: str) -> str:
    try:
        return Path(path).read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""


def machine_info(wrk: str) -> dict[str, Any]:
    cpu = re.search(r"^model name\s*:\s*(.+)$", _read("/proc/cpuinfo"), re.MULTILINE)
    mem = re.search(r"^MemTotal:\s*(\d+) kB", _read("/proc/meminfo"), re.MULTILINE)
    os_name = re.search(r'^PRETTY_NAME="?([^"\n]*)"?', _read("/etc/os-release"), re.MULTILINE)
    version = subprocess.run([wrk, "--version"], capture_output=True, text=True, check=False)
    wrk_line = (version.stdout + version.stderr).strip().splitlines()
    try:
        usable = len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        usable = os.cpu_count() or 1
    return {
        "cpu": cpu.group(1).strip() if cpu else (platform.processor() or "unknown"),
        "cores": os.cpu_count() or 1,
        "usable_cores": usable,
        "ram_gib": round(int(mem.group(1)) / 1024 / 1024, 1) if mem else None,
        "os": f"{os_name.group(1) if os_name else platform.system()} "
        f"(kernel {platform.release()}, {platform.machine()})",
        "python": f"{platform.python_implementation()} {platform.python_version()}",
        "sqlite": sqlite3.sqlite_version,
        "django": metadata.version("django"),
        "gunicorn": metadata.version("gunicorn"),
        "wrk": wrk_line[0].split(" Copyright")[0] if wrk_line else "unknown",
        "source": source_version(),
    }


def source_version() -> str:
    """The checkout measured: commit, and whether the working tree had changes."""
    root = BENCH.parent
    try:
        commit = subprocess.run(
            ["git", "-C", str(root), "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "-C", str(root), "status", "--porcelain", "--untracked-files=no"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown (not a git checkout)"
    return f"{commit}{' with uncommitted changes' if dirty else ''}"


# -- where the CPU went during a run ---------------------------------------------------------


@dataclass
class CpuSample:
    """Clock ticks: the whole machine busy and idle, and each process of the server's group."""

    busy: int
    idle: int
    group: int | None  # the server's process group: its master's pid
    server: dict[int, int]  # pid -> ticks, for the master and its workers
    children: float  # seconds of CPU of this script's finished children (wrk)

    @classmethod
    def take(cls, server_group: int | None) -> CpuSample:
        fields = _read("/proc/stat").split("\n", 1)[0].split()[1:]
        ticks = [int(value) for value in fields[:8]] if len(fields) >= 8 else [0] * 8
        user, nice, system, idle, iowait, irq, softirq, steal = ticks
        usage = resource.getrusage(resource.RUSAGE_CHILDREN)
        return cls(
            busy=user + nice + system + irq + softirq + steal,
            idle=idle + iowait,
            group=server_group,
            server=_group_ticks(server_group) if server_group else {},
            children=usage.ru_utime + usage.ru_stime,
        )


def _group_ticks(group: int) -> dict[int, int]:
    """CPU ticks of each live process in one process group (the server's master and workers)."""
    ticks: dict[int, int] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        text = _read(str(stat))
        # The command name is in parentheses and may hold spaces: split after its end.
        fields = text[text.rfind(")") + 2 :].split()
        if len(fields) > 12 and fields[2] == str(group):
            ticks[int(stat.parent.name)] = int(fields[11]) + int(fields[12])
    return ticks


def cpu_used(before: CpuSample, after: CpuSample, seconds: float) -> dict[str, Any]:
    """Cores kept busy during a run: in all, by the server and each worker, by wrk, by others."""
    hz = os.sysconf("SC_CLK_TCK")
    total = (after.busy - before.busy) / hz / seconds
    per_process = {
        pid: (ticks - before.server.get(pid, 0)) / hz / seconds
        for pid, ticks in sorted(after.server.items())
    }
    server = sum(per_process.values())
    wrk = (after.children - before.children) / seconds
    return {
        "total": round(total, 2),
        "server": round(server, 2),
        "workers": [round(cores, 2) for pid, cores in per_process.items() if pid != after.group],
        "wrk": round(wrk, 2),
        "other": round(max(0.0, total - server - wrk), 2),
    }


# -- setting up and serving ------------------------------------------------------------------


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def server_env(data: Path, port: int, workers: int, threads: int) -> dict[str, str]:
    env = dict(os.environ)
    # The benchmark measures the default set-up: SQLite in its own folder, no debug pages.
    for name in ("DATABASE_URL", "DEBUG", "ALLOWED_HOSTS", "SECURE_COOKIES", "SECRET_KEY_FILE"):
        env.pop(name, None)
    env.update(
        {
            "FICARCHIVE_DATA": str(data),
            "HOST": "127.0.0.1",
            "PORT": str(port),
            "WEB_WORKERS": str(workers),
            "WEB_THREADS": str(threads),
            "PYTHONUNBUFFERED": "1",
        }
    )
    return env


def ficarchive(*args: str) -> list[str]:
    return [sys.executable, "-m", "ficarchive.cli", *args]


def run_step(label: str, command: list[str], env: dict[str, str]) -> str:
    """Run one set-up command; its stdout, or BenchError with its output when it fails."""
    started = time.perf_counter()
    say(f"{label} …")
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise BenchError(f"{label} failed ({done.returncode}):\n{done.stdout}{done.stderr}")
    say(f"{label}: done in {time.perf_counter() - started:.1f} s")
    return done.stdout


class Server:
    """`ficarchive serve` in its own process group, logging to a file."""

    def __init__(self, env: dict[str, str], port: int, log: Path) -> None:
        self.env = env
        self.base = f"http://127.0.0.1:{port}"
        self.log_path = log
        self.process: subprocess.Popen[bytes] | None = None
        self.exit_status: int | None = None

    def start(self) -> None:
        with self.log_path.open("wb") as log:
            self.process = subprocess.Popen(
                ficarchive("serve"),
                env=self.env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def wait_ready(self, timeout: float = 120.0) -> float:
        """Seconds until the home page answered 200 (serve migrates and collects static first)."""
        started = time.perf_counter()
        while time.perf_counter() - started < timeout:
            if self.process is None or self.process.poll() is not None:
                raise BenchError(f"the server exited before answering:\n{self.log_tail()}")
            try:
                with urllib.request.urlopen(self.base + "/", timeout=5) as response:
                    if response.status == 200:
                        return time.perf_counter() - started
            except urllib.error.HTTPError as error:  # up, but broken: no use waiting
                raise BenchError(
                    f"the home page answered {error.code}, not 200:\n{self.log_tail()}"
                ) from None
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            time.sleep(0.25)
        raise BenchError(f"the server did not answer within {timeout:.0f} s:\n{self.log_tail()}")

    def get(self, path: str) -> str:
        try:
            with urllib.request.urlopen(self.base + path, timeout=30) as response:
                if response.status != 200:
                    raise BenchError(f"GET {path} answered {response.status}, not 200")
                body: bytes = response.read()
                return body.decode("utf-8")
        except urllib.error.HTTPError as error:
            raise BenchError(f"GET {path} answered {error.code}, not 200") from None

    @property
    def group(self) -> int | None:
        """The server's process group (its own session: the master's pid)."""
        return self.process.pid if self.process is not None else None

    def stop(self) -> None:
        """Graceful stop (gunicorn finishes its requests on SIGTERM), then make sure."""
        process = self.process
        if process is None:
            return
        self.process = None
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                say("the server did not stop in 30 s; killing it")
        # Workers or set-up commands that outlived the master.
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(process.pid, signal.SIGKILL)
        self.exit_status = process.wait()

    def log_tail(self, lines: int = 40) -> str:
        text = (
            self.log_path.read_text(encoding="utf-8", errors="replace")
            if self.log_path.exists()
            else ""
        )
        return "\n".join(text.splitlines()[-lines:])


# -- loading ---------------------------------------------------------------------------------


@dataclass
class Run:
    requests: int
    duration_s: float
    rps: float
    bytes: int
    p50_ms: float
    p95_ms: float
    p99_ms: float
    mean_ms: float
    max_ms: float
    non2xx: int
    errors: dict[str, int]
    cpu: dict[str, Any] = field(default_factory=dict)

    @property
    def disturbed(self) -> bool:
        return bool(self.cpu.get("other", 0.0) > OTHER_LOAD_LIMIT)

    @property
    def socket_errors(self) -> int:
        # wrk's "status" errors are HTTP answers >= 400, already in non2xx.
        return sum(count for kind, count in self.errors.items() if kind != "status")


@dataclass
class PageResult:
    name: str
    path: str
    # A cookie makes the server skip its page cache for anonymous readers, as for a signed-in one.
    cookie: str | None = None
    runs: list[Run] = field(default_factory=list)
    signed_in: bool = False

    @property
    def label(self) -> str:
        if self.signed_in:
            return f"{self.path} (signed in)"
        return f"{self.path} (uncached)" if self.cookie else self.path

    def median(self) -> dict[str, float]:
        return {
            key: round(statistics.median(getattr(run, key) for run in self.runs), 2)
            for key in ("rps", "p50_ms", "p95_ms", "p99_ms")
        }

    @property
    def failures(self) -> int:
        return sum(run.non2xx + run.socket_errors for run in self.runs)


def wrk_run(
    wrk: str,
    url: str,
    threads: int,
    connections: int,
    seconds: int,
    server_group: int | None,
    cookie: str | None = None,
    header: str | None = None,
) -> Run:
    """One wrk run; `header` is one more request header ("Name: value")."""
    command = [
        wrk,
        f"-t{threads}",
        f"-c{connections}",
        f"-d{seconds}s",
        "--latency",
        "-s",
        str(REPORT_LUA),
        *(["-H", f"Cookie: {cookie}"] if cookie else []),
        *(["-H", header] if header else []),
        url,
    ]
    before = CpuSample.take(server_group)
    started = time.perf_counter()
    done = subprocess.run(
        command, capture_output=True, text=True, timeout=seconds + 120, check=False
    )
    cpu = cpu_used(before, CpuSample.take(server_group), time.perf_counter() - started)
    match = RESULT_LINE.search(done.stdout)
    if done.returncode != 0 or match is None:
        raise BenchError(
            f"{' '.join(command)} failed ({done.returncode}):\n{done.stdout}{done.stderr}"
        )
    return Run(**json.loads(match.group(1)), cpu=cpu)


def check_pages(server: Server, work_id: int) -> None:
    """Each page answers 200 with what the benchmark means to measure, before loading it."""
    home = server.get("/")
    if f'href="/works/{work_id}"' not in home and 'class="work blurb' not in home:
        raise BenchError("the home page lists no works")
    first = server.get(f"/works/{work_id}")
    if 'rel="next"' not in first or 'id="chapter-1"' not in first:
        raise BenchError(f"/works/{work_id} does not show chapter 1 with chapter navigation")
    full = server.get(f"/works/{work_id}?view_full_work=true")
    if f'id="chapter-{BIG_WORK_CHAPTERS}"' not in full:
        raise BenchError(f"/works/{work_id}?view_full_work=true does not show every chapter")


def signed_in_cookie(server: Server, session: str, work_id: int) -> str:
    """The reader's cookies as a browser sends them: the session, and the CSRF cookie the first
    page gave (a reader who signed in has it: the log-in form set it). Checks that the work page
    shows the reader's own state."""
    request = urllib.request.Request(f"{server.base}/works/{work_id}", headers={"Cookie": session})
    with urllib.request.urlopen(request, timeout=30) as response:
        page = response.read().decode("utf-8", "replace")
        csrf = [
            header.split(";", 1)[0]
            for header in response.headers.get_all("Set-Cookie") or []
            if header.startswith("csrftoken=")
        ]
    for wanted in ("Hi, benchreader!", "You left kudos", "Edit Bookmark", "Unsubscribe"):
        if wanted not in page:
            raise BenchError(f"the signed-in reader's work page lacks {wanted!r}")
    if not csrf:
        raise BenchError("the signed-in reader's work page set no CSRF cookie")
    return f"{session}; {csrf[0]}"


# -- reporting -------------------------------------------------------------------------------


def say(text: str = "") -> None:
    print(text, flush=True)


def describe_run(run: Run) -> str:
    errors = ", ".join(f"{k} {v}" for k, v in run.errors.items() if v and k != "status")
    cpu = run.cpu
    busy = (
        f"\n             CPU cores busy: server {cpu['server']:.2f} "
        f"(workers {' + '.join(f'{w:.2f}' for w in cpu['workers'])}), wrk {cpu['wrk']:.2f}, "
        f"other processes {cpu['other']:.2f}"
        f"{'  <- DISTURBED: something else was using the CPU' if run.disturbed else ''}"
        if cpu
        else ""
    )
    return (
        f"{run.rps:8.1f} req/s   p50 {run.p50_ms:7.1f} ms   p95 {run.p95_ms:7.1f} ms   "
        f"non-2xx {run.non2xx}   socket errors {run.socket_errors}"
        f"{f' ({errors})' if errors else ''}   [{run.requests} requests, "
        f"{run.bytes / max(run.requests, 1) / 1024:.0f} KiB each]{busy}"
    )


def say_median(page: PageResult) -> None:
    median = page.median()
    say(
        f"  median: {median['rps']:8.1f} req/s   p50 {median['p50_ms']:7.1f} ms   "
        f"p95 {median['p95_ms']:7.1f} ms"
    )


def print_machine(machine: dict[str, Any], workers: int, threads: int) -> None:
    say("Machine")
    say(f"  CPU       {machine['cpu']}")
    cores = f"{machine['cores']}"
    if machine["usable_cores"] != machine["cores"]:
        cores += f" ({machine['usable_cores']} usable by this process)"
    say(f"  cores     {cores}")
    say(f"  RAM       {machine['ram_gib']} GiB")
    say(f"  OS        {machine['os']}")
    say(f"  Python    {machine['python']}")
    say(f"  SQLite    {machine['sqlite']}")
    say(f"  Django    {machine['django']}, gunicorn {machine['gunicorn']}")
    say(f"  wrk       {machine['wrk']}")
    say(f"  code      ficarchive {machine['source']}")
    say("Server")
    say(f"  ficarchive serve: gunicorn gthread, {workers} workers x {threads} threads, SQLite")


def signed_in_verdicts(results: list[PageResult]) -> list[tuple[str, bool]]:
    """Issue 20's targets, each as (what was measured against what, met)."""
    by_name = {result.name: result for result in results}
    verdicts: list[tuple[str, bool]] = []
    work = by_name["signed in: work (chapter 1 of 20)"].median()["rps"]
    cached = by_name["work (chapter 1 of 20)"].median()["rps"]
    verdicts.append(
        (
            f"signed-in work page >= {SIGNED_IN_WORK_RPS:.0f} req/s: {work:.1f}",
            work >= SIGNED_IN_WORK_RPS,
        )
    )
    verdicts.append(
        (
            f"signed-in work page >= {SIGNED_IN_SHARE:.0%} of the logged-out cached one "
            f"({cached:.1f}): {work / cached:.0%}",
            work >= SIGNED_IN_SHARE * cached,
        )
    )
    for name in ("signed in: home", "signed in: tag page"):
        rps = by_name[name].median()["rps"]
        verdicts.append(
            (f"{name} >= {SIGNED_IN_LIST_RPS:.0f} req/s: {rps:.1f}", rps >= SIGNED_IN_LIST_RPS)
        )
    # Every page of the run, the one made for one reader each time (page cache bypassed) too.
    worst = max(results, key=lambda result: result.median()["p95_ms"])
    p95 = worst.median()["p95_ms"]
    verdicts.append(
        (
            f"every page's p95 <= {P95_LIMIT_MS:.0f} ms: worst {p95:.1f} ({worst.label})",
            p95 <= P95_LIMIT_MS,
        )
    )
    return verdicts


def print_summary(results: list[PageResult], work_path: str, cores: int) -> bool:
    width = max(len(result.label) for result in results) + 2
    say()
    say("Summary (median of the runs)")
    say(f"  {'page'.ljust(width)}{'req/s':>9}{'p50 ms':>10}{'p95 ms':>10}{'p99 ms':>10}  runs")
    for result in results:
        median = result.median()
        runs = ", ".join(f"{run.rps:.0f}" for run in result.runs)
        say(
            f"  {result.label.ljust(width)}{median['rps']:9.1f}{median['p50_ms']:10.1f}"
            f"{median['p95_ms']:10.1f}{median['p99_ms']:10.1f}  {runs}"
        )
    disturbed = sum(run.disturbed for result in results for run in result.runs)
    if disturbed:
        say()
        say(
            f"WARNING: during {disturbed} run(s) other processes kept more than "
            f"{OTHER_LOAD_LIMIT} cores busy; rerun on a quiet machine before trusting the numbers."
        )
    note = "" if cores == 2 else f" (this machine has {cores} cores, so compare with care)"
    say()
    passed = True
    for work in (r for r in results if r.path == work_path and not r.cookie):
        rps = work.median()["rps"]
        passed = passed and rps >= TARGET_RPS
        say(
            f"Target: >= {TARGET_RPS:.0f} requests/sec on the work page {work.label} on 2 cores: "
            f"{rps:.1f} -> {'PASS' if rps >= TARGET_RPS else 'FAIL'}{note}"
        )
    if any(result.signed_in for result in results):
        for text, met in signed_in_verdicts(results):
            passed = passed and met
            say(f"Target: {text} -> {'PASS' if met else 'FAIL'}{note}")
    return passed


# -- main ------------------------------------------------------------------------------------


def _terminated(signum: int, frame: FrameType | None) -> None:
    raise SystemExit(128 + signum)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Load-test ficarchive serve with wrk on a freshly generated archive."
    )
    parser.add_argument("--works", type=int, default=10_000, help="posted works (10000)")
    parser.add_argument("--duration", type=int, default=15, help="seconds per wrk run (15)")
    parser.add_argument("--connections", type=int, default=16, help="wrk connections (16)")
    parser.add_argument("--runs", type=int, default=3, help="wrk runs per page (3)")
    parser.add_argument("--threads", type=int, default=2, help="wrk threads (2)")
    parser.add_argument("--warmup", type=int, default=3, help="unrecorded seconds per page (3)")
    parser.add_argument(
        "--web-workers",
        type=int,
        default=int(os.environ.get("WEB_WORKERS") or os.cpu_count() or 1),
        help="server processes (WEB_WORKERS, else the core count: serve's default)",
    )
    parser.add_argument(
        "--web-threads",
        type=int,
        default=int(os.environ.get("WEB_THREADS") or 4),
        help="threads per server process (WEB_THREADS, else 4: serve's default)",
    )
    parser.add_argument("--keep-data", action="store_true", help="keep the temporary data folder")
    parser.add_argument(
        "--signed-in",
        action="store_true",
        help="also load the home, work and tag pages as a signed-in reader (issue 20's targets)",
    )
    parser.add_argument(
        "--strict", action="store_true", help="also exit non-zero when the target is missed"
    )
    args = parser.parse_args(argv)
    if min(args.duration, args.connections, args.runs, args.threads, args.works) < 1:
        parser.error("--works, --duration, --connections, --runs and --threads must be >= 1")
    if args.threads > args.connections:
        parser.error("wrk needs at least as many connections as threads")
    return args


def benchmark(args: argparse.Namespace, wrk: str, data: Path, report: dict[str, Any]) -> bool:
    """Set up, serve and load; fills `report` as it goes. True when every response was 2xx."""
    port = free_port()
    env = server_env(data, port, args.web_workers, args.web_threads)
    run_step("migrate", ficarchive("migrate", "--no-input", "--verbosity=0"), env)
    generated = run_step(
        f"generate {args.works} works",
        [
            sys.executable,
            str(BENCH / "generate.py"),
            "--works",
            str(args.works),
            "--json",
            *(["--reader"] if args.signed_in else []),
        ],
        env,
    )
    dataset: dict[str, Any] = json.loads(generated.strip().splitlines()[-1])
    database = data / "ficarchive.db"
    dataset["database_mib"] = round(database.stat().st_size / 2**20, 1)
    report["dataset"] = dataset
    say(
        f"  {dataset['works_posted']} posted works ({dataset['works_restricted']} restricted), "
        f"{dataset['drafts']} drafts, {dataset['chapters']} chapters, {dataset['words']} words, "
        f"{dataset['users']} users, {dataset['tags']} tags, {dataset['series']} series; "
        f"database {dataset['database_mib']} MiB"
    )
    work_id = int(dataset["big_work_id"])
    say(
        f"  the big work: /works/{work_id}, {dataset['big_work_chapters']} chapters, "
        f"{dataset['big_work_words']} words"
    )

    server = Server(env, port, data / "server.log")
    try:
        server.start()
        say(f"serve on {server.base} …")
        say(f"serve: ready in {server.wait_ready():.1f} s")
        check_pages(server, work_id)
        pages = [
            PageResult("home", "/"),
            PageResult("work (chapter 1 of 20)", f"/works/{work_id}"),
            PageResult("entire work", f"/works/{work_id}?view_full_work=true"),
            PageResult(
                "work, rendered each time (page cache bypassed)",
                f"/works/{work_id}",
                cookie="bench=uncached",
            ),
        ]
        if args.signed_in:
            reader = signed_in_cookie(server, str(dataset.pop("reader_cookie")), work_id)
            tag_path = str(dataset["tag_path"])
            pages.append(PageResult("tag page", tag_path))
            pages += [
                PageResult("signed in: home", "/", reader, signed_in=True),
                PageResult(
                    "signed in: work (chapter 1 of 20)", f"/works/{work_id}", reader, signed_in=True
                ),
                PageResult("signed in: tag page", tag_path, reader, signed_in=True),
            ]
        report["results"] = pages
        say()
        say(
            f"wrk -t{args.threads} -c{args.connections} -d{args.duration}s --latency "
            f"-s bench/report.lua URL   ({args.runs} runs per page after a {args.warmup} s warm-up)"
        )
        for page in pages:
            url = server.base + page.path
            shown = "signed in" if page.signed_in else f"Cookie: {page.cookie}"
            say(f"{page.name}: {page.path}" + (f"  ({shown})" if page.cookie else ""))
            if args.warmup > 0:
                wrk_run(
                    wrk, url, args.threads, args.connections, args.warmup, server.group, page.cookie
                )
            for number in range(1, args.runs + 1):
                run = wrk_run(
                    wrk,
                    url,
                    args.threads,
                    args.connections,
                    args.duration,
                    server.group,
                    page.cookie,
                )
                page.runs.append(run)
                say(f"  run {number}/{args.runs}: {describe_run(run)}")
            say_median(page)
        if any(page.failures for page in pages):
            say("\nSome responses were not 2xx or had socket errors. The server's log ends:")
            say(server.log_tail())
            return False
        return True
    except BenchError:
        say("The server's log ends:")
        say(server.log_tail())
        raise
    finally:
        server.stop()
        say(f"serve: stopped (exit status {server.exit_status})")


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    wrk = shutil.which("wrk")
    if wrk is None:
        print(
            "bench: wrk is not installed. Install it with `apt-get install wrk` "
            "(Debian/Ubuntu) and run again.",
            file=sys.stderr,
        )
        return 2
    signal.signal(signal.SIGTERM, _terminated)
    machine = machine_info(wrk)
    print_machine(machine, args.web_workers, args.web_threads)
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    report: dict[str, Any] = {
        "timestamp": stamp,
        "command": " ".join([Path(sys.executable).name, *sys.argv]),
        "machine": machine,
        "server": {"workers": args.web_workers, "threads": args.web_threads, "database": "SQLite"},
        "wrk": {
            "threads": args.threads,
            "connections": args.connections,
            "duration_s": args.duration,
            "runs": args.runs,
            "warmup_s": args.warmup,
        },
    }
    data = Path(tempfile.mkdtemp(prefix="ficarchive-bench-"))
    say(f"Data folder {data}")
    say()
    try:
        all_2xx = benchmark(args, wrk, data, report)
    except BenchError as error:
        print(f"bench: {error}", file=sys.stderr)
        return 1
    finally:
        if args.keep_data:
            say(f"kept the data folder {data}")
        else:
            shutil.rmtree(data, ignore_errors=True)

    results: list[PageResult] = report["results"]
    work_path = results[1].path
    passed = print_summary(results, work_path, machine["usable_cores"])
    report["results"] = [
        {
            "name": r.name,
            "path": r.path,
            "cookie": None if r.signed_in else r.cookie,
            "signed_in": r.signed_in,
            "median": r.median(),
            "runs": [asdict(x) for x in r.runs],
        }
        for r in results
    ]
    report["target"] = {
        "page": work_path,
        "rps": TARGET_RPS,
        "median_rps": results[1].median()["rps"],
        "passed": passed,
    }
    if args.signed_in:
        report["signed_in_targets"] = [
            {"target": text, "met": met} for text, met in signed_in_verdicts(results)
        ]
    report["all_2xx_no_errors"] = all_2xx
    OUT.mkdir(parents=True, exist_ok=True)
    out = OUT / f"load-{stamp}.json"
    out.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    say(f"Results written to {out.relative_to(BENCH.parent)}")
    if not all_2xx:
        print("bench: FAILED: some responses were not 2xx or had socket errors", file=sys.stderr)
        return 1
    if args.strict and not passed:
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
