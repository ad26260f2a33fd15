"""Word documents (.docx): the paragraphs of word/document.xml, read with fan fiction's conventions.

Each paragraph becomes a block: its runs' text with bold, italic, underline and strike-through
as <strong>, <em>, <u> and <s>, tabs and line breaks kept (page breaks are not text). A
paragraph styled `Title` is the work's title, one styled `Heading 1`…`Heading 6` (by the style's
name in styles.xml, by its outline level, or by the style it is based on) a heading; tables are
read cell by cell as paragraphs; footnotes, comments, deleted text and pictures are left out.
Then `conventions.structure` finds the notes, chapters, scene breaks and end markers, so a .docx
reads like the same story as a .txt file. docProps/core.xml's title and creator are fallbacks.
"""

from __future__ import annotations

import html as html_lib
import posixpath
import re
from dataclasses import dataclass, field

from lxml import etree

from ficarchive.texts.conventions import Block, chapter_heading, structure
from ficarchive.texts.formats import register
from ficarchive.texts.paragraphs import html_to_html
from ficarchive.texts.sanitize import sanitize_html
from ficarchive.texts.structure import ParsedWork, ParseError
from ficarchive.texts.ziparchive import ZipArchive, local_name, resolve

_OFFICE_DOCUMENT = "/officeDocument"
_TITLE = -1
_SUBTITLE = -2
_CONTENTS = -3  # a line of Word's own table of contents
_BREAK = -4  # an empty paragraph drawn as a line: a scene break
_WRAPPERS = frozenset({"ins", "moveto", "smarttag", "customxml", "sdt", "sdtcontent", "fldsimple"})
_WRAPPERS |= frozenset({"dir", "bdo"})
# Names Word and other programs fill in for whoever made the file: not a writer's name.
_GENERIC_CREATORS = frozenset(
    {"", "user", "admin", "administrator", "author", "owner", "unknown", "windows user"}
    | {"microsoft office user", "microsoft account", "python-docx", "apache poi", "default"}
)
_CONTENTS_HEADING = re.compile(r"^\s*(?:table\s+of\s+)?contents\s*:?\s*$", re.IGNORECASE)
_PLACEHOLDER_TITLE = re.compile(r"^(?:document|untitled|doc)\s*\d*$", re.IGNORECASE)
_BYLINE = re.compile(r"^\s*(?:written\s+)?by\s+(?P<names>\S.{0,120})$", re.IGNORECASE)


def _attr(element: etree._Element, name: str) -> str | None:
    """An attribute by its local name, whatever its namespace (w:val, val)."""
    for key, value in element.attrib.items():
        if str(key).rsplit("}", 1)[-1] == name:
            return str(value)
    return None


def _child(element: etree._Element, name: str) -> etree._Element | None:
    return next((child for child in element if local_name(child) == name), None)


def _on(element: etree._Element | None) -> bool:
    """A toggle property: `<w:b/>` and `<w:b w:val="true"/>` are on, `w:val="0"` is off."""
    if element is None:
        return False
    value = (_attr(element, "val") or "").lower()
    return value not in ("0", "false", "off", "none")


# -- styles ---------------------------------------------------------------------------------------


@dataclass
class _Style:
    name: str = ""
    based_on: str = ""
    outline: int | None = None
    border: bool = False
    props: dict[str, bool] = field(default_factory=dict)


def _has_border(properties: etree._Element) -> bool:
    """Whether a w:pPr draws a line above or below the paragraph (how an <hr> comes out)."""
    borders = _child(properties, "pbdr")
    if borders is None:
        return False
    return any(
        local_name(side) in ("top", "bottom")
        and (_attr(side, "val") or "none").lower() not in ("none", "nil")
        for side in borders
    )


