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
`Label: value` lines and its chapter notes in `fff_chapter_notes` blocks.
"""

from __future__ import annotations

import html as html_lib
import posixpath
import re
from dataclasses import dataclass, field
from html.entities import name2codepoint

import lxml.html
from lxml import etree

from ficarchive.texts.conventions import Block, chapter_heading, structure
from ficarchive.texts.formats import register
from ficarchive.texts.paragraphs import html_to_html, text_to_html
from ficarchive.texts.sanitize import sanitize_html
from ficarchive.texts.structure import ParsedWork, ParseError, html_to_text
from ficarchive.texts.ziparchive import (
    TOO_DEEP,
    NestingError,
    ZipArchive,
    local_name,
    parse_xml,
    resolve,
    too_deep,
    xml_safe,
)

_XHTML_NS = "http://www.w3.org/1999/xhtml"
_DOCUMENT_TYPES = {"application/xhtml+xml", "text/html", "application/xml", "text/x-oeb1-document"}
_DOCUMENT_EXTENSIONS = (".xhtml", ".html", ".htm", ".xml")
_FONT_EXTENSIONS = (".ttf", ".otf", ".woff", ".woff2", ".eot")
# Font obfuscation (IDPF and Adobe) hides fonts, not text: such a book is not DRM-protected.
_OBFUSCATION = {"http://www.idpf.org/2008/embedding", "http://ns.adobe.com/pdf/enc#RC"}
_SKIP_TYPES = {"cover", "title-page", "titlepage", "toc", "loi", "lot"}
_NO_TITLE = "\0"  # lets `structure` know the work already has a title: no line is taken for one
_MARK = "data-ficarchive"  # what the maker-specific passes found an element to be


# -- the package ------------------------------------------------------------------------------


@dataclass
class _Item:
    id: str
    path: str
    media_type: str
    properties: set[str]


@dataclass
class _Package:
    path: str
    title: str = ""
    creators: list[tuple[str, str]] = field(default_factory=list)  # (name, role)
    description: str = ""
    language: str = ""
    subjects: list[str] = field(default_factory=list)
    publisher: str = ""
    contributors: list[str] = field(default_factory=list)
    identifiers: list[str] = field(default_factory=list)
    items: dict[str, _Item] = field(default_factory=dict)
    spine: list[_Item] = field(default_factory=list)
    toc_id: str = ""
    skip_paths: set[str] = field(default_factory=set)

    @property
    def authors(self) -> list[str]:
        named = [name for name, role in self.creators if role in ("", "aut")]
        return named or [name for name, _ in self.creators]


def _all_text(element: etree._Element) -> str:
    return "".join(str(part) for part in element.itertext())


def _text(element: etree._Element) -> str:
    return " ".join(_all_text(element).split())


def _container_path(archive: ZipArchive) -> str:
    if not archive.has("META-INF/container.xml"):
        if archive.has("word/document.xml"):
            raise ParseError("the file is a Word document (DOCX), not an EPUB: name it .docx")
        packages = [name for name in archive.names if name.lower().endswith(".opf")]
        if len(packages) == 1:
            return packages[0]  # a hand-zipped book: the one package there is
        raise ParseError(
            "the file is not a valid EPUB: META-INF/container.xml is missing "
            "(every EPUB has one, naming the book's package file)"
        )
    root = archive.xml("META-INF/container.xml")
    paths = []
    for element in root.iter():
        if local_name(element) == "rootfile" and element.get("full-path"):
            media_type = (element.get("media-type") or "").lower()
            paths.append((media_type != "application/oebps-package+xml", element.get("full-path")))
    if not paths:
        raise ParseError("META-INF/container.xml inside the EPUB names no package (.opf) file")
    path = str(sorted(paths, key=lambda pair: pair[0])[0][1]).lstrip("/")
    if not archive.has(path):
        raise ParseError(
            f"the package file {path} that META-INF/container.xml names is missing from the EPUB"
        )
    return path


def _check_drm(archive: ZipArchive) -> None:
    for name, maker in (("META-INF/rights.xml", "Adobe"), ("META-INF/sinf.xml", "Apple")):
        if archive.has(name) and archive.read(name).strip():
            raise ParseError(
                f"the EPUB is protected by DRM ({maker}, {name}); ficarchive reads only "
                "DRM-free EPUBs"
            )
    if not archive.has("META-INF/encryption.xml"):
        return
    data = archive.read("META-INF/encryption.xml")
    if not data.strip():
        return
    try:
        root = parse_xml(data, "META-INF/encryption.xml")
    except ParseError as error:
        raise ParseError(
            "the EPUB is encrypted (DRM): META-INF/encryption.xml is there but cannot be read; "
            "ficarchive reads only DRM-free EPUBs"
        ) from error
    encrypted = []
    for element in root.iter():
        if local_name(element) != "encrypteddata":
            continue
        algorithm = uri = ""
        for part in element.iter():
            if local_name(part) == "encryptionmethod":
                algorithm = part.get("Algorithm") or ""
            elif local_name(part) == "cipherreference":
                uri = part.get("URI") or ""
        if algorithm in _OBFUSCATION or uri.lower().endswith(_FONT_EXTENSIONS):
            continue
        encrypted.append(uri or "(unnamed)")
    if encrypted:
        count = len(encrypted)
        raise ParseError(
            f"the EPUB is encrypted (DRM): META-INF/encryption.xml lists {count} encrypted "
            f"file{'s' if count != 1 else ''}, such as {encrypted[0]}; ficarchive reads only "
            "DRM-free EPUBs"
        )


def _read_package(archive: ZipArchive, path: str) -> _Package:
    root = archive.xml(path, recover=True)
    if local_name(root) != "package":
        raise ParseError(f"{path} inside the EPUB is not an EPUB package file (no <package>)")
    package = _Package(path=path)
    base = posixpath.dirname(path)
    sections = {local_name(child): child for child in root if local_name(child)}
    metadata = sections.get("metadata")
    if metadata is not None:
        _read_metadata(metadata, package)
    manifest = sections.get("manifest")
    if manifest is not None:
        for element in manifest:
            href = element.get("href")
            if local_name(element) != "item" or not href or not element.get("id"):
                continue
            item = _Item(
                id=str(element.get("id")),
                path=resolve(base, href),
                media_type=(element.get("media-type") or "").lower(),
                properties=set((element.get("properties") or "").split()),
            )
            if item.path:
                package.items[item.id] = item
    spine = sections.get("spine")
    if spine is None or manifest is None:
        missing = "spine" if spine is None else "manifest"
        raise ParseError(f"{path} inside the EPUB has no <{missing}>: the book lists no documents")
    package.toc_id = spine.get("toc") or ""
    seen = set()
    for itemref in spine:
        listed = package.items.get(itemref.get("idref") or "")
        if local_name(itemref) == "itemref" and listed is not None and listed.path not in seen:
            seen.add(listed.path)
            package.spine.append(listed)
    if not package.spine:
        raise ParseError(f"the spine in {path} lists no documents: there is nothing to read")
    guide = sections.get("guide")
    if guide is not None:
        for reference in guide:
            kind = (reference.get("type") or "").lower()
            if kind in _SKIP_TYPES and reference.get("href"):
                package.skip_paths.add(resolve(base, reference.get("href") or ""))
    return package


def _read_metadata(metadata: etree._Element, package: _Package) -> None:
    roles: dict[str, str] = {}
    creators: list[tuple[str, str, str]] = []  # (id, name, role)
    for element in metadata.iter():
        name = local_name(element)
        if name == "meta" and (element.get("property") or "") == "role":
            roles[(element.get("refines") or "").lstrip("#")] = _text(element).lower()
            continue
        value = _text(element)
        if not value:
            continue
        if name == "title" and not package.title:
            package.title = value
        elif name == "creator":
            role = ""
            for key, attribute in element.attrib.items():
                if str(key).endswith("role"):
                    role = str(attribute).lower()
            creators.append((element.get("id") or "", value, role))
        elif name == "description" and not package.description:
            package.description = _all_text(element).strip()
        elif name == "language" and not package.language:
            package.language = value[:10]
        elif name == "subject":
            package.subjects.append(value)
        elif name == "publisher":
            package.publisher = value
        elif name == "contributor":
            package.contributors.append(value)
        elif name == "identifier":
            package.identifiers.append(value)
    package.creators = [(name, role or roles.get(ident, "")) for ident, name, role in creators]


# -- the table of contents ---------------------------------------------------------------------


@dataclass
class _Entry:
    path: str
    fragment: str
    label: str


def _read_toc(archive: ZipArchive, package: _Package) -> list[_Entry]:
    """The entries of the navigation document, else of the NCX; [] when neither can be read."""
    nav = next((item for item in package.items.values() if "nav" in item.properties), None)
    if nav is not None and archive.has(nav.path):
        entries = _read_nav(archive, nav, package)
        if entries:
            return entries
    ncx = package.items.get(package.toc_id)
    if ncx is None:
        ncx = next(
            (item for item in package.items.values() if item.media_type.endswith("dtbncx+xml")),
            None,
        )
    if ncx is not None and archive.has(ncx.path):
        try:
            root = archive.xml(ncx.path, recover=True)
        except ParseError:
            return []  # a table of contents we cannot read: the chapters' headings will do
        return _read_ncx(root, posixpath.dirname(ncx.path))
    return []


def _read_nav(archive: ZipArchive, item: _Item, package: _Package) -> list[_Entry]:
    root = _parse_document(archive.read(item.path))
    if root is None:
        return []
    base = posixpath.dirname(item.path)
    navs = list(root.iter("nav"))
    for nav in navs:
        types = (nav.get("data-epub-type") or "").split()
        if "landmarks" in types:
            for link in nav.iter("a"):
                kinds = set((link.get("data-epub-type") or "").lower().split())
                if kinds & _SKIP_TYPES and link.get("href"):
                    package.skip_paths.add(resolve(base, link.get("href") or ""))
    toc = next((nav for nav in navs if "toc" in (nav.get("data-epub-type") or "").split()), None)
    if toc is None:
        toc = navs[0] if navs else root
    entries = []
    for link in toc.iter("a"):
        href = link.get("href") or ""
        path = resolve(base, href)
        if path:
            fragment = href.split("#", 1)[1] if "#" in href else ""
            entries.append(_Entry(path, fragment, _text(link)))
    return entries


def _read_ncx(root: etree._Element, base: str) -> list[_Entry]:
    entries = []
    for point in root.iter():
        if local_name(point) != "navpoint":
            continue
        label = src = ""
        for child in point:
            if local_name(child) == "navlabel":
                label = _text(child)
            elif local_name(child) == "content":
                src = child.get("src") or ""
        path = resolve(base, src)
        if path:
            fragment = src.split("#", 1)[1] if "#" in src else ""
            entries.append(_Entry(path, fragment, label))
    return entries


# -- one document -------------------------------------------------------------------------------

_NAMED_ENTITY = re.compile(rb"&([A-Za-z][A-Za-z0-9]{1,31});")
_XML_ENTITIES = {b"amp", b"lt", b"gt", b"quot", b"apos"}


def _numeric_entity(match: re.Match[bytes]) -> bytes:
    name = match.group(1)
    if name in _XML_ENTITIES or name.decode("ascii") not in name2codepoint:
        return match.group(0)
    return b"&#%d;" % name2codepoint[name.decode("ascii")]


_XML_DECLARATION = re.compile(rb"""^\s*<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9._:-]+)""")
_HTML_PARSER = lxml.html.HTMLParser(encoding="utf-8", remove_comments=True, remove_pis=True)


def _decode(data: bytes) -> str:
    """An XHTML file's text: its byte-order mark or XML declaration says how, else UTF-8."""
    for mark, encoding in (
        (b"\xef\xbb\xbf", "utf-8-sig"),
        (b"\xff\xfe", "utf-16"),
        (b"\xfe\xff", "utf-16"),
    ):
        if data.startswith(mark):
            return data.decode(encoding, "replace")
    match = _XML_DECLARATION.match(data)
    encoding = match.group(1).decode("ascii") if match else "utf-8"
    try:
        return data.decode(encoding)
    except (LookupError, UnicodeDecodeError):
        return data.decode("utf-8", "replace")


