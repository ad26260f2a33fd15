"""Coverage-guided fuzzing of every input parser with atheris (libFuzzer for Python).

    python bench/fuzz.py [--inputs 100000] [--jobs N] [--formats epub,docx,...]
                         [--slow 5] [--memory-mb 300] [--max-len 65536] [--hard-timeout 60]
                         [--corpus DIR]

Every format registered in `ficarchive.texts.formats` is fuzzed through `parse_bytes`, the one
entry point the upload form, `ficarchive import` and `ficarchive parse` share, in a child process
of its own (`--jobs` of them at once). The seed corpus is the test fixtures (tests/fixtures) and
files made by the tests' builders (tests/texts/epub_builder.py, docx_builder.py), plus a few
hand-written seeds (Markdown front matter, AO3-shaped HTML). AO3's HTML download is read by the
HTML parser, so it is a seed of the `html` format rather than a format of its own.

EPUB and DOCX are zips: their mutator opens the zip and mutates one member (or renames, drops or
repeats one), then writes the zip again, so most inputs reach the XML and HTML readers instead of
stopping at a broken central directory; one input in six is mutated as raw bytes to test the zip
reader itself.

For each input the child counts:
- a crash: any exception `parse_bytes` lets out other than `ParseError`, the parsers' own error;
- a catch-all refusal: a `ParseError` made by `parse_bytes`'s last-resort handler from a
  `LookupError`, `RecursionError`, `OSError` or a plain `ValueError` (not `DecodeError`): the user
  sees a message, but one like "could not be read as epub: 'NoneType' ...", so it is listed too;
- slow: the input took more than `--slow` seconds (5);
- memory: the process's peak resident memory while parsing it passed `--memory-mb` (300 MB). The
  peak is the kernel's high-water mark (VmHWM), reset before every input through
  /proc/self/clear_refs, so each input is measured on its own. A hard address-space limit
  (RLIMIT_AS, 1 GB above start-up) keeps a bomb from taking the machine; a MemoryError counts as
  over the limit.
A parse that hangs past `--hard-timeout` seconds, or a crash of the interpreter itself, ends the
child (libFuzzer saves the input); the parent counts it and starts the child again on the same
corpus for the remaining inputs.

Each crash, slow or memory-hungry input is saved once per distinct place under
bench/fuzz-crashes/<format>/ (git-ignored), with `<kind>-<key>.report.txt` beside it holding
the exception and traceback. Prints the machine and one line per format (inputs, executions per
second, and each count), writes it all to bench/out/fuzz-<timestamp>.json, and exits 1 when
anything was found.
See bench/README.md.
"""

from __future__ import annotations

import argparse
import contextlib
import gzip
import hashlib
import importlib.util
import io
import json
import os
import platform
import random
import re
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import traceback
import warnings
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from datetime import datetime
from importlib import metadata
from pathlib import Path
from types import FrameType
from typing import Any

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
FIXTURES = ROOT / "tests" / "fixtures"
CRASHES = BENCH / "fuzz-crashes"
OUT = BENCH / "out"
# Saved examples of one kind in one format: enough to reproduce, not enough to fill a disk.
MAX_SAVED = 25
# Room above the child's start-up address space before allocations fail (RLIMIT_AS): a bomb
# fails inside the child instead of pushing the shared machine into swap.
ADDRESS_SPACE_HEADROOM = 1024 * 1024 * 1024
STATE_BYTES = 4096

if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


# -- the machine -----------------------------------------------------------------------------


def machine() -> dict[str, Any]:
    cpu = "unknown"
    with contextlib.suppress(OSError):
        match = re.search(r"^model name\s*:\s*(.+)$", Path("/proc/cpuinfo").read_text(), re.M)
        if match:
            cpu = match.group(1).strip()
    try:
        atheris_version = metadata.version("atheris")
    except metadata.PackageNotFoundError:
        atheris_version = "not installed"
    return {
        "cpu": cpu,
        "cores": os.cpu_count() or 1,
        "python": f"{platform.python_implementation()} {platform.python_version()}",
        "atheris": atheris_version,
        "os": f"{platform.system()} {platform.release()} ({platform.machine()})",
        "load_average": [round(load, 2) for load in os.getloadavg()],
    }


