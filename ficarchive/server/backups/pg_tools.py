"""PostgreSQL's own client tools, `pg_dump` and `pg_restore`, for backups and restore.

A small wrapper, so that the rest of the archive never builds their command lines: it finds
them on PATH, checks their versions before they run (pg_dump refuses a server newer than
itself, and pg_restore a file written by a newer pg_dump, each with a message that does not
say what to install), and hands them the connection of DATABASE_URL with the password in the
environment rather than on the command line, where `ps` would show it.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from collections import deque
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from psycopg.conninfo import make_conninfo

# libpq parameters that DATABASE_URL carries but the tools need not repeat: the password goes
# in PGPASSWORD, and `options` holds the planner settings of the web's connections.
_LEFT_OUT = {"password", "options"}


class ToolError(Exception):
    """A client tool is missing, too old, or failed; the message says which and what to do."""


def major_version(version_line: str) -> int:
    """The major version in `pg_dump --version`'s line: "pg_dump (PostgreSQL) 15.2" -> 15.

    Releases before 10 counted two numbers as the major version; they are far too old for
    the archive (Django 5.2 needs PostgreSQL 14), so 9.6 reads as 9.
    """
    found = re.search(r"\(PostgreSQL\)\s+(\d+)", version_line)
    if found is None:
        raise ToolError(f"cannot read a PostgreSQL version in {version_line.strip()!r}")
    return int(found.group(1))


def server_major(version_number: int) -> int:
    """PostgreSQL's server_version_num (150020) as its major version (15)."""
    return version_number // 10000


def too_old(tool: str, tool_major: int, needed_major: int, what: str) -> str | None:
    """Why `tool` at `tool_major` cannot work with `what` at `needed_major`, or None."""
    if tool_major >= needed_major:
        return None
    return (
        f"{tool} on PATH is version {tool_major}, older than {what} ({needed_major}): install "
        f"PostgreSQL {needed_major}'s client tools (Debian: postgresql-client-{needed_major}) "
        "and put them first on PATH"
    )


def find(tool: str) -> tuple[str, int]:
    """The path of `tool` on PATH and its major version."""
    path = shutil.which(tool)
    if path is None:
        raise ToolError(
            f"{tool} was not found on PATH: install PostgreSQL's client tools "
            "(Debian: apt-get install postgresql-client) or add their folder to PATH"
        )
    try:
        line = subprocess.run(
            [path, "--version"], capture_output=True, text=True, check=True, timeout=30
        ).stdout
    except (OSError, subprocess.SubprocessError) as error:
        raise ToolError(f"{path} --version failed: {error}") from None
    return path, major_version(line)


def connection_arguments(database: dict[str, Any]) -> tuple[str, dict[str, str]]:
    """The `--dbname` connection string for Django's database settings, and the environment
    (with PGPASSWORD) to run a tool in."""
    params: dict[str, Any] = {
        "dbname": database["NAME"],
        "user": database.get("USER") or None,
        "host": database.get("HOST") or None,
        "port": database.get("PORT") or None,
    }
    for key, value in (database.get("OPTIONS") or {}).items():
        if key not in _LEFT_OUT and isinstance(value, str | int):
            params[key] = value
    env = dict(os.environ)
    if database.get("PASSWORD"):
        env["PGPASSWORD"] = str(database["PASSWORD"])
    return make_conninfo(**{k: v for k, v in params.items() if v is not None}), env


def entries(pg_restore: str, dump: Path, env: dict[str, str]) -> int:
    """How many items (tables, data, indexes, constraints …) a custom-format dump holds, from
    its table of contents: what restoring it will count through."""
    try:
        listing = subprocess.run(
            [pg_restore, "--list", str(dump)], capture_output=True, text=True, env=env, check=True
        ).stdout
    except (OSError, subprocess.CalledProcessError) as error:
        raise ToolError(f"{pg_restore} cannot read {dump}: {error}") from None
    return sum(1 for line in listing.splitlines() if line.strip() and not line.startswith(";"))


def run(
    tool: str,
    arguments: Sequence[str],
    env: dict[str, str],
    on_line: Callable[[str], None] | None = None,
) -> None:
    """Run a tool to its end, handing each line it writes to stderr (its --verbose account of
    what it is doing) to `on_line`; its last lines become the message when it fails."""
    try:
        process = subprocess.Popen(
            [tool, *arguments],
            stderr=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            text=True,
            env=env,
        )
    except OSError as error:
        raise ToolError(f"{tool} could not be started: {error}") from None
    assert process.stderr is not None
    last: deque[str] = deque(maxlen=3)
    for line in process.stderr:
        if "error" in line or "fatal" in line.lower() or "detail" in line.lower():
            last.append(line.strip())
        if on_line is not None:
            on_line(line)
    if process.wait() != 0:
        detail = " / ".join(last) or f"exit status {process.returncode}"
        raise ToolError(f"{Path(tool).name} failed: {detail}")
