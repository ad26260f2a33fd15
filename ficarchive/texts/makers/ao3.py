"""Archive of Our Own: the work, its tags, notes and chapters as AO3's downloads mark them up.

AO3's HTML download (`div#preface`, `div#chapters`, `div#afterword`) and its EPUB (calibre's
conversion of that HTML, classes renamed `meta1`, `userstuff2`…, the book split into files)
carry the same fields, read here once:

- the preface: the title (`h1`), the creators (the byline's links), the tags (`dl.tags`, each
  `dt` label naming a tag type, `labels.TAG_LABELS`), the summary and notes (`<p>Summary</p>`
  then a `blockquote`);
- each chapter: its heading (`h2.heading`), summary, notes and end notes, labelled the same way;
- the afterword: the work's end notes (not "Works inspired by this one").

AO3's work page, saved from the browser (`formats.html.ao3_page`), marks the same fields up
its own way: `dl.work.meta` for the tags, `h2.title` and `h3.byline`, each summary or note a
`div.module` headed `Summary:` or `Notes:`, each chapter a `div.chapter` (`h3.title`, its notes,
its `div.userstuff`, its end notes in a `div.end.notes`), the end notes `div#work_endnotes`.

One chapter reader (`read_ao3_chapters`) walks the download's `div#chapters` and the page's;
the EPUB reader, whose chapters are the book's documents (a long chapter split over several),
takes the preface and afterword out of the pages they are on and marks each chapter's heading
and notes for the flattener, the same labels and the same title rule (`ao3_chapter_title`).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from lxml import etree
from lxml.html import HtmlElement

from ficarchive.texts.flatten import HEADINGS, MARK
from ficarchive.texts.headings import chapter_heading
from ficarchive.texts.labels import AO3_OTHER_LABELS, TAG_LABELS
from ficarchive.texts.makers.meta import Meta
from ficarchive.texts.markup import (
    by_id,
    class_names,
    fragment_html,
    has_class,
    inner_html,
    label_of,
    remove,
    tag_name,
    text_of,
)
from ficarchive.texts.sanitize import sanitize_html
from ficarchive.texts.structure import ParsedChapter, ParsedWork

_CHAPTERS = re.compile(r"Chapters:\s*(\d+)\s*/\s*(\d+|\?)", re.IGNORECASE)
_NOTE_KINDS = {
    "chapter summary": "chapter_summary",
    "chapter notes": "chapter_notes",
    "chapter end notes": "chapter_end_notes",
}
AO3_CATEGORIES = {"f/f", "f/m", "gen", "m/m", "multi", "other"}
# AO3's archive warnings, and the other spelling its EPUB's subjects (dc:subject) use for one.
_WARNINGS = {"creator chose not to use archive warnings", "graphic depictions of violence"}
_WARNINGS |= {"major character death", "no archive warnings apply", "rape/non-con", "underage"}
_WARNINGS |= {"underage sex"}
_SUBJECT_SPELLINGS = {
    "choose not to use archive warnings": "Creator Chose Not To Use Archive Warnings",
}


# -- the preface ----------------------------------------------------------------------------------


@dataclass
class Preface:
    """What AO3's preface says about the work."""

    title: str = ""
    authors: list[str] = field(default_factory=list)
    tags: dict[str, list[str]] = field(default_factory=dict)
    language: str = ""
    complete: bool | None = None
    summary: str = ""
    notes: list[str] = field(default_factory=list)


def ao3_tag_list(root: etree._Element) -> etree._Element | None:
    """AO3's list of tags: a `dl` most of whose labels are AO3's."""
    for listing in root.iter("dl"):
        labels = [label_of(term) for term in listing if tag_name(term) == "dt"]
        known = [label for label in labels if label in TAG_LABELS or label in AO3_OTHER_LABELS]
        if len(known) >= 2:
            return listing
    return None


