"""FanFicFare's EPUB: a title page of `Label: value` lines, chapter notes in `fff_chapter_notes`."""

from __future__ import annotations

import html as html_lib

from lxml import etree

from ficarchive.texts.flatten import EDGE_BREAKS, HEADINGS, MARK
from ficarchive.texts.header_lines import completion
from ficarchive.texts.labels import FANFICFARE_TAG_LABELS
from ficarchive.texts.makers.ao3 import AO3_CATEGORIES
from ficarchive.texts.makers.meta import Meta
from ficarchive.texts.markup import (
    class_names,
    clean,
    has_class,
    inner_html,
    label_of,
    remove,
    text_of,
)
from ficarchive.texts.paragraphs import html_to_html
from ficarchive.texts.sanitize import sanitize_basic_html, sanitize_html, sanitize_notes_html
from ficarchive.texts.structure import html_to_text

# -- FanFicFare's EPUB ----------------------------------------------------------------------------

# Every label FanFicFare's title page may show; three of them in bold make a title page.
_FFF_LABELS = set(FANFICFARE_TAG_LABELS) | {
    "status",
    "published",
    "updated",
    "packaged",
    "chapters",
}
_FFF_LABELS |= {"words", "publisher", "summary", "language", "series", "story url", "author"}
_FFF_LABELS |= {"author url", "title", "story notes", "description", "site"}


def is_fff_title_page(body: etree._Element) -> bool:
    labels = [b for b in body.iter("b") if text_of(b).endswith(":") and label_of(b) in _FFF_LABELS]
    return len(labels) >= 3


def is_fff_log_page(body: etree._Element) -> bool:
    heading = next(body.iter(*HEADINGS), None)
    return heading is not None and label_of(heading) == "update log"


def _words_before(root: etree._Element, target: etree._Element) -> int:
    """How many words of text come before `target` in the document."""
    words = 0
    for event, node in etree.iterwalk(root, events=("start", "end")):
        if node is target:
            return words
        text = node.text if event == "start" else node.tail
        if node is not root and text:
            words += len(text.split())
    return words


def _fff_entries(container: etree._Element) -> list[tuple[str, str]]:
    """(label, value HTML) from `<b>Label:</b> value<br />` lines or a table of them."""
    rows = list(container.iter("tr"))
    entries = []
    if rows:
        for row in rows:
            bold = next((b for b in row.iter("b") if text_of(b).endswith(":")), None)
            if bold is None:
                continue
            label = label_of(bold)
            remove(bold)
            value = "".join(inner_html(cell) for cell in row if cell.tag in ("td", "th"))
            entries.append((label, value))
        return entries
    label = ""
    parts: list[str] = []
    for child in container:
        if child.tag == "b" and text_of(child).endswith(":"):
            if label:
                entries.append((label, "".join(parts)))
            label, parts = label_of(child), [html_lib.escape(child.tail or "", quote=False)]
        elif label:
            parts.append(etree.tostring(child, encoding="unicode", method="html"))
    if label:
        entries.append((label, "".join(parts)))
    return entries


def read_fff_title_page(body: etree._Element, meta: Meta) -> None:
    heading = next(body.iter("h1", "h2", "h3"), None)
    if heading is not None:
        links = list(heading.iter("a"))
        if links and text_of(links[0]):
            meta.title = meta.title or text_of(links[0])
        authors = [text_of(a) for a in links if "authorlink" in class_names(a)]
        meta.authors = meta.authors or [name for name in authors if name]
        remove(heading)
    clean(body)
    containers = [element for element in body if element.tag in ("div", "table")] or [body]
    for container in containers:
        for label, value in _fff_entries(container):
            html = EDGE_BREAKS.sub("", value.strip()).strip()
            text = html_to_text(sanitize_html(html))
            tag_type = FANFICFARE_TAG_LABELS.get(label)
            if tag_type is not None:
                names = [name.strip() for name in text.split(",")]
                if tag_type == "freeform":
                    meta.add_tags("category", [n for n in names if n.lower() in AO3_CATEGORIES])
                    names = [n for n in names if n.lower() not in AO3_CATEGORIES]
                meta.add_tags(tag_type, names)
            elif label == "status":
                meta.complete = completion(text, meta.complete)
            elif label in ("summary", "description"):
                meta.summary = html_to_html(html, sanitize_basic_html)
            elif label == "story notes":
                meta.notes.append(html_to_html(html, sanitize_notes_html))
            elif label == "title" and not meta.title:
                meta.title = text
            elif label in ("author", "authors") and not meta.authors:
                meta.authors = [name.strip() for name in text.split(",") if name.strip()]


def mark_fff_notes(body: etree._Element) -> None:
    """`fff_chapter_notes` blocks: the chapter's summary and notes, or the work's notes. After
    calibre has been over the book only the first class is left (perhaps numbered): then a block
    with no story before it is the head notes."""
    for block in list(body.iter("div")):
        classes = class_names(block)
        if not has_class(block, "fff_chapter_notes"):
            continue
        if "fff_head_notes" in classes or "fff_foot_notes" in classes:
            head = "fff_head_notes" in classes
        else:
            head = _words_before(body, block) < 10
        kind = ""
        for child in list(block):
            if child.tag == "b":
                label = label_of(child)
                if label.startswith("summary"):
                    kind = "chapter_summary"
                elif label.startswith("author"):
                    kind = "work_notes" if head else "work_end_notes"
                else:
                    kind = "chapter_notes" if head else "chapter_end_notes"
                remove(child)
            elif kind:
                child.set(MARK, kind)
            else:
                child.set(MARK, "chapter_notes" if head else "chapter_end_notes")
