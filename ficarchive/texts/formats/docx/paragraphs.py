"""The body of word/document.xml as items: paragraphs (each one's text, its runs as HTML and its
kind), tables, and the paragraphs of text boxes after the paragraph that holds them."""

from __future__ import annotations

import html as html_lib
import re
from typing import NamedTuple

from lxml import etree

from ficarchive.texts.formats.docx.items import Item, Paragraph
from ficarchive.texts.formats.docx.notes import NOTE_ID, reference_html
from ficarchive.texts.formats.docx.numbering import ListLabel, Numbering
from ficarchive.texts.formats.docx.ooxml import attr, first_child
from ficarchive.texts.formats.docx.styles import BREAK, CONTENTS, Styles, has_border, run_props
from ficarchive.texts.formats.docx.tables import read_table
from ficarchive.texts.formats.docx.textboxes import branch, text_boxes
from ficarchive.texts.ziparchive import local_name

WRAPPERS = frozenset({"ins", "moveto", "smarttag", "customxml", "sdt", "sdtcontent", "fldsimple"})
WRAPPERS |= frozenset({"dir", "bdo"})

_TAGS = (("b", "strong"), ("i", "em"), ("u", "u"), ("strike", "s"), ("sup", "sup"), ("sub", "sub"))


_HYPERLINK_FIELD = re.compile(r'^\s*HYPERLINK\s+(?:"(?P<quoted>[^"]*)"|(?P<bare>[^\s\\]+))', re.I)
_FIELD_ANCHOR = re.compile(r'\\l\s+"([^"]*)"')
WEB_URL = re.compile(r"^(?:https?:|mailto:)", re.IGNORECASE)


class Segment(NamedTuple):
    """A piece of a paragraph: text with its formatting and link, or (`raw`) markup that is no
    text: a note's reference, a bookmark's anchor."""

    text: str
    marks: tuple[str, ...] = ()
    link: str = ""
    raw: str = ""


