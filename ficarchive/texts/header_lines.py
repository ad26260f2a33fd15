"""Header lines atop a writer's file (`Title: …`, `Rating: …`, `Status: Complete`) and a `by …`
line, read into the work; the same rules read a Markdown file's front matter and a DOCX byline.
"""

from __future__ import annotations

import re

from ficarchive.texts.blocks import Block
from ficarchive.texts.headings import title_like
from ficarchive.texts.labels import HEADER_LABELS
from ficarchive.texts.paragraphs import text_to_html
from ficarchive.texts.sanitize import sanitize_basic_html
from ficarchive.texts.structure import ParsedWork

HEADER_LINE = re.compile(
    r"^\s*(?P<key>Title|Author|Authors?|By|Fandoms?|Rating|Pairings?|Relationships?|Ships?|"
    r"Characters?|Summary|Warnings?|Archive Warnings?|Categor(?:y|ies)|Tags|Additional Tags|"
    r"Genres?|Status|Word\s*Count|Words|Chapters)\s*:\s*(?P<value>.*)$",
    re.IGNORECASE,
)


def is_header_line(text: str) -> bool:
    """The paragraph starts with a header line (`Rating: Teen`)."""
    return bool(HEADER_LINE.match(text.split("\n")[0]))


def _apply_header(work: ParsedWork, key: str, value: str) -> None:
    kind = HEADER_LABELS.get(" ".join(key.lower().split()), "ignore")
    value = value.strip()
    if not value or kind == "ignore":
        return
    if kind == "title":
        work.title = value
    elif kind == "author":
        work.authors = split_authors(value)
    elif kind == "summary":
        work.summary = text_to_html(value, sanitize_basic_html)
    elif kind == "status":
        work.complete = completion(value, work.complete)
    else:
        work.add_tags(kind, split_names(value))


def completion(status: str, unknown: bool | None = None) -> bool | None:
    """A `Status:` as done or not: `Complete` → True, `In Progress`/`WIP` → False; `unknown`
    for anything else."""
    lowered = status.lower()
    if "complete" in lowered and "incomplete" not in lowered:
        return True
    if any(word in lowered for word in ("progress", "incomplete", "ongoing", "wip")):
        return False
    return unknown


def split_names(value: str) -> list[str]:
    return [name.strip() for name in re.split(r"[,;]", value) if name.strip()]


def split_authors(value: str) -> list[str]:
    """`a, b & c` → three names; `a and b` → two, but `Salt and Ink & b` keeps `Salt and Ink`
    (a pseud may hold an "and"; it counts as a separator only where nothing else separates)."""
    separator = r"[,&;]" if re.search(r"[,&;]", value) else r"\s+and\s+"
    names = (re.sub(r"^and\s+", "", name.strip()) for name in re.split(separator, value))
    return [name for name in names if name]


def read_header_lines(block: Block, work: ParsedWork) -> bool:
    """Header lines (`Title: …`, `Rating: …`) read into the work; False when `block` is not
    header lines."""
    lines = block.text.split("\n")
    if block.heading or block.is_break or not HEADER_LINE.match(lines[0]):
        return False
    current_key, current_value = "", ""
    for line in lines:
        match = HEADER_LINE.match(line)
        if match:
            if current_key:
                _apply_header(work, current_key, current_value)
            current_key, current_value = match.group("key"), match.group("value")
        else:
            current_value += " " + line.strip()
    if current_key:
        _apply_header(work, current_key, current_value)
    return True


_BYLINE = re.compile(r"^\s*(?:written\s+)?by[:\s]\s*(?P<names>\S.{0,120})$", re.IGNORECASE)


def byline(text: str) -> list[str]:
    """The names in a `by …` line, or [] when `text` is not one."""
    match = _BYLINE.match(" ".join(text.split()))
    if match is None or not title_like(match.group("names")):
        return []
    return split_authors(match.group("names"))