def _read_tags(listing: etree._Element, preface: Preface) -> None:
    label = ""
    for child in listing:
        if tag_name(child) == "dt":
            label = label_of(child)
        elif tag_name(child) != "dd":
            continue
        elif label in TAG_LABELS:
            names = [text_of(a) for a in child.iter("a")] or text_of(child).split(",")
            names = [" ".join(name.split()) for name in names if name.strip()]
            known = preface.tags.setdefault(TAG_LABELS[label], [])
            known.extend(name for name in names if name.lower() not in map(str.lower, known))
        elif label == "language":
            preface.language = text_of(child)
        elif label == "stats":
            match = _CHAPTERS.search(text_of(child))
            if match:
                preface.complete = match.group(2) != "?" and match.group(1) == match.group(2)


def _is_author_link(element: etree._Element) -> bool:
    return tag_name(element) == "a" and "author" in (element.get("rel") or "").split()


def _byline(region: etree._Element) -> list[str]:
    """The creators in the byline (`div.byline`; calibre may rename the class, so else the
    element around the first `rel="author"` link): its links, a pseud each, else its text after
    `by`. Author links elsewhere in the preface (a translation's translator in a related-works
    note) are not the work's creators."""
    byline = next((el for el in region.iter() if has_class(el, "byline")), None)
    if byline is None:
        first = next((el for el in region.iter("a") if _is_author_link(el)), None)
        byline = first.getparent() if first is not None else None
    if byline is None:
        return []
    links = [a for a in byline.iter("a") if _is_author_link(a)] or list(byline.iter("a"))
    names = [text_of(a) for a in links]
    if not names:
        names = [re.sub(r"^by\s+", "", text_of(byline), flags=re.IGNORECASE)]
    return [name for name in names if name]


def _title(region: etree._Element) -> str:
    """The download's `h1`, the work page's `h2.title`, else an old EPUB's `p.message b`."""
    title = next((h1 for h1 in region.iter("h1") if text_of(h1)), None)
    if title is None:
        title = next((h2 for h2 in region.iter("h2") if has_class(h2, "title")), None)
    if title is None:
        message = next((el for el in region.iter("p") if has_class(el, "message")), None)
        title = next(message.iter("b"), None) if message is not None else None
    return text_of(title) if title is not None else ""


def labelled(
    region: etree._Element, labels: set[str]
) -> list[tuple[str, etree._Element, etree._Element | None]]:
    """AO3's `<p>Summary</p><blockquote>…</blockquote>` pairs: (label, the label's element, the
    quote after it, or None when nothing follows the label). On the work page a label heads a
    `div.module` whose quote may come after a list (`ul.associations`: gifts, translations)."""
    found = []
    for element in list(region.iter("p", "h3", "h4", "h5", "h6", "div", "dt")):
        label = label_of(element)
        if label not in labels or len(element):
            continue
        following = element.getnext()
        if following is None or tag_name(following) != "blockquote":
            following = _module_quote(element)
        found.append((label, element, following))
    return found


def _module_quote(label: etree._Element) -> etree._Element | None:
    module = label.getparent()
    if module is None or "module" not in class_names(module):
        return None
    return next((child for child in module if tag_name(child) == "blockquote"), None)


def read_preface(
    region: etree._Element,
    listing: etree._Element | None,
    note_html: Callable[[etree._Element], str],
) -> Preface:
    """The preface's fields; `note_html` makes a summary's or note's quote into HTML."""
    preface = Preface(title=_title(region), authors=_byline(region))
    if listing is not None:
        _read_tags(listing, preface)
    for label, _, quote in labelled(region, {"summary", "notes"}):
        html = note_html(quote) if quote is not None else ""
        if label == "summary" and not preface.summary:
            preface.summary = html
        elif label == "notes" and html:
            preface.notes.append(html)
    return preface


def subject_tag(subject: str) -> tuple[str, str]:
    """A dc:subject of AO3's EPUB as (tag type, name): its warnings are warnings, the rest
    freeform tags (the typed tags the preface lists come as subjects too)."""
    name = _SUBJECT_SPELLINGS.get(subject.casefold(), subject)
    return ("warning" if name.casefold() in _WARNINGS else "freeform"), name


# -- the chapters: the download's and the work page's ---------------------------------------------

