"""The book's chapters: segments of pieces cut where the table of contents and the headings say,
each read with fan fiction's conventions."""

from __future__ import annotations

import re
from dataclasses import dataclass

from ficarchive.texts.blocks import Block
from ficarchive.texts.conventions import structure
from ficarchive.texts.flatten import Piece, anchor_positions
from ficarchive.texts.formats.epub.contents import Entry
from ficarchive.texts.headings import chapter_heading
from ficarchive.texts.makers.ao3 import ao3_chapter_title
from ficarchive.texts.makers.meta import Meta
from ficarchive.texts.structure import ParsedWork

NO_TITLE = "\0"  # lets `structure` know the work already has a title: no line is taken for one

# -- chapters ------------------------------------------------------------------------------------


@dataclass
class Segment:
    """A run of pieces that makes one chapter (or several, when the text has its own headings)."""

    label: str | None
    pieces: list[Piece]
    part: str = ""  # the part it opens ("Part One"), from a page before it that had only that


def is_divider(segment: Segment) -> bool:
    """A page that holds only headings ("Part One", "Book II: The Crossing"): a part's
    divider, not a chapter."""
    return all(piece.kind in ("heading", "break") for piece in segment.pieces)


def divider_name(segment: Segment) -> str:
    names = [segment.part, *(p.block.text for p in segment.pieces if p.kind == "heading")]
    return ": ".join(name for name in names if name)


def normal(text: str) -> str:
    return re.sub(r"[\W_]+", " ", text.casefold()).strip()


_NUMBERED = re.compile(r"^(?:\d+|[IVXLC]+)\s*[.:)\]\-–—]\s+(?=\S)")


def _clean_title(text: str) -> str:
    """A chapter's own title, as AO3 keeps it: `Chapter 4: The Bridge` → `The Bridge`,
    `4. The Bridge` → `The Bridge`, `Chapter 4` → ``, `Prologue` → `Prologue`."""
    text = " ".join(text.split())
    title = chapter_heading(text)
    if title is None:
        return _NUMBERED.sub("", text)
    return title.strip(" .:-–—")


def _same_title(heading: str, label: str) -> bool:
    first, second = normal(heading), normal(label)
    if not first or not second:
        return False
    return first == second or (normal(_clean_title(heading)) == normal(_clean_title(label)))


def _split_points(
    pieces: list[Piece], entries: list[Entry]
) -> tuple[str | None, dict[int, str | None]]:
    """The label for the start of a document, and where in it other chapters start (index →
    their label from the table of contents, or None for a chapter heading AO3 marked)."""
    where = anchor_positions(pieces)
    first = next((i for i, piece in enumerate(pieces) if piece.kind != "break"), 0)
    start_label: str | None = None
    points: dict[int, str | None] = {}
    for entry in entries:
        target = where.get(entry.fragment) if entry.fragment else None
        if target is None or target <= first:
            if start_label is None or entry.fragment:
                start_label = entry.label
        elif target not in points:
            points[target] = entry.label
    for index, piece in enumerate(pieces):
        if piece.kind == "chapter_heading" and index > first and index not in points:
            points[index] = None
    return start_label, points


def segments_of(pieces: list[Piece], entries: list[Entry]) -> list[Segment]:
    start_label, points = _split_points(pieces, entries)
    segments = [Segment(start_label, [])]
    for index, piece in enumerate(pieces):
        if index in points:
            segments.append(Segment(points[index], []))
        segments[-1].pieces.append(piece)
    return [segment for segment in segments if segment.pieces]


def has_heading(segment: Segment) -> bool:
    for piece in segment.pieces:
        if piece.kind in ("heading", "chapter_heading"):
            return True
        if piece.kind in ("text", "break"):
            return False
    return False


def join(*parts: str) -> str:
    return "\n".join(part for part in parts if part)