# -- seeds -----------------------------------------------------------------------------------

# Hand-written seeds: shapes the fixtures lack, for the mutator to start from.
MARKDOWN_SEEDS = {
    "front-matter.md": (
        "---\ntitle: The Lamplighter's Tide\nauthor: tidewright\nrating: General Audiences\n"
        "fandoms: [Gilmore Girls]\nrelationships:\n  - Rory Gilmore/Jess Mariano\n"
        "tags: &common [fluff, angst]\nextra: *common\ncomplete: true\n---\n\n"
        "# Chapter 1\n\nRory set the book down.\n\n* * *\n\n# Chapter 2: After\n\n"
        "*The End*\n"
    ),
    "table.md": "| a | b |\n| - | - |\n| ~~x~~ | <b>y</b> |\n\nSome *text* and a [link](x).\n",
}
HTML_SEEDS = {
    "chapters.html": (
        "<html><head><title>Tide</title><meta name='author' content='tidewright'></head><body>"
        "<h1>The Tide</h1><p>A/N: for Sparrow.</p><h2>Chapter 1</h2><p>One <i>two</i>.</p>"
        "<hr><p>Three.</p><h2>Chapter 2</h2><p>Four.</p><p>The End</p></body></html>"
    ),
}
TEXT_SEEDS = {
    "chapters.txt": (
        "The Tide\nby tidewright\n\nA/N: for Sparrow.\n\nChapter 1\n\nOne two.\n\n* * *\n\n"
        "Three.\n\nChapter 2: After\n\nFour.\n\nThe End\n"
    ),
}

# libFuzzer dictionaries: tokens the formats are made of, which random byte flips rarely find.
DICTIONARIES: dict[str, list[str]] = {
    "text": ["Chapter ", "Part ", "* * *", "A/N:", "The End", "\r\n", "\n\n", "\ufeff", "by "],
    "markdown": ["---\n", "...\n", "&a ", "*a", "<<: ", "!!", "# ", "## ", "* * *", "***", "|"],
    "html": [
        "<h1>",
        "<h2>",
        "<p>",
        "</p>",
        "<hr>",
        "<br>",
        "<div class='userstuff'>",
        '<meta name="author" content="',
        "<dl class='tags'>",
        "<dt>",
        "<dd>",
        "<!DOCTYPE ",
        "&#",
        "<script>",
        "<![CDATA[",
    ],
    "epub": [
        "<?xml",
        "<!DOCTYPE",
        "<!ENTITY",
        "<itemref",
        'idref="',
        "<navPoint",
        "<nav epub:type=",
        'href="',
        "../",
        "<dc:title>",
        "<dc:subject>",
        "<spine",
        "<manifest",
        "<item ",
        'media-type="application/xhtml+xml"',
    ],
    "docx": [
        "<w:p>",
        "<w:r>",
        "<w:t>",
        "<w:pStyle w:val=",
        "Heading1",
        "<w:b/>",
        "<w:i/>",
        "<w:jc w:val=",
        "<w:tbl>",
        "<w:hyperlink r:id=",
        "<!ENTITY",
        "Target=",
    ],
}


def _fixture_seeds(extensions: tuple[str, ...], max_len: int) -> Iterator[tuple[str, bytes]]:
    for path in sorted(FIXTURES.rglob("*")):
        if not path.is_file() or path.name.startswith("LICENSE"):
            continue
        name = path.name[:-3] if path.name.endswith(".gz") else path.name
        if Path(name).suffix.lower() not in extensions:
            continue
        data = path.read_bytes()
        if path.name.endswith(".gz"):
            data = gzip.decompress(data)
        # A seed longer than the fuzzer's inputs would only be cut; cut it at a line instead.
        if len(data) > max_len:
            data = data[: data.rfind(b"\n", 0, max_len) + 1 or max_len]
        yield f"fixture-{name}", data


