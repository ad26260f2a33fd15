"""HTML (.html, .htm, .xhtml): AO3 downloads, Project Gutenberg books and any other web page.

Three kinds of file, told apart by what the document holds:

- AO3's "Download → HTML" (`div#preface`, `div#chapters`, `div#afterword`): the work's title,
  creators, tags, summary and notes come from the preface, each chapter from its `div.meta`
  and `div.userstuff`, the end notes from the afterword.
- A Project Gutenberg book (`*** START OF THE PROJECT GUTENBERG EBOOK …` and `*** END OF …`):
  the header becomes the work's notes, the licence after the end marker its end notes, the
  table of contents is dropped and the chapters start at the headings it links to.
- Anything else: the body's blocks in document order, read with fan fiction's conventions
  (`conventions.structure`), the way the plain-text and Markdown parsers read theirs.
"""

from __future__ import annotations

import codecs
import html as html_lib
import re
from collections import Counter
from dataclasses import dataclass, field

import lxml.html
from lxml import etree
from lxml.html import HtmlElement

from ficarchive.texts.conventions import (
    Block,
    chapter_heading,
    end_marker,
    is_scene_break,
    structure,
)
from ficarchive.texts.decoding import DecodeError, decode_text
from ficarchive.texts.formats import register
from ficarchive.texts.limits import MarkupCounter, budget
from ficarchive.texts.paragraphs import text_to_html
from ficarchive.texts.sanitize import sanitize_html
from ficarchive.texts.structure import ParsedChapter, ParsedWork, ParseError, html_to_text
from ficarchive.texts.ziparchive import TOO_DEEP, too_deep, xml_safe

# -- reading the bytes ----------------------------------------------------------------------------

_XML_ENCODING = re.compile(rb"""<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9._:-]+)["']""", re.I)
_META_CHARSET = re.compile(rb"""<meta[^>]*?charset\s*=\s*["']?([A-Za-z0-9._:-]+)""", re.I)
# Labels browsers read as windows-1252 (WHATWG Encoding): files that say latin-1 often are cp1252.
_CP1252_LABELS = {"iso-8859-1", "iso8859-1", "latin-1", "latin1", "l1", "us-ascii", "ascii"}
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f]")


def _declared_encoding(data: bytes) -> str | None:
    head = data[:4096]
    match = _XML_ENCODING.search(head) or _META_CHARSET.search(head)
    if match is None:
        return None
    label = match.group(1).decode("ascii").lower()
    if label in _CP1252_LABELS:
        return "cp1252"
    try:
        name = codecs.lookup(label).name
    except LookupError:
        return None
    # A file that can be read this far as ASCII is not UTF-16 or UTF-32, whatever it says.
    return None if name.startswith(("utf-16", "utf-32")) else name


def decode_html(data: bytes) -> str:
    """The document's text: a byte-order mark first, then UTF-8 when the bytes are valid UTF-8
    (pages saved as UTF-8 under an old `windows-1252` declaration are common), then the
    declared charset, then the guesses made for any text file."""
    encoding = None
    if not data.startswith((codecs.BOM_UTF8, b"\xff\xfe", b"\xfe\xff")):
        encoding = _declared_encoding(data)
    if encoding is None or encoding == "utf-8" or _is_utf8(data):
        return decode_text(data)
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError:
        return decode_text(data)  # it says one thing and is another: guess as for any text
    sample = text[:20000]
    if sample and len(_CONTROL.findall(sample)) / len(sample) > 0.01:
        raise DecodeError("it looks like a binary file, not text")
    return text


def _is_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _parse_document(text: str) -> HtmlElement:
    text = _CONTROL.sub("", text.lstrip("\ufeff"))
    parser = lxml.html.HTMLParser(
        encoding="utf-8", remove_comments=True, remove_pis=True, remove_blank_text=False
    )
    try:
        root = lxml.html.document_fromstring(text.encode("utf-8", "replace"), parser=parser)
    except etree.LxmlError as error:
        raise ParseError("no story text was found in it") from error
    if any(TOO_DEEP in entry.message for entry in parser.error_log):
        # libxml2 stops building the tree at that depth and drops the text below it.
        raise too_deep("it")
    xml_safe(root)
    return root


# -- the tree, tidied -----------------------------------------------------------------------------

