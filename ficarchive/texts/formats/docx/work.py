"""A .docx as a work: its paragraphs read with fan fiction's conventions and Word's properties."""

from __future__ import annotations

import posixpath
import re

from lxml import etree

from ficarchive.texts.blocks import Block
from ficarchive.texts.conventions import structure
from ficarchive.texts.flatten import Piece
from ficarchive.texts.formats import register
from ficarchive.texts.formats.docx.items import Compound, Item, Paragraph
from ficarchive.texts.formats.docx.layout import group
from ficarchive.texts.formats.docx.notes import attach, read_notes
from ficarchive.texts.formats.docx.numbering import Numbering
from ficarchive.texts.formats.docx.ooxml import attr
from ficarchive.texts.formats.docx.package import (
    Core,
    core_properties,
    main_part,
    relationships,
)
from ficarchive.texts.formats.docx.paragraphs import WEB_URL, Reader
from ficarchive.texts.formats.docx.styles import BREAK, CONTENTS, TITLE, Styles
from ficarchive.texts.header_lines import byline
from ficarchive.texts.headings import chapter_heading, title_like
from ficarchive.texts.makers import gutenberg, gutenberg_book
from ficarchive.texts.paragraphs import html_to_html
from ficarchive.texts.sanitize import sanitize_basic_html, sanitize_html
from ficarchive.texts.structure import ParsedWork, ParseError
from ficarchive.texts.ziparchive import ZipArchive, local_name, resolve

_CONTENTS_HEADING = re.compile(r"^\s*(?:table\s+of\s+)?contents\s*:?\s*$", re.IGNORECASE)
_LIST_OR_TABLE = "\u2022"  # the first line of a list's or a table's text (see `_blocks`)


def _links(archive: ZipArchive, part: str) -> dict[str, str]:
    """A part's hyperlink relationships to the web: id → URL."""
    folder = posixpath.dirname(part)
    rels_name = posixpath.join(folder, "_rels", posixpath.basename(part) + ".rels")
    return {
        ident: target
        for ident, _, target, mode in relationships(archive, rels_name)
        if mode.lower() == "external" and WEB_URL.match(target)
    }


def _part(archive: ZipArchive, name: str) -> etree._Element | None:
    """A part that helps reading (styles, numbering), None when it is missing or unreadable:
    without it the text is still there."""
    if not name or not archive.has(name):
        return None
    try:
        return archive.xml(name)
    except ParseError:
        return None


@register("docx", [".docx"])
def parse_docx(data: bytes, name: str) -> ParsedWork:
    archive = ZipArchive(data, "DOCX")
    main = main_part(archive)
    root = archive.xml(main, story=True)
    body = next((element for element in root.iter() if local_name(element) == "body"), None)
    if local_name(root) != "document" or body is None:
        raise ParseError(f"{main} inside the DOCX is not a Word document (it has no <w:body>)")
    folder = posixpath.dirname(main)
    rels_name = posixpath.join(folder, "_rels", posixpath.basename(main) + ".rels")
    parts: dict[str, str] = {}  # the first part of each kind the document relates to
    note_parts: list[tuple[str, str]] = []
    for _, kind, target, mode in relationships(archive, rels_name):
        kind = kind.rsplit("/", 1)[-1]
        if mode.lower() != "external" and kind not in parts:
            parts[kind] = resolve(folder, target) or ""
            if kind in ("footnotes", "endnotes"):
                note_parts.append((kind[: -len("notes")], parts[kind]))
    styles_root = _part(archive, parts.get("styles", ""))
    if styles_root is None:  # styles not found by relationship: where Word puts them
        styles_root = _part(archive, posixpath.join(folder, "styles.xml"))
    styles = Styles(styles_root)
    numbering = Numbering(_part(archive, parts.get("numbering", "")))
    # The bookmarks some link goes to: those get an anchor, Word's own (_GoBack…) do not.
    anchors = frozenset(
        anchor
        for element in body.iter("{*}hyperlink", "{*}Hyperlink")
        if (anchor := attr(element, "anchor"))
    )
    reader = Reader(styles, _links(archive, main), numbering, anchors)
    items = group(reader.blocks(body))
    readers: dict[str, Reader] = {}

    def read_note(part: str, note: etree._Element) -> list[Item]:
        if part not in readers:
            readers[part] = Reader(styles, _links(archive, part), numbering, anchors)
        return readers[part].blocks(note)

    notes = read_notes(archive, note_parts, read_note) if reader.references else {}

    core = core_properties(archive)
    work = ParsedWork()
    blocks = _blocks(items, work, core)
    book = _gutenberg_book(blocks, work, core)
    if book is not None:
        attach(book, notes, reader.references)
        return book
    blocks = _heading_levels(blocks, work)
    structure(blocks, work)
    attach(work, notes, reader.references)
    # What Word's document properties say, where the text said nothing.
    work.title = work.title or core.title
    if not work.authors and core.creator:
        work.authors = [core.creator]
    if not work.summary and core.description:
        work.summary = html_to_html(core.description, sanitize_basic_html)
    work.language = work.language or core.language
    if core.keywords and not work.tags:
        work.add_tags("freeform", core.keywords)
    return work


