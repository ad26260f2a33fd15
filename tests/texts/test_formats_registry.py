from __future__ import annotations

import subprocess
import sys

from ficarchive.texts.formats import formats

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
