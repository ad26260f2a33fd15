"""Running the archive's modules as a user or an operator would: in a process of their own."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def run_module(module: str, *args: str, env: Mapping[str, str], timeout: float = 120) -> str:
    """`python -m module args…` from the repository's root; its output, once it exited 0 (its
    error output is the failure's message otherwise)."""
    result = subprocess.run(
        [sys.executable, "-m", module, *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout
