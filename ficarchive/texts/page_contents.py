"""A page's own table of contents: the headings it links to start the chapters, and it goes."""

from __future__ import annotations

import re

from lxml import etree
from lxml.html import HtmlElement

from ficarchive.texts.flatten import Piece, anchor_positions

CONTENTS_HEADING = re.compile(r"^\s*(?:table\s+of\s+)?contents?\s*:?\s*$", re.I)


def _heading_at(pieces: list[Piece], index: int | None, anchor: str) -> int | None:
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


def resolve_tocs(pieces: list[Piece]) -> tuple[list[Piece], dict[int, str]]:
    """The pieces without their tables of contents, and the headings those tables link to
    (index in the returned list → the entry's text). A list of links counts as a table of
    contents only when most of its links lead to headings; footnote lists stay."""
    where = anchor_positions(pieces)
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
            if previous >= 0 and CONTENTS_HEADING.match(pieces[previous].block.text):
                dropped.add(previous)
            for found, entry in hits.items():
                targets.setdefault(found, entry)
    kept: list[Piece] = []
    new_targets: dict[int, str] = {}
    for index, piece in enumerate(pieces):
        if index in dropped:
            continue
        if index in targets:
            new_targets[len(kept)] = targets[index]
        kept.append(piece)
    return kept, new_targets
