"""A work downloaded as AO3-style HTML or EPUB imports back as the same work."""

from __future__ import annotations

import pytest

from ficarchive.exports.formats import export_format
from ficarchive.texts.formats import parse_bytes
from ficarchive.texts.structure import html_to_text
from ficarchive.works.imports import store_parsed
from ficarchive.works.models import Work
from tests.cast import make_user, make_work

pytestmark = pytest.mark.django_db


def _work() -> Work:
    work = make_work(
        make_user("author"),
        title="Round & Trip: A Story",
        chapters=3,
        rating="Mature",
        warnings=["No Archive Warnings Apply"],
        categories=["F/M"],
        fandoms=["Gilmore Girls"],
        relationships=["Rory Gilmore/Jess Mariano"],
        characters=["Rory Gilmore", "Jess Mariano"],
        freeforms=["Getting Back Together", "Angst"],
        summary="A <em>summary</em> with emphasis.",
        notes="Work notes at the top.",
        end_notes="Work end notes at the bottom.",
        body="It wasn't weird.\n\n* * *\n\nThey had <b>grown</b> apart.",
    )
    chapter = work.chapters.get(position=2)
    chapter.notes = "<p>Chapter two notes.</p>"
    chapter.end_notes = "<p>Chapter two end notes.</p>"
    chapter.save()
    return work


@pytest.mark.parametrize("extension", ["html", "epub"])
def test_a_downloaded_work_imports_back_the_same(extension: str) -> None:
    work = _work()
    export = export_format(extension)
    assert export is not None
    parsed = parse_bytes(export.render(work), f"download.{extension}")
    assert parsed.title == work.title
    assert parsed.authors == ["author"]
    assert html_to_text(parsed.summary) == html_to_text(work.summary)
    assert html_to_text(parsed.notes) == html_to_text(work.notes)
    assert html_to_text(parsed.end_notes) == html_to_text(work.end_notes)
    chapters = list(work.chapters.all())
    assert [c.title for c in parsed.chapters] == [c.title for c in chapters]
    assert [c.text for c in parsed.chapters] == [html_to_text(c.body) for c in chapters]
    assert html_to_text(parsed.chapters[1].notes) == "Chapter two notes."
    assert html_to_text(parsed.chapters[1].end_notes) == "Chapter two end notes."
    expected_tags = {
        "rating": ["Mature"],
        "warning": ["No Archive Warnings Apply"],
        "category": ["F/M"],
        "fandom": ["Gilmore Girls"],
        "relationship": ["Rory Gilmore/Jess Mariano"],
        "character": ["Jess Mariano", "Rory Gilmore"],
        "freeform": ["Angst", "Getting Back Together"],
    }
    assert {kind: sorted(names) for kind, names in parsed.tags.items()} == expected_tags

    copy = store_parsed(parsed, [make_user("importer").pseuds.get()])
    assert copy.title == work.title
    assert copy.chapter_count == 3
    assert sorted(t.name for t in copy.tags.all()) == sorted(t.name for t in work.tags.all())
