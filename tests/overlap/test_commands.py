"""The overlap commands: `check`, `align` and `reindex`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from lxml import etree

from ficarchive.overlap import services
from ficarchive.overlap.models import Passage
from ficarchive.works.queries import chapter_texts
from tests.cast import make_user, make_work
from tests.overlap.test_services import COPIED, FIXTURES, stored

pytestmark = pytest.mark.django_db


def test_check_of_a_file_prints_findings_with_offsets_into_the_parsed_text(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    author = make_user("wren")
    source = make_work(author, title="Harbour Lights", body=f"Intro.\n\n{COPIED}\n\nOutro.")
    services.index_work(source.pk)
    draft = tmp_path / "draft.txt"
    draft.write_text(f"A new story\n\nIt began quietly.\n\n{COPIED}\n\nThe end came later.\n")

    call_command("parse", str(draft), "--json")
    parsed = json.loads(capsys.readouterr().out)
    call_command("check", str(draft), "--author", "wren", "--json")
    report = json.loads(capsys.readouterr().out)

    [finding] = report["findings"]
    assert finding["kind"] == "verbatim"
    assert 0 < finding["score"] <= 1
    chapter_text = parsed["chapters"][finding["draft"]["chapter"] - 1]["text"]
    assert (
        chapter_text[finding["draft"]["start"] : finding["draft"]["end"]]
        == finding["draft"]["text"]
    )
    assert finding["draft"]["text"] == COPIED
    assert finding["source"]["work_id"] == source.pk
    assert finding["source"]["title"] == "Harbour Lights"
    source_text = chapter_texts(source)[0][1]
    src = finding["source"]
    assert source_text[src["start"] : src["end"]] == src["text"] == COPIED


def test_check_of_a_stored_work_leaves_the_work_itself_out(
    capsys: pytest.CaptureFixture[str],
) -> None:
    author = make_user("wren")
    first = make_work(author, title="First", body=COPIED)
    second = make_work(author, title="Second", body=f"Before.\n\n{COPIED}", posted=False)
    services.index_work(first.pk)
    call_command("check", "--work", str(second.pk), "--json", "--scope", "mine")
    report = json.loads(capsys.readouterr().out)
    assert [f["source"]["work_id"] for f in report["findings"]] == [first.pk]
    assert report["scope"] == "mine"


def test_check_prints_a_side_by_side_report(capsys: pytest.CaptureFixture[str]) -> None:
    author = make_user("wren")
    services.index_work(make_work(author, title="First", body=COPIED).pk)
    second = make_work(author, title="Second", body=f"Before.\n\n{COPIED}")
    call_command("check", "--work", str(second.pk))
    out = capsys.readouterr().out
    assert "1 findings" in out
    assert "verbatim" in out
    assert "“First”" in out
    assert any(line.count("|") == 1 and "harbour bell" in line for line in out.splitlines())


def test_check_refuses_bad_requests_with_clear_messages(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="either a FILE or --work"):
        call_command("check")
    with pytest.raises(CommandError, match="There is no work 999"):
        call_command("check", "--work", "999")
    with pytest.raises(CommandError, match="no user or pseud named 'nobody'"):
        call_command("check", "--work", "1", "--author", "nobody")
    make_user("wren")
    empty = tmp_path / "empty.txt"
    empty.write_text("")
    with pytest.raises(CommandError, match=r"empty\.txt"):
        call_command("check", str(empty), "--author", "wren")
    with pytest.raises(CommandError, match="--scope mine needs --author"):
        call_command("check", str(FIXTURES / "ending-story.txt"), "--scope", "mine")


def test_align_prints_pan_xml_with_offsets_into_the_raw_files(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    suspicious = tmp_path / "suspicious-document00001.txt"
    source = tmp_path / "source-document00002.txt"
    suspicious.write_text(f"Something new.\r\n\r\n{COPIED}\r\n\r\nAnd more.\r\n", newline="")
    source.write_text(f"Old things first.\n\n{COPIED}\n")
    call_command("align", str(suspicious), str(source), "--pan-xml")
    root = etree.fromstring(capsys.readouterr().out.encode())
    assert root.get("reference") == "suspicious-document00001.txt"
    [feature] = root.findall("feature")
    assert feature.get("name") == "detected-plagiarism"
    this = suspicious.open(newline="").read()
    start, length = int(feature.get("this_offset", "")), int(feature.get("this_length", ""))
    assert this[start : start + length] == COPIED
    src = source.read_text()
    start, length = int(feature.get("source_offset", "")), int(feature.get("source_length", ""))
    assert src[start : start + length] == COPIED


def test_align_says_when_nothing_matches_and_names_a_missing_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    a, b = tmp_path / "a.txt", tmp_path / "b.txt"
    a.write_text("A cat sat on a mat and looked at the rain for a while, thinking of fish.")
    b.write_text(COPIED)
    call_command("align", str(a), str(b))
    assert "No matching passages." in capsys.readouterr().out
    with pytest.raises(CommandError, match=r"missing\.txt: no such file"):
        call_command("align", str(tmp_path / "missing.txt"), str(b))


def test_reindex_rebuilds_every_work(capsys: pytest.CaptureFixture[str]) -> None:
    author = make_user("wren")
    works = [stored(author, "ending-story.txt"), make_work(author, body=COPIED)]
    Passage.objects.all().delete()
    call_command("reindex")
    assert "Reindexed 2 works" in capsys.readouterr().out
    assert {p.work_id for p in Passage.objects.all()} == {w.pk for w in works}


def test_notes_are_checked_only_when_asked(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    author = make_user("wren")
    services.index_work(make_work(author, title="Harbour", body=COPIED).pk)
    draft = tmp_path / "draft.txt"
    draft.write_text(f"A/N: {COPIED}\n\nA new story\n\nIt began quietly, and nothing was copied.\n")

    call_command("check", str(draft), "--author", "wren", "--json")
    assert json.loads(capsys.readouterr().out)["findings"] == []

    call_command("check", str(draft), "--author", "wren", "--json", "--with-notes")
    report = json.loads(capsys.readouterr().out)
    [finding] = report["findings"]
    assert finding["draft"]["part"] == "notes"
    assert finding["draft"]["chapter"] is None
    notes = report["notes_text"]
    assert notes[finding["draft"]["start"] : finding["draft"]["end"]] == finding["draft"]["text"]
    assert "harbour bell" in finding["draft"]["text"]
