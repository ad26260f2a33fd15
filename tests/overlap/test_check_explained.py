"""`ficarchive check` says what each finding means: whose the source is, the verdict, the words
covered, and whether the writer marked it as intended (text and `--json`)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command

from ficarchive.overlap import services
from ficarchive.overlap.explain import verdict
from ficarchive.works import related
from ficarchive.works.models import RelatedWork
from tests.cast import make_user, make_work
from tests.overlap.test_services import COPIED

pytestmark = pytest.mark.django_db

BEFORE = "It began quietly, with rain on the window and nobody in the house awake yet."


def _json(capsys: pytest.CaptureFixture[str], *args: str) -> dict[str, Any]:
    call_command("check", *args, "--json")
    return dict(json.loads(capsys.readouterr().out))


def test_json_says_whose_the_source_is_the_verdict_and_the_words_covered(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    wren = make_user("wren")
    make_user("other")
    mine = make_work(wren, title="The Runaways", body=f"Intro.\n\n{COPIED}")
    services.index_work(mine.pk)
    draft = tmp_path / "draft.txt"
    draft.write_text(f"A new story\n\n{BEFORE}\n\n{COPIED}\n")

    [finding] = _json(capsys, str(draft), "--author", "wren")["findings"]
    assert finding["source"]["own"] is True
    assert finding["source"]["creators"] == ["wren"]
    assert finding["verdict"] == verdict(finding["score"])
    assert finding["covered_words"] == len(COPIED.split())
    chapter_words = len(f"{BEFORE}\n\n{COPIED}".split())
    assert finding["covered_share"] == round(len(COPIED.split()) / chapter_words, 3)
    assert finding["acknowledged"] is False

    [theirs] = _json(capsys, str(draft), "--author", "other")["findings"]
    assert theirs["source"]["own"] is False
    assert theirs["source"]["creators"] == [wren.username]


def test_a_stored_draft_linked_to_its_source_is_acknowledged(
    capsys: pytest.CaptureFixture[str],
) -> None:
    wren = make_user("wren")
    first = make_work(wren, title="The Runaways", body=COPIED)
    second = make_work(wren, title="Ending", body=f"{BEFORE}\n\n{COPIED}", posted=False)
    services.index_work(first.pk)
    [finding] = _json(capsys, "--work", str(second.pk))["findings"]
    assert finding["acknowledged"] is False

    related.link_works(wren, second, first, RelatedWork.Kind.SEQUEL)
    [finding] = _json(capsys, "--work", str(second.pk))["findings"]
    assert finding["acknowledged"] is True
    assert finding["relation"] == "sequel"


def test_the_printed_report_gives_the_same_verdict_in_words(
    capsys: pytest.CaptureFixture[str],
) -> None:
    wren = make_user("wren")
    first = make_work(wren, title="The Runaways", body=COPIED)
    second = make_work(wren, title="Ending", body=f"{BEFORE}\n\n{COPIED}", posted=False)
    services.index_work(first.pk)
    related.link_works(wren, second, first, RelatedWork.Kind.RETELLS)
    [finding] = _json(capsys, "--work", str(second.pk))["findings"]

    call_command("check", "--work", str(second.pk))
    out = capsys.readouterr().out
    assert f": {finding['verdict']} — your work “The Runaways” (work {first.pk})" in out
    words = len(COPIED.split())
    share = round(100 * words / len(f"{BEFORE}\n\n{COPIED}".split()))
    assert f"Covers {words} words, {share}% of chapter 1 of this text." in out
    assert "Marked as intended: this work retells it." in out


def test_the_printed_report_says_someone_elses_work_plainly(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    other = make_user("other")
    make_user("wren")
    services.index_work(make_work(other, title="Lighthouse", body=COPIED).pk)
    draft = tmp_path / "draft.txt"
    draft.write_text(f"A new story\n\n{BEFORE}\n\n{COPIED}\n")
    call_command("check", str(draft), "--author", "wren")
    assert "“Lighthouse” by someone else" in capsys.readouterr().out