def _parse_document(data: bytes, label: str = "a document") -> etree._Element | None:
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
                text = _decode(data)
                root = lxml.html.document_fromstring(text.encode("utf-8"), parser=_HTML_PARSER)
            except (etree.ParserError, etree.XMLSyntaxError, ValueError):
                return None
            if any(TOO_DEEP in entry.message for entry in _HTML_PARSER.error_log):
                raise too_deep(label) from None
    if root is None:
        return None
    xml_safe(root)
    _normalise(root)
    return root


def _remove(element: etree._Element) -> None:
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


def _unwrap(element: etree._Element) -> None:
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


def _normalise(root: etree._Element) -> None:
    for element in list(root.iter()):
        tag = element.tag
        if not isinstance(tag, str):
            _remove(element)  # a comment, processing instruction or unresolved entity
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


def _body(root: etree._Element) -> etree._Element:
    return next(root.iter("body"), root)


def _classes(element: etree._Element) -> list[str]:
    return (element.get("class") or "").lower().split()


def _has_class(element: etree._Element, prefix: str) -> bool:
    """Whether a class starts with `prefix`: calibre renames `meta` to `meta1`, `meta2`…"""
    return any(name.startswith(prefix) for name in _classes(element))


def _label(element: etree._Element) -> str:
    return _text(element).rstrip(":").strip().lower()


