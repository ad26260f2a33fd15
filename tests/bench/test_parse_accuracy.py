"""bench/parse_accuracy.py over the labelled corpus (tests/fixtures/layouts/): every file is
labelled, nothing crashes, and issue 15's targets are met."""

from __future__ import annotations

import json
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from tests.bench.scripts import load

ROOT = Path(__file__).resolve().parent.parent.parent
SCRIPT = ROOT / "bench" / "parse_accuracy.py"
CORPUS = ROOT / "tests" / "fixtures" / "layouts"
KINDS = {
    "fanfic-txt",
    "gutenberg-txt",
    "ao3-html",
    "ao3-epub",
    "ao3-saved-page",
    "epub-edge",
    "docx",
}
NOT_CORPUS = {"builders", "__pycache__"}


def _bench() -> ModuleType:
    return load("parse_accuracy")


@pytest.fixture(scope="module")
def report() -> dict[str, Any]:
    found: dict[str, Any] = _bench().run(CORPUS)
    return found


def _corpus_files() -> list[Path]:
    return [
        path
        for folder in CORPUS.iterdir()
        if folder.is_dir() and folder.name not in NOT_CORPUS
        for path in folder.iterdir()
        if path.suffix != ".json" and path.name != "README.md"
    ]


def test_the_corpus_holds_every_kind_issue_15_asks_for() -> None:
    kinds = {p.name for p in CORPUS.iterdir() if p.is_dir() and p.name not in NOT_CORPUS}
    assert kinds == KINDS
    count = {kind: len(list((CORPUS / kind).glob("*.json"))) for kind in KINDS}
    assert count["fanfic-txt"] >= 40
    assert count["gutenberg-txt"] == 10
    assert all(count[kind] >= 3 for kind in KINDS), count


def test_every_corpus_file_has_one_well_formed_label_beside_it() -> None:
    files = _corpus_files()
    assert files
    for path in files:
        label = path.with_name(path.name.rsplit(".", 1)[0] + ".json")
        assert label.is_file(), f"{path} has no label"
        data = json.loads(label.read_text(encoding="utf-8"))
        assert data["kind"] == path.parent.name, label
        assert data["about"], label
        if "refusal" in data:
            assert data["refusal"], label
            assert all(isinstance(w, str) and w for w in data["refusal"]), label
            continue
        assert isinstance(data["title"], str), label
        assert data["title"], label
        assert all(isinstance(a, str) and a for a in data["authors"]), label
        assert data["chapters"] == len(data["chapter_titles"]) >= 1, label
        for title in data["chapter_titles"]:
            accepted = title if isinstance(title, list) else [title]
            assert accepted, label
            assert all(isinstance(t, str) for t in accepted), label
        assert isinstance(data["words"], int), label
        assert data["words"] > 0, label
    labels = {p for p in CORPUS.glob("*/*.json") if p.parent.name not in NOT_CORPUS}
    assert len(labels) == len(files), "a label without its file"


def test_a_bare_chapter_label_and_its_title_compare_as_the_same_title() -> None:
    bench = _bench()
    assert bench.title_matches("Chapter 4: The Bridge", "The Bridge")
    assert bench.title_matches("Chapter One", "")
    assert bench.title_matches("Part One: Arrivals", ["Arrivals", "Part One: Arrivals"])
    assert not bench.title_matches("Prologue", "")
    assert not bench.title_matches("The Ferry", "The Far Bank")


def test_the_benchmark_reads_every_corpus_file_without_a_crash(report: dict[str, Any]) -> None:
    assert len(report["files"]) == len(_corpus_files())
    crashes = [
        f"{r['kind']}/{r['name']}: {r['misses']}"
        for r in report["files"]
        if r["outcome"] == "crashed"
    ]
    assert crashes == []
    assert report["machine"]["python"]
    assert set(report["kinds"]) == KINDS


def test_it_writes_the_report_as_json_and_prints_the_table(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "report.json"
    assert _bench().main(["--kind", "docx", "--json", str(out), "--verbose"]) == 0
    printed = capsys.readouterr().out
    assert "| docx | 6 |" in printed
    assert "Python" in printed
    assert json.loads(out.read_text())["kinds"]["docx"]["files"] == 6


def _share(report: dict[str, Any], kind: str, column: str) -> float:
    row = report["kinds"][kind]
    return float(row[column] / row["works"])


def test_every_fan_fiction_layout_gets_its_exact_chapter_count(report: dict[str, Any]) -> None:
    assert _share(report, "fanfic-txt", "chapters") == 1.0


def test_gutenberg_books_get_their_exact_chapter_count_at_least_95_percent(
    report: dict[str, Any],
) -> None:
    assert _share(report, "gutenberg-txt", "chapters") >= 0.95


def test_the_gutenberg_licence_is_never_in_the_text(report: dict[str, Any]) -> None:
    assert report["kinds"]["gutenberg-txt"]["licence"] == 0


def test_every_page_that_is_not_a_work_is_refused_saying_what_it_is(report: dict[str, Any]) -> None:
    row = report["kinds"]["ao3-saved-page"]
    assert row["refused"] == row["refusals"] == 4


@pytest.mark.parametrize("kind", ["ao3-html", "ao3-epub", "ao3-saved-page"])
def test_ao3_downloads_and_saved_work_pages_get_every_field_right(
    report: dict[str, Any], kind: str
) -> None:
    row = report["kinds"][kind]
    for column in ("title", "chapters", "ch.titles", "words", "authors"):
        assert row[column] == row["works"], column
    assert row["tags"] == row["tagged"]
    assert row["wrongly"] == row["crashes"] == 0
