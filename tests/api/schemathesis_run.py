"""Fuzz the API with schemathesis against a live `ficarchive serve`, as CI does (`.ci/run`).

    python tests/api/schemathesis_run.py [--max-examples 100] [--minimum 2000]

Builds an archive in a temporary data folder: works in a few fandoms, a series, a related link,
a restricted work and a draft whose titles are canaries (`schemathesis_hooks`), a reader and a
read token of theirs. Serves it with the API's rate limits off, then runs schemathesis over
`/api/v1/openapi.json` twice, without a token and with the reader's, every phase (examples,
coverage, fuzzing, and the stateful phase, which follows the description's links from a list to
its works and chapters), with the checks: no server error (5xx), status codes, content types,
headers and bodies as the description says, and no answer naming a work its caller may not
see. Prints the counts and exits non-zero when a check failed, a 5xx came back, a canary was
seen, or fewer than `--minimum` requests were made.
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tests.api.schemathesis_hooks import DRAFT_TITLE, RESTRICTED_TITLE  # noqa: E402

CHECKS = ",".join(
    [
        "not_a_server_error",
        "status_code_conformance",
        "content_type_conformance",
        "response_headers_conformance",
        "response_schema_conformance",
        "no_hidden_work",
    ]
)

SEED = f"""
from ficarchive.accounts import tokens
from ficarchive.accounts.services import create_user, default_pseud
from ficarchive.works.related import link_works
from ficarchive.works.services import ChapterData, WorkData, add_chapter, create_work

writer = create_user("writer", "correct horse battery staple", "writer@example.org")
reader = create_user("reader", "correct horse battery staple", "reader@example.org")
pseuds = [default_pseud(writer)]
made = []
for number, fandom in enumerate(["Good Omens", "Sherlock Holmes", "Pride and Prejudice"] * 4):
    data = WorkData(
        title=f"Work {{number}}", rating="General Audiences", fandoms=[fandom],
        characters=["Aziraphale"] if fandom == "Good Omens" else [],
        freeforms=["Fluff"], summary="<p>A summary.</p>",
        new_series_title="A Series" if number < 3 else "",
    )
    text = ChapterData(body=f"Text of work {{number}}.\\n\\nMore.")
    work = create_work(pseuds, data, text, post=True)
    if number % 3 == 0:
        add_chapter(work, ChapterData(body="The second chapter.", title="Two"))
    made.append(work)
link_works(writer, made[1], made[0], "inspired")
create_work(pseuds, WorkData(title="{RESTRICTED_TITLE}", rating="General Audiences",
    fandoms=["Good Omens"], restricted=True), ChapterData(body="Locked text."), post=True)
create_work(pseuds, WorkData(title="{DRAFT_TITLE}", rating="General Audiences",
    fandoms=["Good Omens"]), ChapterData(body="Draft text."), post=False)
print(tokens.create_token(reader, "fuzz", "write").secret)
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--max-examples", type=int, default=100)
    parser.add_argument("--minimum", type=int, default=2000, help="fewest requests to pass")
    args = parser.parse_args(argv)
    schemathesis = shutil.which("schemathesis", path=str(Path(sys.executable).parent))
    if schemathesis is None:
        print("schemathesis is not installed: pip install -e '.[dev]'", file=sys.stderr)
        return 2
    data = Path(tempfile.mkdtemp(prefix="ficarchive-fuzz-"))
    port = free_port()
    env = {
        **{k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "CACHE_URL")},
        "FICARCHIVE_DATA": str(data),
        "HOST": "127.0.0.1",
        "PORT": str(port),
        "API_RATE_TOKEN": "0",
        "API_RATE_ADDRESS": "0",
        "WEB_WORKERS": "2",
        "PYTHONPATH": str(ROOT),
        "DJANGO_SETTINGS_MODULE": "ficarchive.settings",
    }
    python = [sys.executable]
    log = data / "calls.ndjson"
    server = None
    try:
        subprocess.run([*python, "-m", "ficarchive.cli", "migrate", "-v0"], env=env, check=True)
        seeded = subprocess.run(
            [*python, "-c", "import django; django.setup()\n" + SEED],
            env=env,
            check=True,
            capture_output=True,
            text=True,
        )
        token = seeded.stdout.strip().splitlines()[-1]
        server = subprocess.Popen(
            [*python, "-m", "ficarchive.cli", "serve"],
            env=env,
            stdout=(data / "serve.log").open("w"),
            stderr=subprocess.STDOUT,
        )
        base = f"http://127.0.0.1:{port}"
        for _ in range(120):
            try:
                urllib.request.urlopen(f"{base}/api/v1/openapi.json", timeout=5).read()
                break
            except OSError:
                time.sleep(0.5)
        else:
            print((data / "serve.log").read_text(), file=sys.stderr)
            return 1
        failed = []
        runs: list[tuple[str, str, list[str]]] = [
            ("without a token", "anonymous", []),
            ("with a write token", "token", [token]),
        ]
        for label, run, headers in runs:
            command = [
                schemathesis,
                "run",
                f"{base}/api/v1/openapi.json",
                "--checks",
                CHECKS,
                "--phases",
                "examples,coverage,fuzzing,stateful",
                "--max-examples",
                str(args.max_examples),
                "--seed",
                "20261207",
                # One worker: with two threads, hypothesis's lambda descriptions raced inside
                # Python's AST module ("AST constructor recursion depth mismatch").
                "--workers",
                "1",
                "--no-color",
                "--suppress-health-check",
                "too_slow,filter_too_much",
                *[part for secret in headers for part in ("-H", f"Authorization: Bearer {secret}")],
            ]
            print(f"\n== schemathesis {label} ==", flush=True)
            fuzz_env = {
                **env,
                "SCHEMATHESIS_HOOKS": "tests.api.schemathesis_hooks",
                "FICARCHIVE_FUZZ_LOG": str(log),
                "FICARCHIVE_FUZZ_RUN": run,
            }
            done = subprocess.run(command, env=fuzz_env, check=False)
            if done.returncode != 0:
                failed.append(label)
        calls = [json.loads(line) for line in log.read_text().splitlines()] if log.exists() else []
        statuses = collections.Counter(call["status"] for call in calls)
        server_errors = sum(count for status, count in statuses.items() if status >= 500)
        leaks = [call for call in calls if call["leak"]]
        by_run = collections.Counter(call["run"] for call in calls)
        print("\nAPI fuzz run (schemathesis)")
        print(
            f"  requests:       {len(calls)} ({by_run['anonymous']} in the run without a "
            f"token, {by_run['token']} in the run with one)"
        )
        print("  by status:      " + ", ".join(f"{s}: {n}" for s, n in sorted(statuses.items())))
        print(f"  server errors:  {server_errors}")
        print(f"  privacy leaks:  {len(leaks)}")
        seen = sum(1 for call in calls if call["run"] == "token" and call["restricted"])
        print(f"  the restricted work in the token run's answers: {seen} (the check sees titles)")
        print(f"  schemathesis:   {'failures ' + ', '.join(failed) if failed else 'no failures'}")
        ok = not failed and not server_errors and not leaks and len(calls) >= args.minimum
        ok = ok and seen > 0
        if len(calls) < args.minimum:
            print(f"  FAIL: fewer than {args.minimum} requests")
        print("  " + ("PASS" if ok else "FAIL"))
        return 0 if ok else 1
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=30)
        shutil.rmtree(data, ignore_errors=True)


if __name__ == "__main__":
    raise SystemExit(main())