def _run_props(properties: etree._Element | None) -> dict[str, bool]:
    """What a w:rPr says about bold, italic, underline, strike-through, super/subscript, hidden."""
    found: dict[str, bool] = {}
    if properties is None:
        return found
    for element in properties:
        name = local_name(element)
        if name in ("b", "i", "strike", "vanish"):
            found[name] = _on(element)
        elif name == "dstrike":
            found["strike"] = found.get("strike", False) or _on(element)
        elif name == "u":
            found["u"] = _on(element)
        elif name == "vertalign":
            value = (_attr(element, "val") or "").lower()
            found["sup"] = value == "superscript"
            found["sub"] = value == "subscript"
    return found


class _Styles:
    def __init__(self, root: etree._Element | None) -> None:
        self.styles: dict[str, _Style] = {}
        if root is None:
            return
        for element in root.iter():
            if local_name(element) != "style":
                continue
            ident = _attr(element, "styleId")
            if not ident:
                continue
            style = _Style()
            for part in element:
                name = local_name(part)
                if name == "name":
                    style.name = _attr(part, "val") or ""
                elif name == "basedon":
                    style.based_on = _attr(part, "val") or ""
                elif name == "ppr":
                    level = _child(part, "outlinelvl")
                    value = _attr(level, "val") if level is not None else None
                    if value is not None and value.isdigit():
                        style.outline = int(value)
                    style.border = _has_border(part)
                elif name == "rpr":
                    style.props = _run_props(part)
            self.styles[ident] = style

    def kind(self, ident: str) -> int:
        """A paragraph style as a heading level (1-6), _TITLE, _SUBTITLE, _CONTENTS, or 0."""
        for _ in range(12):  # a chain of based-on styles; a loop in it ends here
            style = self.styles.get(ident)
            name = re.sub(r"[\s_\-]+", "", (style.name if style and style.name else ident).lower())
            if name == "title":
                return _TITLE
            if name == "subtitle":
                return _SUBTITLE
            if re.fullmatch(r"toc\d|tocheading|tableofcontents\d?", name):
                return _CONTENTS
            match = re.fullmatch(r"heading(\d)", name)
            if match and int(match.group(1)) >= 1:
                return min(int(match.group(1)), 6)
            if style is None:
                return 0
            if style.outline is not None and style.outline < 9:
                return min(style.outline + 1, 6)
            if not style.based_on:
                return 0
            ident = style.based_on
        return 0

    def border(self, ident: str) -> bool:
        for _ in range(12):
            style = self.styles.get(ident)
            if style is None:
                return False
            if style.border:
                return True
            ident = style.based_on
        return False

    def props(self, ident: str) -> dict[str, bool]:
        chain: list[_Style] = []
        for _ in range(12):
            style = self.styles.get(ident)
            if style is None:
                break
            chain.append(style)
            ident = style.based_on
        found: dict[str, bool] = {}
        for style in reversed(chain):
            found.update(style.props)
        return found


# -- paragraphs -----------------------------------------------------------------------------------

_TAGS = (("b", "strong"), ("i", "em"), ("u", "u"), ("strike", "s"), ("sup", "sup"), ("sub", "sub"))


@dataclass
class _Paragraph:
    text: str
    html: str  # the content, without the <p>
    kind: int  # heading level, _TITLE, _SUBTITLE, _CONTENTS or 0
    align: str = ""


