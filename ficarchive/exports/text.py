"""Plain text and Markdown downloads.

The plain text reads like the files writers keep on their disks (the founding story is one):
header lines, the summary, `A/N:` notes on top, the chapters under "Chapter N: Title" headings,
scene breaks as `* * *`, "The End" on a complete work, end notes last. The Markdown file carries
the work's data in YAML front matter and the text as CommonMark. Both import back into
ficarchive: its parsers read exactly these conventions.
"""

from __future__ import annotations

import re
from typing import Any

import yaml
from lxml import html as lxml_html

from ficarchive.exports.context import ExportContext, export_context
from ficarchive.exports.formats import register
from ficarchive.texts.structure import html_to_text
from ficarchive.works.models import Chapter, Work

# -- plain text ------------------------------------------------------------------------------


def _noted(label: str, fragment: str) -> list[str]:
    """Notes marked the way writers mark them (`A/N: …`), kept in one block (paragraphs on
    their own lines) so that a reader, and the importer, see where they end."""
    text = html_to_text(fragment)
    if not text:
        return []
    return [f"{label} " + "\n".join(text.split("\n\n"))]


def _chapter_heading(chapter: Chapter, number: int) -> str:
    return f"Chapter {number}: {chapter.title}" if chapter.title else f"Chapter {number}"


def render_text(export: ExportContext) -> str:
    work = export.work
    header = [f"Title: {work.title}"]
    if export.byline:
        header.append(f"Author: {export.byline}")
    for label, tags in export.tag_groups:
        header.append(f"{label}: {', '.join(tag.name for tag in tags)}")
    header.append(f"Status: {'Complete' if work.complete else 'In progress'}")
    blocks = ["\n".join(header)]
    summary = html_to_text(work.summary)
    if summary:
        # One block, so the whole summary stays with its header line.
        blocks.append("Summary: " + "\n".join(summary.split("\n\n")))
    blocks.extend(_noted("A/N:", work.notes))
    several = len(export.chapters) > 1
    for number, chapter in enumerate(export.chapters, start=1):
        if several:
            blocks.append(_chapter_heading(chapter, number))
        blocks.extend(_noted("Summary:", chapter.summary))
        blocks.extend(_noted("A/N:", chapter.notes))
        body = html_to_text(chapter.body)
        if body:
            blocks.append(body)
        blocks.extend(_noted("A/N:", chapter.end_notes))
    blocks.append("The End" if work.complete else "To be continued...")
    blocks.extend(_noted("A/N:", work.end_notes))
    return "\n\n".join(blocks) + "\n"


@register("txt", "Plain text", "text/plain; charset=utf-8")
def text_download(work: Work) -> bytes:
    return render_text(export_context(work)).encode("utf-8")


# -- Markdown --------------------------------------------------------------------------------

_INLINE_MARKS = {"em": "*", "i": "*", "strong": "**", "b": "**", "s": "~~", "del": "~~"}
_ESCAPED = str.maketrans({char: "\\" + char for char in "\\`*_[]<>&"})
_SPACE = re.compile(r"\s+")
_NUMBERED = re.compile(r"^(\d+)([.)])")


def _escape(text: str) -> str:
    return text.translate(_ESCAPED)


def _inline(element: Any) -> str:
    """Markdown for an element's content, inline; unknown elements stay HTML (CommonMark allows
    raw HTML, and the importer sanitizes it again)."""
    parts = [_escape(_SPACE.sub(" ", element.text or ""))]
    for child in element:
        parts.append(_inline_element(child))
        parts.append(_escape(_SPACE.sub(" ", child.tail or "")))
    return "".join(parts)


def _inline_element(element: Any) -> str:
    tag = element.tag if isinstance(element.tag, str) else ""
    if tag == "br":
        return "\\\n"
    content = _inline(element)
    if tag in _INLINE_MARKS and content.strip():
        mark = _INLINE_MARKS[tag]
        inner = content.strip()
        lead = content[: len(content) - len(content.lstrip())]
        trail = content[len(content.rstrip()) :]
        return f"{lead}{mark}{inner}{mark}{trail}"
    if tag == "code":
        return f"`{element.text_content()}`"
    if tag == "a" and element.get("href"):
        return f"[{content}]({element.get('href').replace(')', '%29')})"
    if tag == "img" and element.get("src"):
        return f"![{_escape(element.get('alt', ''))}]({element.get('src').replace(')', '%29')})"
    if tag in ("", "span", "abbr", "acronym", "font", "big", "small", "cite", "q", "dfn"):
        return content
    return str(lxml_html.tostring(element, encoding="unicode", with_tail=False))