def _by_id(root: etree._Element, ident: str) -> etree._Element | None:
    return next((element for element in root.iter() if element.get("id") == ident), None)


# -- cleaning a tree for the story ----------------------------------------------------------------

_EXTERNAL = re.compile(r"^(?:https?:|mailto:)", re.IGNORECASE)
_ALIGN = re.compile(r"text-align\s*:\s*(center|right|justify)", re.IGNORECASE)


def _clean(root: etree._Element) -> None:
    """What the story needs of the markup: anchors kept as `data-anchor`, alignment from CSS kept
    as `align`, links into the book and pictures inside it (nothing to show here) taken out."""
    for element in list(root.iter()):
        if not isinstance(element.tag, str):
            continue
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
            _remove(element)
        elif element.tag == "a" and not _EXTERNAL.match(element.get("href") or ""):
            parent = element.getparent()
            anchor = element.get("data-anchor")
            if parent is not None and anchor:
                parent.set("data-anchor", ((parent.get("data-anchor") or "") + " " + anchor))
            _unwrap(element)


def _inner_html(element: etree._Element) -> str:
    parts = [html_lib.escape(element.text or "", quote=False)]
    parts.extend(etree.tostring(child, encoding="unicode", method="html") for child in element)
    return "".join(parts)


def _outer_html(element: etree._Element) -> str:
    return etree.tostring(element, encoding="unicode", method="html", with_tail=False)


def _fragment_html(element: etree._Element) -> str:
    """The element's content as sanitized HTML, for a summary or a note."""
    _clean(element)
    return html_to_html(_inner_html(element).strip())


# -- the document as pieces ---------------------------------------------------------------------

_HEADINGS = {"h1": 1, "h2": 2, "h3": 3, "h4": 4, "h5": 5, "h6": 6}
_DROP = frozenset(
    {"head", "script", "style", "noscript", "template", "iframe", "object", "embed", "foreign"}
    | {"svg", "math"}
    | {"nav", "button", "input", "select", "textarea", "audio", "video", "canvas", "map"}
)
_ATOMIC = frozenset({"p", "pre", "ul", "ol", "dl", "table", "address", "blockquote"})
_LOOSE = frozenset({"li", "dd", "dt", "figcaption", "caption"})
_CONTAINERS = frozenset(
    {"html", "body", "div", "section", "article", "main", "header", "footer", "center", "aside"}
    | {"figure", "hgroup", "details", "summary", "fieldset", "form", "tbody", "thead", "tfoot"}
    | {"tr", "td", "th"}
)
_BLOCK_LEVEL = _ATOMIC | _LOOSE | _CONTAINERS | {"hr"} | set(_HEADINGS)
_DOUBLE_BREAK = re.compile(r"(?:<br\b[^>]*>\s*){2,}", re.IGNORECASE)
_EDGE_BREAKS = re.compile(r"^(?:\s*<br\b[^>]*>)+|(?:<br\b[^>]*>\s*)+$", re.IGNORECASE)


