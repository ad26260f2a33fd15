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


def _apps() -> list[str]:
    package = Path(__file__).parent.parent / "ficarchive"
    return sorted(path.parent.name for path in package.glob("*/apps.py"))


def test_every_command_is_in_the_commands_section() -> None:
    commands_section = README.split("## Commands", 1)[1].split("\n## ", 1)[0]
    package = Path(__file__).parent.parent / "ficarchive"
    commands = sorted(
        path.stem
        for path in package.glob("*/management/commands/*.py")
        if not path.stem.startswith("_")
    )
    assert commands, "no management commands found"
    for command in commands:
        assert f"`ficarchive {command}" in commands_section, f"`ficarchive {command}` is missing"


def test_every_app_is_named_in_the_development_section() -> None:
    development = README.split("## Development", 1)[1].split("\n## ", 1)[0]
    assert len(_apps()) >= 9
    for app in _apps():
        assert f"`{app}`" in development, f"the app `{app}` is not in the README's app list"
