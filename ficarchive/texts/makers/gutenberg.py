"""Project Gutenberg: what its books wrap around the text, known once for every format.

A Gutenberg book, as text or HTML, is three parts: a header (the "This eBook is for the use of
anyone anywhere" paragraph and `Title:`, `Author:`, `Language:` lines), the book, and the
licence. The book starts after a line `*** START OF THE PROJECT GUTENBERG EBOOK … ***` (`THIS` in
older files, `*END*THE SMALL PRINT!` in the oldest) and ends at `*** END OF THE PROJECT GUTENBERG
EBOOK … ***` or, in older files, the line before it, `End of the Project Gutenberg EBook of …`.
The header and the licence are not story text: a reader keeps them as the work's notes and end
notes, as the licence asks that it stay with the book.

The functions here take plain text (a .txt file, or the text of the HTML elements a reader
flattened), so the text and the HTML readers share them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

START = re.compile(
    r"\*{3}\s*START OF (?:THE|THIS) PROJECT GUTENBERG|\*END\*\s*THE SMALL PRINT!", re.IGNORECASE
)
END = re.compile(
    r"\*{3}\s*END OF (?:THE|THIS) PROJECT GUTENBERG"
    r"|^\s*End of (?:the |this )?Project Gutenberg(?:'s|’s|\s+(?:E-?Book|E-?text))",
    re.IGNORECASE | re.MULTILINE,
)
FIELD = re.compile(r"^\s*(Title|Author|Authors|Language)\s*:\s*(.*?)\s*$", re.IGNORECASE)
# "The Project Gutenberg EBook of Pride and Prejudice, by Jane Austen" (the first line of the
# header and the HTML <title>), "Project Gutenberg's Alice's Adventures in Wonderland, by …".
BOOK_OF = re.compile(
    r"^\W*(?:The\s+)?Project\s+Gutenberg(?:'s|’s|\s+(?:E-?Book|E-?text)\s+of)\s+", re.IGNORECASE
)
_BY = re.compile(r",\s+by\s+(?P<names>.+)$", re.IGNORECASE)


@dataclass
class Header:
    """What a Gutenberg header says about its book."""

    title: str = ""
    authors: list[str] = field(default_factory=list)
    language: str = ""


@dataclass
class GutenbergText:
    """A Gutenberg book's text in its three parts."""

    header: str
    body: str
    licence: str


def split_text(text: str) -> GutenbergText | None:
    """The header, book and licence of a Gutenberg text; None when `text` has no start marker."""
    lines = text.split("\n")
    start = next((i for i, line in enumerate(lines) if START.search(line)), None)
    if start is None:
        return None
    end = next((i for i in range(start + 1, len(lines)) if END.search(lines[i])), len(lines))
    return GutenbergText(
        header="\n".join(lines[: start + 1]),
        body="\n".join(lines[start + 1 : end]),
        licence="\n".join(lines[end:]),
    )


def read_header(text: str) -> Header:
    """Title, authors and language from the header's `Title:`, `Author:` and `Language:` lines
    (a long value goes on in indented lines); failing those, from its first line."""
    lines = text.split("\n")
    fields: dict[str, str] = {}
    for index, line in enumerate(lines):
        match = FIELD.match(line)
        key = match.group(1).lower().rstrip("s") if match else ""
        if match is None or key in fields:
            continue
        value = match.group(2)
        for more in lines[index + 1 : index + 4]:  # a long title goes on, indented
            if not more[:1].isspace() or not more.strip() or ":" in more or "***" in more:
                break
            value += " " + more.strip()
        fields[key] = " ".join(value.split())
    first_line = next((line for line in lines if line.strip()), "")
    title, authors = book_of(first_line)
    header = Header(title=fields.get("title", "") or title, authors=authors)
    if fields.get("author"):
        header.authors = split_authors(fields["author"])
    header.language = fields.get("language", "")[:20]
    return header


def book_of(line: str) -> tuple[str, list[str]]:
    """`The Project Gutenberg EBook of Emma, by Jane Austen` → ("Emma", ["Jane Austen"]); a line
    that does not name a Gutenberg book gives ("", [])."""
    line = " ".join(line.split())
    match = BOOK_OF.match(line)
    if match is None:
        return "", []
    rest = line[match.end() :]
    by = _BY.search(rest)
    if by is None:
        return rest.strip(), []
    return rest[: by.start()].strip(), split_authors(by.group("names"))


def split_authors(value: str) -> list[str]:
    return [name for name in re.split(r"\s*;\s*|\s+and\s+", value.strip()) if name]


def without_markers(text: str) -> str:
    """The header without its start-marker line (the notes a reader keeps)."""
    return "\n".join(line for line in text.split("\n") if not START.search(line))


def unwrap(text: str, breaks_after: tuple[str, ...] = ("*", ":")) -> str:
    """Plain text hard-wrapped at about 70 columns, its wrapped lines joined again; short lines
    (`Title: …`, `Release Date: …`, verse) keep their line breaks, and so does a line ending
    in one of `breaks_after` (in a header, a line ending "found in:" before an address)."""
    lines = text.replace("\r\n", "\n").split("\n")
    joined: list[str] = []
    for line in lines:
        previous = joined[-1].strip() if joined else ""
        if line.strip() and len(previous) >= 50 and not previous.endswith(breaks_after):
            joined[-1] = joined[-1].rstrip() + " " + line.strip()
        else:
            joined.append(line)
    return "\n".join(joined)
