"""numbering.xml: which paragraphs are list items, bulleted or numbered, and each item's number.

A list paragraph names a numbering instance (`w:numId`) and a level (`w:ilvl`); the instance
points to an abstract definition whose level says the format (`bullet`, `decimal`,
`lowerRoman`, …) and the first number. Word counts on across paragraphs between the items, and
across instances of one definition unless an instance restarts it (`w:startOverride`).
"""

from __future__ import annotations

from dataclasses import dataclass

from lxml import etree

from ficarchive.texts.formats.docx.ooxml import attr, first_child
from ficarchive.texts.ziparchive import local_name

# numFmt → the <ol type> that draws it; other number formats are drawn as decimals.
_OL_TYPES = {"lowerroman": "i", "upperroman": "I", "lowerletter": "a", "upperletter": "A"}


@dataclass(frozen=True)
class ListLabel:
    """A paragraph's place in a list."""

    list_id: str  # the numbering instance: neighbouring items with the same one are one list
    level: int  # 0 for the outermost list
    ordered: bool
    type: str = ""  # the <ol type> ("i", "A", …), "" for decimals
    number: int = 1  # an ordered item's number


def _int(element: etree._Element | None, default: int) -> int:
    value = attr(element, "val") if element is not None else None
    try:
        return int(value) if value is not None else default
    except ValueError:
        return default


class Numbering:
    def __init__(self, root: etree._Element | None) -> None:
        # abstractNumId → level → (numFmt, start)
        self._abstract: dict[str, dict[int, tuple[str, int]]] = {}
        # numId → (abstractNumId, level → start override)
        self._instances: dict[str, tuple[str, dict[int, int]]] = {}
        self._counters: dict[str, dict[int, int]] = {}  # abstractNumId → level → last number
        self._started: set[tuple[str, int]] = set()  # (numId, level) already counted
        if root is None:
            return
        for element in root:
            name = local_name(element)
            if name == "abstractnum":
                levels: dict[int, tuple[str, int]] = {}
                for level in element:
                    if local_name(level) == "lvl":
                        fmt = first_child(level, "numfmt")
                        value = (attr(fmt, "val") or "decimal") if fmt is not None else "decimal"
                        start = _int(first_child(level, "start"), 1)
                        levels[_level(level)] = (value.lower(), start)
                self._abstract[attr(element, "abstractNumId") or ""] = levels
            elif name == "num":
                overrides: dict[int, int] = {}
                for override in element:
                    if local_name(override) == "lvloverride":
                        restart = first_child(override, "startoverride")
                        if restart is not None:
                            overrides[_level(override)] = _int(restart, 1)
                abstract = first_child(element, "abstractnumid")
                self._instances[attr(element, "numId") or ""] = (
                    (attr(abstract, "val") or "") if abstract is not None else "",
                    overrides,
                )

    def label(self, num_id: str, level: int) -> ListLabel | None:
        """The list item a paragraph numbered (num_id, level) is, counted in document order;
        None when it is not a visible list item (no such numbering, or a format of `none`)."""
        if num_id not in self._instances:
            return None
        abstract_id, overrides = self._instances[num_id]
        levels = self._abstract.get(abstract_id)
        if not levels:
            return None
        fmt, start = levels.get(level) or levels.get(0) or ("decimal", 1)
        if fmt == "none":
            return None
        counters = self._counters.setdefault(abstract_id, {})
        if level in overrides and (num_id, level) not in self._started:
            counters.pop(level, None)
            start = overrides[level]
        self._started.add((num_id, level))
        number = counters[level] + 1 if level in counters else start
        counters[level] = number
        for deeper in [other for other in counters if other > level]:
            del counters[deeper]  # a new item restarts the lists inside the one before it
        if fmt == "bullet":
            return ListLabel(num_id, level, ordered=False)
        return ListLabel(num_id, level, ordered=True, type=_OL_TYPES.get(fmt, ""), number=number)


def _level(element: etree._Element) -> int:
    value = attr(element, "ilvl") or "0"
    return min(int(value), 8) if value.isdigit() else 0
