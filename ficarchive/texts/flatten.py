"""Flatteners: a document's body as a list of pieces (paragraphs, headings, breaks, notes) in
reading order, each a `conventions.Block` with what the splitters need to know about where it was.
"""

from __future__ import annotations

import html as html_lib
import re
from dataclasses import dataclass, field

from lxml import etree
from lxml.html import HtmlElement

from ficarchive.texts.blocks import Block
from ficarchive.texts.markup import (
    DROP_TAGS,
    all_text,
    anchors_of,
    inner_html,
    outer_html,
    tag_name,
    text_of,
)
from ficarchive.texts.paragraphs import html_to_html
from ficarchive.texts.sanitize import sanitize_html
from ficarchive.texts.structure import html_to_text

MARK = "data-ficarchive"  # what the maker-specific passes found an element to be
# What a web page loses before it is read: its head's <title> is read later, and media stay
# for the sanitizer to judge.
_WEB_DROP = DROP_TAGS - {"head", "foreign", "audio", "video", "canvas", "map"}

# -- the tree, tidied -----------------------------------------------------------------------------

_SPACES = re.compile(r"[ \t\n\r\f\v]+")


def tidy_html(root: HtmlElement) -> None:
    """Scripts, styles and unusable images out; source line breaks outside <pre> made spaces."""
    for element in list(root.iter(*_WEB_DROP)):
        if element is not root:
            element.drop_tree()
    for image in list(root.iter("img")):
        if not (image.get("src") or "").lower().startswith(("http://", "https://")):
            image.drop_tree()  # a file on the writer's disk or inline data: nothing to show here
    preformatted: set[HtmlElement] = set()
    for pre in root.iter("pre"):
        preformatted.update(pre.iter())
    for element in root.iter():
        inside = element in preformatted
        if element.text and not inside:
            first = element[0] if len(element) else None
            element.text = _collapse(
                element.text, first is not None and tag_name(first) in _HTML_BLOCKS
            )
        if element.tail and (not inside or element.tag == "pre"):
            element.tail = _collapse(element.tail, tag_name(element) in _HTML_BLOCKS)


def _collapse(text: str, between_blocks: bool) -> str:
    """Runs of spaces and newlines as one space; only whitespace between blocks, one newline."""
    if between_blocks and not text.strip():
        return "\n"
    return _SPACES.sub(" ", text)


# -- the document as pieces ---------------------------------------------------------------------

HEADINGS = {"h1": 1, "h2": 2, "h3": 3, "h4": 4, "h5": 5, "h6": 6}
# Blocks kept whole (one piece each) in a book's page; a web page also keeps list items, terms
# and captions whole, which in a book read as paragraphs.
_BOOK_ATOMIC = frozenset({"p", "pre", "ul", "ol", "dl", "table", "address", "blockquote"})
_LOOSE = frozenset({"li", "dd", "dt", "figcaption", "caption"})
_WEB_ATOMIC = _BOOK_ATOMIC | _LOOSE
# Blocks that hold other blocks: read what is inside.
_CONTAINERS = frozenset(
    {"html", "body", "div", "section", "article", "main", "header", "footer", "center", "aside"}
    | {"figure", "hgroup", "details", "summary", "fieldset", "form"}
)
_TABLE_PARTS = frozenset({"tbody", "thead", "tfoot", "tr", "td", "th"})
_BOOK_BLOCK_LEVEL = _BOOK_ATOMIC | _LOOSE | _CONTAINERS | _TABLE_PARTS | {"hr"} | set(HEADINGS)
_WEB_BLOCK_LEVEL = _WEB_ATOMIC | _CONTAINERS | {"hr"} | set(HEADINGS)
# What `tidy_html` counts as a block when it collapses the whitespace between elements.
_HTML_BLOCKS = _WEB_BLOCK_LEVEL | {"tr", "td", "th", "tbody", "thead"}
_TOC_CANDIDATES = frozenset(["div", "center", "section", "nav", "blockquote", "ul", "ol", "dl"])
_TOC_CANDIDATES |= frozenset(["table", "p"])
_TOC_ENTRY = frozenset(["li", "tr", "p", "dt", "dd", "div"])
_DOUBLE_BREAK = re.compile(r"(?:<br\b[^>]*>\s*){2,}", re.IGNORECASE)
EDGE_BREAKS = re.compile(r"^(?:\s*<br\b[^>]*>)+|(?:<br\b[^>]*>\s*)+$", re.IGNORECASE)