class _Reader:
    def __init__(self, styles: _Styles, links: dict[str, str]) -> None:
        self.styles = styles
        self.links = links
        self._fields: list[str] = []  # the instructions of the fields open at this point
        self._contents = False  # whether this paragraph's text is a TOC field's result
        self._rule = False  # whether this paragraph holds a horizontal line (VML o:hr)

    def blocks(self, container: etree._Element) -> list[_Paragraph]:
        found: list[_Paragraph] = []
        for child in container:
            name = local_name(child)
            if name == "p":
                paragraph = self.paragraph(child)
                if paragraph is not None:
                    found.append(paragraph)
            elif name == "tbl":
                # A table's cells, row by row, as paragraphs.
                for row in child:
                    if local_name(row) != "tr":
                        continue
                    for cell in row:
                        if local_name(cell) == "tc":
                            found.extend(self.blocks(cell))
            elif name == "sdt" and _is_contents_control(child):
                continue  # Word's table of contents, in its content control
            elif name in _WRAPPERS:
                found.extend(self.blocks(child))
        return found

    def paragraph(self, element: etree._Element) -> _Paragraph | None:
        properties = _child(element, "ppr")
        kind = 0
        align = ""
        if properties is not None:
            style = _child(properties, "pstyle")
            if style is not None:
                kind = self.styles.kind(_attr(style, "val") or "")
            outline = _child(properties, "outlinelvl")
            level = _attr(outline, "val") if outline is not None else None
            if not kind and level is not None and level.isdigit() and int(level) < 9:
                kind = min(int(level) + 1, 6)
            justify = _child(properties, "jc")
            value = (_attr(justify, "val") or "").lower() if justify is not None else ""
            align = {"center": "center", "right": "right", "end": "right"}.get(value, "")
        border = properties is not None and _has_border(properties)
        if properties is not None and not border:
            style = _child(properties, "pstyle")
            border = style is not None and self.styles.border(_attr(style, "val") or "")
        segments: list[tuple[str, tuple[str, ...], str]] = []
        self._contents = self._rule = False
        self._visit(element, "", segments)
        text = "".join(segment[0] for segment in segments)
        if not text.strip():
            return _Paragraph("* * *", "", _BREAK) if border or self._rule else None
        if self._contents:
            kind = _CONTENTS
        return _Paragraph(text=text.strip(), html=_segments_html(segments), kind=kind, align=align)

    def _visit(
        self, node: etree._Element, link: str, out: list[tuple[str, tuple[str, ...], str]]
    ) -> None:
        for child in node:
            name = local_name(child)
            if name == "r":
                self._run(child, link, out)
            elif name == "hyperlink":
                target = self.links.get(_attr(child, "id") or "", "")
                self._visit(child, target or link, out)
            elif name == "fldsimple":
                self._fields.append(_attr(child, "instr") or "")
                self._visit(child, link, out)
                self._fields.pop()
            elif name in _WRAPPERS:
                self._visit(child, link, out)

    def _run(
        self, run: etree._Element, link: str, out: list[tuple[str, tuple[str, ...], str]]
    ) -> None:
        properties = _child(run, "rpr")
        props: dict[str, bool] = {}
        if properties is not None:
            style = _child(properties, "rstyle")
            if style is not None:
                props.update(self.styles.props(_attr(style, "val") or ""))
            props.update(_run_props(properties))
        hidden = props.get("vanish", False)
        marks = tuple(tag for key, tag in _TAGS if props.get(key))
        for child in run:
            name = local_name(child)
            if name == "fldchar":
                kind = (_attr(child, "fldCharType") or "").lower()
                if kind == "begin":
                    self._fields.append("")
                elif kind == "end" and self._fields:
                    self._fields.pop()
                continue
            if name == "instrtext":
                if self._fields:
                    self._fields[-1] += child.text or ""
                continue
            if name == "pict" and any(
                str(key).endswith("}hr") and value == "t"
                for node in child.iter()
                for key, value in node.attrib.items()
            ):
                self._rule = True  # Word's "horizontal line", drawn in VML
                continue
            if name == "t":
                text = child.text or ""
            elif name == "tab" or name == "ptab":
                text = "\t"
            elif name == "br":
                if (_attr(child, "type") or "").lower() in ("page", "column"):
                    continue
                text = "\n"
            elif name == "cr":
                text = "\n"
            elif name == "nobreakhyphen":
                text = "-"
            else:
                continue  # field codes, deleted text, pictures, footnote marks, …
            if text and not hidden:
                out.append((text, marks, link))
                if any(field.strip().upper().startswith("TOC") for field in self._fields):
                    self._contents = True