def _builder_seeds(format_name: str) -> Iterator[tuple[str, bytes]]:
    if format_name == "epub":
        from tests.texts.epub_builder import ao3_book, build_epub, fanfic_book

        yield "builder-fanfic-epub3.epub", build_epub(fanfic_book(), "3.0")
        yield "builder-fanfic-epub2.epub", build_epub(fanfic_book(), "2.0")
        yield "builder-ao3.epub", build_epub(ao3_book(), "3.0")
    elif format_name == "docx":
        from tests.texts.docx_builder import fanfic_docx

        yield "builder-fanfic.docx", fanfic_docx().build()
        yield "builder-fanfic-bold.docx", fanfic_docx(bold_headings=True).build()
    extra = {"markdown": MARKDOWN_SEEDS, "html": HTML_SEEDS, "text": TEXT_SEEDS}
    for name, text in extra.get(format_name, {}).items():
        yield f"handmade-{name}", text.encode("utf-8")


def write_seeds(
    format_name: str, extensions: tuple[str, ...], corpus: Path, max_len: int
) -> list[str]:
    """Writes the format's seeds into its corpus folder; their names."""
    corpus.mkdir(parents=True, exist_ok=True)
    names = []
    for name, data in [*_fixture_seeds(extensions, max_len), *_builder_seeds(format_name)]:
        (corpus / name).write_bytes(data)
        names.append(name)
    return names


# -- the zip-aware mutator -------------------------------------------------------------------


def mutate_zip(
    data: bytes, max_size: int, seed: int, mutate: Callable[[bytes, int], bytes]
) -> bytes:
    """Mutates one member of a zip and writes the zip again; raw bytes when it is no zip."""
    rng = random.Random(seed)
    if rng.random() < 1 / 6:
        return mutate(data, max_size)
    try:
        members = _zip_members(data, cap=4 * max_size)
    except Exception:  # anything a damaged zip raises: mutate it as bytes, as libFuzzer would
        return mutate(data, max_size)
    if not members:
        return mutate(data, max_size)
    index = rng.randrange(len(members))
    name, content, compression = members[index]
    action = rng.random()
    if action < 0.75:
        room = min(max_size, 2 * len(content) + 256)
        members[index] = (name, mutate(content, room), compression)
    elif action < 0.85:
        renamed = mutate(name.encode("utf-8"), len(name) + 16).decode("utf-8", "replace")
        members[index] = (renamed.replace("\x00", "") or "x", content, compression)
    elif action < 0.93:
        del members[index]
    else:
        members.insert(rng.randrange(len(members) + 1), members[index])
    try:
        written = _zip_write(members)
    except Exception:  # a name zipfile will not write: keep the input as it was, mutated
        return mutate(data, max_size)
    return written if len(written) <= max_size else mutate(data, max_size)


def _zip_members(data: bytes, cap: int) -> list[tuple[str, bytes, int]]:
    members = []
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for info in archive.infolist():
            with archive.open(info) as member:
                members.append((info.filename, member.read(cap), info.compress_type))
    return members


def _zip_write(members: list[tuple[str, bytes, int]]) -> bytes:
    buffer = io.BytesIO()
    with warnings.catch_warnings(), zipfile.ZipFile(buffer, "w") as archive:
        # A repeated member is one of the mutations; zipfile warns about it.
        warnings.simplefilter("ignore", UserWarning)
        for name, content, compression in members:
            kind = zipfile.ZIP_STORED if compression == zipfile.ZIP_STORED else zipfile.ZIP_DEFLATED
            archive.writestr(zipfile.ZipInfo(name, (1980, 1, 1, 0, 0, 0)), content, kind)
    return buffer.getvalue()


# -- the child: one format under atheris -----------------------------------------------------


