"""What the body of a document is read into: paragraphs, and lists and tables built from them."""

from __future__ import annotations

from dataclasses import dataclass

from ficarchive.texts.formats.docx.numbering import ListLabel


@dataclass
class Paragraph:
    text: str
    html: str  # the content, without the <p>
    kind: int  # heading level, TITLE, SUBTITLE, CONTENTS, BREAK or 0
    align: str = ""
    item: ListLabel | None = None  # where it is a list item


@dataclass
class Compound:
    """A list or a table: block-level HTML, and the text of its items or cells, line by line."""

    html: str
    lines: list[str]


Item = Paragraph | Compound
