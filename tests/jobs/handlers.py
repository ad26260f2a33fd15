"""Job handlers for the tests whose workers run in processes of their own: what they do leaves
a trace in files named by the payload, which the test reads (a side effect outside the database,
so that "it happened once" is not only the job's own record saying so)."""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

from ficarchive.jobs.services import handler


def _append(path: str, line: str) -> int:
    """Append a line; returns how many lines the file had before."""
    file = Path(path)
    before = len(file.read_text().splitlines()) if file.exists() else 0
    with file.open("a") as out:
        out.write(line + "\n")
    return before


@handler("tests.append")
def append(payload: dict[str, Any]) -> None:
    _append(payload["path"], payload.get("line", "done"))


@handler("tests.slow")
def slow(payload: dict[str, Any]) -> None:
    """Note each start in `started`; sleep `seconds` on the first start only (the one the tests
    kill, or the one that must outlive its lease); then append to `path`."""
    first = _append(payload["started"], "started") == 0
    if first:
        time.sleep(float(payload["seconds"]))
    _append(payload["path"], "done")


@handler("tests.record")
def record(payload: dict[str, Any]) -> None:
    """Append `<n> <worker's pid>` to `path` in one write to a file opened O_APPEND, so the lines
    of workers running at once never mix, and each run of a job leaves one line."""
    fd = os.open(payload["path"], os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        os.write(fd, f"{payload['n']} {os.getpid()}\n".encode())
    finally:
        os.close(fd)
