"""bench/fuzz.py: a tiny run over every parser, and the zip-aware mutator on its own."""

from __future__ import annotations

import io
import json
import subprocess
import sys
import zipfile
from pathlib import Path
from types import ModuleType

import pytest

from ficarchive.texts.formats import formats
from tests.bench.scripts import load
from tests.texts.epub_builder import build_epub, fanfic_book

ROOT = Path(__file__).resolve().parent.parent.parent
SCRIPT = ROOT / "bench" / "fuzz.py"

pytest.importorskip("atheris")


def _fuzz_module() -> ModuleType:
    return load("fuzz")


def test_it_fuzzes_every_registered_format_for_the_inputs_asked(tmp_path: Path) -> None:
    out = tmp_path / "report.json"
    command = [sys.executable, str(SCRIPT), "--inputs", "50", "--jobs", "2"]
    command += ["--crashes", str(tmp_path / "crashes"), "--out", str(out)]
    done = subprocess.run(
        command,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    # 1 means the fuzzer found something, which is the parsers' news, not the script's failure.
    assert done.returncode in (0, 1), done.stdout + done.stderr
    report = json.loads(out.read_text())
    rows = {row["format"]: row for row in report["formats"]}
    assert set(rows) == {entry.name for entry in formats()}
    for name, row in rows.items():
        assert row["inputs"] >= 50, name
        assert row["exec_per_s"] > 0, name
        assert row["max_rss_mb"] > 0, name
        assert row["parsed"] + row["refused"] + row["crashes"] <= row["inputs"], name
    assert report["machine"]["cpu"]
    assert "exec/s" in done.stdout


def test_the_zip_mutator_changes_one_member_and_keeps_a_readable_zip() -> None:
    fuzz = _fuzz_module()
    original = build_epub(fanfic_book())
    with zipfile.ZipFile(io.BytesIO(original)) as archive:
        before = {name: archive.read(name) for name in archive.namelist()}

    def append_marker(data: bytes, max_size: int) -> bytes:
        return (data + b"<!--mutated-->")[:max_size]

    changed_members = 0
    for seed in range(40):
        mutated = fuzz.mutate_zip(original, 1_000_000, seed, append_marker)
        if not mutated.startswith(b"PK"):  # a raw mutation of the whole file
            assert mutated.endswith(b"<!--mutated-->")
            continue
        with zipfile.ZipFile(io.BytesIO(mutated)) as archive:
            after = {name: archive.read(name) for name in archive.namelist()}
        differing = [name for name in after if after[name] != before.get(name)]
        changed_members += bool(differing)
        assert len(differing) <= 1
    assert changed_members > 10


def test_a_damaged_zip_is_mutated_as_bytes() -> None:
    fuzz = _fuzz_module()
    mutated = fuzz.mutate_zip(b"PK\x03\x04 not really", 100, 3, lambda data, size: data + b"!")
    assert mutated == b"PK\x03\x04 not really!"
