"""Archive of Our Own: the work, its tags, notes and chapters as AO3's downloads mark them up.

AO3's HTML download (`div#preface`, `div#chapters`, `div#afterword`) and its EPUB (calibre's
conversion of that HTML, classes renamed) carry the same fields.
"""

from __future__ import annotations

import re

from lxml import etree
from lxml.html import HtmlElement

from ficarchive.texts.conventions import chapter_heading
from ficarchive.texts.flatten import HEADINGS, MARK
from ficarchive.texts.headings import heading_title
from ficarchive.texts.makers.meta import Meta
from ficarchive.texts.markup import (
    by_id,
    fragment_html,
    has_class,
    inner_html,
    label_of,
    plain_text,
    remove,
    tag_name,
    text_of,
)
from ficarchive.texts.sanitize import sanitize_html
from ficarchive.texts.structure import ParsedChapter, ParsedWork

# -- AO3's download -----------------------------------------------------------------------------

_AO3_TAG_TYPES = {
    "rating": "rating",
    "ratings": "rating",
    "archive warning": "warning",
    "archive warnings": "warning",
    "warning": "warning",
    "warnings": "warning",
    "category": "category",
    "categories": "category",
    "fandom": "fandom",
    "fandoms": "fandom",
    "relationship": "relationship",
    "relationships": "relationship",
    "character": "character",
    "characters": "character",
    "additional tag": "freeform",
    "additional tags": "freeform",
    "freeform": "freeform",
    "freeforms": "freeform",
}
_AO3_CHAPTERS = re.compile(r"Chapters:\s*(\d+)\s*/\s*(\d+|\?)", re.IGNORECASE)


def _ao3_label(element: HtmlElement) -> str:
    return text_of(element).rstrip(":").strip().lower()


def _userstuff(element: HtmlElement) -> str:
    for landmark in list(element.iterfind(".//h3")):
        if "landmark" in (landmark.get("class") or "").split():
            landmark.drop_tree()
    for rule in element.iter("hr"):
        if not rule.attrib:
            rule.set("class", "scene-break")  # a plain rule in a story is a scene break
    return sanitize_html(inner_html(element).strip())


def _ao3_labelled(container: HtmlElement) -> dict[str, list[str]]:
    """`<p>Summary</p><blockquote class="userstuff">…</blockquote>` pairs in a meta block."""
    found: dict[str, list[str]] = {}
    label = ""
    for child in container:
        tag = tag_name(child)
        classes = (child.get("class") or "").split()
        if tag == "blockquote" and "userstuff" in classes:
            html = _userstuff(child)
            if label and html:
                found.setdefault(label, []).append(html)
        elif tag in ("p", "h2", "h3", "h4", "h5", "h6", "dt") and "byline" not in classes:
            if "heading" not in classes and "toc-heading" not in classes:
                label = _ao3_label(child)
        elif tag == "div" and "endnote-link" not in classes:
            for key, values in _ao3_labelled(child).items():
                found.setdefault(key, []).extend(values)
    return found


def _ao3_preface(preface: HtmlElement, work: ParsedWork) -> None:
    title = preface.find(".//div[@class='meta']/h1")
    if title is None:
        title = preface.find(".//h1")
    if title is None:
        title = preface.find(".//p[@class='message']/b")
    if title is not None:
        work.title = text_of(title)
    byline = preface.find(".//div[@class='byline']")
    if byline is not None:
        names = [text_of(a) for a in byline.iter("a")]
        if not names:
            names = [re.sub(r"^by\s+", "", text_of(byline), flags=re.I)]
        work.authors = [name for name in names if name]
    tags = preface.find(".//dl[@class='tags']")
    if tags is not None:
        label = ""
        for child in tags:
            if tag_name(child) == "dt":
                label = _ao3_label(child)
            elif tag_name(child) == "dd":
                _ao3_tag(work, label, child)
    meta = preface.find(".//div[@class='meta']")
    labelled = _ao3_labelled(meta if meta is not None else preface)
    work.summary = "\n".join(labelled.get("summary", []))
    work.notes = "\n".join(labelled.get("notes", []))


