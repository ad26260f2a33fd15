"""Plain text and Markdown downloads: readable as writers' own files, and they import back."""

from __future__ import annotations

from pathlib import Path

import pytest

from ficarchive.exports.formats import export_format
from ficarchive.exports.text import html_to_markdown
from ficarchive.texts.formats import parse_bytes
from ficarchive.texts.structure import html_to_text
from ficarchive.works.models import Work
from ficarchive.works.services import ChapterData, WorkData, create_work
from tests.cast import make_user, make_work

pytestmark = pytest.mark.django_db

FOUNDING_STORY = Path(__file__).parent.parent / "fixtures" / "everything-back-but-you.txt"


def _tagged_work(chapters: int = 3) -> Work:
    return make_work(
        make_user("lorelai"),
        title="Everything Back But You",
        chapters=chapters,
        summary="<p>Rory and Jess, <em>again</em>.</p>",
        notes="<p>So I found this on my hard drive.</p><p>Second thoughts.</p>",
        end_notes="<p>This is definitely staying a one-shot.</p>",
        fandoms=["Gilmore Girls"],
        relationships=["Rory Gilmore/Jess Mariano"],
        characters=["Rory Gilmore", "Jess Mariano"],
        freeforms=["Angst", "Getting Back Together"],
        complete=True,
    )


def _download(work: Work, extension: str) -> str:
    export = export_format(extension)
    assert export is not None
    return export.render(work).decode("utf-8")


@pytest.mark.parametrize("extension", ["txt", "md"])
def test_a_downloaded_text_file_imports_back_the_same(extension: str) -> None:
    work = _tagged_work()
    parsed = parse_bytes(_download(work, extension).encode(), f"work.{extension}")
    assert parsed.title == work.title
    assert parsed.complete is True
    assert [chapter.title for chapter in parsed.chapters] == [
        chapter.title for chapter in work.chapters.order_by("position")
    ]
    for ours, theirs in zip(work.chapters.order_by("position"), parsed.chapters, strict=True):
        assert html_to_text(theirs.html) == html_to_text(ours.body)
    assert parsed.tags["fandom"] == ["Gilmore Girls"]
    assert parsed.tags["relationship"] == ["Rory Gilmore/Jess Mariano"]
    assert sorted(parsed.tags["character"]) == ["Jess Mariano", "Rory Gilmore"]
    assert sorted(parsed.tags["freeform"]) == ["Angst", "Getting Back Together"]
    assert "So I found this on my hard drive." in html_to_text(parsed.notes)
    assert "Second thoughts." in html_to_text(parsed.notes)
    assert "staying a one-shot" in html_to_text(parsed.end_notes)
    assert "Rory and Jess, again." in html_to_text(parsed.summary)


def test_plain_text_reads_like_the_founding_story() -> None:
    """Notes on top, the story, "The End", end notes: the shape of the file that started it."""
    source = FOUNDING_STORY.read_text(encoding="utf-8")
    parsed = parse_bytes(source.encode(), FOUNDING_STORY.name)
    work = create_work(
        [make_user("rory").pseuds.get()],
        WorkData(title=parsed.title, notes=parsed.notes, end_notes=parsed.end_notes, complete=True),
        ChapterData(body=parsed.chapters[0].html, text_format="html"),
        post=True,
    )
    text = _download(work, "txt")
    notes_at = text.index("A/N: So I found this on my hard drive")
    story_at = text.index("It wasn't weird that they came to a mutual agreement")
    end_at = text.index("The End")
    end_notes_at = text.index("A/N: This is definitely staying a one-shot")
    assert notes_at < story_at < end_at < end_notes_at
    # Every paragraph of the story is in the file, once.
    story = html_to_text(parsed.chapters[0].html).split("\n\n")
    for paragraph in story:
        assert text.count(paragraph) == 1, paragraph[:60]


def test_a_work_in_progress_ends_to_be_continued() -> None:
    work = make_work(title="Unfinished", complete=False)
    text = _download(work, "txt")
    assert "To be continued..." in text
    assert "The End" not in text
    assert parse_bytes(text.encode(), "w.txt").complete is False


def test_markdown_keeps_emphasis_links_breaks_and_scene_breaks() -> None:
    markdown = html_to_markdown(
        "<p>She said <em>no</em>, <strong>twice</strong>.<br>Then left.</p><hr>"
        '<p>See <a href="https://example.org/a_(b)">the map</a>.</p>'
        "<blockquote><p>A letter.</p></blockquote><ul><li>one</li><li>two</li></ul>"
    )
    assert "She said *no*, **twice**.\\\nThen left." in markdown
    assert "* * *" in markdown
    assert "[the map](https://example.org/a_(b%29)" in markdown
    assert "> A letter." in markdown
    assert "- one\n- two" in markdown


def test_markdown_escapes_text_that_would_become_markup() -> None:
    markdown = html_to_markdown(
        "<p>1. Not a list, *not* bold, # not a heading</p><p>- nor this</p>"
    )
    html = parse_bytes(f"---\ntitle: T\n---\n\n{markdown}\n".encode(), "t.md").chapters[0].html
    assert "<ol" not in html
    assert "<ul" not in html
    assert "<em>" not in html
    assert "<h" not in html
    assert "1. Not a list, *not* bold, # not a heading" in html_to_text(html)
    assert "- nor this" in html_to_text(html)