@dataclass
class _Piece:
    kind: str  # text, heading, chapter_heading, break, or the kind of note it is
    block: Block
    anchors: list[str] = field(default_factory=list)


def _has_blocks(element: etree._Element) -> bool:
    return any(
        isinstance(node.tag, str) and (node.tag in _BLOCK_LEVEL or node.get(_MARK))
        for node in element.iterdescendants()
    )


class _Flattener:
    """A document body as pieces in reading order: paragraphs, headings, breaks and notes."""

    def __init__(self) -> None:
        self.pieces: list[_Piece] = []
        self._inline: list[str] = []
        self._pending: list[str] = []
        self._image = False

    def walk(self, container: etree._Element) -> list[_Piece]:
        self._anchor(container)
        if container.text:
            self._inline.append(html_lib.escape(container.text, quote=False))
        for child in container:
            tag = child.tag
            if tag in _DROP:
                pass
            elif child.get(_MARK):
                self._flush()
                self._marked(child, str(child.get(_MARK)))
            elif tag in _BLOCK_LEVEL or _has_blocks(child):
                self._flush()
                self._block(child, str(tag))
            else:
                self._inline.append(_outer_html(child))
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
            part = _EDGE_BREAKS.sub("", part).strip()
            if part:
                self._emit(opening + part + "</p>")

    def _emit(self, html: str, heading: int = 0, kind: str = "") -> None:
        clean = sanitize_html(html)
        text = html_to_text(clean)
        if not text:
            return
        kind = kind or ("heading" if heading else "text")
        self.pieces.append(_Piece(kind, Block(text=text, html=clean, heading=heading)))
        self.pieces[-1].anchors, self._pending = self._pending, []

    def _break(self) -> None:
        self.pieces.append(_Piece("break", Block.scene_break(), self._pending))
        self._pending = []

    def _marked(self, element: etree._Element, kind: str) -> None:
        for node in element.iter():
            self._anchor(node)
        if kind == "chapter_heading":
            level = _HEADINGS.get(str(element.tag), 2)
            self._emit(f"<h{level}>{_inner_html(element)}</h{level}>", level, kind)
        else:
            html = html_to_html(_inner_html(element).strip())
            if html_to_text(html):
                self.pieces.append(_Piece(kind, Block(text=html_to_text(html), html=html)))

    def _block(self, element: etree._Element, tag: str) -> None:
        image = any(node.get("data-image") for node in element.iter())
        if tag == "hr":
            self._anchor(element)
            self._break()
            return
        if tag in _HEADINGS:
            for node in element.iter():
                self._anchor(node)
            self._emit(f"<{tag}>{_inner_html(element)}</{tag}>", _HEADINGS[tag])
            return
        atomic = tag in _ATOMIC
        if tag == "blockquote":
            atomic = not any(node.tag in _HEADINGS or node.tag == "hr" for node in element.iter())
        if not atomic and _has_blocks(element):
            self.walk(element)  # a container: what is inside it, block by block
            return
        for node in element.iter():
            self._anchor(node)
        before = len(self.pieces)
        if tag == "p" or not atomic:
            align = "center" if tag == "center" else element.get("align") or ""
            self._paragraphs(_inner_html(element).strip(), align)
        else:
            self._emit(_outer_html(element))  # a list, table, quotation or preformatted text
        if image and len(self.pieces) == before:
            self._break()


# -- AO3's EPUB (calibre's conversion of the HTML download) ------------------------------------

_AO3_TAG_TYPES = {
    "rating": "rating",
    "ratings": "rating",
    "archive warning": "warning",
    "archive warnings": "warning",
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
}
_AO3_OTHER_LABELS = {"language", "series", "collections", "stats"}
_AO3_CHAPTERS = re.compile(r"Chapters:\s*(\d+)\s*/\s*(\d+|\?)", re.IGNORECASE)
_AO3_NOTE_KINDS = {
    "chapter summary": "chapter_summary",
    "chapter notes": "chapter_notes",
    "chapter end notes": "chapter_end_notes",
}
_AO3_CATEGORIES = {"f/f", "f/m", "gen", "m/m", "multi", "other"}


@dataclass
class _Meta:
    """What the book's own pages say about the work, beside the package's metadata."""

    title: str = ""
    authors: list[str] = field(default_factory=list)
    summary: str = ""
    notes: list[str] = field(default_factory=list)
    end_notes: list[str] = field(default_factory=list)
    tags: dict[str, list[str]] = field(default_factory=dict)
    complete: bool | None = None
    text_complete: bool | None = None  # from `The End` / `To be continued` in the text

    def add_tags(self, tag_type: str, names: list[str]) -> None:
        names = [" ".join(name.split()) for name in names if name.strip()]
        if names:
            existing = self.tags.setdefault(tag_type, [])
            for name in names:
                if name.lower() not in {known.lower() for known in existing}:
                    existing.append(name)


def _ao3_tag_list(body: etree._Element) -> etree._Element | None:
    for listing in body.iter("dl"):
        labels = [_label(term) for term in listing if term.tag == "dt"]
        known = [label for label in labels if label in _AO3_TAG_TYPES or label in _AO3_OTHER_LABELS]
        if len(known) >= 2:
            return listing
    return None


def _labelled(region: etree._Element, labels: set[str]) -> list[tuple[str, etree._Element]]:
    """AO3's `<p>Summary</p><blockquote>…</blockquote>` pairs; the label elements are removed."""
    found = []
    for element in list(region.iter("p", "h3", "h4", "h5", "h6", "div")):
        label = _label(element)
        if label not in labels or len(element):
            continue
        following = element.getnext()
        if following is not None and following.tag == "blockquote":
            found.append((label, following))
        _remove(element)
    return found