def _blocks(items: list[Item], work: ParsedWork, core: Core) -> list[Block]:
    """The items as blocks for `structure`; the title, a byline and Word's table of contents
    are taken out (into `work`, or dropped)."""
    blocks: list[Block] = []
    for index, item in enumerate(items):
        if isinstance(item, Compound):
            # A list or a table is story text: its lines under a bullet, so that no convention
            # reads its first line as the title, a heading, a note, a header or an end marker.
            text = "\n".join([_LIST_OR_TABLE, *item.lines])
            blocks.append(Block(text=text, html=sanitize_html(item.html)))
            continue
        paragraph = item
        following = items[index + 1] if index + 1 < len(items) else None
        if paragraph.kind == CONTENTS or (
            _CONTENTS_HEADING.match(paragraph.text)
            and isinstance(following, Paragraph)
            and following.kind == CONTENTS
        ):
            continue  # Word's table of contents, and its heading
        if paragraph.kind == TITLE and not work.title:
            work.title = " ".join(paragraph.text.split())
            continue
        if len(blocks) <= 1 and not work.authors and (not blocks or title_like(blocks[0].text)):
            # `by tidewright` under the title; or the document's author's name alone there.
            names = byline(paragraph.text)
            if names:
                work.authors = names
                continue
            if core.creator and paragraph.text.casefold() == core.creator.casefold():
                work.authors = [core.creator]
                continue
        if paragraph.kind == BREAK:
            blocks.append(Block.scene_break())
            continue
        level = paragraph.kind if paragraph.kind > 0 else 0
        if paragraph.kind == TITLE:
            level = 1
        if level:
            html = f"<h{level}>{paragraph.html}</h{level}>"
        elif paragraph.align:
            html = f'<p align="{paragraph.align}">{paragraph.html}</p>'
        else:
            html = f"<p>{paragraph.html}</p>"
        blocks.append(Block(text=paragraph.text, html=sanitize_html(html), heading=level))
    return blocks


def _gutenberg_book(blocks: list[Block], work: ParsedWork, core: Core) -> ParsedWork | None:
    """A Project Gutenberg book (calibre's conversion of PG's HTML): read as that HTML is, its
    header and licence out of the story; None for any other document."""
    pieces = [
        Piece("heading" if block.heading else "break" if block.is_break else "text", block)
        for block in blocks
    ]
    markers = gutenberg_book.find_markers(pieces)
    if markers is None:
        return None
    title, authors = gutenberg.book_of(core.title)
    if not authors:
        authors = work.authors or ([core.creator] if core.creator else [])
    return gutenberg_book.read_book(pieces, markers, title or work.title or core.title, authors)


def _heading_levels(blocks: list[Block], work: ParsedWork) -> list[Block]:
    """Chapters are the headings of the level that repeats: a lone heading above them at the top
    is the title, headings below them are part of a chapter's text."""
    levels = [block.heading for block in blocks if block.heading]
    repeated = [level for level in set(levels) if levels.count(level) >= 2]
    chapter_level = min(repeated) if repeated else 0
    first = blocks[0] if blocks else None
    if (
        first is not None
        and first.heading
        and (not chapter_level or first.heading < chapter_level)
        and chapter_heading(first.text) is None
        and not work.title
    ):
        work.title = " ".join(first.text.split())
        blocks = blocks[1:]
    result = []
    for block in blocks:
        if block.heading and block.heading != chapter_level:
            block = Block(text=block.text, html=block.html)
        result.append(block)
    return result