_DROP_TAGS = frozenset(
    {"script", "style", "noscript", "template", "iframe", "object", "embed", "svg", "math"}
    | {"button", "input", "select", "textarea", "nav"}
)
_SPACES = re.compile(r"[ \t\n\r\f\v]+")


def _tidy(root: HtmlElement) -> None:
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
            element.text = _collapse(element.text, first is not None and _tag(first) in _BLOCKS)
        if element.tail and (not inside or element.tag == "pre"):
            element.tail = _collapse(element.tail, _tag(element) in _BLOCKS)


def _collapse(text: str, between_blocks: bool) -> str:
    """Runs of spaces and newlines as one space; only whitespace between blocks, one newline."""
    if between_blocks and not text.strip():
        return "\n"
    return _SPACES.sub(" ", text)


def _tag(element: HtmlElement) -> str:
    return element.tag.lower() if isinstance(element.tag, str) else ""


def _outer_html(element: HtmlElement) -> str:
    return etree.tostring(element, encoding="unicode", method="html", with_tail=False)


def _inner_html(element: HtmlElement) -> str:
    parts = [html_lib.escape(element.text or "", quote=False)]
    parts.extend(etree.tostring(child, encoding="unicode", method="html") for child in element)
    return "".join(parts)


def _text_of(element: HtmlElement) -> str:
    return " ".join(element.text_content().split())


def _anchors(element: HtmlElement) -> list[str]:
    found = []
    for node in element.iter():
        if isinstance(node.tag, str):
            for value in (node.get("id"), node.get("name")):
                if value:
                    found.append(value)
    return found


# -- the document as a list of blocks -------------------------------------------------------------

_HEADINGS = {"h1": 1, "h2": 2, "h3": 3, "h4": 4, "h5": 5, "h6": 6}
# Blocks kept whole: one paragraph of the story each.
_ATOMIC = frozenset(["p", "pre", "address", "blockquote", "ul", "ol", "dl", "table", "li"])
_ATOMIC |= frozenset(["dd", "dt", "figcaption", "caption"])
# Blocks that hold other blocks: read what is inside.
_CONTAINERS = frozenset(
    {"html", "body", "div", "center", "section", "article", "main", "header", "footer"}
    | {"aside", "figure", "details", "summary", "fieldset", "form", "hgroup", "blockquote"}
)
_BLOCKS = _ATOMIC | _CONTAINERS | {"hr", "tr", "td", "th", "tbody", "thead"} | set(_HEADINGS)
_BLOCK_LEVEL = tuple(_ATOMIC | _CONTAINERS | {"hr"} | set(_HEADINGS))
_TOC_CANDIDATES = frozenset(["div", "center", "section", "nav", "blockquote", "ul", "ol", "dl"])
_TOC_CANDIDATES |= frozenset(["table", "p"])
_TOC_ENTRY = frozenset(["li", "tr", "p", "dt", "dd", "div"])
_CONTENTS_HEADING = re.compile(r"^\s*(?:table\s+of\s+)?contents?\s*:?\s*$", re.I)


@dataclass
class _Piece:
    """One block of the document, with what the splitters need to know about where it was."""

    block: Block
    element: HtmlElement | None = None
    anchors: list[str] = field(default_factory=list)
    toc: list[tuple[str, str]] | None = None  # (target id, entry text) for a table of contents
    preformatted: str = ""  # the raw text of a <pre>, line breaks and all


def _has_blocks(element: HtmlElement) -> bool:
    return next(element.iterdescendants(*_BLOCK_LEVEL), None) is not None


def _toc_links(element: HtmlElement) -> list[tuple[str, str]] | None:
    """(target, entry) pairs when the element looks like a table of contents: links to places
    in this document, one per entry, with little text besides them."""
    links = [a for a in element.iter("a") if (a.get("href") or "").startswith("#")]
    links = [a for a in links if len(a.get("href") or "") > 1]
    if len(links) < 3:
        return None
    inside = set(_anchors(element))
    if any((a.get("href") or "")[1:] in inside for a in links):
        return None  # it links into itself: the chapters are in it, it is not their list
    link_text = sum(len(_text_of(a)) for a in links)
    if (len(_text_of(element)) - link_text) / len(links) > 80:
        return None
    pairs = []
    for link in links:
        entry: HtmlElement = link
        for ancestor in link.iterancestors():
            if ancestor is element:
                break
            if _tag(ancestor) in _TOC_ENTRY:
                entry = ancestor
                break
        if entry is not link and len([a for a in entry.iter("a") if a in links]) > 1:
            entry = link  # several links on one line: each link is its own entry
        pairs.append(((link.get("href") or "")[1:], _text_of(entry)))
    return pairs


