"""Markup, read: bytes to text, text to a tree, and the small helpers every reader of the tree uses.

Two kinds of document: a web page (HTML, read as a browser reads it, `parse_html_document`) and
an EPUB's XHTML (read as XML first, as HTML when it is not well-formed, `parse_xhtml_document`,
then made namespace-free and lower-case).
"""

from __future__ import annotations

import codecs
import html as html_lib
import re
from html.entities import name2codepoint

import lxml.html
from lxml import etree
from lxml.html import HtmlElement

from ficarchive.texts.decoding import DecodeError, decode_text
from ficarchive.texts.paragraphs import html_to_html
from ficarchive.texts.structure import ParseError
from ficarchive.texts.ziparchive import (
    TOO_DEEP,
    NestingError,
    parse_xml,
    too_deep,
    xml_safe,
)

_XHTML_NS = "http://www.w3.org/1999/xhtml"
_SVG_NS = "http://www.w3.org/2000/svg"
# Elements whose content is never story text: code, styles, forms, media, navigation, and what
# `_normalise` makes of markup in other namespaces (`foreign`: MathML, `epub:switch`).
DROP_TAGS = frozenset(
    {"head", "script", "style", "noscript", "template", "iframe", "object", "embed", "foreign"}
    | {"svg", "math"}
    | {"nav", "button", "input", "select", "textarea", "audio", "video", "canvas", "map"}
)

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


def parse_html_document(text: str) -> HtmlElement:
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


def tag_name(element: HtmlElement) -> str:
    return element.tag.lower() if isinstance(element.tag, str) else ""


def outer_html(element: HtmlElement) -> str:
    return etree.tostring(element, encoding="unicode", method="html", with_tail=False)


def inner_html(element: HtmlElement) -> str:
    parts = [html_lib.escape(element.text or "", quote=False)]
    parts.extend(etree.tostring(child, encoding="unicode", method="html") for child in element)
    return "".join(parts)


def anchors_of(element: HtmlElement) -> list[str]:
    found = []
    for node in element.iter():
        if isinstance(node.tag, str):
            for value in (node.get("id"), node.get("name")):
                if value:
                    found.append(value)
    return found


# -- one document -------------------------------------------------------------------------------

_NAMED_ENTITY = re.compile(rb"&([A-Za-z][A-Za-z0-9]{1,31});")
_XML_ENTITIES = {b"amp", b"lt", b"gt", b"quot", b"apos"}


def _numeric_entity(match: re.Match[bytes]) -> bytes:
    name = match.group(1)
    if name in _XML_ENTITIES or name.decode("ascii") not in name2codepoint:
        return match.group(0)
    return b"&#%d;" % name2codepoint[name.decode("ascii")]


_HTML_PARSER = lxml.html.HTMLParser(encoding="utf-8", remove_comments=True, remove_pis=True)


def parse_xhtml_document(data: bytes, label: str = "a document") -> etree._Element | None:
    """An XHTML document as a tree of plain (namespace-free, lower-case) HTML tags. Markup that
    is not well-formed XML (HTML's named entities, tags left open) is read as a browser reads
    HTML, losing no text. None when nothing can be read at all."""
    root: etree._Element | None
    try:
        root = parse_xml(data, label)
    except NestingError:
        raise
    except ParseError:
        try:
            root = parse_xml(_NAMED_ENTITY.sub(_numeric_entity, data), label)
        except NestingError:
            raise
        except ParseError:
            try:
                text = decode_html(data)
                root = lxml.html.document_fromstring(text.encode("utf-8"), parser=_HTML_PARSER)
            except (etree.ParserError, etree.XMLSyntaxError, ValueError):
                return None
            if any(TOO_DEEP in entry.message for entry in _HTML_PARSER.error_log):
                raise too_deep(label) from None
    if root is None:
        return None
    xml_safe(root)
    _read_svg(root)
    _normalise(root)
    return root


def remove(element: etree._Element) -> None:
    """The element and everything in it out of the tree; the text after it stays."""
    parent = element.getparent()
    if parent is None:
        return
    tail = element.tail or ""
    previous = element.getprevious()
    if tail:
        if previous is not None:
            previous.tail = (previous.tail or "") + tail
        else:
            parent.text = (parent.text or "") + tail
    parent.remove(element)


def unwrap(element: etree._Element) -> None:
    """The element's tag out of the tree; its text and children stay where they were."""
    parent = element.getparent()
    if parent is None:
        return
    index = parent.index(element)
    previous = element.getprevious()
    text = element.text or ""
    if text:
        if previous is not None:
            previous.tail = (previous.tail or "") + text
        else:
            parent.text = (parent.text or "") + text
    children = list(element)
    for offset, child in enumerate(children):
        parent.insert(index + offset, child)
    tail = element.tail or ""
    if tail:
        last = children[-1] if children else element.getprevious()
        if last is not None and last is not element:
            last.tail = (last.tail or "") + tail
        else:
            parent.text = (parent.text or "") + tail
    parent.remove(element)


_TAG_NAME = re.compile(r"^[a-z][a-z0-9-]*$")
_SVG_TAGS = (f"{{{_SVG_NS}}}svg", "svg")


