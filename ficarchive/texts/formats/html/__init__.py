"""HTML (.html, .htm, .xhtml): AO3 downloads and pages, Project Gutenberg books, any other page.

Four kinds of file, told apart by what the document holds:

- AO3's "Download → HTML" (`div#preface`, `div#chapters`, `div#afterword`): the work's title,
  creators, tags, summary and notes come from the preface, each chapter from its `div.meta`
  and `div.userstuff`, the end notes from the afterword.
- A Project Gutenberg book (`*** START OF THE PROJECT GUTENBERG EBOOK …` and `*** END OF …`):
  the header becomes the work's notes, the licence after the end marker its end notes, the
  table of contents is dropped and the chapters start at the headings it links to.
- A page of AO3 saved from the browser (`formats.html.ao3_page`): a work's page read as the
  download is, without the site's menus, kudos and comments; any other page of the site refused
  saying what it is.
- Anything else: the body's blocks in document order, read with fan fiction's conventions
  (`conventions.structure`), the way the plain-text and Markdown parsers read theirs.
"""

from __future__ import annotations

from lxml.html import HtmlElement

from ficarchive.texts.conventions import structure
from ficarchive.texts.flatten import Flattener, Piece, tidy_html
from ficarchive.texts.formats import register
from ficarchive.texts.formats.html.ao3_page import is_ao3_page, read_ao3_page
from ficarchive.texts.formats.html.head import authors_from_head, byline_names, title_from_head
from ficarchive.texts.limits import MarkupCounter, budget
from ficarchive.texts.makers import gutenberg, gutenberg_book
from ficarchive.texts.makers.ao3 import read_ao3_download
from ficarchive.texts.markup import decode_html, parse_html_document
from ficarchive.texts.page_contents import resolve_tocs
from ficarchive.texts.structure import ParsedWork

# -- any other page -------------------------------------------------------------------------------


def _parse_generic(root: HtmlElement, pieces: list[Piece]) -> ParsedWork:
    content, _ = resolve_tocs(pieces)
    blocks = [piece.block for piece in content]
    work = ParsedWork()
    heading_levels = [block.heading for block in blocks if block.heading]
    top = blocks[0].heading if blocks else 0
    # The one top heading over several chapter headings is the work's title.
    if (
        top
        and top == min(heading_levels)
        and heading_levels.count(top) == 1
        and len(heading_levels) > 2
    ):
        work.title = " ".join(blocks[0].text.split())
        blocks = blocks[1:]
        work.authors = byline_names(blocks[:1]) if blocks and not blocks[0].heading else []
        if work.authors:
            blocks = blocks[1:]
    if not work.authors:
        work.authors = authors_from_head(root)
    work = structure(blocks, work)
    if not work.title:
        first = next((block for block in blocks if block.heading == 1), None)
        work.title = title_from_head(root) or (" ".join(first.text.split()) if first else "")
    return work


# -- the format -----------------------------------------------------------------------------------


@register("html", [".html", ".htm", ".xhtml"])
def parse_html(data: bytes, name: str) -> ParsedWork:
    text = decode_html(data)
    # Words and tags counted before the tree is built: a file over the limits stops here.
    MarkupCounter(budget(), story=True).count_all(text)
    root = parse_html_document(text)
    tidy_html(root)
    language = root.get("lang") or root.get("xml:lang") or ""
    preface = root.find(".//div[@id='preface']")
    if preface is not None and root.find(".//div[@id='chapters']") is not None:
        work = read_ao3_download(root, preface)
    elif is_ao3_page(root):
        work = read_ao3_page(root)
    else:
        if gutenberg.START.search(text):
            for page_number in list(root.find_class("pagenum")):
                page_number.drop_tree()  # a printed edition's page numbers, not the text
        body = root.find("body")
        pieces = Flattener(web=True).walk(body if body is not None else root)
        markers = gutenberg_book.find_markers(pieces)
        if markers is not None:
            head_authors = authors_from_head(root)
            work = gutenberg_book.read_book(pieces, markers, title_from_head(root), head_authors)
        else:
            work = _parse_generic(root, pieces)
    if not work.language and language:
        work.language = language[:20]
    return work
