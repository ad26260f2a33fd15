"""Tables (w:tbl) as <table>: a <tr> per row, a <td> per cell (a <th> in a row Word repeats as
the table's header), cells merged across columns (w:gridSpan) or down rows (w:vMerge) as
colspan and rowspan. A cell holds what a document does: paragraphs, lists, tables."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from lxml import etree

from ficarchive.texts.formats.docx.items import Compound, Item
from ficarchive.texts.formats.docx.layout import items_html
from ficarchive.texts.formats.docx.ooxml import attr, first_child, is_on
from ficarchive.texts.ziparchive import local_name

# Rows and cells may sit inside content controls and custom XML, as paragraphs may.
_WRAPPERS = frozenset({"sdt", "sdtcontent", "customxml"})


@dataclass
class _Cell:
    html: str
    lines: list[str]
    header: bool
    colspan: int = 1
    rowspan: int = 1


@dataclass
class _Row:
    cells: list[_Cell] = field(default_factory=list)


def _children(element: etree._Element, name: str) -> Iterator[etree._Element]:
    for node in element:
        found = local_name(node)
        if found == name:
            yield node
        elif found in _WRAPPERS:
            yield from _children(node, name)


def _lines(items: list[Item]) -> list[str]:
    lines: list[str] = []
    for item in items:
        if isinstance(item, Compound):
            lines.extend(item.lines)
        elif item.text.strip():
            lines.append(item.text)
    return lines


def read_table(
    table: etree._Element, read: Callable[[etree._Element], list[Item]]
) -> Compound | None:
    """The table, its cells' content read by `read`; None when no cell holds text."""
    rows: list[_Row] = []
    merging: dict[int, _Cell] = {}  # grid column → the cell a vMerge continues down
    for row_element in _children(table, "tr"):
        properties = first_child(row_element, "trpr")
        header = properties is not None and is_on(first_child(properties, "tblheader"))
        row = _Row()
        column = 0
        for cell_element in _children(row_element, "tc"):
            cell_properties = first_child(cell_element, "tcpr")
            span, merge = 1, None
            if cell_properties is not None:
                grid_span = first_child(cell_properties, "gridspan")
                value = attr(grid_span, "val") if grid_span is not None else None
                span = max(1, min(int(value), 1000)) if value and value.isdigit() else 1
                vertical = first_child(cell_properties, "vmerge")
                if vertical is not None:
                    merge = (attr(vertical, "val") or "continue").lower()
            above = merging.get(column)
            if merge == "continue" and above is not None:
                above.rowspan += 1
                column += span
                continue
            items = read(cell_element)
            cell = _Cell(items_html(items), _lines(items), header, colspan=span)
            for covered in range(column, column + span):
                merging.pop(covered, None)
            if merge == "restart":
                merging[column] = cell
            row.cells.append(cell)
            column += span
        rows.append(row)
    lines = [line for row in rows for cell in row.cells for line in cell.lines]
    if not any(line.strip() for line in lines):
        return None
    return Compound(_table_html(rows), lines)


def _table_html(rows: list[_Row]) -> str:
    parts = ["<table>"]
    for row in rows:
        cells = []
        for cell in row.cells:
            tag = "th" if cell.header else "td"
            spans = f' colspan="{cell.colspan}"' if cell.colspan > 1 else ""
            spans += f' rowspan="{cell.rowspan}"' if cell.rowspan > 1 else ""
            cells.append(f"<{tag}{spans}>{cell.html}</{tag}>")
        # A newline between cells, so the plain text keeps them apart.
        parts.append("<tr>" + "\n".join(cells) + "</tr>")
    parts.append("</table>")
    return "\n".join(parts)