def _is_contents_control(element: etree._Element) -> bool:
    """A content control (w:sdt) whose gallery is "Table of Contents"."""
    for node in element.iter():
        if local_name(node) == "docpartgallery":
            return (_attr(node, "val") or "").lower() == "table of contents"
        if local_name(node) == "sdtcontent":
            return False
    return False


def _segments_html(segments: list[tuple[str, tuple[str, ...], str]]) -> str:
    """Runs as HTML, neighbours with the same formatting joined: `<em>one two</em>`, not two."""
    merged: list[tuple[str, tuple[str, ...], str]] = []
    for index, (text, marks, link) in enumerate(segments):
        if not text.strip():
            # A space between two runs alike is theirs (`<em>all at once</em>`), else plain.
            before = segments[index - 1][1:] if index else None
            after = segments[index + 1][1:] if index + 1 < len(segments) else None
            marks, link = before if before is not None and before == after else ((), link)
        if merged and merged[-1][1:] == (marks, link):
            merged[-1] = (merged[-1][0] + text, marks, link)
        else:
            merged.append((text, marks, link))
    parts = []
    for text, marks, link in merged:
        html = html_lib.escape(text, quote=False).replace("\n", "<br>")
        for tag in reversed(marks):
            html = f"<{tag}>{html}</{tag}>"
        if link:
            html = f'<a href="{html_lib.escape(link)}">{html}</a>'
        parts.append(html)
    return "".join(parts).strip()


# -- the package ---------------------------------------------------------------------------------


def _relationships(archive: ZipArchive, name: str) -> list[tuple[str, str, str, str]]:
    """(id, type, target, mode) of a .rels part; [] when it is missing or unreadable."""
    if not archive.has(name):
        return []
    try:
        root = archive.xml(name)
    except ParseError:
        return []
    found = []
    for element in root.iter():
        if local_name(element) == "relationship":
            found.append(
                (
                    element.get("Id") or "",
                    element.get("Type") or "",
                    element.get("Target") or "",
                    element.get("TargetMode") or "",
                )
            )
    return found


def _main_part(archive: ZipArchive) -> str:
    for _, kind, target, _ in _relationships(archive, "_rels/.rels"):
        if kind.endswith(_OFFICE_DOCUMENT):
            path = resolve("", target)
            if path and archive.has(path):
                return path
    if archive.has("word/document.xml"):
        return "word/document.xml"
    if archive.has("META-INF/container.xml"):
        raise ParseError("the file is an EPUB, not a Word document: name it .epub")
    if archive.has("content.xml"):
        raise ParseError(
            "the file is an OpenDocument text (.odt), not a Word document: save it as .docx"
        )
    raise ParseError(
        "the file is not a valid DOCX: word/document.xml, the document's text, is missing"
    )


@dataclass
class _Core:
    """docProps/core.xml: what Word's File → Properties says, '' where it says nothing useful."""

    title: str = ""
    creator: str = ""
    description: str = ""
    language: str = ""
    keywords: list[str] = field(default_factory=list)


def _core_properties(archive: ZipArchive) -> _Core:
    core = _Core()
    if not archive.has("docProps/core.xml"):
        return core
    try:
        root = archive.xml("docProps/core.xml")
    except ParseError:
        return core
    for element in root.iter():
        raw = "".join(str(part) for part in element.itertext()).strip()
        value = " ".join(raw.split())
        name = local_name(element)
        if name in ("title", "creator", "language") and not getattr(core, name):
            setattr(core, name, value)
        elif name == "description" and not core.description:
            core.description = raw
        elif name == "keywords" and not core.keywords:
            core.keywords = [word.strip() for word in re.split(r"[,;]", value) if word.strip()]
    core.title = re.sub(r"^Microsoft Word\s*-\s*", "", core.title)
    core.title = re.sub(r"\.(?:docx?|rtf|odt|txt)$", "", core.title, flags=re.IGNORECASE).strip()
    if _PLACEHOLDER_TITLE.match(core.title):
        core.title = ""
    if core.creator.casefold() in _GENERIC_CREATORS:
        core.creator = ""
    core.language = core.language[:10]
    return core