class _Flattener:
    """Turns the body into `_Piece`s in document order: headings, paragraphs, breaks."""

    def __init__(self) -> None:
        self.pieces: list[_Piece] = []
        self._inline: list[str] = []
        self._inline_anchors: list[str] = []
        self._pending_anchors: list[str] = []

    def walk(self, container: HtmlElement) -> list[_Piece]:
        if container.text:
            self._inline.append(html_lib.escape(container.text, quote=False))
        for child in container:
            tag = _tag(child)
            if tag and (tag in _BLOCK_LEVEL or _has_blocks(child)):
                self._flush()
                self._block(child, tag)
            elif tag:
                self._inline.append(_outer_html(child))
                self._inline_anchors.extend(_anchors(child))
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
        piece = _Piece(Block(text=text, html=clean, heading=heading), element)
        piece.anchors, self._pending_anchors = self._pending_anchors, []
        if element is not None and _tag(element) == "pre":
            piece.preformatted = element.text_content()
        self.pieces.append(piece)

    def _block(self, element: HtmlElement, tag: str) -> None:
        if tag == "hr":
            self.pieces.append(_Piece(Block.scene_break(), element))
            return
        if tag in _HEADINGS:
            self._pending_anchors.extend(_anchors(element))
            self._emit(_outer_html(element), heading=_HEADINGS[tag], element=element)
            return
        toc = _toc_links(element) if tag in _TOC_CANDIDATES else None
        if toc is not None:
            self._pending_anchors.extend(_anchors(element))
            before = len(self.pieces)
            self._emit(_outer_html(element), element=element)
            if len(self.pieces) > before:
                self.pieces[-1].toc = toc
            return
        if tag in _ATOMIC and not (tag == "blockquote" and _has_headings(element)):
            self._pending_anchors.extend(_anchors(element))
            self._emit(_outer_html(element), element=element)
            return
        own = [value for value in (element.get("id"), element.get("name")) if value]
        self._pending_anchors.extend(own)
        if _has_blocks(element):
            self.walk(element)
        elif tag in ("div", "center"):
            self._emit(_outer_html(element), element=element)
        else:
            self._emit("<p>" + _inner_html(element) + "</p>", element=element)


def _has_headings(element: HtmlElement) -> bool:
    return next(element.iterdescendants(*_HEADINGS), None) is not None


def _flatten(body: HtmlElement) -> list[_Piece]:
    return _Flattener().walk(body)


def _heading_at(pieces: list[_Piece], index: int | None, anchor: str) -> int | None:
    """The heading an anchor marks: the one it is in, or the next block's when the anchor
    ends its block (`<p>…last line. <a name="chapter2"></a></p>` before `<h2>`)."""
    if index is None:
        return None
    piece = pieces[index]
    if piece.block.heading:
        return index
    if piece.element is None or not _anchor_ends(piece.element, anchor):
        return None
    for following in range(index + 1, min(index + 4, len(pieces))):
        if not pieces[following].block.is_break:
            return following if pieces[following].block.heading else None
    return None


def _anchor_ends(element: HtmlElement, anchor: str) -> bool:
    """Whether no text follows the anchor inside the element."""
    seen = False
    for event, node in etree.iterwalk(element, events=("start", "end")):
        if event == "start":
            if not seen and anchor in (node.get("id"), node.get("name")):
                seen = True
            if seen and (node.text or "").strip():
                return False
        elif seen and node is not element and (node.tail or "").strip():
            return False
    return seen


