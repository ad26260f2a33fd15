"""bench/soak.py: a few seconds of mixed traffic against a fresh archive of its own."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
SCRIPT = ROOT / "bench" / "soak.py"


def test_it_soaks_a_fresh_archive_and_reads_back_every_write(tmp_path: Path) -> None:
    out = tmp_path / "report.json"
    command = [sys.executable, str(SCRIPT), "--seconds", "8", "--clients", "2", "--works", "50"]
    # Memory is sampled but not judged: eight seconds are all warm-up (models load lazily).
    command += ["--sample", "1", "--warmup", "3600", "--out", str(out)]
    database = os.environ.get("DATABASE_URL", "")
    if database.startswith(("postgres://", "postgresql://")):
        command += ["--database", database]  # a scratch database beside the tests' own
    done = subprocess.run(
        command, cwd=ROOT, capture_output=True, text=True, timeout=600, check=False
    )
    assert done.returncode == 0, done.stdout + done.stderr
    report = json.loads(out.read_text())
    kinds = report["kinds"]
    assert kinds["login"]["requests"] == 2
    assert sum(row["requests"] for row in kinds.values()) == report["total"]["requests"] > 20
    assert report["total"]["errors"] == 0
    accepted = sum(row["accepted"] for row in report["writes"].values())
    assert accepted > 0
    assert all(row["lost"] == 0 for row in report["writes"].values())
    roles = {row["role"] for row in report["memory"]}
    assert {"serve", "web worker"} <= roles
    assert all(row["samples"] for row in report["memory"])
    assert "PASS" in done.stdout
