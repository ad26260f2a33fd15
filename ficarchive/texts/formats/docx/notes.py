"""Footnotes and endnotes (word/footnotes.xml, word/endnotes.xml), kept AO3's way.

While the body is read, a reference (w:footnoteReference, w:endnoteReference) becomes a
placeholder link. Once the text is split into chapters, each chapter's references are numbered
1, 2, 3… in the order they come, footnotes and endnotes alike, as superscript links, and the
notes follow as a numbered list in the chapter's end notes, each linking back to its reference.

Why the chapter's end notes, not a list at the end of the chapter's text: on AO3 a chapter's end
notes sit right under its text, on the chapter's own page and in the entire-work view, and that
is where writers there put their footnotes by hand; and AO3 counts the words of the text, not of
the notes, so notes kept out of the text do not swell the word count. Numbering starts again in
each chapter because each chapter is a page of its own with its own list; the anchors name the
chapter as well, so they stay unique when all chapters are shown on one page.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import partial

from lxml import etree

from ficarchive.texts.formats.docx.items import Item
from ficarchive.texts.formats.docx.layout import items_html
from ficarchive.texts.formats.docx.ooxml import attr
from ficarchive.texts.sanitize import sanitize_html
from ficarchive.texts.structure import ParsedWork, ParseError
from ficarchive.texts.ziparchive import ZipArchive, local_name

NOTE_ID = re.compile(r"^-?\d{1,9}$")
_PLACEHOLDER = re.compile(
    r'<sup><a href="#docx-(?P<kind>foot|end)note-(?P<id>-?\d+)"[^>]*>\*</a></sup>'
)
# The separator lines Word draws above the notes: notes by their id, but no one's words.
_NOT_NOTES = frozenset({"separator", "continuationseparator", "continuationnotice"})

Notes = dict[tuple[str, str], str]  # ("foot" or "end", w:id) → the note as HTML


def reference_html(kind: str, ident: str) -> str:
    """The placeholder a reference is until its chapter numbers it (see `attach`)."""
    return f'<sup><a href="#docx-{kind}note-{ident}">*</a></sup>'


def read_notes(
    archive: ZipArchive,
    parts: list[tuple[str, str]],
    read: Callable[[str, etree._Element], list[Item]],
) -> Notes:
    """The notes of the (kind, part name) parts, each note's content read by `read(part, note)`;
    a notes part that cannot be read is left out, as Word leaves out what it cannot show."""
    notes: Notes = {}
    for kind, part in parts:
        if not archive.has(part):
            continue
        try:
            root = archive.xml(part)
        except ParseError:
            continue
        for note in root:
            if local_name(note) != f"{kind}note":
                continue
            ident = attr(note, "id") or ""
            if (attr(note, "type") or "").lower() in _NOT_NOTES or not NOTE_ID.match(ident):
                continue
            html = items_html(read(part, note))
            if html:
                notes.setdefault((kind, ident), html)
    return notes


def attach(work: ParsedWork, notes: Notes, referenced: list[tuple[str, str]]) -> None:
    """Number each chapter's references and give it its notes (see the module docstring); a
    note whose reference is not in any chapter's text (it was in a heading or an author's note)
    goes to the work's end notes, so no writer's words are lost. `referenced` is the notes'
    keys in the order the body refers to them."""
    if not referenced:
        return
    placed: set[tuple[str, str]] = set()
    for position, chapter in enumerate(work.chapters, start=1):
        numbers: dict[tuple[str, str], int] = {}
        number = partial(_reference, notes=notes, numbers=numbers, position=position)
        html, found = _PLACEHOLDER.subn(number, chapter.html)
        if not found:
            continue
        chapter.html = sanitize_html(html)
        if not numbers:
            continue
        items = []
        for key, n in numbers.items():
            back = f'<a href="#chapter-{position}-note-{n}-ref">↩</a>'
            items.append(f'<li><a name="chapter-{position}-note-{n}"></a>{notes[key]} {back}</li>')
            placed.add(key)
        listed = sanitize_html("<ol>" + "".join(items) + "</ol>")
        chapter.end_notes = "\n".join(part for part in (chapter.end_notes, listed) if part)
    strays = [notes[key] for key in dict.fromkeys(referenced) if key in notes and key not in placed]
    if strays:
        listed = sanitize_html("<ol>" + "".join(f"<li>{html}</li>" for html in strays) + "</ol>")
        work.end_notes = "\n".join(part for part in (work.end_notes, listed) if part)


def _reference(
    match: re.Match[str], notes: Notes, numbers: dict[tuple[str, str], int], position: int
) -> str:
    """A placeholder as the superscript number of its note in the chapter at `position`."""
    key = (match.group("kind"), match.group("id"))
    if key not in notes:
        return ""  # a reference to a note the file does not have
    n = numbers.setdefault(key, len(numbers) + 1)
    return (
        f'<sup><a href="#chapter-{position}-note-{n}" '
        f'name="chapter-{position}-note-{n}-ref">{n}</a></sup>'
    )
