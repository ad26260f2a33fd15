"""The one shape every parser produces: a work as a fan-fiction reader expects it.

Parsers fill `ParsedWork`; the importer stores it; `ficarchive parse --json` prints `as_json()`.
HTML in every field is sanitized before it leaves a parser, each field with its own allow-list
(`sanitize_fields`): chapter text `sanitize_html`, notes `sanitize_notes_html`, summaries
`sanitize_basic_html`.
"""

from __future__ import annotations

import html as html_lib
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

from ficarchive.texts.counting import count_words
from ficarchive.texts.paragraphs import html_to_html
from ficarchive.texts.sanitize import (
    sanitize_basic_html,
    sanitize_notes_html,
    strip_tags,
)

# Tag types, as in ficarchive.tags.models.TagType, that a file's headers may fill.
TAG_TYPES = ("rating", "warning", "category", "fandom", "relationship", "character", "freeform")

SCENE_BREAK_HTML = '<hr class="scene-break">'


class ParseError(Exception):
    """A file that cannot be read as a work. The message says what is wrong, for the user."""

    def __init__(self, message: str, path: str = "") -> None:
        super().__init__(f"{path}: {message}" if path else message)
        self.message = message
        self.path = path


@dataclass
class ParsedChapter:
    html: str
    title: str = ""
    summary: str = ""
    notes: str = ""
    end_notes: str = ""

    @property
    def text(self) -> str:
        return html_to_text(self.html)

    @property
    def word_count(self) -> int:
        return count_words(self.html)

    def sanitize_fields(self) -> None:
        """The notes and summary through their own allow-lists, as the chapter's model fields do
        on save; a field made only of markup the allow-list removes is left empty, not `<p></p>`.
        (The text itself is sanitized by the reader that made it, with the chapter allow-list.)"""
        self.summary = _field_html(self.summary, sanitize_basic_html)
        self.notes = _field_html(self.notes, sanitize_notes_html)
        self.end_notes = _field_html(self.end_notes, sanitize_notes_html)

    def as_json(self) -> dict[str, Any]:
        return {
            "title": self.title,
            "summary": self.summary,
            "notes": self.notes,
            "end_notes": self.end_notes,
            "html": self.html,
            "text": self.text,
            "word_count": self.word_count,
        }


@dataclass
class ParsedWork:
    title: str = ""
    summary: str = ""
    notes: str = ""
    end_notes: str = ""
    complete: bool | None = None
    tags: dict[str, list[str]] = field(default_factory=dict)
    authors: list[str] = field(default_factory=list)
    language: str = ""
    chapters: list[ParsedChapter] = field(default_factory=list)
    source_format: str = ""

    @property
    def word_count(self) -> int:
        """AO3's rule: the words of the chapters' text, not of notes or summaries."""
        return sum(chapter.word_count for chapter in self.chapters)

    def add_tags(self, tag_type: str, names: list[str]) -> None:
        if not any(name.strip() for name in names):
            return
        existing = self.tags.setdefault(tag_type, [])
        for name in names:
            name = " ".join(name.split())
            if name and name.lower() not in {n.lower() for n in existing}:
                existing.append(name)

    def sanitize_fields(self) -> None:
        """Every HTML field of the work and its chapters through its own allow-list."""
        self.summary = _field_html(self.summary, sanitize_basic_html)
        self.notes = _field_html(self.notes, sanitize_notes_html)
        self.end_notes = _field_html(self.end_notes, sanitize_notes_html)
        for chapter in self.chapters:
            chapter.sanitize_fields()

    def to_dict(self) -> dict[str, Any]:
        """Every field, as plain data (what `texts.isolation` sends from its child process)."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ParsedWork:
        chapters = [ParsedChapter(**chapter) for chapter in data["chapters"]]
        return cls(**{**data, "chapters": chapters})

    def as_json(self) -> dict[str, Any]:
        return {
            "title": self.title,
            "authors": self.authors,
            "summary": self.summary,
            "notes": self.notes,
            "end_notes": self.end_notes,
            "complete": self.complete,
            "language": self.language,
            "word_count": self.word_count,
            "tags": self.tags,
            "format": self.source_format,
            "chapters": [chapter.as_json() for chapter in self.chapters],
        }


def _field_html(fragment: str, sanitizer: Callable[[str], str]) -> str:
    return html_to_html(fragment, sanitizer) if fragment.strip() else ""


_BLOCK_END = (
    *("</p>", "</div>", "</blockquote>", "</li>", "</pre>", "</table>", "</tr>", "</center>"),
    *("</h1>", "</h2>", "</h3>", "</h4>", "</h5>", "</h6>", "</dd>", "</dt>", "</address>"),
)


def html_to_text(fragment: str) -> str:
    """Plain text of sanitized HTML: paragraphs separated by a blank line, <br> a newline."""
    marked = fragment.replace("<br>", "\n").replace("<br />", "\n").replace("<br/>", "\n")
    marked = marked.replace(SCENE_BREAK_HTML, "\n\n* * *\n\n").replace("<hr>", "\n\n* * *\n\n")
    for end in _BLOCK_END:
        marked = marked.replace(end, end + "\n\n")
    text = html_lib.unescape(strip_tags(marked))
    paragraphs = []
    for paragraph in text.split("\n\n"):
        kept = "\n".join(" ".join(line.split()) for line in paragraph.split("\n")).strip()
        if kept:
            paragraphs.append(kept)
    return "\n\n".join(paragraphs)
