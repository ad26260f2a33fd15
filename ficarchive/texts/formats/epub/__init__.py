"""EPUB (.epub), versions 2 and 3: the books AO3, FanFicFare, calibre and every e-book tool make.

The container names the package (OPF); its metadata gives the title, creators, summary,
language and subjects, its spine the documents in reading order, and its table of contents (the
EPUB 3 navigation document, else the EPUB 2 NCX) the chapter titles. Each story document becomes
a chapter (a document the table of contents splits at anchors becomes several; a document the
converter split for size joins the chapter before it), read with fan fiction's conventions for
notes, scene breaks and end markers. Pages without story text — covers, title pages, tables of
contents, FanFicFare's update log — are skipped.

Two makers get more: AO3's EPUB (calibre's conversion of AO3's HTML download) keeps the work's
tags, summary and notes in a preface and its end notes in an afterword, and each chapter's
summary and notes in a `Chapter Notes` block; FanFicFare's EPUB has a title page of
`Label: value` lines and its chapter notes in `fff_chapter_notes` blocks. A Project Gutenberg
book (its start marker in a story document) is read as the HTML it was made from
(`formats.epub.gutenberg`): the header as notes, the licence as end notes.
"""

from __future__ import annotations

import html as html_lib
import posixpath
import re

from lxml import etree

from ficarchive.texts.flatten import Flattener
from ficarchive.texts.formats import register
from ficarchive.texts.formats.epub.chapters import (
    NO_TITLE,
    Builder,
    Segment,
    divider_name,
    has_heading,
    is_divider,
    join,
    normal,
    segments_of,
)
from ficarchive.texts.formats.epub.contents import Entry, read_toc
from ficarchive.texts.formats.epub.gutenberg import is_gutenberg_book, read_gutenberg_epub
from ficarchive.texts.formats.epub.package import (
    Item,
    Package,
    check_drm,
    container_path,
    read_package,
    refuse_encrypted,
)
from ficarchive.texts.formats.epub.pages import (
    is_contents_page,
    is_copyright_page,
    is_title_page,
    words_in,
)
from ficarchive.texts.makers.ao3 import (
    ao3_tag_list,
    mark_ao3_chapters,
    subject_tag,
    take_ao3_afterword,
    take_ao3_preface,
)
from ficarchive.texts.makers.calibre import CALIBRE_SPLIT, is_calibre_jacket
from ficarchive.texts.makers.fanficfare import (
    is_fff_log_page,
    is_fff_title_page,
    mark_fff_notes,
    read_fff_title_page,
)
from ficarchive.texts.makers.meta import Meta
from ficarchive.texts.markup import body_of, clean, parse_xhtml_document
from ficarchive.texts.paragraphs import html_to_html, text_to_html
from ficarchive.texts.sanitize import sanitize_basic_html
from ficarchive.texts.structure import ParsedWork, ParseError
from ficarchive.texts.ziparchive import ZipArchive, resolve

# An SVG document in the spine is a page too: its `<text>` elements are read as paragraphs.
_DOCUMENT_TYPES = {"application/xhtml+xml", "text/html", "application/xml", "text/x-oeb1-document"}
_DOCUMENT_TYPES |= {"image/svg+xml"}
_DOCUMENT_EXTENSIONS = (".xhtml", ".html", ".htm", ".xml", ".svg")
# -- the whole book ------------------------------------------------------------------------------

_SUBJECTS_NOT_TAGS = {"fanworks", "fanfiction", "fan fiction", "completed", "complete"}
_SUBJECTS_NOT_TAGS |= {"in-progress", "in progress", "wip", "general", "fiction"}
_HTML_TAG = re.compile(r"<\s*/?\s*(?:p|br|div|em|i|b|strong|span|a|blockquote|ul|ol)\b", re.I)

# Table-of-contents labels that name a page, not a chapter (calibre's default entry is "Start").
_PAGE_LABELS = {"start", "title page", "cover", "table of contents", "contents", "update log"}
_AO3_PAGE_LABELS = _PAGE_LABELS | {"preface", "afterword"}


def _description_html(description: str) -> str:
    if _HTML_TAG.search(description):
        return html_to_html(description, sanitize_basic_html)
    return text_to_html(description, sanitize_basic_html)