def _take_ao3_preface(body: etree._Element, meta: _Meta) -> bool:
    tag_list = _ao3_tag_list(body)
    preface = _by_id(body, "preface")
    if tag_list is None and preface is None:
        return False
    if preface is not None:
        region = preface
    else:
        assert tag_list is not None
        parent = tag_list.getparent()
        region = parent if parent is not None and parent is not body else tag_list
    if tag_list is not None:
        label = ""
        for child in tag_list:
            if child.tag == "dt":
                label = _label(child)
            elif child.tag == "dd":
                _ao3_value(label, child, meta)
    title = next(region.iter("h1"), None)
    if title is not None and _text(title):
        meta.title = _text(title)
    names = [_text(a) for a in region.iter("a") if "author" in (a.get("rel") or "").split()]
    if not names:
        byline = next((el for el in region.iter() if _has_class(el, "byline")), None)
        if byline is not None:
            names = [re.sub(r"^by\s+", "", _text(byline), flags=re.IGNORECASE)]
    meta.authors = [name for name in names if name] or meta.authors
    for label, quote in _labelled(region, {"summary", "notes"}):
        html = _fragment_html(quote)
        if label == "summary":
            meta.summary = html
        elif html:
            meta.notes.append(html)
    _remove(region)
    for element in list(body.iter("p", "div")):
        text = _text(element)
        if text.startswith("Posted originally on the") and "Archive of Our Own" in text:
            _remove(element)
    for heading in list(body.iter(*_HEADINGS)):
        if _label(heading) == "preface":
            _remove(heading)
    return True


def _ao3_value(label: str, value: etree._Element, meta: _Meta) -> None:
    tag_type = _AO3_TAG_TYPES.get(label)
    if tag_type is not None:
        names = [_text(a) for a in value.iter("a")]
        meta.add_tags(tag_type, names or _text(value).split(","))
    elif label == "stats":
        match = _AO3_CHAPTERS.search(_text(value))
        if match:
            meta.complete = match.group(2) != "?" and match.group(1) == match.group(2)


def _take_ao3_afterword(body: etree._Element, meta: _Meta) -> None:
    afterword = _by_id(body, "afterword")
    for _, quote in _labelled(afterword if afterword is not None else body, {"end notes"}):
        html = _fragment_html(quote)
        if html:
            meta.end_notes.append(html)
        _remove(quote)
    if afterword is not None:
        _remove(afterword)
    for element in list(body.iter("p", "div")):
        if "drop by the Archive and comment" in _text(element) and len(_text(element)) < 200:
            _remove(element)
    for listing in list(body.iter("dl")):
        if _label(listing).startswith("works inspired by this one"):
            _remove(listing)
    for heading in list(body.iter(*_HEADINGS)):
        if _label(heading) == "afterword":
            _remove(heading)


def _mark_ao3_chapters(body: etree._Element) -> None:
    """Each chapter's heading, summary and notes, marked for the flattener."""
    for label, quote in _labelled(body, set(_AO3_NOTE_KINDS)):
        quote.set(_MARK, _AO3_NOTE_KINDS[label])
    for element in list(body.iter("p", "div")):
        text = _text(element)
        see_more = text.startswith(("(See the end of the chapter for", "See the end of the work"))
        if (see_more and len(text) < 120) or (
            element.tag == "p" and _has_class(element, "byline") and text.startswith("by ")
        ):
            _remove(element)
    for heading in body.iter("h2"):
        if _has_class(heading, "heading") or chapter_heading(_text(heading)) is not None:
            heading.set(_MARK, "chapter_heading")


# -- FanFicFare's EPUB ----------------------------------------------------------------------------

_FFF_TAG_TYPES = {
    "category": "fandom",
    "fandoms": "fandom",
    "fandom": "fandom",
    "genre": "freeform",
    "freeform tags": "freeform",
    "extra tags": "freeform",
    "tags": "freeform",
    "ao3 categories": "category",
    "characters": "character",
    "relationships": "relationship",
    "pairing": "relationship",
    "pairings": "relationship",
    "ships": "relationship",
    "rating": "rating",
    "warnings": "warning",
    "archive warnings": "warning",
}
# Every label FanFicFare's title page may show; three of them in bold make a title page.
_FFF_LABELS = set(_FFF_TAG_TYPES) | {"status", "published", "updated", "packaged", "chapters"}
_FFF_LABELS |= {"words", "publisher", "summary", "language", "series", "story url", "author"}
_FFF_LABELS |= {"author url", "title", "story notes", "description", "site"}


def _is_fff_title_page(body: etree._Element) -> bool:
    labels = [b for b in body.iter("b") if _text(b).endswith(":") and _label(b) in _FFF_LABELS]
    return len(labels) >= 3


def _is_fff_log_page(body: etree._Element) -> bool:
    heading = next(body.iter(*_HEADINGS), None)
    return heading is not None and _label(heading) == "update log"


def _words_before(root: etree._Element, target: etree._Element) -> int:
    """How many words of text come before `target` in the document."""
    words = 0
    for event, node in etree.iterwalk(root, events=("start", "end")):
        if node is target:
            return words
        text = node.text if event == "start" else node.tail
        if node is not root and text:
            words += len(text.split())
    return words