@dataclass
class State:
    """A child's counters, rewritten after every input so a child that dies loses none."""

    inputs: int = 0
    parsed: int = 0
    refused: int = 0
    crashes: int = 0
    catch_all: int = 0
    slow: int = 0
    memory: int = 0
    max_seconds: float = 0.0
    max_rss_mb: float = 0.0
    parse_seconds: float = 0.0
    wall_seconds: float = 0.0


def _status_kb(field_name: str) -> int:
    match = re.search(rf"^{field_name}:\s*(\d+) kB", Path("/proc/self/status").read_text(), re.M)
    return int(match.group(1)) if match else 0


class Child:
    def __init__(self, args: argparse.Namespace, parse: Callable[[bytes, str], Any]) -> None:
        self.args = args
        self.parse = parse
        self.name = f"fuzz{args.extension}"
        self.folder = Path(args.crashes)
        self.state = State(**json.loads(Path(args.state).read_text() or "{}"))
        self.goal = self.state.inputs + args.inputs
        self.state_fd = os.open(args.state, os.O_WRONLY)
        self.events = Path(args.state).with_suffix(".events.jsonl").open("a", encoding="utf-8")
        self.seen: set[str] = set()
        self.saved: dict[str, int] = {}
        self.started = time.perf_counter()
        self.wall_before = self.state.wall_seconds
        self.limited = False

    def _limit_address_space(self) -> None:
        # Set on the first input, once atheris and libFuzzer have taken what they need.
        limit = _status_kb("VmSize") * 1024 + ADDRESS_SPACE_HEADROOM
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
        self.limited = True

    def one_input(self, data: bytes) -> None:
        if not self.limited:
            self._limit_address_space()
        state = self.state
        # The kernel's high-water mark back to the current size: VmHWM is then this input's peak.
        with open("/proc/self/clear_refs", "w") as refs:
            refs.write("5")
        started = time.perf_counter()
        kind: str = "parsed"
        error: BaseException | None = None
        try:
            self.parse(data, self.name)
        except MemoryError as exc:
            kind, error = "memory", exc
        except Exception as exc:
            kind, error = self._classify(exc)
        seconds = time.perf_counter() - started
        peak_mb = _status_kb("VmHWM") / 1024
        state.inputs += 1
        state.parse_seconds += seconds
        state.max_seconds = max(state.max_seconds, seconds)
        state.max_rss_mb = max(state.max_rss_mb, peak_mb)
        if kind == "parsed":
            state.parsed += 1
        elif kind in ("refused", "catch-all"):
            state.refused += 1
        if kind == "crash":
            state.crashes += 1
            self._record(kind, data, error, seconds, peak_mb)
        elif kind == "catch-all":
            state.catch_all += 1
            self._record(kind, data, error, seconds, peak_mb)
        if kind == "memory" or peak_mb > self.args.memory_mb:
            state.memory += 1
            self._record("memory", data, error, seconds, peak_mb)
        if seconds > self.args.slow:
            state.slow += 1
            self._record("slow", data, error, seconds, peak_mb)
        state.wall_seconds = self.wall_before + time.perf_counter() - self.started
        self._write_state()
        if state.inputs >= self.goal:
            self.events.close()
            os._exit(0)  # libFuzzer would go on; the counters are written

    def _classify(self, exc: Exception) -> tuple[str, BaseException]:
        from ficarchive.texts.decoding import DecodeError
        from ficarchive.texts.structure import ParseError

        if not isinstance(exc, ParseError):
            return "crash", exc
        cause = exc.__cause__
        generic = isinstance(cause, LookupError | RecursionError | OSError) or (
            type(cause) is ValueError and not isinstance(cause, DecodeError)
        )
        return ("catch-all", cause) if generic and cause is not None else ("refused", exc)

    def _write_state(self) -> None:
        text = json.dumps(asdict(self.state)).encode()
        os.pwrite(self.state_fd, text.ljust(STATE_BYTES), 0)

    def _record(
        self, kind: str, data: bytes, error: BaseException | None, seconds: float, peak: float
    ) -> None:
        """Saves the first input per distinct place (exception type and innermost line)."""
        place = _place(error) if error is not None else ""
        key = hashlib.sha1(f"{kind}|{place}".encode()).hexdigest()[:10]
        if kind in ("slow", "memory"):
            key = hashlib.sha1(data).hexdigest()[:10]
        first = key not in self.seen
        self.seen.add(key)
        if not first or self.saved.get(kind, 0) >= MAX_SAVED:
            return
        self.saved[kind] = self.saved.get(kind, 0) + 1
        self.folder.mkdir(parents=True, exist_ok=True)
        saved = self.folder / f"{kind}-{key}{self.args.extension}"
        saved.write_bytes(data)
        lines = [f"{kind}: {seconds:.2f} s, peak {peak:.0f} MB, {len(data)} bytes"]
        if error is not None:
            lines += traceback.format_exception(error)
        report = self.folder / f"{kind}-{key}.report.txt"
        report.write_text(lines[0] + "\n" + "".join(lines[1:]), encoding="utf-8")
        summary = f"{type(error).__name__}: {error}"[:300] if error is not None else ""
        event: dict[str, Any] = {"kind": kind, "key": key, "place": place, "error": summary}
        event |= {"file": shown(saved), "seconds": round(seconds, 2)}
        event["peak_mb"] = round(peak)
        self.events.write(json.dumps(event) + "\n")
        self.events.flush()