class Reader:
    def __init__(
        self,
        styles: Styles,
        links: dict[str, str],
        numbering: Numbering | None = None,
        anchors: frozenset[str] = frozenset(),
    ) -> None:
        self.styles = styles
        self.links = links  # relationship id → external URL
        self.numbering = numbering or Numbering(None)
        self.anchors = anchors  # the bookmarks some hyperlink goes to: these get an <a name>
        self.references: list[tuple[str, str]] = []  # notes referred to, in order
        self._fields: list[str] = []  # the instructions of the fields open at this point
        self._contents = False  # whether this paragraph's text is a TOC field's result
        self._rule = False  # whether this paragraph holds a horizontal line (VML o:hr)
        self._boxes: list[etree._Element] = []  # the text boxes anchored in this paragraph

    def blocks(self, container: etree._Element) -> list[Item]:
        found: list[Item] = []
        for child in container:
            name = local_name(child)
            if name == "p":
                paragraph, boxes = self.paragraph(child)
                if paragraph is not None:
                    found.append(paragraph)
                fields, self._fields = self._fields, []
                for box in boxes:
                    found.extend(self.blocks(box))
                self._fields = fields
            elif name == "tbl":
                table = read_table(child, self.blocks)
                if table is not None:
                    found.append(table)
            elif name == "sdt" and _is_contents_control(child):
                continue  # Word's table of contents, in its content control
            elif name == "alternatecontent":
                chosen = branch(child)
                if chosen is not None:
                    found.extend(self.blocks(chosen))
            elif name in WRAPPERS:
                found.extend(self.blocks(child))
        return found

    def paragraph(self, element: etree._Element) -> tuple[Paragraph | None, list[etree._Element]]:
        """The paragraph (None when it has no text), and the text boxes anchored in it."""
        properties = first_child(element, "ppr")
        kind = 0
        align = ""
        style_id = ""
        if properties is not None:
            style = first_child(properties, "pstyle")
            if style is not None:
                style_id = attr(style, "val") or ""
                kind = self.styles.kind(style_id)
            outline = first_child(properties, "outlinelvl")
            level = attr(outline, "val") if outline is not None else None
            if not kind and level is not None and level.isdigit() and int(level) < 9:
                kind = min(int(level) + 1, 6)
            justify = first_child(properties, "jc")
            value = (attr(justify, "val") or "").lower() if justify is not None else ""
            align = {"center": "center", "right": "right", "end": "right"}.get(value, "")
        border = properties is not None and has_border(properties)
        if properties is not None and not border:
            border = bool(style_id) and self.styles.border(style_id)
        segments: list[Segment] = []
        self._contents = self._rule = False
        self._boxes = []
        self._visit(element, "", segments)
        boxes = self._boxes
        text = "".join(segment.text for segment in segments)
        if not text.strip():
            return (Paragraph("* * *", "", BREAK) if border or self._rule else None), boxes
        if self._contents:
            kind = CONTENTS
        item = None
        if kind == 0:  # a numbered heading is a heading, not a list item
            item = self._list_item(properties, style_id)
        html = _segments_html(segments)
        return Paragraph(text.strip(), html, kind=kind, align=align, item=item), boxes

    def _list_item(self, properties: etree._Element | None, style_id: str) -> ListLabel | None:
        """Where the paragraph is a list item: by its own w:numPr, or its style's."""
        numbered = first_child(properties, "numpr") if properties is not None else None
        num_id, level = self.styles.numbering(style_id) if style_id else ("", 0)
        if numbered is not None:
            ident = first_child(numbered, "numid")
            ilvl = first_child(numbered, "ilvl")
            if ident is not None:
                num_id = attr(ident, "val") or ""
            value = attr(ilvl, "val") if ilvl is not None else None
            if value is not None and value.isdigit():
                level = min(int(value), 8)
        if not num_id or num_id == "0":  # numId 0 switches a style's numbering off
            return None
        return self.numbering.label(num_id, level)

    def _target(self, hyperlink: etree._Element) -> str:
        """A w:hyperlink's URL: its relationship's target, its w:anchor as the #fragment (Word
        stores `https://…/page#part` as the target and `part` as the anchor), or the anchor
        alone for a link to a bookmark in the document."""
        ident = attr(hyperlink, "id")
        anchor = attr(hyperlink, "anchor") or ""
        target = self.links.get(ident, "") if ident else ""
        if anchor:
            return f"{target.split('#', 1)[0]}#{anchor}"
        return target

    def _visit(self, node: etree._Element, link: str, out: list[Segment]) -> None:
        for child in node:
            name = local_name(child)
            if name == "r":
                self._run(child, link, out)
            elif name == "hyperlink":
                self._visit(child, self._target(child) or link, out)
            elif name == "fldsimple":
                self._fields.append(attr(child, "instr") or "")
                self._visit(child, link, out)
                self._fields.pop()
            elif name == "bookmarkstart":
                self._bookmark(child, out)
            elif name == "alternatecontent":
                chosen = branch(child)
                if chosen is not None:
                    self._visit(chosen, link, out)
            elif name in WRAPPERS:
                self._visit(child, link, out)

    def _field_link(self) -> str:
        """The URL of the innermost HYPERLINK field this text is the result of, as older Word
        and some converters write links: `HYPERLINK "https://…/page" \\l "part"`."""
        for instruction in reversed(self._fields):
            match = _HYPERLINK_FIELD.match(instruction)
            if match is None:
                continue
            url = match.group("quoted") or match.group("bare") or ""
            if not WEB_URL.match(url):
                return ""  # a place in the document, or a scheme links may not have
            anchor = _FIELD_ANCHOR.search(instruction)
            return f"{url.split('#', 1)[0]}#{anchor.group(1)}" if anchor else url
        return ""

    def _bookmark(self, bookmark: etree._Element, out: list[Segment]) -> None:
        name = attr(bookmark, "name") or ""
        if name in self.anchors:
            out.append(Segment("", raw=f'<a name="{html_lib.escape(name)}"></a>'))

    def _run(self, run: etree._Element, link: str, out: list[Segment]) -> None:
        properties = first_child(run, "rpr")
        props: dict[str, bool] = {}
        if properties is not None:
            style = first_child(properties, "rstyle")
            if style is not None:
                props.update(self.styles.props(attr(style, "val") or ""))
            props.update(run_props(properties))
        hidden = props.get("vanish", False)
        marks = tuple(tag for key, tag in _TAGS if props.get(key))
        for child in run:
            name = local_name(child)
            if name == "fldchar":
                kind = (attr(child, "fldCharType") or "").lower()
                if kind == "begin":
                    self._fields.append("")
                elif kind == "end" and self._fields:
                    self._fields.pop()
                continue
            if name == "instrtext":
                if self._fields:
                    self._fields[-1] += child.text or ""
                continue
            if name in ("footnotereference", "endnotereference"):
                ident = attr(child, "id") or ""
                if not hidden and NOTE_ID.match(ident):
                    kind = name[: -len("notereference")]
                    self.references.append((kind, ident))
                    out.append(Segment("", raw=reference_html(kind, ident)))
                continue
            if name == "bookmarkstart":
                self._bookmark(child, out)  # where some writers put it, inside the run
                continue
            if name == "pict" and any(
                str(key).endswith("}hr") and value == "t"
                for node in child.iter()
                for key, value in node.attrib.items()
            ):
                self._rule = True  # Word's "horizontal line", drawn in VML
                continue
            if name in ("drawing", "pict", "alternatecontent", "object"):
                if not hidden:
                    self._boxes.extend(text_boxes(child))
                continue
            if name == "t":
                text = child.text or ""
            elif name == "tab" or name == "ptab":
                text = "\t"
            elif name == "br":
                if (attr(child, "type") or "").lower() in ("page", "column"):
                    continue
                text = "\n"
            elif name == "cr":
                text = "\n"
            elif name == "nobreakhyphen":
                text = "-"
            else:
                continue  # field codes, deleted text, pictures, note numbers in the notes, …
            if text and not hidden:
                out.append(Segment(text, marks, link or self._field_link()))
                if any(field.strip().upper().startswith("TOC") for field in self._fields):
                    self._contents = True


