"""Flatteners: a document's body as a list of pieces (paragraphs, headings, breaks, notes) in
reading order, each a `conventions.Block` with what the splitters need to know about where it was.
"""

from __future__ import annotations

import html as html_lib
import re
from dataclasses import dataclass, field

from lxml import etree
from lxml.html import HtmlElement

from ficarchive.texts.conventions import Block
from ficarchive.texts.markup import DROP_TAGS, anchors_of, inner_html, outer_html, tag_name, text_of
from ficarchive.texts.paragraphs import html_to_html
from ficarchive.texts.sanitize import sanitize_html
from ficarchive.texts.structure import html_to_text

MARK = "data-ficarchive"  # what the maker-specific passes found an element to be

# -- the tree, tidied -----------------------------------------------------------------------------

_DROP_TAGS = frozenset(
    {"script", "style", "noscript", "template", "iframe", "object", "embed", "svg", "math"}
    | {"button", "input", "select", "textarea", "nav"}
)
_SPACES = re.compile(r"[ \t\n\r\f\v]+")


def tidy_html(root: HtmlElement) -> None:
    """Scripts, styles and unusable images out; source line breaks outside <pre> made spaces."""
    for element in list(root.iter(*_DROP_TAGS)):
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


# -- the document as a list of blocks -------------------------------------------------------------

HEADINGS = {"h1": 1, "h2": 2, "h3": 3, "h4": 4, "h5": 5, "h6": 6}
# Blocks kept whole: one paragraph of the story each.
_HTML_ATOMIC = frozenset(["p", "pre", "address", "blockquote", "ul", "ol", "dl", "table", "li"])
_HTML_ATOMIC |= frozenset(["dd", "dt", "figcaption", "caption"])
# Blocks that hold other blocks: read what is inside.
_HTML_CONTAINERS = frozenset(
    {"html", "body", "div", "center", "section", "article", "main", "header", "footer"}
    | {"aside", "figure", "details", "summary", "fieldset", "form", "hgroup", "blockquote"}
)
_HTML_BLOCKS = (
    _HTML_ATOMIC | _HTML_CONTAINERS | {"hr", "tr", "td", "th", "tbody", "thead"} | set(HEADINGS)
)
_HTML_BLOCK_LEVEL = tuple(_HTML_ATOMIC | _HTML_CONTAINERS | {"hr"} | set(HEADINGS))
_TOC_CANDIDATES = frozenset(["div", "center", "section", "nav", "blockquote", "ul", "ol", "dl"])
_TOC_CANDIDATES |= frozenset(["table", "p"])
_TOC_ENTRY = frozenset(["li", "tr", "p", "dt", "dd", "div"])


@dataclass
class HtmlPiece:
    """One block of the document, with what the splitters need to know about where it was."""

    block: Block
    element: HtmlElement | None = None
    anchors: list[str] = field(default_factory=list)
    toc: list[tuple[str, str]] | None = None  # (target id, entry text) for a table of contents
    preformatted: str = ""  # the raw text of a <pre>, line breaks and all


def _html_has_blocks(element: HtmlElement) -> bool:
    return next(element.iterdescendants(*_HTML_BLOCK_LEVEL), None) is not None


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


class _HtmlFlattener:
    """Turns the body into `HtmlPiece`s in document order: headings, paragraphs, breaks."""

    def __init__(self) -> None:
        self.pieces: list[HtmlPiece] = []
        self._inline: list[str] = []
        self._inline_anchors: list[str] = []
        self._pending_anchors: list[str] = []

    def walk(self, container: HtmlElement) -> list[HtmlPiece]:
        if container.text:
            self._inline.append(html_lib.escape(container.text, quote=False))
        for child in container:
            tag = tag_name(child)
            if tag and (tag in _HTML_BLOCK_LEVEL or _html_has_blocks(child)):
                self._flush()
                self._block(child, tag)
            elif tag:
                self._inline.append(outer_html(child))
                self._inline_anchors.extend(anchors_of(child))
            if child.tail:
                self._inline.append(html_lib.escape(child.tail, quote=False))
        self._flush()
        return self.pieces

    def _flush(self) -> None:
        self._pending_anchors.extend(self._inline_anchors)
        inline = "".join(self._inline)
        if inline.strip():
            self._emit("<p>" + inline.strip() + "</p>")
        self._inline, self._inline_anchors = [], []

    def _emit(self, html: str, heading: int = 0, element: HtmlElement | None = None) -> None:
        clean = sanitize_html(html)
        text = html_to_text(clean)
        if not text:
            return  # an empty spacer: its anchors mark the next block that has text
        if heading:
            text = " ".join(text.split())  # `Chapter 1<br>The Storm` is one heading
        piece = HtmlPiece(Block(text=text, html=clean, heading=heading), element)
        piece.anchors, self._pending_anchors = self._pending_anchors, []
        if element is not None and tag_name(element) == "pre":
            piece.preformatted = element.text_content()
        self.pieces.append(piece)

    def _block(self, element: HtmlElement, tag: str) -> None:
        if tag == "hr":
            self.pieces.append(HtmlPiece(Block.scene_break(), element))
            return
        if tag in HEADINGS:
            self._pending_anchors.extend(anchors_of(element))
            self._emit(outer_html(element), heading=HEADINGS[tag], element=element)
            return
        toc = _toc_links(element) if tag in _TOC_CANDIDATES else None
        if toc is not None:
            self._pending_anchors.extend(anchors_of(element))
            before = len(self.pieces)
            self._emit(outer_html(element), element=element)
            if len(self.pieces) > before:
                self.pieces[-1].toc = toc
            return
        if tag in _HTML_ATOMIC and not (tag == "blockquote" and _has_headings(element)):
            self._pending_anchors.extend(anchors_of(element))
            self._emit(outer_html(element), element=element)
            return
        own = [value for value in (element.get("id"), element.get("name")) if value]
        self._pending_anchors.extend(own)
        if _html_has_blocks(element):
            self.walk(element)
        elif tag in ("div", "center"):
            self._emit(outer_html(element), element=element)
        else:
            self._emit("<p>" + inner_html(element) + "</p>", element=element)