def _place(error: BaseException) -> str:
    """Where an exception came from: its type and the innermost frame in our code (or any)."""
    frames = traceback.extract_tb(error.__traceback__)
    ours = [frame for frame in frames if "/ficarchive/" in frame.filename]
    chosen = ours or list(frames)
    where = "?"
    if chosen:
        frame = chosen[-1]
        where = f"{Path(frame.filename).name}:{frame.lineno} {frame.name}"
    return f"{type(error).__name__} at {where}"


def run_child(args: argparse.Namespace) -> None:
    import atheris  # type: ignore[import-untyped]  # imported here: the parent runs without it

    # The parsers as production runs them: Django configured, settings read.
    os.environ["FICARCHIVE_DATA"] = args.data
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ficarchive.settings")
    os.environ.pop("DATABASE_URL", None)
    with atheris.instrument_imports(include=["ficarchive.texts", "yaml", "markdown_it"]):
        import markdown_it  # noqa: F401
        import yaml  # noqa: F401

        import ficarchive.texts.formats as formats
        import ficarchive.texts.formats.builtin  # noqa: F401  (instrumented, registered)

    import django

    django.setup()
    child = Child(args, formats.parse_bytes)
    mutator = None
    if args.zip:

        def mutator(data: bytes, max_size: int, seed: int) -> bytes:
            return mutate_zip(data, max_size, seed, atheris.Mutate)

    libfuzzer = [
        sys.argv[0],
        f"-max_len={args.max_len}",
        f"-timeout={args.hard_timeout}",
        f"-rss_limit_mb={args.memory_mb + ADDRESS_SPACE_HEADROOM // 1024 // 1024}",
        f"-artifact_prefix={args.crashes}/",
        f"-seed={args.seed}",
        "-print_final_stats=0",
    ]
    if args.dict:
        libfuzzer.append(f"-dict={args.dict}")
    libfuzzer.append(args.corpus)
    atheris.Setup(libfuzzer, child.one_input, custom_mutator=mutator)
    atheris.Fuzz()


# -- the parent: one child per format, --jobs at a time --------------------------------------


