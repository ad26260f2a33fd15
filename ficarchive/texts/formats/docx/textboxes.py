"""Text boxes: the w:txbxContent inside a drawing (DrawingML `wps:txbx`) or a VML shape
(`v:textbox`), read as paragraphs after the paragraph they are anchored in.

Word writes a text box twice, inside mc:AlternateContent: a DrawingML copy as the mc:Choice and
a VML copy as the mc:Fallback, for older readers. One of the two is read, never both.
"""

from __future__ import annotations

from lxml import etree

from ficarchive.texts.ziparchive import local_name


def _has_text_box(element: etree._Element) -> bool:
    return any(local_name(node) == "txbxcontent" for node in element.iter())


def branch(alternate: etree._Element) -> etree._Element | None:
    """The one branch of an mc:AlternateContent to read: the first that holds a text box (the
    Choice, as Word writes it), else the first (the Choice, whose markup Word reads first)."""
    branches = [node for node in alternate if local_name(node) in ("choice", "fallback")]
    with_box = next((node for node in branches if _has_text_box(node)), None)
    if with_box is not None:
        return with_box
    return branches[0] if branches else None


def text_boxes(element: etree._Element) -> list[etree._Element]:
    """The w:txbxContent elements in a run's drawing, picture or alternate content, in order;
    one inside another is left to the reading of the outer one."""
    found: list[etree._Element] = []
    pending = [element]
    while pending:
        node = pending.pop()
        name = local_name(node)
        if name == "txbxcontent":
            found.append(node)
            continue
        if name == "alternatecontent":
            chosen = branch(node)
            children = [chosen] if chosen is not None else []
        else:
            children = list(node)
        pending.extend(reversed(children))
    return found
