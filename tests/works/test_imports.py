"""Importing story files: one transaction per work, no duplicates, clear failures."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from django.core.management import call_command

from ficarchive.accounts.models import Pseud, User
from ficarchive.texts.formats import parse_bytes
from ficarchive.works.imports import (
    FAILED,
    IMPORTED,
    SKIPPED,
    import_bytes,
    import_paths,
    map_rating,
    work_data,
)
from ficarchive.works.models import Chapter, Work
from tests.cast import make_user

pytestmark = pytest.mark.django_db

FIXTURES = Path(__file__).parent.parent / "fixtures"
STORY = FIXTURES / "everything-back-but-you.txt"


def _pseuds(name: str = "author") -> list[Pseud]:
    return [make_user(name).pseuds.get()]


def test_the_founding_story_imports_as_a_complete_draft() -> None:
    result = import_bytes(STORY.read_bytes(), "everything-back-but-you.txt", _pseuds())
    assert result.status == IMPORTED
    assert result.work_id is not None
    work = Work.objects.get(pk=result.work_id)
    assert work.title == "Everything Back But You"
    assert not work.posted
    assert work.complete
    assert work.chapters_label == "1/1"
    assert work.notes.startswith("<p>So I found this on my hard drive")
    assert work.end_notes.startswith("<p>This is definitely staying a one-shot")
    assert "The End" not in work.chapters.get().body


def test_importing_the_same_file_again_creates_nothing() -> None:
    pseuds = _pseuds()
    data = STORY.read_bytes()
    first = import_bytes(data, "a.txt", pseuds)
    again = import_bytes(data, "copy-of-a.txt", pseuds)
    assert (again.status, again.work_id) == (SKIPPED, first.work_id)
    assert Work.objects.count() == 1


def test_a_file_that_fails_halfway_leaves_nothing_behind() -> None:
    # The works service refuses the empty second chapter after storing the first: the
    # transaction must take the work and its first chapter back too.
    data = b"Title: Half\nCategories: F/M\n\nChapter 1\n\nText one.\n\nChapter 2\n\nText two."
    pseuds = _pseuds()
    parsed = parse_bytes(data, "half.txt")
    parsed.chapters[1].html = ""  # an empty chapter is refused by the works service
    from ficarchive.works.imports import store_parsed
    from ficarchive.works.services import WorkError

    with pytest.raises(WorkError):
        store_parsed(parsed, pseuds)
    assert not Work.objects.exists()
    assert not Chapter.objects.exists()


def test_posting_on_import_publishes_every_chapter() -> None:
    data = b"Title: Two\nFandom: Gilmore Girls\n\nChapter 1\n\nOne.\n\nChapter 2\n\nTwo."
    result = import_bytes(data, "two.txt", _pseuds(), post=True)
    assert result.work_id is not None
    work = Work.objects.get(pk=result.work_id)
    assert work.posted
    assert work.chapter_count == 2
    assert all(chapter.published_at for chapter in work.chapters.all())


@pytest.mark.parametrize(
    ("names", "rating"),
    [
        (["T"], "Teen And Up Audiences"),
        (["K+"], "General Audiences"),
        (["M"], "Mature"),
        (["NC-17"], "Explicit"),
        (["Explicit"], "Explicit"),
        ([], "Not Rated"),
        (["whatever"], "Not Rated"),
    ],
)
def test_ratings_from_other_archives_map_to_ao3s(names: list[str], rating: str) -> None:
    assert map_rating(names) == rating


def test_tags_of_the_wrong_type_follow_the_archive() -> None:
    make_user("someone")
    import_bytes(b"Characters: Rory Gilmore\n\nText one.", "one.txt", _pseuds("one"))
    parsed = parse_bytes(b"Fandom: rory gilmore, Gilmore Girls\nWarnings: none\n\nText.", "x.txt")
    data = work_data(parsed)
    assert data.fandoms == ["Gilmore Girls"]
    assert data.characters == ["Rory Gilmore"]
    assert data.warnings == ["No Archive Warnings Apply"]


def test_a_folder_imports_every_story_and_names_the_failures(tmp_path: Path) -> None:
    (tmp_path / "nested").mkdir()
    shutil.copy(STORY, tmp_path / "story.txt")
    shutil.copy(FIXTURES / "raspberries.md", tmp_path / "nested" / "raspberries.md")
    (tmp_path / "nested" / "broken.txt").write_bytes(b"\x00\x01\x02" * 100)
    (tmp_path / "empty.md").write_text("")
    (tmp_path / "notes.pages").write_text("not a story format")
    results = import_paths([tmp_path], _pseuds())
    by_name = {Path(r.path).name: r for r in results}
    assert set(by_name) == {"story.txt", "raspberries.md", "broken.txt", "empty.md"}
    assert by_name["story.txt"].status == IMPORTED
    assert by_name["raspberries.md"].status == IMPORTED
    assert by_name["broken.txt"].status == FAILED
    assert "binary" in by_name["broken.txt"].message
    assert by_name["empty.md"].message == "the file is empty"
    assert Work.objects.count() == 2


def test_the_import_command_creates_a_claimable_author_and_reports(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    shutil.copy(STORY, tmp_path / "story.txt")
    (tmp_path / "broken.txt").write_bytes(b"\x00" * 10)
    with pytest.raises(SystemExit) as exited:
        call_command(
            "import",
            str(tmp_path),
            "--author",
            "lauren",
            "--post",
            "--fandom",
            "Gilmore Girls",
            "--json",
        )
    assert exited.value.code == 1
    report = json.loads(capsys.readouterr().out)
    assert report["counts"] == {"imported": 1, "skipped": 0, "failed": 1}
    author = User.objects.get(username="lauren")
    assert author.claimable
    assert not author.has_usable_password()
    work = Work.objects.get()
    assert work.posted
    assert [tag.name for tag in work.fandoms] == ["Gilmore Girls"]

    call_command("import", str(tmp_path / "story.txt"), "--author", "lauren")
    assert "0 imported, 1 skipped as already imported, 0 failed" in capsys.readouterr().out


def test_the_parse_command_prints_json_without_storing(capsys: pytest.CaptureFixture[str]) -> None:
    call_command("parse", str(STORY), "--json")
    parsed = json.loads(capsys.readouterr().out)
    assert parsed["title"] == "Everything Back But You"
    assert parsed["complete"] is True
    assert set(parsed["chapters"][0]) >= {"title", "html", "text", "word_count", "notes"}
    assert parsed["word_count"] == parsed["chapters"][0]["word_count"]
    assert not Work.objects.exists()


def test_a_folder_of_a_thousand_files_imports_990_and_names_the_10_broken(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for number in range(990):
        folder = tmp_path / f"batch{number // 100}"
        folder.mkdir(exist_ok=True)
        (folder / f"story{number}.txt").write_text(
            f"Title: Story {number}\n\nA/N: hello\n\nStory {number} begins here and ends.\n\nFin"
        )
    broken = {f"broken{number}.txt" for number in range(10)}
    for name in broken:
        (tmp_path / name).write_bytes(b"\xff\xfe\x00\x00" + bytes(range(256)) * 4)
    with pytest.raises(SystemExit):
        # Indexing is left to the worker: what is measured here is the import of many files
        # (indexing them at once is tests/overlap/test_freshness.py's).
        call_command("import", str(tmp_path), "--author", "archivist", "--json", "--no-index")
    report = json.loads(capsys.readouterr().out)
    assert report["counts"] == {"imported": 990, "skipped": 0, "failed": 10}
    failed = {Path(r["path"]).name for r in report["results"] if r["status"] == "failed"}
    assert failed == broken
    assert Work.objects.count() == 990
    assert Chapter.objects.count() == 990


def test_posting_a_file_that_names_no_fandom_keeps_it_as_a_draft_and_says_why(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    story = tmp_path / "no-fandom.txt"
    story.write_text("Title: Nowhere\n\nChapter 1\n\nThe road ran out at the sea.")
    call_command("import", str(story), "--author", "lauren", "--post")
    captured = capsys.readouterr()
    work = Work.objects.get()
    assert not work.posted
    assert f"note: {story}: kept as a draft: the file names no fandom" in captured.err
    assert "1 imported, 0 skipped as already imported, 0 failed" in captured.out