def _read_svg(root: etree._Element) -> None:
    """Each SVG drawing as the paragraphs of its `<text>` elements (a comic page's caption, a
    title page drawn in SVG): its styles, titles and shapes are not story text. A drawing with
    no text is left an empty `<svg>`, which readers drop; an SVG document becomes a body."""
    for svg in list(root.iter(*_SVG_TAGS)):
        lines = [
            " ".join(all_text(text).split()) for text in svg.iter(f"{{{_SVG_NS}}}text", "text")
        ]
        tail = svg.tail
        svg.clear()  # children, text, attributes and tail
        svg.tail = tail
        lines = [line for line in lines if line]
        if not lines:
            svg.tag = "body" if svg is root else "svg"
            continue
        svg.tag = "body" if svg is root else "div"
        for line in lines:
            etree.SubElement(svg, "p").text = line


def _normalise(root: etree._Element) -> None:
    for element in list(root.iter()):
        tag = element.tag
        if not isinstance(tag, str):
            remove(element)  # a comment, processing instruction or unresolved entity
            continue
        namespace = tag[1:].split("}", 1)[0] if tag.startswith("{") else ""
        name = tag.rsplit("}", 1)[-1].lower()
        if namespace not in ("", _XHTML_NS) or ":" in name:
            name = "foreign"  # SVG, MathML, epub:switch: nothing a story needs
        elif not _TAG_NAME.match(name):
            name = "span"  # what a browser makes of `<ti&le>`: its text, inline
        element.tag = name
        for key in list(element.attrib):
            key = str(key)
            if key.startswith("{") or ":" in key:
                if key.endswith(("}type", ":type")):
                    element.set("data-epub-type", str(element.attrib[key]))
                del element.attrib[key]
    etree.cleanup_namespaces(root)


def body_of(root: etree._Element) -> etree._Element:
    return next(root.iter("body"), root)


def class_names(element: etree._Element) -> list[str]:
    return (element.get("class") or "").lower().split()


def has_class(element: etree._Element, prefix: str) -> bool:
    """Whether a class starts with `prefix`: calibre renames `meta` to `meta1`, `meta2`…"""
    return any(name.startswith(prefix) for name in class_names(element))


def label_of(element: etree._Element) -> str:
    return text_of(element).rstrip(":").strip().lower()


def by_id(root: etree._Element, ident: str) -> etree._Element | None:
    return next((element for element in root.iter() if element.get("id") == ident), None)


# -- cleaning a tree for the story ----------------------------------------------------------------

_EXTERNAL = re.compile(r"^(?:https?:|mailto:)", re.IGNORECASE)
_ALIGN = re.compile(r"text-align\s*:\s*(center|right|justify)", re.IGNORECASE)


def is_page_break(element: etree._Element) -> bool:
    """A printed book's page number (`epub:type="pagebreak"`, `role="doc-pagebreak"`)."""
    return "pagebreak" in (element.get("data-epub-type") or "").split() or (
        element.get("role") == "doc-pagebreak"
    )


def clean(root: etree._Element) -> None:
    """What the story needs of the markup: anchors kept as `data-anchor`, alignment from CSS kept
    as `align`, links into the book and pictures inside it (nothing to show here) taken out, and
    what is never story text (styles, scripts, printed page numbers) dropped."""
    for element in list(root.iter()):
        if not isinstance(element.tag, str):
            continue
        if element is not root and element.tag in DROP_TAGS:
            remove(element)
            continue
        if is_page_break(element):
            tail = element.tail
            kept = [(key, element.get(key) or "") for key in ("id", "name") if element.get(key)]
            element.clear()  # its number goes; its id stays, as a table of contents may link it
            element.tag, element.tail = "span", tail
            for key, value in kept:
                element.set(key, value)
        anchors = [value for value in (element.get("id"), element.get("name")) if value]
        if anchors:
            element.set("data-anchor", " ".join([element.get("data-anchor") or "", *anchors]))
        match = _ALIGN.search(element.get("style") or "")
        if match and match.group(1).lower() != "justify" and not element.get("align"):
            element.set("align", match.group(1).lower())
        for attribute in ("id", "name", "class", "style"):
            if attribute in element.attrib:
                del element.attrib[attribute]
        if element.tag == "img" and not _EXTERNAL.match(element.get("src") or ""):
            parent = element.getparent()
            if parent is not None:
                parent.set("data-image", "1")
            remove(element)
        elif element.tag == "a" and not _EXTERNAL.match(element.get("href") or ""):
            parent = element.getparent()
            anchor = element.get("data-anchor")
            if parent is not None and anchor:
                parent.set("data-anchor", ((parent.get("data-anchor") or "") + " " + anchor))
            unwrap(element)


def fragment_html(element: etree._Element) -> str:
    """The element's content as sanitized HTML, for a summary or a note."""
    clean(element)
    return html_to_html(inner_html(element).strip())


def all_text(element: etree._Element) -> str:
    return "".join(str(part) for part in element.itertext())


def text_of(element: etree._Element) -> str:
    return " ".join(all_text(element).split())
