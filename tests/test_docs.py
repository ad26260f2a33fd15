"""The README cannot drift: every option and the two quick-start commands are in it."""

from __future__ import annotations

import re
from pathlib import Path

from ficarchive.config import OPTIONS

README = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")


def test_every_environment_variable_is_in_the_configuration_table() -> None:
    documented = set(re.findall(r"^\| `([A-Z_]+)` \|", README, flags=re.MULTILINE))
    assert documented == set(OPTIONS)


def test_the_quick_start_shows_the_two_commands() -> None:
    quick_start = README.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    assert "make serve" in quick_start
    assert "make test" in quick_start


def test_every_dependency_is_justified() -> None:
    pyproject = (Path(__file__).parent.parent / "pyproject.toml").read_text()
    names = re.findall(r'^\s+"([A-Za-z0-9_-]+)', pyproject.split("[project.scripts]")[0], re.M)
    for name in names:
        assert f"**{name}**" in README, f"{name} is not justified in the README"