@dataclass
class Job:
    format: str
    extension: str
    zip: bool
    folder: Path
    seeds: list[str]
    state: Path
    log: Path
    process: subprocess.Popen[bytes] | None = None
    restarts: list[str] = field(default_factory=list)
    started: float = 0.0

    def counters(self) -> State:
        text = self.state.read_bytes().decode().strip()
        return State(**json.loads(text)) if text else State()

    def events(self) -> list[dict[str, Any]]:
        path = self.state.with_suffix(".events.jsonl")
        if not path.exists():
            return []
        return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def _formats(selected: str | None) -> list[tuple[str, tuple[str, ...]]]:
    import ficarchive.texts.formats.builtin  # noqa: F401
    from ficarchive.texts.formats import formats

    known = [(entry.name, entry.extensions) for entry in formats()]
    if not selected:
        return known
    wanted = [name.strip() for name in selected.split(",") if name.strip()]
    unknown = sorted(set(wanted) - {name for name, _ in known})
    if unknown:
        names = ", ".join(name for name, _ in known)
        raise SystemExit(f"fuzz: no format {', '.join(unknown)} (known: {names})")
    return [entry for entry in known if entry[0] in wanted]


def prepare(args: argparse.Namespace, work: Path) -> list[Job]:
    jobs = []
    for name, extensions in _formats(args.formats):
        folder = work / name
        corpus = folder / "corpus"
        seeds = write_seeds(name, extensions, corpus, args.max_len)
        dictionary = DICTIONARIES.get(name)
        if dictionary:
            (folder / "tokens.dict").write_text(
                "".join(f'"{_dict_escape(token)}"\n' for token in dictionary), encoding="ascii"
            )
        is_zip = any((corpus / seed).read_bytes()[:2] == b"PK" for seed in seeds)
        state = folder / "state.json"
        state.write_text("")
        jobs.append(
            Job(name, extensions[0], is_zip, folder, seeds, state, folder / "libfuzzer.log")
        )
    return jobs


def _dict_escape(token: str) -> str:
    """A token as libFuzzer's dictionary files spell it: printable ASCII, else \\xHH."""
    return "".join(
        chr(byte) if 32 <= byte < 127 and byte not in b'"\\' else f"\\x{byte:02X}"
        for byte in token.encode("utf-8")
    )


def start(job: Job, args: argparse.Namespace, data: Path) -> None:
    done = job.counters().inputs
    crashes = Path(args.crashes) / job.format
    crashes.mkdir(parents=True, exist_ok=True)
    command = [sys.executable, str(Path(__file__).resolve()), "--child", job.format]
    command += ["--extension", job.extension, "--inputs", str(args.inputs - done)]
    command += ["--state", str(job.state), "--corpus", str(job.folder / "corpus")]
    command += ["--crashes", str(crashes), "--data", str(data), "--max-len", str(args.max_len)]
    command += ["--slow", str(args.slow), "--memory-mb", str(args.memory_mb)]
    command += ["--hard-timeout", str(args.hard_timeout), "--seed", str(args.seed + done)]
    if job.zip:
        command.append("--zip")
    if (job.folder / "tokens.dict").exists():
        command += ["--dict", str(job.folder / "tokens.dict")]
    # The child's counters stay in the state file; its inputs are counted, not passed again.
    with job.log.open("ab") as log:
        job.process = subprocess.Popen(
            command, cwd=ROOT, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT
        )
    if not job.started:
        job.started = time.perf_counter()


def _count_death(job: Job, counters: State, reason: str) -> None:
    """The input that ended a child was not counted by it: count it here, by what killed it."""
    counters.inputs += 1
    if "timeout" in reason:
        counters.slow += 1
    elif "out-of-memory" in reason or "rss" in reason.lower():
        counters.memory += 1
    else:  # a deadly signal or an abort: the interpreter itself crashed
        counters.crashes += 1
    job.state.write_bytes(json.dumps(asdict(counters)).encode().ljust(STATE_BYTES))


def _death(job: Job) -> str:
    """What ended a child early, from libFuzzer's log: its error line and the saved input."""
    text = job.log.read_text(encoding="utf-8", errors="replace") if job.log.exists() else ""
    lines = text.splitlines()
    error = next((line for line in reversed(lines) if "ERROR:" in line or "ALARM:" in line), "")
    saved = next((line for line in reversed(lines) if "Test unit written to" in line), "")
    reason = error.strip()[:160] or "exited without a reason in its log"
    if saved:
        reason += f" (input: {saved.split('written to', 1)[1].strip()})"
    return reason


