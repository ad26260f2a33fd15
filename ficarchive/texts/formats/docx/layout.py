"""Paragraphs that are list items, gathered into <ul>/<ol> (nested by level), and a run of
items as HTML where no conventions apply (a table cell, a footnote)."""

from __future__ import annotations

from ficarchive.texts.formats.docx.items import Compound, Item, Paragraph
from ficarchive.texts.formats.docx.styles import BREAK


def group(items: list[Item]) -> list[Item]:
    """The items with each run of neighbouring list paragraphs made one Compound."""
    grouped: list[Item] = []
    run: list[Paragraph] = []
    for item in [*items, None]:
        if isinstance(item, Paragraph) and item.item is not None:
            run.append(item)
            continue
        if run:
            grouped.append(Compound(list_html(run), [paragraph.text for paragraph in run]))
            run = []
        if item is not None:
            grouped.append(item)
    return grouped


def list_html(items: list[Paragraph]) -> str:
    """`<ul>`/`<ol>` with an `<li>` per item; a deeper level is a list inside the item above it."""
    out: list[str] = []
    open_lists: list[tuple[int, str, str]] = []  # (level, tag, list id), each with an open <li>

    def close() -> None:
        out.append(f"</li></{open_lists.pop()[1]}>")

    for paragraph in items:
        label = paragraph.item
        assert label is not None
        tag = "ol" if label.ordered else "ul"
        while open_lists and open_lists[-1][0] > label.level:
            close()
        if open_lists and open_lists[-1][0] == label.level:
            if open_lists[-1][1:] == (tag, label.list_id):
                out.append("</li>")
            else:
                close()  # another list at the same level: a list of its own
        if not open_lists or open_lists[-1][0] < label.level:
            attributes = ""
            if label.ordered and label.type:
                attributes += f' type="{label.type}"'
            if label.ordered and label.number != 1:
                attributes += f' start="{label.number}"'
            # A list inside an item starts on a line of its own in the plain text.
            out.append(f"{chr(10) if open_lists else ''}<{tag}{attributes}>")
            open_lists.append((label.level, tag, label.list_id))
        out.append(f"<li>{paragraph.html}")
    while open_lists:
        close()
    return "".join(out)


def items_html(items: list[Item]) -> str:
    """Items as HTML: one paragraph as its bare content, more as <p>s, lists and tables as
    they are; headings are paragraphs here (a heading in a table cell is no chapter)."""
    grouped = group(items)
    if len(grouped) == 1 and isinstance(grouped[0], Paragraph):
        return grouped[0].html
    parts = []
    for item in grouped:
        if isinstance(item, Compound):
            parts.append(item.html)
        elif item.kind != BREAK:
            align = f' align="{item.align}"' if item.align else ""
            parts.append(f"<p{align}>{item.html}</p>")
    return "\n".join(parts)
