"""The suite's shared fixtures: what every test pays for."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize(
    ("module", "loads_playwright"),
    [
        ("tests.conftest", False),  # every test: no browser, the ORM's async guard kept
        ("tests.chromium", True),  # browser tests: the guard goes only when Chromium starts
    ],
)
def test_only_a_started_browser_turns_the_orm_async_guard_off(
    module: str, loads_playwright: bool
) -> None:
    probe = (
        f"import os, sys, {module}; "
        "print('playwright' in sys.modules, 'DJANGO_ALLOW_ASYNC_UNSAFE' in os.environ)"
    )
    env = {key: value for key, value in os.environ.items() if key != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    done = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == [str(loads_playwright), "False"]
