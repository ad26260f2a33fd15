"""`kill -9` of `ficarchive import` half-way through a folder of 300 files leaves whole works only,
and running it again finishes the folder without importing anything twice (issue 14)."""

from __future__ import annotations

import json
import random
import signal
import time
from pathlib import Path

from tests.works.scratch_archive import ScratchArchive, scratch_archive

FILES = 300
WORDS = (
    "rory jess luke lorelai diner coffee bridge rain town night book letter window quiet "
    "remembered laughed whispered looked back again never always morning kitchen door road"
).split()


def _story(rng: random.Random, number: int) -> str:
    """A story of a few chapters, each file different (the import knows a file by its hash)."""
    chapters = []
    for chapter in range(1, rng.randint(1, 6) + 1):
        paragraphs = [
            " ".join(rng.choice(WORDS) for _ in range(rng.randint(20, 80))).capitalize() + "."
            for _ in range(rng.randint(3, 10))
        ]
        chapters.append(f"Chapter {chapter}\n\n" + "\n\n".join(paragraphs))
    return f"Title: Story {number}\nFandom: Gilmore Girls\n\n" + "\n\n".join(chapters)


def _folder(tmp_path: Path) -> Path:
    folder = tmp_path / "drafts"
    folder.mkdir()
    rng = random.Random(14)
    for number in range(1, FILES + 1):
        suffix = ".md" if number % 5 == 0 else ".txt"
        (folder / f"story-{number:03}{suffix}").write_text(_story(rng, number))
    return folder


def _count(archive: ScratchArchive, sql: str) -> int:
    return int(archive.query(sql)[0][0])


def _assert_whole(archive: ScratchArchive) -> int:
    """Every work stored is whole; the number of works."""
    works = _count(archive, "SELECT COUNT(*) FROM works_work")
    no_chapters = "SELECT COUNT(*) FROM works_work w WHERE NOT EXISTS "
    no_chapters += "(SELECT 1 FROM works_chapter c WHERE c.work_id = w.id)"
    assert _count(archive, no_chapters) == 0
    wrong_count = "SELECT COUNT(*) FROM works_work w WHERE w.chapter_count <> "
    wrong_count += "(SELECT COUNT(*) FROM works_chapter c WHERE c.work_id = w.id)"
    assert _count(archive, wrong_count) == 0
    no_creator = "SELECT COUNT(*) FROM works_work w WHERE NOT EXISTS "
    no_creator += "(SELECT 1 FROM works_creatorship c WHERE c.work_id = w.id)"
    assert _count(archive, no_creator) == 0
    assert _count(archive, "SELECT COUNT(*) FROM works_work WHERE import_hash = ''") == 0
    # Rows that point at works by number: the queued index jobs, the search index, the filter
    # table. None may name a work that is not there.
    work_ids = {row[0] for row in archive.query("SELECT id FROM works_work")}
    for (payload,) in archive.query("SELECT payload FROM jobs_job"):
        data = json.loads(payload) if isinstance(payload, str) else payload
        if "work_id" in data:
            assert data["work_id"] in work_ids
    indexed = "rowid" if archive.database_url is None else "work_id"
    for (work_id,) in archive.query(f"SELECT {indexed} FROM search_work"):
        assert work_id in work_ids
    orphans = "SELECT COUNT(*) FROM tags_filtertagging f WHERE NOT EXISTS "
    orphans += "(SELECT 1 FROM works_work w WHERE w.id = f.work_id)"
    assert _count(archive, orphans) == 0
    return works


def test_a_killed_folder_import_leaves_whole_works_and_a_rerun_finishes_it(
    tmp_path: Path,
) -> None:
    folder = _folder(tmp_path)
    with scratch_archive(tmp_path) as archive:
        importing = archive.popen("import", str(folder), "--author", "tidewright", "--post")
        # Killed once a fifth of the folder is in: in the middle of a work, most likely.
        deadline = time.monotonic() + 300
        while _count(archive, "SELECT COUNT(*) FROM works_chapter") < 150:
            assert importing.poll() is None, "the import ended before it could be killed"
            assert time.monotonic() < deadline, "the import made too little progress"
            time.sleep(0.02)
        importing.send_signal(signal.SIGKILL)
        assert importing.wait(timeout=30) == -signal.SIGKILL

        before = _assert_whole(archive)
        assert 0 < before < FILES

        rerun = archive.run("import", str(folder), "--author", "tidewright", "--post", "--json")
        assert rerun.returncode == 0, rerun.stderr
        counts = json.loads(rerun.stdout)["counts"]
        assert counts == {"imported": FILES - before, "skipped": before, "failed": 0}

        assert _assert_whole(archive) == FILES
        distinct = "SELECT COUNT(DISTINCT import_hash) FROM works_work"
        assert _count(archive, distinct) == FILES
        titles = {row[0] for row in archive.query("SELECT title FROM works_work")}
        assert titles == {f"Story {number}" for number in range(1, FILES + 1)}