def _resolve_tocs(pieces: list[_Piece]) -> tuple[list[_Piece], dict[int, str]]:
    """The pieces without their tables of contents, and the headings those tables link to
    (index in the returned list → the entry's text). A list of links counts as a table of
    contents only when most of its links lead to headings; footnote lists stay."""
    where: dict[str, int] = {}
    for index, piece in enumerate(pieces):
        for anchor in piece.anchors:
            where.setdefault(anchor, index)
    dropped: set[int] = set()
    targets: dict[int, str] = {}
    for index, piece in enumerate(pieces):
        if piece.toc is None:
            continue
        hits: dict[int, str] = {}
        for target, entry in piece.toc:
            found = _heading_at(pieces, where.get(target), target)
            if found is not None and found != index:
                hits.setdefault(found, entry)
        if len(hits) >= 3 and len(hits) >= 0.6 * len({t for t, _ in piece.toc}):
            dropped.add(index)
            previous = index - 1
            if previous >= 0 and _CONTENTS_HEADING.match(pieces[previous].block.text):
                dropped.add(previous)
            for found, entry in hits.items():
                targets.setdefault(found, entry)
    kept: list[_Piece] = []
    new_targets: dict[int, str] = {}
    for index, piece in enumerate(pieces):
        if index in dropped:
            continue
        if index in targets:
            new_targets[len(kept)] = targets[index]
        kept.append(piece)
    return kept, new_targets


# -- titles -------------------------------------------------------------------------------------

_ROMAN = r"(?=[IVXLCDM])M{0,4}(?:CM|CD|D?C{0,3})(?:XC|XL|L?X{0,3})(?:IX|IV|V?I{0,3})"
_NUMBERED = re.compile(r"^(?:[A-Za-z]+\s+)?(?:" + _ROMAN + r"|\d+)\s*(?:[.:)\]\-–—]+\s*|$)")
_SMALL_WORDS = frozenset(
    "a an and as at but by for from in into nor of on or over the to upon with".split()
)


def _title_case(text: str) -> str:
    """`A SCANDAL IN BOHEMIA` → `A Scandal in Bohemia`, for headings set in capitals."""
    words = text.lower().split()
    result = []
    for position, word in enumerate(words):
        if 0 < position < len(words) - 1 and word in _SMALL_WORDS:
            result.append(word)
        else:
            result.append("-".join(_FIRST_LETTER.sub(_upper, part, 1) for part in word.split("-")))
    return " ".join(result)


_FIRST_LETTER = re.compile(r"[^\W\d_]")


def _upper(match: re.Match[str]) -> str:
    return match.group(0).upper()


def heading_title(text: str) -> str:
    """A chapter's own title from its heading: `CHAPTER I. Down the Rabbit-Hole` → `Down the
    Rabbit-Hole`, `ADVENTURE I. A SCANDAL IN BOHEMIA` → `A SCANDAL IN BOHEMIA`, `Chapter 1` → ``."""
    text = " ".join(text.split())
    title = chapter_heading(text)
    if title is None:
        match = _NUMBERED.match(text)
        title = text[match.end() :] if match else text
    return title.strip(" .:-–—")


def _chapter_title(heading_text: str, toc_entry: str = "") -> str:
    own = heading_title(heading_text)
    if own and not own.isupper():
        return own
    listed = heading_title(toc_entry) if toc_entry else ""
    if listed and not listed.isupper():
        return listed
    chosen = own or listed
    return _title_case(chosen) if chosen.isupper() else chosen


# -- AO3's download -----------------------------------------------------------------------------

_AO3_TAG_TYPES = {
    "rating": "rating",
    "ratings": "rating",
    "archive warning": "warning",
    "archive warnings": "warning",
    "warning": "warning",
    "warnings": "warning",
    "category": "category",
    "categories": "category",
    "fandom": "fandom",
    "fandoms": "fandom",
    "relationship": "relationship",
    "relationships": "relationship",
    "character": "character",
    "characters": "character",
    "additional tag": "freeform",
    "additional tags": "freeform",
    "freeform": "freeform",
    "freeforms": "freeform",
}
_AO3_CHAPTERS = re.compile(r"Chapters:\s*(\d+)\s*/\s*(\d+|\?)", re.IGNORECASE)


def _ao3_label(element: HtmlElement) -> str:
    return _text_of(element).rstrip(":").strip().lower()