class Builder:
    """Chapters from segments, with fan fiction's conventions applied to each one's text."""

    def __init__(self, work: ParsedWork, meta: Meta, keep_levels: bool, title: str) -> None:
        self.work = work
        self.meta = meta
        self.keep_levels = keep_levels  # a book that is one long page: its headings split it
        self.title = title
        self.headers = ParsedWork(title=NO_TITLE)  # `Title:`/`Rating:` lines atop the story

    def add(self, segment: Segment) -> None:
        pieces = list(segment.pieces)
        chapter_level = 0
        if self.keep_levels:
            levels = [piece.block.heading for piece in pieces if piece.block.heading]
            repeated = [level for level in set(levels) if levels.count(level) >= 2]
            chapter_level = min(repeated) if repeated else 0
        heading_index = next(
            (i for i, p in enumerate(pieces) if p.kind in ("heading", "chapter_heading", "text")),
            None,
        )
        heading = None
        if heading_index is not None and pieces[heading_index].kind != "text":
            heading = pieces[heading_index]
        title = _clean_title(segment.label) if segment.label else ""
        if heading is not None and heading.block.heading < chapter_level:
            # The book's one top heading over its chapters' headings: its title, or a part's.
            if normal(heading.block.text) == normal(self.title):
                pieces.remove(heading)
            heading = None
        if heading is not None:
            own = heading.block.text
            is_title = (
                not segment.label
                or heading.kind == "chapter_heading"
                or _same_title(own, segment.label)
                or chapter_heading(own) is not None
            )
            if is_title:
                pieces.remove(heading)
                # A heading AO3's reader marked takes AO3's rule: `Part 2` alone is the title.
                marked = heading.kind == "chapter_heading"
                title = title or (ao3_chapter_title(own) if marked else _clean_title(own))
        notes: dict[str, list[str]] = {}
        blocks = []
        for piece in pieces:
            if piece.kind in ("text", "heading", "chapter_heading", "break"):
                blocks.append(piece.block)
            else:
                notes.setdefault(piece.kind, []).append(piece.block.html)
        self.meta.notes.extend(notes.pop("work_notes", []))
        self.meta.end_notes.extend(notes.pop("work_end_notes", []))
        blocks = [
            block if block.heading == chapter_level else Block(text=block.text, html=block.html)
            for block in blocks
        ]
        first = not self.work.chapters
        temp = ParsedWork(title=NO_TITLE)
        if not first or self.meta.tags:
            # Header lines (`Rating: …`) count only atop a book that has no other metadata; a
            # break first keeps `structure` from reading any.
            blocks = [Block.scene_break(), *blocks]
        structure(blocks, temp)
        if first:
            self._keep_headers(temp)
        if temp.complete is not None:
            self.meta.text_complete = temp.complete
        chapters = temp.chapters
        if not chapters:
            # Only notes: before the story they are the work's, after it its end notes.
            target = self.meta.end_notes if self.work.chapters else self.meta.notes
            target.extend(note for note in (temp.notes, temp.end_notes) if note)
            return
        head, tail = chapters[0], chapters[-1]
        head.title = head.title or title
        if segment.part:
            # As the part's name would stand above the chapter's: "Part One: The Ferry".
            head.title = f"{segment.part}: {head.title}" if head.title else segment.part
        head.summary = join(*notes.get("chapter_summary", []))
        if len(chapters) > 1 and first:
            self.meta.notes.append(temp.notes)
            temp.notes = ""
        head.notes = join(*notes.get("chapter_notes", []), temp.notes, head.notes)
        tail.end_notes = join(tail.end_notes, temp.end_notes, *notes.get("chapter_end_notes", []))
        self.work.chapters.extend(chapters)

    def _keep_headers(self, temp: ParsedWork) -> None:
        if temp.title != NO_TITLE:
            self.headers.title = temp.title
        self.headers.authors = temp.authors
        self.headers.summary = temp.summary
        for tag_type, names in temp.tags.items():
            self.headers.add_tags(tag_type, names)
        if temp.complete is not None:
            self.headers.complete = temp.complete