_AO3_HEADING = re.compile(r"^Chapter\s+\d+\s*(?::\s*(?P<title>.*))?$", re.IGNORECASE)
_MODULE_NOTES = {"summary": "chapter_summary", "notes": "chapter_notes"}


def ao3_chapter_title(heading: str) -> str:
    """A chapter's title from the heading AO3 gives it: `Chapter 4: The Bridge` → `The Bridge`,
    `Chapter 4` → ``. Older AO3 EPUBs head a chapter with its title alone (`Part 2`): all of
    it is the title."""
    text = " ".join(heading.split())
    match = _AO3_HEADING.match(text)
    return text if match is None else (match.group("title") or "").strip()


def _userstuff(element: HtmlElement) -> str:
    for landmark in list(element.iterfind(".//h3")):
        if "landmark" in (landmark.get("class") or "").split():
            landmark.drop_tree()
    for rule in element.iter("hr"):
        if not rule.attrib:
            rule.set("class", "scene-break")  # a plain rule in a story is a scene break
    return sanitize_html(inner_html(element).strip())


def _note_kind(label: str, element: etree._Element) -> str | None:
    """What a labelled note of a chapter is: the download says (`Chapter End Notes`); the work
    page heads each `div.module` `Summary:` or `Notes:`, its end notes' module `div.end.notes`."""
    if label in _NOTE_KINDS:
        return _NOTE_KINDS[label]
    module = element.getparent()
    if label not in _MODULE_NOTES or module is None or "module" not in class_names(module):
        return None
    return "chapter_end_notes" if "end" in class_names(module) else _MODULE_NOTES[label]


def _chapter_meta(meta: HtmlElement) -> tuple[HtmlElement | None, dict[str, str]]:
    """A chapter's heading (the download's `h2.heading`, the page's `h3.title`) and its notes by
    kind (`chapter_summary`, `chapter_notes`, `chapter_end_notes`)."""
    heading = next(
        (h for h in meta.iter("h2", "h3") if h.tag == "h2" or has_class(h, "title")), None
    )
    found: dict[str, list[str]] = {}
    for label, element, quote in labelled(meta, set(_NOTE_KINDS) | set(_MODULE_NOTES)):
        kind = _note_kind(label, element)
        html = _userstuff(quote) if quote is not None and kind else ""
        if kind and html:
            found.setdefault(kind, []).append(html)
    return heading, {kind: "\n".join(notes) for kind, notes in found.items()}


def read_ao3_chapters(container: HtmlElement) -> list[ParsedChapter]:
    """The chapters in AO3's `div#chapters`, the download's or the work page's, in order: a
    chapter's `div.meta` (the page's `div.chapter.preface`) gives its title and notes, then its
    `div.userstuff` its text; a meta with end notes and no heading ends the chapter before it.
    A one-shot is its `div.userstuff` alone. Any wrapper (`div.chapter`) is looked into."""
    chapters: list[ParsedChapter] = []
    current: ParsedChapter | None = None

    def visit(parent: HtmlElement) -> None:
        nonlocal current
        for child in parent:
            if tag_name(child) != "div":
                continue
            if has_class(child, "userstuff"):
                if current is None or current.html:
                    current = ParsedChapter(html="")
                    chapters.append(current)
                current.html = _userstuff(child)
            elif has_class(child, "meta") or has_class(child, "preface"):
                heading, notes = _chapter_meta(child)
                is_end = (child.get("id") or "").startswith("endnotes") or (
                    heading is None and "chapter_end_notes" in notes
                )
                if is_end and current is not None:
                    current.end_notes = notes.get("chapter_end_notes", "")
                    continue
                title = ao3_chapter_title(text_of(heading)) if heading is not None else ""
                current = ParsedChapter(html="", title=title)
                chapters.append(current)
                current.summary = notes.get("chapter_summary", "")
                current.notes = notes.get("chapter_notes", "")
                current.end_notes = notes.get("chapter_end_notes", "")
            else:
                visit(child)

    visit(container)
    return [chapter for chapter in chapters if chapter.html]


# -- the work: AO3's HTML download; the work page (`formats.html.ao3_page`) -----------------------