def _is_contents_control(element: etree._Element) -> bool:
    """A content control (w:sdt) whose gallery is "Table of Contents"."""
    for node in element.iter():
        if local_name(node) == "docpartgallery":
            return (attr(node, "val") or "").lower() == "table of contents"
        if local_name(node) == "sdtcontent":
            return False
    return False


def _segments_html(segments: list[Segment]) -> str:
    """Runs as HTML, neighbours with the same formatting joined: `<em>one two</em>`, not two."""
    merged: list[Segment] = []
    for index, segment in enumerate(segments):
        if segment.raw:
            merged.append(segment)
            continue
        text, marks, link = segment.text, segment.marks, segment.link
        if not text.strip():
            # A space between two runs alike is theirs (`<em>all at once</em>`), else plain.
            before = _look(segments[index - 1]) if index else None
            after = _look(segments[index + 1]) if index + 1 < len(segments) else None
            marks, link = before if before is not None and before == after else ((), link)
        last = merged[-1] if merged else None
        if last is not None and not last.raw and (last.marks, last.link) == (marks, link):
            merged[-1] = Segment(last.text + text, marks, link)
        else:
            merged.append(Segment(text, marks, link))
    parts = []
    for segment in merged:
        if segment.raw:
            parts.append(segment.raw)
            continue
        html = html_lib.escape(segment.text, quote=False).replace("\n", "<br>")
        for tag in reversed(segment.marks):
            html = f"<{tag}>{html}</{tag}>"
        if segment.link:
            html = f'<a href="{html_lib.escape(segment.link)}">{html}</a>'
        parts.append(html)
    return "".join(parts).strip()


def _look(segment: Segment) -> tuple[tuple[str, ...], str] | None:
    """How a segment looks (formatting, link); None for markup that is no text."""
    return None if segment.raw else (segment.marks, segment.link)