@dataclass
class Piece:
    """One block of the document, with what the splitters need to know about where it was."""

    kind: str  # text, heading, chapter_heading, break, or the kind of note it is
    block: Block
    anchors: list[str] = field(default_factory=list)
    element: etree._Element | None = None
    toc: list[tuple[str, str]] | None = None  # (target id, entry text) for a table of contents
    preformatted: str = ""  # the raw text of a <pre>, line breaks and all


def anchor_positions(pieces: list[Piece]) -> dict[str, int]:
    """Each anchor (an element's id) → the index of the first piece that holds it: where a
    table of contents' links lead."""
    where: dict[str, int] = {}
    for index, piece in enumerate(pieces):
        for anchor in piece.anchors:
            where.setdefault(anchor, index)
    return where


def _toc_links(element: HtmlElement) -> list[tuple[str, str]] | None:
    """(target, entry) pairs when the element looks like a table of contents: links to places
    in this document, one per entry, with little text besides them."""
    links = [a for a in element.iter("a") if (a.get("href") or "").startswith("#")]
    links = [a for a in links if len(a.get("href") or "") > 1]
    if len(links) < 3:
        return None
    inside = set(anchors_of(element))
    if any((a.get("href") or "")[1:] in inside for a in links):
        return None  # it links into itself: the chapters are in it, it is not their list
    link_text = sum(len(text_of(a)) for a in links)
    if (len(text_of(element)) - link_text) / len(links) > 80:
        return None
    pairs = []
    for link in links:
        entry: HtmlElement = link
        for ancestor in link.iterancestors():
            if ancestor is element:
                break
            if tag_name(ancestor) in _TOC_ENTRY:
                entry = ancestor
                break
        if entry is not link and len([a for a in entry.iter("a") if a in links]) > 1:
            entry = link  # several links on one line: each link is its own entry
        pairs.append(((link.get("href") or "")[1:], text_of(entry)))
    return pairs


