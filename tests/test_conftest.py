"""The suite's shared fixtures: what every test pays for."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_the_shared_fixtures_load_no_browser_and_keep_the_orm_guard() -> None:
    probe = (
        "import os, sys, tests.conftest; "
        "print('playwright' in sys.modules, 'DJANGO_ALLOW_ASYNC_UNSAFE' in os.environ)"
    )
    env = {key: value for key, value in os.environ.items() if key != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    done = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["False", "False"]


def test_the_browser_fixture_module_turns_the_guard_off_only_when_chromium_starts() -> None:
    probe = (
        "import os, sys, tests.chromium; "
        "print('playwright' in sys.modules, 'DJANGO_ALLOW_ASYNC_UNSAFE' in os.environ)"
    )
    env = {key: value for key, value in os.environ.items() if key != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    done = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["True", "False"]