def _ao3_tag(work: ParsedWork, label: str, value: HtmlElement) -> None:
    tag_type = _AO3_TAG_TYPES.get(label)
    if tag_type is not None:
        names = [text_of(a) for a in value.iter("a")]
        if not names:
            names = [name.strip() for name in text_of(value).split(",")]
        work.add_tags(tag_type, names)
    elif label == "language":
        work.language = text_of(value)
    elif label == "stats":
        match = _AO3_CHAPTERS.search(text_of(value))
        if match:
            work.complete = match.group(2) != "?" and match.group(1) == match.group(2)


def _ao3_chapters(container: HtmlElement) -> list[ParsedChapter]:
    chapters: list[ParsedChapter] = []
    current: ParsedChapter | None = None

    def visit(parent: HtmlElement) -> None:
        nonlocal current
        for child in parent:
            if tag_name(child) != "div":
                continue
            classes = (child.get("class") or "").split()
            if "userstuff" in classes:
                if current is None or current.html:
                    current = ParsedChapter(html="")
                    chapters.append(current)
                current.html = _userstuff(child)
            elif "meta" in classes:
                labelled = _ao3_labelled(child)
                heading = child.find("h2")
                is_end = (child.get("id") or "").startswith("endnotes") or (
                    heading is None and "chapter end notes" in labelled
                )
                if is_end and current is not None:
                    current.end_notes = "\n".join(labelled.get("chapter end notes", []))
                    continue
                title = heading_title(text_of(heading)) if heading is not None else ""
                current = ParsedChapter(html="", title=title)
                chapters.append(current)
                current.summary = "\n".join(labelled.get("chapter summary", []))
                current.notes = "\n".join(labelled.get("chapter notes", []))
                current.end_notes = "\n".join(labelled.get("chapter end notes", []))
            else:
                visit(child)

    visit(container)
    return [chapter for chapter in chapters if chapter.html]


def read_ao3_download(root: HtmlElement, preface: HtmlElement) -> ParsedWork:
    work = ParsedWork()
    _ao3_preface(preface, work)
    container = root.find(".//div[@id='chapters']")
    if container is not None:
        work.chapters = _ao3_chapters(container)
    afterword = root.find(".//div[@id='afterword']")
    if afterword is not None:
        endnotes = afterword.find(".//div[@id='endnotes']")
        labelled = _ao3_labelled(endnotes if endnotes is not None else afterword)
        work.end_notes = "\n".join(labelled.get("end notes", []))  # not "works inspired by"
    return work


# -- AO3's EPUB (calibre's conversion of the HTML download) ------------------------------------

_AO3_EPUB_TAG_TYPES = {
    "rating": "rating",
    "ratings": "rating",
    "archive warning": "warning",
    "archive warnings": "warning",
    "category": "category",
    "categories": "category",
    "fandom": "fandom",
    "fandoms": "fandom",
    "relationship": "relationship",
    "relationships": "relationship",
    "character": "character",
    "characters": "character",
    "additional tag": "freeform",
    "additional tags": "freeform",
}
_AO3_OTHER_LABELS = {"language", "series", "collections", "stats"}
_AO3_NOTE_KINDS = {
    "chapter summary": "chapter_summary",
    "chapter notes": "chapter_notes",
    "chapter end notes": "chapter_end_notes",
}
AO3_CATEGORIES = {"f/f", "f/m", "gen", "m/m", "multi", "other"}


def ao3_tag_list(body: etree._Element) -> etree._Element | None:
    for listing in body.iter("dl"):
        labels = [label_of(term) for term in listing if term.tag == "dt"]
        known = [
            label for label in labels if label in _AO3_EPUB_TAG_TYPES or label in _AO3_OTHER_LABELS
        ]
        if len(known) >= 2:
            return listing
    return None


