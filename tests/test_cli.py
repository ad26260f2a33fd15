"""The `ficarchive` command line itself (each command's own tests are beside its app)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def test_a_reader_that_goes_away_stops_the_command_quietly(tmp_path: Path) -> None:
    # `ficarchive check draft.txt | head`: head exits before the command writes; the command must
    # stop with the shell's "broken pipe" status, not a traceback.
    command = [sys.executable, "-c", "from ficarchive.cli import main; main(['help'])"]
    env = {**os.environ, "FICARCHIVE_DATA": str(tmp_path)}
    process = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, cwd=tmp_path
    )
    assert process.stdout is not None
    assert process.stderr is not None
    process.stdout.close()  # before Django has even started, so every write meets a closed pipe
    errors = process.stderr.read().decode()
    assert process.wait(timeout=60) == 141
    assert "Traceback" not in errors
    assert errors == ""