def _names(value: str) -> list[str]:
    """`a, b & c` → three names; `a and b` → two, but `Salt and Ink & b` keeps `Salt and Ink`."""
    separator = r"[,&;]" if re.search(r"[,&;]", value) else r"\s+and\s+"
    return [name.strip() for name in re.split(separator, value) if name.strip()]


def _title_like(text: str) -> bool:
    return len(text) <= 120 and len(text.split()) <= 14 and not text.endswith((".", ",", ";"))


@register("docx", [".docx"])
def parse_docx(data: bytes, name: str) -> ParsedWork:
    archive = ZipArchive(data, "DOCX")
    main = _main_part(archive)
    root = archive.xml(main, story=True)
    body = next((element for element in root.iter() if local_name(element) == "body"), None)
    if local_name(root) != "document" or body is None:
        raise ParseError(f"{main} inside the DOCX is not a Word document (it has no <w:body>)")
    styles_root = None
    folder = posixpath.dirname(main)
    rels_name = posixpath.join(folder, "_rels", posixpath.basename(main) + ".rels")
    links: dict[str, str] = {}
    for ident, kind, target, mode in _relationships(archive, rels_name):
        if mode.lower() == "external" and re.match(r"^(?:https?:|mailto:)", target, re.I):
            links[ident] = target
        elif kind.endswith("/styles") and styles_root is None:
            try:
                styles_root = archive.xml(resolve(folder, target))
            except ParseError:
                styles_root = None  # styles we cannot read: paragraphs keep their ids' names
    if styles_root is None and archive.has(posixpath.join(folder, "styles.xml")):
        try:
            styles_root = archive.xml(posixpath.join(folder, "styles.xml"))
        except ParseError:
            styles_root = None
    paragraphs = _Reader(_Styles(styles_root), links).blocks(body)

    core = _core_properties(archive)
    work = ParsedWork()
    blocks: list[Block] = []
    for index, paragraph in enumerate(paragraphs):
        following = paragraphs[index + 1] if index + 1 < len(paragraphs) else None
        if paragraph.kind == _CONTENTS or (
            _CONTENTS_HEADING.match(paragraph.text) and following and following.kind == _CONTENTS
        ):
            continue  # Word's table of contents, and its heading
        if paragraph.kind == _TITLE and not work.title:
            work.title = " ".join(paragraph.text.split())
            continue
        if len(blocks) <= 1 and not work.authors and (not blocks or _title_like(blocks[0].text)):
            # `by tidewright` under the title; or the document's author's name alone there.
            byline = _BYLINE.match(paragraph.text)
            if byline:
                work.authors = _names(byline.group("names"))
                continue
            if core.creator and paragraph.text.casefold() == core.creator.casefold():
                work.authors = [core.creator]
                continue
        if paragraph.kind == _BREAK:
            blocks.append(Block.scene_break())
            continue
        level = paragraph.kind if paragraph.kind > 0 else 0
        if paragraph.kind == _TITLE:
            level = 1
        if level:
            html = f"<h{level}>{paragraph.html}</h{level}>"
        elif paragraph.align:
            html = f'<p align="{paragraph.align}">{paragraph.html}</p>'
        else:
            html = f"<p>{paragraph.html}</p>"
        blocks.append(Block(text=paragraph.text, html=sanitize_html(html), heading=level))

    blocks = _heading_levels(blocks, work)
    structure(blocks, work)
    # What Word's document properties say, where the text said nothing.
    work.title = work.title or core.title
    if not work.authors and core.creator:
        work.authors = [core.creator]
    if not work.summary and core.description:
        work.summary = html_to_html(core.description)
    work.language = work.language or core.language
    if core.keywords and not work.tags:
        work.add_tags("freeform", core.keywords)
    return work


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