def _block_text(text: str) -> str:
    """A paragraph whose first characters would start another block (a heading, a list, a
    quote) gets them escaped."""
    stripped = text.lstrip()
    if stripped[:1] in ("#", ">", "+", "-", "="):
        return "\\" + stripped
    return _NUMBERED.sub(r"\1\\\2", stripped)


def _blocks(element: Any, quote: str = "") -> list[str]:
    blocks: list[str] = []
    loose = _escape((element.text or "").strip())
    if loose:
        blocks.append(loose)
    for child in element:
        tag = child.tag if isinstance(child.tag, str) else ""
        if tag == "p":
            blocks.append(_block_text(_inline(child).strip()))
        elif tag in ("h1", "h2", "h3", "h4", "h5", "h6"):
            # Below the work's `#` and the chapters' `##`.
            blocks.append(f"{'#' * min(int(tag[1]) + 2, 6)} {_inline(child).strip()}")
        elif tag == "hr":
            blocks.append("* * *")
        elif tag == "blockquote":
            inner = "\n\n".join(_blocks(child))
            blocks.append("\n".join(f"> {line}" if line else ">" for line in inner.split("\n")))
        elif tag in ("ul", "ol"):
            items = [item for item in child if getattr(item, "tag", "") == "li"]
            lines = [
                f"{'-' if tag == 'ul' else f'{number}.'} {_inline(item).strip()}"
                for number, item in enumerate(items, start=1)
            ]
            blocks.append("\n".join(lines))
        elif tag in ("div", "center", "section"):
            blocks.extend(_blocks(child))
        elif tag == "pre":
            blocks.append(f"```\n{child.text_content().rstrip()}\n```")
        elif tag:
            blocks.append(lxml_html.tostring(child, encoding="unicode", with_tail=False))
        tail = _escape((child.tail or "").strip())
        if tail:
            blocks.append(tail)
    return [block for block in blocks if block.strip()]


def html_to_markdown(fragment: str) -> str:
    if not fragment.strip():
        return ""
    root = lxml_html.fragment_fromstring(fragment, create_parent="div")
    return "\n\n".join(_blocks(root))


def _front_matter(export: ExportContext) -> str:
    work = export.work
    data: dict[str, Any] = {"title": work.title}
    if export.creators:
        data["authors"] = [pseud.byline for pseud in export.creators]
    keys = {
        "Rating": "rating",
        "Archive Warning": "warnings",
        "Category": "categories",
        "Fandom": "fandoms",
        "Relationship": "relationships",
        "Character": "characters",
        "Additional Tags": "tags",
    }
    for label, tags in export.tag_groups:
        names = [tag.name for tag in tags]
        data[keys[label]] = names[0] if label == "Rating" and len(names) == 1 else names
    data["language"] = work.language
    data["complete"] = bool(work.complete)
    for field in ("summary", "notes", "end_notes"):
        value = html_to_markdown(getattr(work, field))
        if value:
            data[field] = value
    if export.series:
        data["series"] = [
            {"title": part.series.title, "part": part.number} for part in export.series
        ]
    dumped = yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=100)
    return f"---\n{dumped}---\n"


def render_markdown(export: ExportContext) -> str:
    blocks = [_front_matter(export).rstrip("\n"), f"# {_escape(export.work.title)}"]
    for number, chapter in enumerate(export.chapters, start=1):
        if len(export.chapters) > 1:
            blocks.append(f"## {_escape(_chapter_heading(chapter, number))}")
        for label, fragment in (("Summary:", chapter.summary), ("A/N:", chapter.notes)):
            notes = html_to_markdown(fragment)
            if notes:
                blocks.append(f"{label} {notes}")
        body = html_to_markdown(chapter.body)
        if body:
            blocks.append(body)
        end_notes = html_to_markdown(chapter.end_notes)
        if end_notes:
            blocks.append(f"A/N: {end_notes}")
    return "\n\n".join(blocks) + "\n"


@register("md", "Markdown", "text/markdown; charset=utf-8")
def markdown_download(work: Work) -> bytes:
    return render_markdown(export_context(work)).encode("utf-8")
