"""A Project Gutenberg book made an EPUB (calibre's `ebook-convert` of PG's HTML, or PG's own
EPUB): read as the HTML it was made from.

The converter splits the one HTML page into several documents and rewrites the contents' links
to point across them. Here the story documents are read as web pages again, one after the
other, with every anchor and every link into the book named by its document (`path#id`), so
that the pieces are those of the one page and `makers.gutenberg_book` finds the header, the
licence, the contents and the chapters the way the HTML reader does.
"""

from __future__ import annotations

import posixpath

from lxml import etree

from ficarchive.texts.flatten import Flattener, Piece, tidy_html
from ficarchive.texts.formats.epub.package import Item, Package
from ficarchive.texts.makers import gutenberg, gutenberg_book
from ficarchive.texts.makers.calibre import is_calibre_jacket
from ficarchive.texts.markup import body_of, parse_html_document, text_of
from ficarchive.texts.structure import ParsedWork
from ficarchive.texts.ziparchive import resolve

# calibre's name for a book whose metadata gave no author.
_NO_AUTHOR = {"unknown", ""}


def is_gutenberg_book(documents: list[tuple[Item, etree._Element]]) -> bool:
    """Whether a story document holds Gutenberg's start marker."""
    return any(gutenberg.START.search(text_of(body_of(root))) for _, root in documents)


def read_gutenberg_epub(
    documents: list[tuple[Item, etree._Element]], package: Package
) -> ParsedWork | None:
    """The book, or None when its pieces hold no start marker (one in a script, say); the
    documents are read again as HTML, left as they were for the EPUB reader then."""
    story_paths = {item.path for item, _ in documents}
    pieces: list[Piece] = []
    for item, original in documents:
        if is_calibre_jacket(original):
            continue
        root = parse_html_document(etree.tostring(original, encoding="unicode", method="html"))
        _name_anchors(root, item.path, story_paths)
        tidy_html(root)
        body = body_of(root)
        for page_number in list(root.find_class("pagenum")):
            page_number.drop_tree()  # a printed edition's page number, not the text
        document_pieces = Flattener(web=True).walk(body)
        if document_pieces:
            # A link to the document itself leads to its first piece.
            document_pieces[0].anchors.append(_anchor(item.path, ""))
        pieces.extend(document_pieces)
    markers = gutenberg_book.find_markers(pieces)
    if markers is None:
        return None
    title, authors = gutenberg.book_of(package.title)
    if not authors:
        authors = [name for name in package.authors if name.casefold() not in _NO_AUTHOR]
    return gutenberg_book.read_book(pieces, markers, title or package.title, authors)


def _anchor(path: str, fragment: str) -> str:
    return f"{path}#{fragment}"


def _name_anchors(root: etree._Element, path: str, story_paths: set[str]) -> None:
    """Every id as `path#id` and every link to a story document as `#path#id`: anchors unique
    across the book, links that read as links within one page."""
    base = posixpath.dirname(path)
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        for attribute in ("id", "name"):
            value = element.get(attribute)
            if value and (attribute == "id" or element.tag == "a"):
                element.set(attribute, _anchor(path, value))
        href = element.get("href")
        if element.tag != "a" or not href:
            continue
        target = path if href.startswith("#") else resolve(base, href)
        if target in story_paths:
            fragment = href.split("#", 1)[1] if "#" in href else ""
            element.set("href", "#" + _anchor(target, fragment))