def _userstuff(element: HtmlElement) -> str:
    for landmark in list(element.iterfind(".//h3")):
        if "landmark" in (landmark.get("class") or "").split():
            landmark.drop_tree()
    for rule in element.iter("hr"):
        if not rule.attrib:
            rule.set("class", "scene-break")  # a plain rule in a story is a scene break
    return sanitize_html(_inner_html(element).strip())


def _ao3_labelled(container: HtmlElement) -> dict[str, list[str]]:
    """`<p>Summary</p><blockquote class="userstuff">…</blockquote>` pairs in a meta block."""
    found: dict[str, list[str]] = {}
    label = ""
    for child in container:
        tag = _tag(child)
        classes = (child.get("class") or "").split()
        if tag == "blockquote" and "userstuff" in classes:
            html = _userstuff(child)
            if label and html:
                found.setdefault(label, []).append(html)
        elif tag in ("p", "h2", "h3", "h4", "h5", "h6", "dt") and "byline" not in classes:
            if "heading" not in classes and "toc-heading" not in classes:
                label = _ao3_label(child)
        elif tag == "div" and "endnote-link" not in classes:
            for key, values in _ao3_labelled(child).items():
                found.setdefault(key, []).extend(values)
    return found


def _ao3_preface(preface: HtmlElement, work: ParsedWork) -> None:
    title = preface.find(".//div[@class='meta']/h1")
    if title is None:
        title = preface.find(".//h1")
    if title is None:
        title = preface.find(".//p[@class='message']/b")
    if title is not None:
        work.title = _text_of(title)
    byline = preface.find(".//div[@class='byline']")
    if byline is not None:
        names = [_text_of(a) for a in byline.iter("a")]
        if not names:
            names = [re.sub(r"^by\s+", "", _text_of(byline), flags=re.I)]
        work.authors = [name for name in names if name]
    tags = preface.find(".//dl[@class='tags']")
    if tags is not None:
        label = ""
        for child in tags:
            if _tag(child) == "dt":
                label = _ao3_label(child)
            elif _tag(child) == "dd":
                _ao3_tag(work, label, child)
    meta = preface.find(".//div[@class='meta']")
    labelled = _ao3_labelled(meta if meta is not None else preface)
    work.summary = "\n".join(labelled.get("summary", []))
    work.notes = "\n".join(labelled.get("notes", []))


def _ao3_tag(work: ParsedWork, label: str, value: HtmlElement) -> None:
    tag_type = _AO3_TAG_TYPES.get(label)
    if tag_type is not None:
        names = [_text_of(a) for a in value.iter("a")]
        if not names:
            names = [name.strip() for name in _text_of(value).split(",")]
        work.add_tags(tag_type, names)
    elif label == "language":
        work.language = _text_of(value)
    elif label == "stats":
        match = _AO3_CHAPTERS.search(_text_of(value))
        if match:
            work.complete = match.group(2) != "?" and match.group(1) == match.group(2)


def _ao3_chapters(container: HtmlElement) -> list[ParsedChapter]:
    chapters: list[ParsedChapter] = []
    current: ParsedChapter | None = None

    def visit(parent: HtmlElement) -> None:
        nonlocal current
        for child in parent:
            if _tag(child) != "div":
                continue
            classes = (child.get("class") or "").split()
            if "userstuff" in classes:
                if current is None or current.html:
                    current = ParsedChapter(html="")
                    chapters.append(current)
                current.html = _userstuff(child)
            elif "meta" in classes:
                labelled = _ao3_labelled(child)
                heading = child.find("h2")
                is_end = (child.get("id") or "").startswith("endnotes") or (
                    heading is None and "chapter end notes" in labelled
                )
                if is_end and current is not None:
                    current.end_notes = "\n".join(labelled.get("chapter end notes", []))
                    continue
                title = heading_title(_text_of(heading)) if heading is not None else ""
                current = ParsedChapter(html="", title=title)
                chapters.append(current)
                current.summary = "\n".join(labelled.get("chapter summary", []))
                current.notes = "\n".join(labelled.get("chapter notes", []))
                current.end_notes = "\n".join(labelled.get("chapter end notes", []))
            else:
                visit(child)

    visit(container)
    return [chapter for chapter in chapters if chapter.html]