def _fff_entries(container: etree._Element) -> list[tuple[str, str]]:
    """(label, value HTML) from `<b>Label:</b> value<br />` lines or a table of them."""
    rows = list(container.iter("tr"))
    entries = []
    if rows:
        for row in rows:
            bold = next((b for b in row.iter("b") if _text(b).endswith(":")), None)
            if bold is None:
                continue
            label = _label(bold)
            _remove(bold)
            value = "".join(_inner_html(cell) for cell in row if cell.tag in ("td", "th"))
            entries.append((label, value))
        return entries
    label = ""
    parts: list[str] = []
    for child in container:
        if child.tag == "b" and _text(child).endswith(":"):
            if label:
                entries.append((label, "".join(parts)))
            label, parts = _label(child), [html_lib.escape(child.tail or "", quote=False)]
        elif label:
            parts.append(etree.tostring(child, encoding="unicode", method="html"))
    if label:
        entries.append((label, "".join(parts)))
    return entries


def _read_fff_title_page(body: etree._Element, meta: _Meta) -> None:
    heading = next(body.iter("h1", "h2", "h3"), None)
    if heading is not None:
        links = list(heading.iter("a"))
        if links and _text(links[0]):
            meta.title = meta.title or _text(links[0])
        authors = [_text(a) for a in links if "authorlink" in _classes(a)]
        meta.authors = meta.authors or [name for name in authors if name]
        _remove(heading)
    _clean(body)
    containers = [element for element in body if element.tag in ("div", "table")] or [body]
    for container in containers:
        for label, value in _fff_entries(container):
            html = _EDGE_BREAKS.sub("", value.strip()).strip()
            text = html_to_text(sanitize_html(html))
            tag_type = _FFF_TAG_TYPES.get(label)
            if tag_type is not None:
                names = [name.strip() for name in text.split(",")]
                if tag_type == "freeform":
                    meta.add_tags("category", [n for n in names if n.lower() in _AO3_CATEGORIES])
                    names = [n for n in names if n.lower() not in _AO3_CATEGORIES]
                meta.add_tags(tag_type, names)
            elif label == "status":
                lowered = text.lower()
                if "complete" in lowered and "incomplete" not in lowered:
                    meta.complete = True
                elif "progress" in lowered or "incomplete" in lowered:
                    meta.complete = False
            elif label in ("summary", "description"):
                meta.summary = html_to_html(html)
            elif label == "story notes":
                meta.notes.append(html_to_html(html))
            elif label == "title" and not meta.title:
                meta.title = text
            elif label in ("author", "authors") and not meta.authors:
                meta.authors = [name.strip() for name in text.split(",") if name.strip()]


def _mark_fff_notes(body: etree._Element) -> None:
    """`fff_chapter_notes` blocks: the chapter's summary and notes, or the work's notes. After
    calibre has been over the book only the first class is left (perhaps numbered): then a block
    with no story before it is the head notes."""
    for block in list(body.iter("div")):
        classes = _classes(block)
        if not _has_class(block, "fff_chapter_notes"):
            continue
        if "fff_head_notes" in classes or "fff_foot_notes" in classes:
            head = "fff_head_notes" in classes
        else:
            head = _words_before(body, block) < 10
        kind = ""
        for child in list(block):
            if child.tag == "b":
                label = _label(child)
                if label.startswith("summary"):
                    kind = "chapter_summary"
                elif label.startswith("author"):
                    kind = "work_notes" if head else "work_end_notes"
                else:
                    kind = "chapter_notes" if head else "chapter_end_notes"
                _remove(child)
            elif kind:
                child.set(_MARK, kind)
            else:
                child.set(_MARK, "chapter_notes" if head else "chapter_end_notes")


# -- pages that are not the story ---------------------------------------------------------------


def _words(text: str) -> int:
    return len(text.split())


def _is_calibre_jacket(root: etree._Element) -> bool:
    for meta in root.iter("meta"):
        if (meta.get("name") or "").lower() == "calibre-content":
            return (meta.get("content") or "").lower() == "jacket"
    return any(_has_class(element, "cbj_") for element in root.iter("div", "table"))


def _is_contents_page(body: etree._Element, story_paths: set[str], base: str) -> bool:
    """A page that is mostly links to the book's other pages."""
    links = [a for a in body.iter("a") if resolve(base, a.get("href") or "") in story_paths]
    if len(links) < 3:
        return False
    linked = sum(len(_text(a)) for a in links)
    return linked >= 0.5 * max(len(_text(body)), 1)


def _is_title_page(pieces: list[_Piece], title: str, authors: list[str]) -> bool:
    """A short page before the story that gives the title or the author and little else."""
    text = " ".join(piece.block.text for piece in pieces)
    if not text or _words(text) > 60:
        return False
    if any(_words(piece.block.text) >= 15 for piece in pieces):
        return False
    folded = text.casefold()
    names = [title, *authors]
    return any(name and name.casefold() in folded for name in names)


# -- chapters ------------------------------------------------------------------------------------


@dataclass
class _Segment:
    """A run of pieces that makes one chapter (or several, when the text has its own headings)."""

    label: str | None
    pieces: list[_Piece]


def _normal(text: str) -> str:
    return re.sub(r"[\W_]+", " ", text.casefold()).strip()


_NUMBERED = re.compile(r"^(?:\d+|[IVXLC]+)\s*[.:)\]\-–—]\s+(?=\S)")


def _clean_title(text: str) -> str:
    """A chapter's own title, as AO3 keeps it: `Chapter 4: The Bridge` → `The Bridge`,
    `4. The Bridge` → `The Bridge`, `Chapter 4` → ``, `Prologue` → `Prologue`."""
    text = " ".join(text.split())
    title = chapter_heading(text)
    if title is None:
        return _NUMBERED.sub("", text)
    return title.strip(" .:-–—")