def run_parent(args: argparse.Namespace) -> int:
    info = machine()
    say(
        f"Machine: {info['cpu']}, {info['cores']} cores, {info['python']}, atheris "
        f"{info['atheris']}, {info['os']}, load {info['load_average']}"
    )
    if importlib.util.find_spec("atheris") is None:
        print("fuzz: atheris is not installed: pip install -e '.[dev]'", file=sys.stderr)
        return 2
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    work = Path(args.corpus) if args.corpus else Path(tempfile.mkdtemp(prefix="ficarchive-fuzz-"))
    data = work / "data"
    data.mkdir(parents=True, exist_ok=True)
    jobs = prepare(args, work)
    say(f"{args.inputs:,} inputs per format, {args.jobs} at a time; working folder {work}")
    for job in jobs:
        kind = "zip-aware" if job.zip else "bytes"
        say(f"  {job.format:9} {len(job.seeds)} seeds, {kind} mutator: {', '.join(job.seeds)}")
    waiting = list(jobs)
    running: list[Job] = []
    last_progress = time.perf_counter()
    try:
        while waiting or running:
            while waiting and len(running) < args.jobs:
                job = waiting.pop(0)
                start(job, args, data)
                running.append(job)
            time.sleep(0.5)
            for job in list(running):
                assert job.process is not None
                if job.process.poll() is None:
                    continue
                counters = job.counters()
                if job.process.returncode == 0 and counters.inputs >= args.inputs:
                    running.remove(job)
                    say(f"{job.format}: done, {_line(job, counters)}")
                    continue
                reason = _death(job)
                job.restarts.append(f"after {counters.inputs} inputs: {reason}")
                _count_death(job, counters, reason)
                say(f"{job.format}: child ended (exit {job.process.returncode}): {reason}")
                if counters.inputs == 0:
                    # It never reached an input: a set-up error, which a restart repeats.
                    say(
                        f"{job.format}: the child failed before its first input:\n"
                        + "\n".join(job.log.read_text(errors="replace").splitlines()[-15:])
                    )
                    running.remove(job)
                    continue
                if len(job.restarts) > args.max_restarts:
                    say(f"{job.format}: {args.max_restarts} restarts; giving up on it")
                    running.remove(job)
                    continue
                start(job, args, data)
            if time.perf_counter() - last_progress > args.progress:
                last_progress = time.perf_counter()
                for job in running:
                    say(f"{job.format}: {_line(job, job.counters())}")
    finally:
        for job in running:
            if job.process is not None and job.process.poll() is None:
                job.process.terminate()
                job.process.wait()
    report = summarize(args, jobs, info, stamp)
    if not args.corpus:
        shutil.rmtree(work, ignore_errors=True)
    found = sum(
        row["crashes"] + row["slow"] + row["memory"] + len(row["restarts"])
        for row in report["formats"]
    )
    short = [row["format"] for row in report["formats"] if row["inputs"] < args.inputs]
    return 1 if found or short else 0


def _line(job: Job, state: State) -> str:
    rate = state.inputs / state.wall_seconds if state.wall_seconds else 0.0
    return (
        f"{state.inputs:,} inputs, {rate:,.0f} exec/s, {state.crashes} crashes, "
        f"{state.catch_all} catch-all, {state.slow} slow, {state.memory} over memory"
    )


