"""Project Gutenberg's HTML books: the header and licence around the text, its chapters."""

from __future__ import annotations

from collections import Counter

from lxml.html import HtmlElement

from ficarchive.texts.blocks import Block
from ficarchive.texts.chapter_titles import NUMBERED, chapter_title
from ficarchive.texts.conventions import end_marker, is_scene_break
from ficarchive.texts.flatten import Piece
from ficarchive.texts.formats.html.contents import resolve_tocs
from ficarchive.texts.formats.html.head import authors_from_head, byline_names, title_from_head
from ficarchive.texts.headings import chapter_heading
from ficarchive.texts.makers import gutenberg
from ficarchive.texts.paragraphs import text_to_html
from ficarchive.texts.sanitize import sanitize_html
from ficarchive.texts.structure import ParsedChapter, ParsedWork


def _piece_text(piece: Piece) -> str:
    return piece.preformatted or piece.block.text


def pg_markers(pieces: list[Piece]) -> tuple[int, int] | None:
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
    front_words = sum(len(block.text.split()) for block in front if not block.heading)
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


def parse_gutenberg(root: HtmlElement, pieces: list[Piece], markers: tuple[int, int]) -> ParsedWork:
    start, end = markers
    work = ParsedWork(complete=True)
    _pg_header(pieces[: start + 1], work)
    work.end_notes = _pg_end_notes(pieces[end:])
    content, targets = resolve_tocs(pieces[start + 1 : end])
    if not work.title:
        work.title = title_from_head(root)
    if not work.authors:
        work.authors = byline_names([piece.block for piece in content[:8]]) or authors_from_head(
            root
        )
    starts = targets
    if len(starts) >= 2:
        level = min(content[index].block.heading for index in starts)
    else:
        starts, level = _fallback_starts(content)
    work.chapters = _split_chapters(content, starts, level)
    return work