def _same_title(heading: str, label: str) -> bool:
    first, second = _normal(heading), _normal(label)
    if not first or not second:
        return False
    return first == second or (_normal(_clean_title(heading)) == _normal(_clean_title(label)))


def _split_points(
    pieces: list[_Piece], entries: list[_Entry]
) -> tuple[str | None, dict[int, str | None]]:
    """The label for the start of a document, and where in it other chapters start (index →
    their label from the table of contents, or None for a chapter heading AO3 marked)."""
    where: dict[str, int] = {}
    for index, piece in enumerate(pieces):
        for anchor in piece.anchors:
            where.setdefault(anchor, index)
    first = next((i for i, piece in enumerate(pieces) if piece.kind != "break"), 0)
    start_label: str | None = None
    points: dict[int, str | None] = {}
    for entry in entries:
        target = where.get(entry.fragment) if entry.fragment else None
        if target is None or target <= first:
            if start_label is None or entry.fragment:
                start_label = entry.label
        elif target not in points:
            points[target] = entry.label
    for index, piece in enumerate(pieces):
        if piece.kind == "chapter_heading" and index > first and index not in points:
            points[index] = None
    return start_label, points


def _segments(pieces: list[_Piece], entries: list[_Entry]) -> list[_Segment]:
    start_label, points = _split_points(pieces, entries)
    segments = [_Segment(start_label, [])]
    for index, piece in enumerate(pieces):
        if index in points:
            segments.append(_Segment(points[index], []))
        segments[-1].pieces.append(piece)
    return [segment for segment in segments if segment.pieces]


def _has_heading(segment: _Segment) -> bool:
    for piece in segment.pieces:
        if piece.kind in ("heading", "chapter_heading"):
            return True
        if piece.kind in ("text", "break"):
            return False
    return False


def _join(*parts: str) -> str:
    return "\n".join(part for part in parts if part)


class _Builder:
    """Chapters from segments, with fan fiction's conventions applied to each one's text."""

    def __init__(self, work: ParsedWork, meta: _Meta, keep_levels: bool, title: str) -> None:
        self.work = work
        self.meta = meta
        self.keep_levels = keep_levels  # a book that is one long page: its headings split it
        self.title = title
        self.headers = ParsedWork(title=_NO_TITLE)  # `Title:`/`Rating:` lines atop the story

    def add(self, segment: _Segment) -> None:
        pieces = list(segment.pieces)
        chapter_level = 0
        if self.keep_levels:
            levels = [piece.block.heading for piece in pieces if piece.block.heading]
            repeated = [level for level in set(levels) if levels.count(level) >= 2]
            chapter_level = min(repeated) if repeated else 0
        heading_index = next(
            (i for i, p in enumerate(pieces) if p.kind in ("heading", "chapter_heading", "text")),
            None,
        )
        heading = None
        if heading_index is not None and pieces[heading_index].kind != "text":
            heading = pieces[heading_index]
        title = _clean_title(segment.label) if segment.label else ""
        if heading is not None and heading.block.heading < chapter_level:
            # The book's one top heading over its chapters' headings: its title, or a part's.
            if _normal(heading.block.text) == _normal(self.title):
                pieces.remove(heading)
            heading = None
        if heading is not None:
            own = heading.block.text
            is_title = (
                not segment.label
                or heading.kind == "chapter_heading"
                or _same_title(own, segment.label)
                or chapter_heading(own) is not None
            )
            if is_title:
                pieces.remove(heading)
                title = title or _clean_title(own)
        notes: dict[str, list[str]] = {}
        blocks = []
        for piece in pieces:
            if piece.kind in ("text", "heading", "chapter_heading", "break"):
                blocks.append(piece.block)
            else:
                notes.setdefault(piece.kind, []).append(piece.block.html)
        self.meta.notes.extend(notes.pop("work_notes", []))
        self.meta.end_notes.extend(notes.pop("work_end_notes", []))
        blocks = [
            block if block.heading == chapter_level else Block(text=block.text, html=block.html)
            for block in blocks
        ]
        first = not self.work.chapters
        temp = ParsedWork(title=_NO_TITLE)
        if not first or self.meta.tags:
            # Header lines (`Rating: …`) count only atop a book that has no other metadata; a
            # break first keeps `structure` from reading any.
            blocks = [Block.scene_break(), *blocks]
        structure(blocks, temp)
        if first:
            self._keep_headers(temp)
        if temp.complete is not None:
            self.meta.text_complete = temp.complete
        chapters = temp.chapters
        if not chapters:
            # Only notes: before the story they are the work's, after it its end notes.
            target = self.meta.end_notes if self.work.chapters else self.meta.notes
            target.extend(note for note in (temp.notes, temp.end_notes) if note)
            return
        head, tail = chapters[0], chapters[-1]
        head.title = head.title or title
        head.summary = _join(*notes.get("chapter_summary", []))
        if len(chapters) > 1 and first:
            self.meta.notes.append(temp.notes)
            temp.notes = ""
        head.notes = _join(*notes.get("chapter_notes", []), temp.notes, head.notes)
        tail.end_notes = _join(tail.end_notes, temp.end_notes, *notes.get("chapter_end_notes", []))
        self.work.chapters.extend(chapters)

    def _keep_headers(self, temp: ParsedWork) -> None:
        if temp.title != _NO_TITLE:
            self.headers.title = temp.title
        self.headers.authors = temp.authors
        self.headers.summary = temp.summary
        for tag_type, names in temp.tags.items():
            self.headers.add_tags(tag_type, names)
        if temp.complete is not None:
            self.headers.complete = temp.complete