def summarize(
    args: argparse.Namespace, jobs: list[Job], info: dict[str, Any], stamp: str
) -> dict[str, Any]:
    rows = []
    for job in jobs:
        state = job.counters()
        events = job.events()
        rows.append(
            {
                "format": job.format,
                **asdict(state),
                "exec_per_s": round(state.inputs / state.wall_seconds, 1)
                if state.wall_seconds
                else 0.0,
                "restarts": job.restarts,
                "distinct": sorted({_event_line(event) for event in events}),
                "saved": [e["file"] for e in events],
            }
        )
    say()
    say(
        f"{'format':9} {'inputs':>8} {'exec/s':>7} {'crashes':>7} {'catch-all':>9} "
        f"{'>' + format(args.slow, 'g') + ' s':>6} {'>' + str(args.memory_mb) + ' MB':>8} "
        f"{'max s':>6} {'max MB':>6} {'restarts':>8}"
    )
    for row in rows:
        say(
            f"{row['format']:9} {row['inputs']:>8,} {row['exec_per_s']:>7,.0f} "
            f"{row['crashes']:>7} {row['catch_all']:>9} {row['slow']:>6} {row['memory']:>8} "
            f"{row['max_seconds']:>6.2f} {row['max_rss_mb']:>6.0f} {len(row['restarts']):>8}"
        )
    for row in rows:
        for line in row["distinct"]:
            say(f"  {row['format']}: {line}")
        for line in row["restarts"]:
            say(f"  {row['format']}: restarted {line}")
    if any(row["saved"] for row in rows):
        say(f"Inputs saved under {shown(Path(args.crashes))}/<format>/, each with a .report.txt")
    report = {
        "timestamp": stamp,
        "command": " ".join([Path(sys.executable).name, *sys.argv]),
        "machine": info,
        "limits": {"slow_s": args.slow, "memory_mb": args.memory_mb, "max_len": args.max_len},
        "inputs_per_format": args.inputs,
        "formats": rows,
    }
    out = Path(args.out) if args.out else OUT / f"fuzz-{stamp}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    say(f"Results written to {shown(out)}")
    return report


def _event_line(event: dict[str, Any]) -> str:
    if event["kind"] in ("slow", "memory"):
        return f"{event['kind']}: {event['seconds']} s, {event['peak_mb']} MB, {event['file']}"
    return f"{event['kind']}: {event['place']} ({event['file']})"


def shown(path: Path) -> str:
    """A path as the report prints it: from the checkout's root when it lies inside."""
    try:
        return str(path.resolve().relative_to(ROOT))
    except ValueError:
        return str(path)


def say(text: str = "") -> None:
    print(text, flush=True)


def _terminated(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt  # the parent's finally stops its children


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--inputs", type=int, default=100_000, help="inputs per format")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="formats at once")
    parser.add_argument("--formats", help="comma-separated format names (default: all)")
    parser.add_argument("--slow", type=float, default=5.0, help="seconds an input may take")
    parser.add_argument("--memory-mb", type=int, default=300, help="peak RSS an input may reach")
    parser.add_argument("--max-len", type=int, default=65536, help="largest input, in bytes")
    parser.add_argument(
        "--hard-timeout", type=int, default=60, help="seconds before a hung child is restarted"
    )
    parser.add_argument("--max-restarts", type=int, default=20, help="per format")
    parser.add_argument("--seed", type=int, default=1, help="libFuzzer's random seed")
    parser.add_argument("--progress", type=float, default=60.0, help="seconds between reports")
    parser.add_argument("--corpus", help="keep the working folder (corpus, logs) here")
    # The child's own arguments, set by the parent.
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument(
        "--crashes", default=str(CRASHES), help="where inputs that fail are saved, per format"
    )
    parser.add_argument("--out", help="the JSON report (default bench/out/fuzz-<time>.json)")
    for name in ("--extension", "--state", "--data", "--dict"):
        parser.add_argument(name, help=argparse.SUPPRESS)
    parser.add_argument("--zip", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.inputs < 1 or args.jobs < 1:
        parser.error("--inputs and --jobs must be at least 1")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.child:
        run_child(args)
        return 0
    signal.signal(signal.SIGTERM, _terminated)
    try:
        return run_parent(args)
    except KeyboardInterrupt:
        print("fuzz: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
