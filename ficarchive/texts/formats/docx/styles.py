"""styles.xml: which paragraph styles are titles, headings or contents lines, and what character
styles say about bold, italic and the rest."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from lxml import etree

from ficarchive.texts.formats.docx.ooxml import attr, first_child, is_on
from ficarchive.texts.ziparchive import local_name

TITLE = -1
SUBTITLE = -2
CONTENTS = -3  # a line of Word's own table of contents
BREAK = -4  # an empty paragraph drawn as a line: a scene break


@dataclass
class _Style:
    name: str = ""
    based_on: str = ""
    outline: int | None = None
    border: bool = False
    numbering: tuple[str, int] | None = None  # (numId, level) of a list style
    props: dict[str, bool] = field(default_factory=dict)


def has_border(properties: etree._Element) -> bool:
    """Whether a w:pPr draws a line above or below the paragraph (how an <hr> comes out)."""
    borders = first_child(properties, "pbdr")
    if borders is None:
        return False
    return any(
        local_name(side) in ("top", "bottom")
        and (attr(side, "val") or "none").lower() not in ("none", "nil")
        for side in borders
    )


def run_props(properties: etree._Element | None) -> dict[str, bool]:
    """What a w:rPr says about bold, italic, underline, strike-through, super/subscript, hidden."""
    found: dict[str, bool] = {}
    if properties is None:
        return found
    for element in properties:
        name = local_name(element)
        if name in ("b", "i", "strike", "vanish"):
            found[name] = is_on(element)
        elif name == "dstrike":
            found["strike"] = found.get("strike", False) or is_on(element)
        elif name == "u":
            found["u"] = is_on(element)
        elif name == "vertalign":
            value = (attr(element, "val") or "").lower()
            found["sup"] = value == "superscript"
            found["sub"] = value == "subscript"
    return found


def _numbering(properties: etree._Element) -> tuple[str, int] | None:
    numbered = first_child(properties, "numpr")
    if numbered is None:
        return None
    ident = first_child(numbered, "numid")
    level = first_child(numbered, "ilvl")
    value = (attr(level, "val") or "0") if level is not None else "0"
    num_id = (attr(ident, "val") or "") if ident is not None else ""
    return (num_id, min(int(value), 8) if value.isdigit() else 0)


class Styles:
    def __init__(self, root: etree._Element | None) -> None:
        self.styles: dict[str, _Style] = {}
        if root is None:
            return
        for element in root.iter():
            if local_name(element) != "style":
                continue
            ident = attr(element, "styleId")
            if not ident:
                continue
            style = _Style()
            for part in element:
                name = local_name(part)
                if name == "name":
                    style.name = attr(part, "val") or ""
                elif name == "basedon":
                    style.based_on = attr(part, "val") or ""
                elif name == "ppr":
                    level = first_child(part, "outlinelvl")
                    value = attr(level, "val") if level is not None else None
                    if value is not None and value.isdigit():
                        style.outline = int(value)
                    style.border = has_border(part)
                    style.numbering = _numbering(part)
                elif name == "rpr":
                    style.props = run_props(part)
            self.styles[ident] = style

    def kind(self, ident: str) -> int:
        """A paragraph style as a heading level (1-6), TITLE, SUBTITLE, CONTENTS, or 0."""
        for _ in range(12):  # a chain of based-on styles; a loop in it ends here
            style = self.styles.get(ident)
            name = re.sub(r"[\s_\-]+", "", (style.name if style and style.name else ident).lower())
            if name == "title":
                return TITLE
            if name == "subtitle":
                return SUBTITLE
            if re.fullmatch(r"toc\d|tocheading|tableofcontents\d?", name):
                return CONTENTS
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

    def numbering(self, ident: str) -> tuple[str, int]:
        """The (numId, level) a paragraph style makes its paragraphs list items of ("List
        Bullet", "List Number"); ("", 0) for a style that does not."""
        for _ in range(12):
            style = self.styles.get(ident)
            if style is None:
                break
            if style.numbering is not None:
                return style.numbering
            ident = style.based_on
        return ("", 0)

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