def _parse_ao3(root: HtmlElement, preface: HtmlElement) -> ParsedWork:
    work = ParsedWork()
    _ao3_preface(preface, work)
    container = root.find(".//div[@id='chapters']")
    if container is not None:
        work.chapters = _ao3_chapters(container)
    afterword = root.find(".//div[@id='afterword']")
    if afterword is not None:
        endnotes = afterword.find(".//div[@id='endnotes']")
        labelled = _ao3_labelled(endnotes if endnotes is not None else afterword)
        work.end_notes = "\n".join(labelled.get("end notes", []))  # not "works inspired by"
    return work


# -- Project Gutenberg ----------------------------------------------------------------------------

_PG_START = re.compile(r"\*{3}\s*START OF (?:THE|THIS) PROJECT GUTENBERG", re.IGNORECASE)
_PG_END = re.compile(
    r"\*{3}\s*END OF (?:THE|THIS) PROJECT GUTENBERG"
    r"|^\s*End of (?:the )?Project Gutenberg(?:'s|’s)? (?:E-?Book|E-?text)",
    re.IGNORECASE | re.MULTILINE,
)
_PG_FIELD = re.compile(r"^\s*(Title|Author|Authors|Language)\s*:\s*(.*?)\s*$", re.IGNORECASE)
_PG_TITLE_TAG = re.compile(
    r"^(?:The\s+)?Project\s+Gutenberg(?:'s|’s)?\s+(?:E-?Book|E-?text)\s+of\s+", re.I
)
_BYLINE = re.compile(r"^\s*(?:written\s+)?by\s+(?P<names>\S.{0,120})$", re.IGNORECASE)


def _piece_text(piece: _Piece) -> str:
    return piece.preformatted or piece.block.text


def _pg_markers(pieces: list[_Piece]) -> tuple[int, int] | None:
    start = next((i for i, p in enumerate(pieces) if _PG_START.search(_piece_text(p))), None)
    if start is None:
        return None
    end = next(
        (i for i in range(start + 1, len(pieces)) if _PG_END.search(_piece_text(pieces[i]))),
        len(pieces),
    )
    return start, end


def _pg_header(pieces: list[_Piece], work: ParsedWork) -> None:
    lines = "\n".join(_piece_text(piece) for piece in pieces).split("\n")
    fields: dict[str, str] = {}
    for index, line in enumerate(lines):
        match = _PG_FIELD.match(line)
        key = match.group(1).lower().rstrip("s") if match else ""
        if match is None or key in fields:
            continue
        value = match.group(2)
        for more in lines[index + 1 : index + 4]:  # a long title goes on, indented
            if not more[:1].isspace() or not more.strip() or ":" in more or "***" in more:
                break
            value += " " + more.strip()
        fields[key] = " ".join(value.split())
    work.title = fields.get("title", "")
    if fields.get("author"):
        names = re.split(r"\s*;\s*|\s+and\s+", fields["author"])
        work.authors = [name for name in names if name]
    work.language = fields.get("language", "")[:20]
    note = []
    for piece in pieces:
        text = "\n".join(
            line for line in _piece_text(piece).split("\n") if not _PG_START.search(line)
        )
        note.append(text)
    work.notes = text_to_html(_unwrap("\n\n".join(note)))


def _pg_end_notes(pieces: list[_Piece]) -> str:
    parts = []
    for piece in pieces:
        if piece.block.is_break:
            continue
        if piece.preformatted:
            parts.append(text_to_html(_unwrap(piece.preformatted)))
        else:
            parts.append(piece.block.html)
    return sanitize_html("\n".join(parts))


def _unwrap(text: str) -> str:
    """Plain text hard-wrapped at about 70 columns, its wrapped lines joined again; short lines
    (`Title: …`, `Release Date: …`) keep their line breaks."""
    lines = text.replace("\r\n", "\n").split("\n")
    joined: list[str] = []
    for line in lines:
        previous = joined[-1].strip() if joined else ""
        if line.strip() and len(previous) >= 50 and not previous.endswith(("*", ":")):
            joined[-1] = joined[-1].rstrip() + " " + line.strip()
        else:
            joined.append(line)
    return "\n".join(joined)


def _looks_numbered(text: str) -> bool:
    return chapter_heading(text) is not None or _NUMBERED.match(" ".join(text.split())) is not None


def _fallback_starts(pieces: list[_Piece]) -> tuple[dict[int, str], int]:
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


