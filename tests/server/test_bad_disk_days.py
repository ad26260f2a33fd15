"""The archive on a bad day on disk, end to end in child processes: a full disk still serves
reading pages and answers writes 503; a read-only data folder stops start-up with one line; a
fresh data folder is private."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from tests.mounts import read_only, tmpfs

ROOT = Path(__file__).resolve().parents[2]


def _environment(data: Path) -> dict[str, str]:
    env = {**os.environ, "FICARCHIVE_DATA": str(data), "PYTHONPATH": str(ROOT)}
    env.pop("DATABASE_URL", None)  # the data folder's own SQLite database
    env.pop("DJANGO_SETTINGS_MODULE", None)
    return env


def _ficarchive(data: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "ficarchive.cli", *args],
        env=_environment(data),
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.skipif(
    "DATABASE_URL" in os.environ,
    reason="the full disk is the data folder's, so SQLite's; PostgreSQL's refused writes are "
    "tested in tests/test_storage.py",
)
def test_on_a_full_disk_reading_pages_answer_and_writes_get_503(tmp_path: Path) -> None:
    with tmpfs(tmp_path / "disk", 64 * 1024) as disk:
        done = subprocess.run(
            [sys.executable, "-m", "tests.server.full_disk_archive", str(disk)],
            env=_environment(disk / "data"),
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        assert done.returncode == 0, done.stderr[-3000:]
        found = json.loads(done.stdout.strip().splitlines()[-1])
    assert found["filled"] > 0
    answers = found["answers"]
    reads = {name: answer for name, answer in answers.items() if not name.startswith("post")}
    assert len(reads) == 18
    for name, (status, words) in reads.items():
        assert status == 200, f"{name}: {status} {words[:300]}"
    for name in ("post kudos", "post comment", "post log in"):
        status, words = answers[name]
        assert status == 503, f"{name}: {status} {words[:300]}"
        assert "The archive cannot save right now: disk full" in words
    # Nothing was half-written.
    assert found["after"] == found["before"]
    # Each refused side write (a hit, a history entry) was one line in the log, no traceback.
    assert "was not saved: disk full" in done.stderr
    assert "Traceback" not in done.stderr.split("post")[0]


def test_a_read_only_data_folder_stops_every_command_with_one_line(tmp_path: Path) -> None:
    with tmpfs(tmp_path / "disk", 1024) as disk:
        (disk / "data").mkdir()
        read_only(disk)
        for folder in (disk / "data", disk / "new"):
            for command in (["serve"], ["migrate"], ["check"]):
                done = _ficarchive(folder, *command)
                assert done.returncode == 2, command
                assert done.stderr == (
                    f"ficarchive: cannot write to {folder}: Read-only file system "
                    "(set FICARCHIVE_DATA to a writable folder)\n"
                ), command


def test_a_fresh_data_folder_and_its_database_are_private(tmp_path: Path) -> None:
    data = tmp_path / "data"
    done = _ficarchive(data, "migrate", "--verbosity", "0")
    assert done.returncode == 0, done.stderr
    modes = {
        path.name: stat.S_IMODE(path.stat().st_mode)
        for path in (data, data / "ficarchive.db", data / "secret_key")
    }
    assert modes == {"data": 0o700, "ficarchive.db": 0o600, "secret_key": 0o600}
