from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from ficarchive.texts.formats import formats, parse_bytes
from ficarchive.texts.formats.registry import title_from_file_name

LAYOUTS = Path(__file__).resolve().parents[1] / "fixtures" / "layouts"
STORY = "She walked to the river and sat on the bank until the light went."

BUILTIN = ["docx", "epub", "html", "markdown", "text"]


def test_the_app_registers_the_five_builtin_formats() -> None:
    assert [entry.name for entry in formats()] == BUILTIN


def _fresh(code: str) -> str:
    """What `code` prints in a new interpreter, where no app has been set up."""
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    return done.stdout.strip()


def test_the_registry_imports_no_format() -> None:
    code = (
        "import sys\n"
        "from ficarchive.texts.formats import formats\n"
        "print([e.name for e in formats()],"
        " sorted(m for m in sys.modules if m.startswith('ficarchive.texts.formats.')))"
    )
    assert _fresh(code) == "[] ['ficarchive.texts.formats.registry']"


def test_a_script_without_django_registers_them_by_importing_builtin() -> None:
    code = (
        "import ficarchive.texts.formats.builtin\n"
        "from ficarchive.texts.formats import formats\n"
        "print(' '.join(e.name for e in formats()))"
    )
    assert _fresh(code) == " ".join(BUILTIN)


@pytest.mark.parametrize(
    ("name", "title"),
    [
        ("the-runaways.txt", "The Runaways"),
        ("drafts/a_tale_of-two-cities.txt", "A Tale of Two Cities"),
        ("Rory and Jess.txt", "Rory and Jess"),
        ("MyStory.txt", "MyStory"),
    ],
)
def test_a_title_from_a_file_name_is_never_a_lower_cased_slug(name: str, title: str) -> None:
    assert title_from_file_name(name) == title


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("what-we-carried.txt", STORY.encode()),
        ("what-we-carried.md", STORY.encode()),
        ("what-we-carried.html", f"<html><body><p>{STORY}</p></body></html>".encode()),
        ("what-we-carried.docx", (LAYOUTS / "docx" / "what-we-carried.docx").read_bytes()),
    ],
)
def test_every_format_names_an_untitled_work_after_its_file_in_title_case(
    name: str, data: bytes
) -> None:
    assert parse_bytes(data, name).title == "What We Carried"
