"""The body of word/document.xml as paragraphs: each one's text, its runs as HTML and its kind."""

from __future__ import annotations

import html as html_lib
from dataclasses import dataclass

from lxml import etree

from ficarchive.texts.formats.docx.ooxml import attr, first_child
from ficarchive.texts.formats.docx.styles import BREAK, CONTENTS, Styles, has_border, run_props
from ficarchive.texts.ziparchive import local_name

WRAPPERS = frozenset({"ins", "moveto", "smarttag", "customxml", "sdt", "sdtcontent", "fldsimple"})
WRAPPERS |= frozenset({"dir", "bdo"})

_TAGS = (("b", "strong"), ("i", "em"), ("u", "u"), ("strike", "s"), ("sup", "sup"), ("sub", "sub"))


@dataclass
class Paragraph:
    text: str
    html: str  # the content, without the <p>
    kind: int  # heading level, TITLE, SUBTITLE, CONTENTS or 0
    align: str = ""


class Reader:
    def __init__(self, styles: Styles, links: dict[str, str]) -> None:
        self.styles = styles
        self.links = links
        self._fields: list[str] = []  # the instructions of the fields open at this point
        self._contents = False  # whether this paragraph's text is a TOC field's result
        self._rule = False  # whether this paragraph holds a horizontal line (VML o:hr)

    def blocks(self, container: etree._Element) -> list[Paragraph]:
        found: list[Paragraph] = []
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
            elif name in WRAPPERS:
                found.extend(self.blocks(child))
        return found

    def paragraph(self, element: etree._Element) -> Paragraph | None:
        properties = first_child(element, "ppr")
        kind = 0
        align = ""
        if properties is not None:
            style = first_child(properties, "pstyle")
            if style is not None:
                kind = self.styles.kind(attr(style, "val") or "")
            outline = first_child(properties, "outlinelvl")
            level = attr(outline, "val") if outline is not None else None
            if not kind and level is not None and level.isdigit() and int(level) < 9:
                kind = min(int(level) + 1, 6)
            justify = first_child(properties, "jc")
            value = (attr(justify, "val") or "").lower() if justify is not None else ""
            align = {"center": "center", "right": "right", "end": "right"}.get(value, "")
        border = properties is not None and has_border(properties)
        if properties is not None and not border:
            style = first_child(properties, "pstyle")
            border = style is not None and self.styles.border(attr(style, "val") or "")
        segments: list[tuple[str, tuple[str, ...], str]] = []
        self._contents = self._rule = False
        self._visit(element, "", segments)
        text = "".join(segment[0] for segment in segments)
        if not text.strip():
            return Paragraph("* * *", "", BREAK) if border or self._rule else None
        if self._contents:
            kind = CONTENTS
        return Paragraph(text=text.strip(), html=_segments_html(segments), kind=kind, align=align)

    def _visit(
        self, node: etree._Element, link: str, out: list[tuple[str, tuple[str, ...], str]]
    ) -> None:
        for child in node:
            name = local_name(child)
            if name == "r":
                self._run(child, link, out)
            elif name == "hyperlink":
                target = self.links.get(attr(child, "id") or "", "")
                self._visit(child, target or link, out)
            elif name == "fldsimple":
                self._fields.append(attr(child, "instr") or "")
                self._visit(child, link, out)
                self._fields.pop()
            elif name in WRAPPERS:
                self._visit(child, link, out)

    def _run(
        self, run: etree._Element, link: str, out: list[tuple[str, tuple[str, ...], str]]
    ) -> None:
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
                if (attr(child, "type") or "").lower() in ("page", "column"):
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
            return (attr(node, "val") or "").lower() == "table of contents"
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