def ao3_end_notes(region: etree._Element, label: str) -> str:
    """The work's end notes: the quotes after `label` in the region (not "Works inspired by")."""
    notes = (_userstuff(quote) for _, _, quote in labelled(region, {label}) if quote is not None)
    return "\n".join(html for html in notes if html)


def read_ao3_work(
    region: HtmlElement,
    listing: etree._Element | None,
    chapters: HtmlElement | None,
    end_notes: str,
) -> ParsedWork:
    """The work from its preface's region, its list of tags, its `div#chapters` and end notes."""
    preface = read_preface(region, listing, _userstuff)
    work = ParsedWork(title=preface.title, authors=preface.authors, language=preface.language)
    for tag_type, names in preface.tags.items():
        work.add_tags(tag_type, names)
    work.complete = preface.complete
    work.summary = preface.summary
    work.notes = "\n".join(preface.notes)
    if chapters is not None:
        work.chapters = read_ao3_chapters(chapters)
    work.end_notes = end_notes
    return work


def read_ao3_download(root: HtmlElement, region: HtmlElement) -> ParsedWork:
    afterword = root.find(".//div[@id='afterword']")
    endnotes = afterword.find(".//div[@id='endnotes']") if afterword is not None else None
    end_notes = ""
    if afterword is not None:
        end_notes = ao3_end_notes(endnotes if endnotes is not None else afterword, "end notes")
    chapters = root.find(".//div[@id='chapters']")
    return read_ao3_work(region, ao3_tag_list(region), chapters, end_notes)


# -- AO3's EPUB -----------------------------------------------------------------------------------


def take_ao3_preface(body: etree._Element, meta: Meta) -> bool:
    tag_list = ao3_tag_list(body)
    region = by_id(body, "preface")
    if tag_list is None and region is None:
        return False
    if region is None:
        assert tag_list is not None
        parent = tag_list.getparent()
        region = parent if parent is not None and parent is not body else tag_list
    preface = read_preface(region, tag_list, fragment_html)
    for tag_type, names in preface.tags.items():
        meta.add_tags(tag_type, names)
    if preface.complete is not None:
        meta.complete = preface.complete
    meta.title = preface.title or meta.title
    meta.authors = preface.authors or meta.authors
    meta.summary = preface.summary or meta.summary
    meta.notes.extend(preface.notes)
    remove(region)
    for element in list(body.iter("p", "div")):
        text = text_of(element)
        if text.startswith("Posted originally on the") and "Archive of Our Own" in text:
            remove(element)
    for heading in list(body.iter(*HEADINGS)):
        if label_of(heading) == "preface":
            remove(heading)
    return True


def take_ao3_afterword(body: etree._Element, meta: Meta) -> None:
    afterword = by_id(body, "afterword")
    for _, label, quote in labelled(afterword if afterword is not None else body, {"end notes"}):
        remove(label)
        if quote is not None:
            html = fragment_html(quote)
            if html:
                meta.end_notes.append(html)
            remove(quote)
    if afterword is not None:
        remove(afterword)
    for element in list(body.iter("p", "div")):
        if "drop by the Archive and comment" in text_of(element) and len(text_of(element)) < 200:
            remove(element)
    for listing in list(body.iter("dl")):
        if label_of(listing).startswith("works inspired by this one"):
            remove(listing)
    for heading in list(body.iter(*HEADINGS)):
        if label_of(heading) == "afterword":
            remove(heading)


def mark_ao3_chapters(body: etree._Element) -> None:
    """Each chapter's heading, summary and notes, marked for the flattener."""
    for label, element, quote in labelled(body, set(_NOTE_KINDS)):
        remove(element)
        if quote is not None:
            quote.set(MARK, _NOTE_KINDS[label])
    for element in list(body.iter("p", "div")):
        text = text_of(element)
        see_more = text.startswith(("(See the end of the chapter for", "See the end of the work"))
        if (see_more and len(text) < 120) or (
            element.tag == "p" and has_class(element, "byline") and text.startswith("by ")
        ):
            remove(element)
    for heading in body.iter("h2"):
        if has_class(heading, "heading") or chapter_heading(text_of(heading)) is not None:
            heading.set(MARK, "chapter_heading")