# -- the whole book ------------------------------------------------------------------------------

_SUBJECTS_NOT_TAGS = {"fanworks", "fanfiction", "fan fiction", "completed", "complete"}
_SUBJECTS_NOT_TAGS |= {"in-progress", "in progress", "wip", "general", "fiction"}
_HTML_TAG = re.compile(r"<\s*/?\s*(?:p|br|div|em|i|b|strong|span|a|blockquote|ul|ol)\b", re.I)
_CALIBRE_SPLIT = re.compile(r"_split_\d+\.x?html?$", re.IGNORECASE)
# Table-of-contents labels that name a page, not a chapter (calibre's default entry is "Start").
_PAGE_LABELS = {"start", "title page", "cover", "table of contents", "contents", "update log"}
_AO3_PAGE_LABELS = _PAGE_LABELS | {"preface", "afterword"}


def _description_html(description: str) -> str:
    if _HTML_TAG.search(description):
        return html_to_html(description)
    return text_to_html(description)


@register("epub", [".epub"])
def parse_epub(data: bytes, name: str) -> ParsedWork:
    archive = ZipArchive(data, "EPUB")
    opf_path = _container_path(archive)
    _check_drm(archive)
    package = _read_package(archive, opf_path)
    entries = _read_toc(archive, package)

    # Every page of the spine, read once.
    documents: list[tuple[_Item, etree._Element]] = []
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
        root = _parse_document(archive.read(item.path, story=True), f"{item.path} inside the EPUB")
        if root is not None:
            documents.append((item, root))
    story_paths = {item.path for item, _ in documents}

    meta = _Meta()
    is_ao3 = "archive of our own" in package.publisher.lower() or any(
        _ao3_tag_list(_body(root)) is not None for _, root in documents
    )
    toc_covers = any(entry.path in story_paths for entry in entries)
    segments: list[_Segment] = []
    seen_story = False
    title_pages: list[_Segment] = []
    for item, root in documents:
        body = _body(root)
        # FanFicFare's pages are told by what they hold: calibre renames their classes.
        if not seen_story and _is_fff_title_page(body):
            _read_fff_title_page(body, meta)
            continue
        if _is_fff_log_page(body) or _is_calibre_jacket(root):
            continue
        if _is_contents_page(body, story_paths, posixpath.dirname(item.path)):
            continue
        had_ao3 = False
        if is_ao3:
            had_ao3 = _take_ao3_preface(body, meta)
            _take_ao3_afterword(body, meta)
            _mark_ao3_chapters(body)
        _mark_fff_notes(body)
        _clean(body)
        pieces = _Flattener().walk(body)
        if not any(piece.kind != "break" for piece in pieces):
            continue
        words = sum(_words(piece.block.text) for piece in pieces)
        if item.path in package.skip_paths and words < 150:
            continue
        ignored = _AO3_PAGE_LABELS if had_ao3 else _PAGE_LABELS
        doc_entries = [
            entry
            for entry in entries
            if entry.path == item.path and _normal(entry.label) not in ignored
        ]
        doc_segments = _segments(pieces, doc_entries)
        if not seen_story and _is_title_page(
            pieces, package.title or meta.title, package.authors or meta.authors
        ):
            title_pages.extend(doc_segments)
            continue
        seen_story = True
        first = doc_segments[0]
        continues = (
            segments
            and first.label is None
            and not _has_heading(first)
            and (toc_covers or _CALIBRE_SPLIT.search(item.path) is not None)
        )
        if continues:
            segments[-1].pieces.extend(first.pieces)
            doc_segments = doc_segments[1:]
        segments.extend(doc_segments)
    if not segments:
        segments = title_pages  # a book that is all title page: better read than nothing

    work = ParsedWork()
    title = package.title or meta.title
    builder = _Builder(work, meta, keep_levels=len(segments) == 1, title=title)
    for segment in segments:
        builder.add(segment)
    _fill_work(work, package, meta, builder.headers)
    return work


def _fill_work(work: ParsedWork, package: _Package, meta: _Meta, headers: ParsedWork) -> None:
    work.title = (
        package.title or meta.title or (headers.title if headers.title != _NO_TITLE else "")
    )
    work.authors = meta.authors or package.authors or headers.authors
    if meta.summary:
        work.summary = meta.summary
    elif package.description:
        work.summary = _description_html(package.description)
    else:
        work.summary = headers.summary
    work.notes = _join(*meta.notes)
    work.end_notes = _join(*meta.end_notes)
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
            if folded in typed or folded in _SUBJECTS_NOT_TAGS or folded.startswith("last update"):
                continue
            work.add_tags("freeform", [name])
    for complete in (meta.complete, headers.complete, meta.text_complete):
        if complete is not None:
            work.complete = complete
            break
    if len(work.chapters) == 1 and _normal(work.chapters[0].title) == _normal(work.title):
        work.chapters[0].title = ""
    # Every HTML field leaves sanitized, whatever it was made from.
    work.summary = sanitize_html(work.summary)
    work.notes = sanitize_html(work.notes)
    work.end_notes = sanitize_html(work.end_notes)
    for chapter in work.chapters:
        chapter.summary = sanitize_html(chapter.summary)
        chapter.notes = sanitize_html(chapter.notes)
        chapter.end_notes = sanitize_html(chapter.end_notes)