class Flattener:
    """A document body as pieces in reading order: paragraphs, headings, breaks and notes.

    It reads two kinds of tree. A book's page (an EPUB document after `markup.clean`: anchors
    in `data-anchor`, pictures as `data-image`, the makers' marks in `MARK`) has its paragraphs
    split where two `<br>`s make a blank line and a lone picture read as a scene break. A web
    page (`web`, after `tidy_html`) keeps its blocks as the page wrote them and has its
    in-page tables of contents found (`Piece.toc`).
    """

    def __init__(self, web: bool = False) -> None:
        self.web = web
        self._atomic = _WEB_ATOMIC if web else _BOOK_ATOMIC
        self._block_level = _WEB_BLOCK_LEVEL if web else _BOOK_BLOCK_LEVEL
        self._block_tags = tuple(self._block_level)
        self._drop = _WEB_DROP if web else DROP_TAGS
        self.pieces: list[Piece] = []
        self._inline: list[str] = []
        self._pending: list[str] = []
        self._image = False

    def walk(self, container: etree._Element) -> list[Piece]:
        self._anchor(container)
        if container.text:
            self._inline.append(html_lib.escape(container.text, quote=False))
        for child in container:
            tag = tag_name(child)
            if not tag or tag in self._drop:
                pass
            elif child.get(MARK):
                self._flush()
                self._marked(child, str(child.get(MARK)))
            elif tag in self._block_level or self._has_blocks(child):
                self._flush()
                self._block(child, tag)
            else:
                self._inline.append(outer_html(child))
                for node in child.iter():
                    self._anchor(node)
                    self._image = self._image or bool(node.get("data-image"))
            if child.tail:
                self._inline.append(html_lib.escape(child.tail, quote=False))
        self._flush()
        return self.pieces

    def _has_blocks(self, element: etree._Element) -> bool:
        if next(element.iterdescendants(*self._block_tags), None) is not None:
            return True
        return not self.web and any(
            isinstance(node.tag, str) and node.get(MARK) for node in element.iterdescendants()
        )

    def _anchor(self, element: etree._Element) -> None:
        """Places a link can point at: `id` and `name`, or what `markup.clean` kept of them."""
        if not isinstance(element.tag, str):
            return
        self._pending.extend((element.get("data-anchor") or "").split())
        self._pending.extend(value for value in (element.get("id"), element.get("name")) if value)

    def _flush(self) -> None:
        inline = "".join(self._inline).strip()
        image, self._inline, self._image = self._image, [], False
        if inline and self.web:
            self._emit("<p>" + inline + "</p>")
        elif inline:
            self._paragraphs(inline, "")
        if image and not html_to_text(sanitize_html(inline)):
            self._break()  # a picture between paragraphs: most often a scene divider

    def _paragraphs(self, inner: str, align: str) -> None:
        """A paragraph's content as one or more paragraphs: a blank line made of two <br>s
        starts a new one, as AO3 does."""
        opening = f'<p align="{align}">' if align else "<p>"
        for part in _DOUBLE_BREAK.split(inner):
            part = EDGE_BREAKS.sub("", part).strip()
            if part:
                self._emit(opening + part + "</p>")

    def _emit(
        self, html: str, heading: int = 0, kind: str = "", element: etree._Element | None = None
    ) -> None:
        clean = sanitize_html(html)
        text = html_to_text(clean)
        if not text:
            return  # an empty spacer: its anchors mark the next block that has text
        if heading:
            text = " ".join(text.split())  # `Chapter 1<br>The Storm` is one heading
        kind = kind or ("heading" if heading else "text")
        piece = Piece(kind, Block(text=text, html=clean, heading=heading), element=element)
        piece.anchors, self._pending = self._pending, []
        if element is not None and tag_name(element) == "pre":
            piece.preformatted = all_text(element)
        self.pieces.append(piece)

    def _break(self, element: etree._Element | None = None) -> None:
        self.pieces.append(Piece("break", Block.scene_break(), self._pending, element))
        self._pending = []

    def _marked(self, element: etree._Element, kind: str) -> None:
        for node in element.iter():
            self._anchor(node)
        if kind == "chapter_heading":
            level = HEADINGS.get(str(element.tag), 2)
            self._emit(f"<h{level}>{inner_html(element)}</h{level}>", level, kind)
        else:
            html = html_to_html(inner_html(element).strip())
            if html_to_text(html):
                self.pieces.append(Piece(kind, Block(text=html_to_text(html), html=html)))

    def _block(self, element: etree._Element, tag: str) -> None:
        if tag == "hr":
            self._anchor(element)
            self._break(element)
            return
        if tag in HEADINGS:
            for node in element.iter():
                self._anchor(node)
            html = outer_html(element) if self.web else f"<{tag}>{inner_html(element)}</{tag}>"
            self._emit(html, HEADINGS[tag], element=element)
            return
        toc = _toc_links(element) if self.web and tag in _TOC_CANDIDATES else None
        atomic = tag in self._atomic or toc is not None
        if tag == "blockquote" and toc is None:
            # A quotation with headings or breaks in it is part of the story: read block by block.
            atomic = not any(node.tag in HEADINGS or node.tag == "hr" for node in element.iter())
        if not atomic and self._has_blocks(element):
            self.walk(element)  # a container: what is inside it, block by block
            return
        for node in element.iter():
            self._anchor(node)
        image = any(node.get("data-image") for node in element.iter())
        before = len(self.pieces)
        if self.web and (atomic or tag in ("div", "center")):
            self._emit(outer_html(element), element=element)
        elif self.web:
            self._emit("<p>" + inner_html(element) + "</p>", element=element)
        elif tag == "p" or not atomic:
            align = "center" if tag == "center" else element.get("align") or ""
            self._paragraphs(inner_html(element).strip(), align)
        else:
            self._emit(outer_html(element))  # a list, table, quotation or preformatted text
        if toc is not None and len(self.pieces) > before:
            self.pieces[-1].toc = toc
        if image and len(self.pieces) == before:
            self._break()