def _labelled(region: etree._Element, labels: set[str]) -> list[tuple[str, etree._Element]]:
    """AO3's `<p>Summary</p><blockquote>…</blockquote>` pairs; the label elements are removed."""
    found = []
    for element in list(region.iter("p", "h3", "h4", "h5", "h6", "div")):
        label = label_of(element)
        if label not in labels or len(element):
            continue
        following = element.getnext()
        if following is not None and following.tag == "blockquote":
            found.append((label, following))
        remove(element)
    return found


def take_ao3_preface(body: etree._Element, meta: Meta) -> bool:
    tag_list = ao3_tag_list(body)
    preface = by_id(body, "preface")
    if tag_list is None and preface is None:
        return False
    if preface is not None:
        region = preface
    else:
        assert tag_list is not None
        parent = tag_list.getparent()
        region = parent if parent is not None and parent is not body else tag_list
    if tag_list is not None:
        label = ""
        for child in tag_list:
            if child.tag == "dt":
                label = label_of(child)
            elif child.tag == "dd":
                _ao3_value(label, child, meta)
    title = next(region.iter("h1"), None)
    if title is not None and plain_text(title):
        meta.title = plain_text(title)
    names = [plain_text(a) for a in region.iter("a") if "author" in (a.get("rel") or "").split()]
    if not names:
        byline = next((el for el in region.iter() if has_class(el, "byline")), None)
        if byline is not None:
            names = [re.sub(r"^by\s+", "", plain_text(byline), flags=re.IGNORECASE)]
    meta.authors = [name for name in names if name] or meta.authors
    for label, quote in _labelled(region, {"summary", "notes"}):
        html = fragment_html(quote)
        if label == "summary":
            meta.summary = html
        elif html:
            meta.notes.append(html)
    remove(region)
    for element in list(body.iter("p", "div")):
        text = plain_text(element)
        if text.startswith("Posted originally on the") and "Archive of Our Own" in text:
            remove(element)
    for heading in list(body.iter(*HEADINGS)):
        if label_of(heading) == "preface":
            remove(heading)
    return True


def _ao3_value(label: str, value: etree._Element, meta: Meta) -> None:
    tag_type = _AO3_EPUB_TAG_TYPES.get(label)
    if tag_type is not None:
        names = [plain_text(a) for a in value.iter("a")]
        meta.add_tags(tag_type, names or plain_text(value).split(","))
    elif label == "stats":
        match = _AO3_CHAPTERS.search(plain_text(value))
        if match:
            meta.complete = match.group(2) != "?" and match.group(1) == match.group(2)


def take_ao3_afterword(body: etree._Element, meta: Meta) -> None:
    afterword = by_id(body, "afterword")
    for _, quote in _labelled(afterword if afterword is not None else body, {"end notes"}):
        html = fragment_html(quote)
        if html:
            meta.end_notes.append(html)
        remove(quote)
    if afterword is not None:
        remove(afterword)
    for element in list(body.iter("p", "div")):
        if (
            "drop by the Archive and comment" in plain_text(element)
            and len(plain_text(element)) < 200
        ):
            remove(element)
    for listing in list(body.iter("dl")):
        if label_of(listing).startswith("works inspired by this one"):
            remove(listing)
    for heading in list(body.iter(*HEADINGS)):
        if label_of(heading) == "afterword":
            remove(heading)


def mark_ao3_chapters(body: etree._Element) -> None:
    """Each chapter's heading, summary and notes, marked for the flattener."""
    for label, quote in _labelled(body, set(_AO3_NOTE_KINDS)):
        quote.set(MARK, _AO3_NOTE_KINDS[label])
    for element in list(body.iter("p", "div")):
        text = plain_text(element)
        see_more = text.startswith(("(See the end of the chapter for", "See the end of the work"))
        if (see_more and len(text) < 120) or (
            element.tag == "p" and has_class(element, "byline") and text.startswith("by ")
        ):
            remove(element)
    for heading in body.iter("h2"):
        if has_class(heading, "heading") or chapter_heading(plain_text(heading)) is not None:
            heading.set(MARK, "chapter_heading")
