"""A Project Gutenberg book as any reader's pieces: its HTML, or the EPUB or DOCX that calibre
(or another converter) made of that HTML.

The reader flattens its file into pieces (`flatten.Piece`) and hands them here when two pieces
hold Gutenberg's start and end markers (`find_markers`). `read_book` then does what every
format does with such a book: the pieces up to the start marker are the header (its `Title:`
and `Author:` lines give the title and authors, the header itself becomes the work's notes),
the pieces from the end marker on are the licence (the work's end notes), never story text.
The book between them loses its table of contents, a title page before the first chapter, and
is cut into chapters where the contents linked to, else at the most numbered heading level, so
that an adventure's `I.`/`II.` sections stay in it. The markers and the header's fields
themselves are `makers.gutenberg`'s.
"""

from __future__ import annotations

import re
from collections import Counter

from ficarchive.texts.blocks import Block
from ficarchive.texts.chapter_titles import NUMBERED, chapter_title
from ficarchive.texts.conventions import end_marker, is_scene_break
from ficarchive.texts.flatten import Piece
from ficarchive.texts.header_lines import byline
from ficarchive.texts.headings import chapter_heading
from ficarchive.texts.makers import gutenberg
from ficarchive.texts.page_contents import CONTENTS_HEADING, resolve_tocs
from ficarchive.texts.paragraphs import text_to_html
from ficarchive.texts.sanitize import sanitize_html
from ficarchive.texts.structure import ParsedChapter, ParsedWork

_NUMBER = re.compile(r"^(?:\d+|[ivxlc]+)$")


def _piece_text(piece: Piece) -> str:
    return piece.preformatted or piece.block.text


def find_markers(pieces: list[Piece]) -> tuple[int, int] | None:
    """Where the book starts and its licence begins: the pieces holding Gutenberg's markers."""
    start = next((i for i, p in enumerate(pieces) if gutenberg.START.search(_piece_text(p))), None)
    if start is None:
        return None
    end = next(
        (i for i in range(start + 1, len(pieces)) if gutenberg.END.search(_piece_text(pieces[i]))),
        len(pieces),
    )
    return start, end


def _pg_header(pieces: list[Piece], work: ParsedWork) -> None:
    text = "\n\n".join(_piece_text(piece) for piece in pieces)
    header = gutenberg.read_header(text)
    work.title, work.authors, work.language = header.title, header.authors, header.language
    work.notes = text_to_html(gutenberg.unwrap(gutenberg.without_markers(text)))


def _pg_end_notes(pieces: list[Piece]) -> str:
    parts = []
    for piece in pieces:
        if piece.block.is_break:
            continue
        if piece.preformatted:
            parts.append(text_to_html(gutenberg.unwrap(piece.preformatted)))
        else:
            parts.append(piece.block.html)
    return sanitize_html("\n".join(parts))


def _looks_numbered(text: str) -> bool:
    return chapter_heading(text) is not None or NUMBERED.match(" ".join(text.split())) is not None


def _fallback_starts(pieces: list[Piece]) -> tuple[dict[int, str], int]:
    """Where chapters start when no table of contents says: the headings of the level most
    numbered headings (`Chapter 4`, `IV.`) have, from the first numbered one on; failing that,
    the most common heading level."""
    numbered: Counter[int] = Counter()
    every: Counter[int] = Counter()
    for piece in pieces:
        level = piece.block.heading
        if level:
            every[level] += 1
            if _looks_numbered(piece.block.text):
                numbered[level] += 1
    for counts in (numbered, every):
        common = [(count, -level) for level, count in counts.items() if count >= 2]
        if not common:
            continue
        level = -max(common)[1]
        at_level = [i for i, piece in enumerate(pieces) if piece.block.heading == level]
        if counts is numbered:
            first = next(i for i in at_level if _looks_numbered(pieces[i].block.text))
            at_level = [i for i in at_level if i >= first]
        return dict.fromkeys(at_level, ""), level
    return {}, 0


def _key(text: str) -> str:
    return " ".join(re.sub(r"[\W_]+", " ", text.casefold()).split())


def _names_chapters(block: Block, headings: list[str]) -> bool:
    """Whether the block is (part of) a contents list that links nowhere (a DOCX's, or lines of
    text): its label, or lines that each name a chapter (`Chapter 4`, `A Scandal in Bohemia`
    under `ADVENTURE I. A SCANDAL IN BOHEMIA`) or number one (`IV.`)."""
    if CONTENTS_HEADING.match(block.text):
        return True
    keys = [_key(line) for line in block.text.split("\n")]
    keys = [key for key in keys if key and not _NUMBER.match(key)]
    return bool(keys) and all(any(key in heading for heading in headings) for key in keys)


def _split_chapters(pieces: list[Piece], starts: dict[int, str], level: int) -> list[ParsedChapter]:
    """Chapters from the pieces: each begins at one of `starts` (index → table-of-contents
    entry); headings ranked above the chapters' (a part or volume between them) are dropped."""
    chapters: list[tuple[str, list[Block]]] = []
    front: list[Block] = []
    for index, piece in enumerate(pieces):
        block = piece.block
        if piece.toc is not None and not chapters:
            continue  # a list of links before the first chapter: contents we could not follow
        if index in starts:
            chapters.append((chapter_title(block.text, starts[index]), []))
            continue
        if block.heading and level and block.heading < level:
            continue
        target = chapters[-1][1] if chapters else front
        if block.is_break or (not block.heading and is_scene_break(block.text)):
            if target:
                target.append(Block.scene_break())
            continue
        target.append(block)
    headings = [_key(pieces[index].block.text) for index in starts]
    front_words = sum(
        len(block.text.split())
        for block in front
        if not block.heading and not _names_chapters(block, headings)
    )
    if front_words >= 100 or not chapters:
        chapters.insert(0, ("", front))  # a preface the contents did not list, or all there is
    if chapters and chapters[-1][1] and end_marker(chapters[-1][1][-1].text) == "complete":
        chapters[-1][1].pop()  # "THE END" under the last line
    result = []
    for title, blocks in chapters:
        while blocks and blocks[-1].is_break:
            blocks.pop()
        if any(block.text.strip() for block in blocks if not block.is_break):
            html = sanitize_html("\n".join(block.html for block in blocks))
            result.append(ParsedChapter(html=html, title=title))
    return result


def read_book(
    pieces: list[Piece], markers: tuple[int, int], title: str = "", authors: list[str] | None = None
) -> ParsedWork:
    """The book `find_markers` found in the pieces; `title` and `authors` (what the file's own
    metadata says) count only where the header and a byline under the title say nothing."""
    start, end = markers
    work = ParsedWork(complete=True)
    _pg_header(pieces[: start + 1], work)
    work.end_notes = _pg_end_notes(pieces[end:])
    content, targets = resolve_tocs(pieces[start + 1 : end])
    work.title = work.title or title
    if not work.authors:
        bylines = (byline(piece.block.text) for piece in content[:8])
        work.authors = next((names for names in bylines if names), []) or list(authors or [])
    starts = targets
    if len(starts) >= 2:
        level = min(content[index].block.heading for index in starts)
    else:
        starts, level = _fallback_starts(content)
    work.chapters = _split_chapters(content, starts, level)
    return work