def _split_chapters(
    pieces: list[_Piece], starts: dict[int, str], level: int
) -> list[ParsedChapter]:
    """Chapters from the pieces: each begins at one of `starts` (index → table-of-contents
    entry); headings ranked above the chapters' (a part or volume between them) are dropped."""
    chapters: list[tuple[str, list[Block]]] = []
    front: list[Block] = []
    for index, piece in enumerate(pieces):
        block = piece.block
        if piece.toc is not None and not chapters:
            continue  # a list of links before the first chapter: contents we could not follow
        if index in starts:
            chapters.append((_chapter_title(block.text, starts[index]), []))
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


def _parse_gutenberg(
    root: HtmlElement, pieces: list[_Piece], markers: tuple[int, int]
) -> ParsedWork:
    start, end = markers
    work = ParsedWork(complete=True)
    _pg_header(pieces[: start + 1], work)
    work.end_notes = _pg_end_notes(pieces[end:])
    content, targets = _resolve_tocs(pieces[start + 1 : end])
    if not work.title:
        work.title = _title_from_head(root)
    if not work.authors:
        work.authors = _byline([piece.block for piece in content[:8]]) or _authors_from_head(root)
    starts = targets
    if len(starts) >= 2:
        level = min(content[index].block.heading for index in starts)
    else:
        starts, level = _fallback_starts(content)
    work.chapters = _split_chapters(content, starts, level)
    return work


# -- the <head> -----------------------------------------------------------------------------------


def _title_from_head(root: HtmlElement) -> str:
    title = root.find(".//title")
    text = _text_of(title) if title is not None else ""
    text = _PG_TITLE_TAG.sub("", text)
    return re.sub(r",\s+by\s+.*$", "", text, flags=re.IGNORECASE).strip()


def _authors_from_head(root: HtmlElement) -> list[str]:
    for meta in root.iter("meta"):
        if (meta.get("name") or "").lower() in ("author", "dc.creator", "dcterms.creator"):
            content = " ".join((meta.get("content") or "").split())
            if content:
                return [content]
    title = root.find(".//title")
    match = re.search(r",\s+by\s+(.+)$", _text_of(title) if title is not None else "", re.I)
    return [match.group(1).strip()] if match else []


def _byline(blocks: list[Block]) -> list[str]:
    """The names in a `by …` line among the blocks, if there is one."""
    for block in blocks:
        match = _BYLINE.match(" ".join(block.text.split()))
        if match:
            return [name.strip() for name in re.split(r",|&| and ", match.group("names"))]
    return []


# -- any other page -------------------------------------------------------------------------------


def _parse_generic(root: HtmlElement, pieces: list[_Piece]) -> ParsedWork:
    content, _ = _resolve_tocs(pieces)
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
        work.authors = _byline(blocks[:1]) if blocks and not blocks[0].heading else []
        if work.authors:
            blocks = blocks[1:]
    if not work.authors:
        work.authors = _authors_from_head(root)
    work = structure(blocks, work)
    if not work.title:
        first = next((block for block in blocks if block.heading == 1), None)
        work.title = _title_from_head(root) or (" ".join(first.text.split()) if first else "")
    return work


# -- the format -----------------------------------------------------------------------------------


@register("html", [".html", ".htm", ".xhtml"])
def parse_html(data: bytes, name: str) -> ParsedWork:
    text = decode_html(data)
    # Words and tags counted before the tree is built: a file over the limits stops here.
    MarkupCounter(budget(), story=True).count_all(text)
    root = _parse_document(text)
    _tidy(root)
    language = root.get("lang") or root.get("xml:lang") or ""
    preface = root.find(".//div[@id='preface']")
    if preface is not None and root.find(".//div[@id='chapters']") is not None:
        work = _parse_ao3(root, preface)
    else:
        if _PG_START.search(text):
            for page_number in list(root.find_class("pagenum")):
                page_number.drop_tree()  # a printed edition's page numbers, not the text
        body = root.find("body")
        pieces = _flatten(body if body is not None else root)
        markers = _pg_markers(pieces)
        if markers is not None:
            work = _parse_gutenberg(root, pieces, markers)
        else:
            work = _parse_generic(root, pieces)
    if not work.language and language:
        work.language = language[:20]
    return work