@register("epub", [".epub"])
def parse_epub(data: bytes, name: str) -> ParsedWork:
    archive = ZipArchive(data, "EPUB")
    opf_path = container_path(archive)
    encrypted = check_drm(archive)
    refuse_encrypted(encrypted, [resolve("", opf_path)])
    package = read_package(archive, opf_path)
    refuse_encrypted(encrypted, [item.path for item in package.spine])
    entries = read_toc(archive, package)

    # Every page of the spine, read once.
    documents: list[tuple[Item, etree._Element]] = []
    for item in package.spine:
        is_document = item.media_type in _DOCUMENT_TYPES or (
            not item.media_type and item.path.lower().endswith(_DOCUMENT_EXTENSIONS)
        )
        if not is_document or "nav" in item.properties:
            continue
        if not archive.has(item.path):
            raise ParseError(
                f"the EPUB's spine lists {item.path}, but that file is missing from the EPUB"
            )
        root = parse_xhtml_document(
            archive.read(item.path, story=True), f"{item.path} inside the EPUB"
        )
        if root is not None:
            documents.append((item, root))
    if is_gutenberg_book(documents):
        book = read_gutenberg_epub(documents, package)
        if book is not None:
            return book
    story_paths = {item.path for item, _ in documents}
    # Each document's entries, labels normalised once: a book split per scene has thousands.
    entries_by_path: dict[str, list[tuple[str, Entry]]] = {}
    for entry in entries:
        entries_by_path.setdefault(entry.path, []).append((normal(entry.label), entry))

    meta = Meta()
    is_ao3 = "archive of our own" in package.publisher.lower() or any(
        ao3_tag_list(body_of(root)) is not None for _, root in documents
    )
    toc_covers = any(entry.path in story_paths for entry in entries)
    segments: list[Segment] = []
    seen_story = False
    title_pages: list[Segment] = []
    for item, root in documents:
        body = body_of(root)
        # FanFicFare's pages are told by what they hold: calibre renames their classes.
        if not seen_story and is_fff_title_page(body):
            read_fff_title_page(body, meta)
            continue
        if is_fff_log_page(body) or is_calibre_jacket(root):
            continue
        if is_contents_page(body, story_paths, posixpath.dirname(item.path)):
            continue
        had_ao3 = False
        if is_ao3:
            had_ao3 = take_ao3_preface(body, meta)
            take_ao3_afterword(body, meta)
            mark_ao3_chapters(body)
        mark_fff_notes(body)
        clean(body)
        pieces = Flattener().walk(body)
        if not any(piece.kind != "break" for piece in pieces):
            continue
        if is_copyright_page(body, pieces):
            continue
        words = sum(words_in(piece.block.text) for piece in pieces)
        if item.path in package.skip_paths and words < 150:
            continue
        ignored = _AO3_PAGE_LABELS if had_ao3 else _PAGE_LABELS
        doc_entries = [
            entry for label, entry in entries_by_path.get(item.path, []) if label not in ignored
        ]
        doc_segments = segments_of(pieces, doc_entries)
        if not seen_story and is_title_page(
            pieces, package.title or meta.title, package.authors or meta.authors
        ):
            title_pages.extend(doc_segments)
            continue
        seen_story = True
        first = doc_segments[0]
        continues = (
            segments
            and first.label is None
            and not has_heading(first)
            and (toc_covers or CALIBRE_SPLIT.search(item.path) is not None)
        )
        if continues:
            segments[-1].pieces.extend(first.pieces)
            doc_segments = doc_segments[1:]
        elif segments and is_divider(segments[-1]):
            first.part = divider_name(segments.pop())
        segments.extend(doc_segments)
    if len(segments) > 1 and is_divider(segments[-1]):
        segments.pop()  # a part page with nothing after it
    if not segments:
        segments = title_pages  # a book that is all title page: better read than nothing

    work = ParsedWork()
    title = package.title or meta.title
    builder = Builder(work, meta, keep_levels=len(segments) == 1, title=title)
    for segment in segments:
        builder.add(segment)
    _fill_work(work, package, meta, builder.headers)
    return work


def _fill_work(work: ParsedWork, package: Package, meta: Meta, headers: ParsedWork) -> None:
    work.title = package.title or meta.title or (headers.title if headers.title != NO_TITLE else "")
    work.authors = meta.authors or package.authors or headers.authors
    if meta.summary:
        work.summary = meta.summary
    elif package.description:
        work.summary = _description_html(package.description)
    else:
        work.summary = headers.summary
    work.notes = join(*meta.notes)
    work.end_notes = join(*meta.end_notes)
    work.language = package.language if package.language.lower() != "und" else ""
    for tags in (meta.tags, headers.tags):
        for tag_type, names in tags.items():
            if any(name.strip() for name in names):
                work.add_tags(tag_type, names)
    typed = {name.casefold() for names in work.tags.values() for name in names}
    for subject in package.subjects:
        for name in html_lib.unescape(subject).split(","):
            name = name.strip()
            folded = name.casefold()
            if folded in _SUBJECTS_NOT_TAGS or folded.startswith("last update"):
                continue
            tag_type, name = subject_tag(name)
            if name.casefold() not in typed:
                work.add_tags(tag_type, [name])
    for complete in (meta.complete, headers.complete, meta.text_complete):
        if complete is not None:
            work.complete = complete
            break
    if len(work.chapters) == 1 and normal(work.chapters[0].title) == normal(work.title):
        work.chapters[0].title = ""