def _has_headings(element: HtmlElement) -> bool:
    return next(element.iterdescendants(*HEADINGS), None) is not None


def flatten_html(body: HtmlElement) -> list[HtmlPiece]:
    return _HtmlFlattener().walk(body)


# -- the document as pieces ---------------------------------------------------------------------

_EPUB_ATOMIC = frozenset({"p", "pre", "ul", "ol", "dl", "table", "address", "blockquote"})
_EPUB_LOOSE = frozenset({"li", "dd", "dt", "figcaption", "caption"})
_EPUB_CONTAINERS = frozenset(
    {"html", "body", "div", "section", "article", "main", "header", "footer", "center", "aside"}
    | {"figure", "hgroup", "details", "summary", "fieldset", "form", "tbody", "thead", "tfoot"}
    | {"tr", "td", "th"}
)
_EPUB_BLOCK_LEVEL = _EPUB_ATOMIC | _EPUB_LOOSE | _EPUB_CONTAINERS | {"hr"} | set(HEADINGS)
_DOUBLE_BREAK = re.compile(r"(?:<br\b[^>]*>\s*){2,}", re.IGNORECASE)
EDGE_BREAKS = re.compile(r"^(?:\s*<br\b[^>]*>)+|(?:<br\b[^>]*>\s*)+$", re.IGNORECASE)


@dataclass
class Piece:
    kind: str  # text, heading, chapter_heading, break, or the kind of note it is
    block: Block
    anchors: list[str] = field(default_factory=list)


def _epub_has_blocks(element: etree._Element) -> bool:
    return any(
        isinstance(node.tag, str) and (node.tag in _EPUB_BLOCK_LEVEL or node.get(MARK))
        for node in element.iterdescendants()
    )


class Flattener:
    """A document body as pieces in reading order: paragraphs, headings, breaks and notes."""

    def __init__(self) -> None:
        self.pieces: list[Piece] = []
        self._inline: list[str] = []
        self._pending: list[str] = []
        self._image = False

    def walk(self, container: etree._Element) -> list[Piece]:
        self._anchor(container)
        if container.text:
            self._inline.append(html_lib.escape(container.text, quote=False))
        for child in container:
            tag = child.tag
            if tag in DROP_TAGS:
                pass
            elif child.get(MARK):
                self._flush()
                self._marked(child, str(child.get(MARK)))
            elif tag in _EPUB_BLOCK_LEVEL or _epub_has_blocks(child):
                self._flush()
                self._block(child, str(tag))
            else:
                self._inline.append(outer_html(child))
                for node in child.iter():
                    self._anchor(node)
                    self._image = self._image or bool(node.get("data-image"))
            if child.tail:
                self._inline.append(html_lib.escape(child.tail, quote=False))
        self._flush()
        return self.pieces

    def _anchor(self, element: etree._Element) -> None:
        self._pending.extend((element.get("data-anchor") or "").split())

    def _flush(self) -> None:
        inline = "".join(self._inline).strip()
        image, self._inline, self._image = self._image, [], False
        if inline:
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

    def _emit(self, html: str, heading: int = 0, kind: str = "") -> None:
        clean = sanitize_html(html)
        text = html_to_text(clean)
        if not text:
            return
        kind = kind or ("heading" if heading else "text")
        self.pieces.append(Piece(kind, Block(text=text, html=clean, heading=heading)))
        self.pieces[-1].anchors, self._pending = self._pending, []

    def _break(self) -> None:
        self.pieces.append(Piece("break", Block.scene_break(), self._pending))
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
        image = any(node.get("data-image") for node in element.iter())
        if tag == "hr":
            self._anchor(element)
            self._break()
            return
        if tag in HEADINGS:
            for node in element.iter():
                self._anchor(node)
            self._emit(f"<{tag}>{inner_html(element)}</{tag}>", HEADINGS[tag])
            return
        atomic = tag in _EPUB_ATOMIC
        if tag == "blockquote":
            atomic = not any(node.tag in HEADINGS or node.tag == "hr" for node in element.iter())
        if not atomic and _epub_has_blocks(element):
            self.walk(element)  # a container: what is inside it, block by block
            return
        for node in element.iter():
            self._anchor(node)
        before = len(self.pieces)
        if tag == "p" or not atomic:
            align = "center" if tag == "center" else element.get("align") or ""
            self._paragraphs(inner_html(element).strip(), align)
        else:
            self._emit(outer_html(element))  # a list, table, quotation or preformatted text
        if image and len(self.pieces) == before:
            self._break()
