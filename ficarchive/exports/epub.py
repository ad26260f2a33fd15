"""EPUB 3, written by us: a preface page, one XHTML file per chapter, an afterword, navigation
(EPUB 3 nav document and EPUB 2 NCX, so old readers find the chapters too) and full metadata.

The preface repeats AO3's download layout (`div#preface`, `dl.tags`), so this EPUB imports back
into any ficarchive with its tags, and readers who know AO3's files feel at home.
"""

from __future__ import annotations

import io
import uuid
import zipfile
from html import escape
from typing import Any

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone
from lxml import etree
from lxml import html as lxml_html

from ficarchive.exports.context import ExportContext, export_context
from ficarchive.exports.formats import register
from ficarchive.texts.structure import html_to_text
from ficarchive.works.models import Work

XHTML_NS = "http://www.w3.org/1999/xhtml"
_STYLE = """body { font-family: serif; line-height: 1.5; margin: 0 1em; }
h1, h2 { text-align: center; }
.byline { text-align: center; }
dl.tags dt { font-weight: bold; }
blockquote { margin: 0.5em 1.5em; }
hr.scene-break { border: 0; margin: 1.5em 0; text-align: center; }
hr.scene-break::after { content: "* * *"; }
.cover { text-align: center; margin-top: 20%; }
.cover-title { font-size: 2em; margin-bottom: 0.5em; }
.cover-byline { font-style: italic; }
.cover-tags { list-style: none; padding: 0; font-size: 0.9em; }
.cover-tags li { display: inline; }
.cover-tags li + li::before { content: " · "; }
.cover-site { margin-top: 3em; font-variant: small-caps; }
"""


# AO3's allow-list keeps HTML 4's presentational markup, which EPUB 3 (XHTML5) forbids; each
# becomes the CSS or the element that means the same.
_RENAMED = {"acronym": "abbr", "strike": "s"}
_STYLED_ELEMENTS = {
    "center": ("div", "text-align: center"),
    "big": ("span", "font-size: larger"),
    "tt": ("span", "font-family: monospace"),
}
_WIDTH_ELEMENTS = {"table", "td", "th", "col", "colgroup", "hr"}


def _add_style(element: Any, declaration: str) -> None:
    existing = element.get("style", "").strip().rstrip(";")
    element.set("style", f"{existing}; {declaration}" if existing else declaration)


def _html5(element: Any, ids: set[str]) -> None:
    tag = element.tag.lower()
    if tag in _RENAMED:
        tag = _RENAMED[tag]
    if tag in _STYLED_ELEMENTS:
        tag, declaration = _STYLED_ELEMENTS[tag]
        _add_style(element, declaration)
    element.tag = tag
    align = element.attrib.pop("align", None)
    if align:
        if tag == "img":
            _add_style(element, f"float: {align}" if align in ("left", "right") else "")
        else:
            _add_style(element, f"text-align: {align}")
    width = element.get("width")
    if tag in _WIDTH_ELEMENTS and width is not None:
        del element.attrib["width"]
        _add_style(element, f"width: {width if width.endswith('%') else width + 'px'}")
    for obsolete in ("summary", "axis"):
        element.attrib.pop(obsolete, None)
    if tag == "ul":
        list_type = element.attrib.pop("type", None)
        if list_type:
            _add_style(element, f"list-style-type: {list_type}")
    height = element.get("height")
    if tag in ("td", "th") and height is not None:
        del element.attrib["height"]
        _add_style(element, f"height: {height if height.endswith('%') else height + 'px'}")
    if tag in ("td", "th"):
        abbreviation = element.attrib.pop("abbr", None)
        if abbreviation and not element.get("title"):
            element.set("title", abbreviation)
    if tag == "colgroup" and len(element):
        element.attrib.pop("span", None)  # a colgroup with <col>s takes its span from them
    if tag == "table" and element.get("border") not in (None, "", "1"):
        _add_style(element, f"border: {element.attrib.pop('border')}px solid")
    if tag == "img":
        border = element.attrib.pop("border", None)
        if border:
            _add_style(element, f"border: {border}px solid")
    name = element.attrib.pop("name", None) if tag == "a" else None
    if name and not element.get("id"):
        candidate = "anchor-" + "".join(c if c.isalnum() or c in "-_" else "-" for c in name)
        if candidate not in ids:
            ids.add(candidate)
            element.set("id", candidate)
    cite = element.get("cite")
    if cite is not None and not _is_remote(cite):
        del element.attrib["cite"]
    if tag == "a" and not _is_remote(element.get("href", "")):
        # A relative link points into the archive, not into the book; keep the words only.
        element.attrib.pop("href", None)
        element.tag = "span"
    if tag == "img":
        # EPUB readers may not fetch remote images; the book links to them instead.
        src, alt = element.get("src", ""), element.get("alt") or "image"
        element.clear(keep_tail=True)
        element.tag = "a" if _is_remote(src) else "span"
        if _is_remote(src):
            element.set("href", src)
        element.text = f"[{alt}]"
    if element.get("style") == "":
        del element.attrib["style"]


_MEDIA_LABELS = {"iframe": "embedded media", "audio": "audio", "video": "video"}


def _link_to_media(player: Any) -> None:
    """An embedded player (a podfic, a fanvid) as a link to it: EPUB readers may not fetch
    remote media, and EPUBCheck refuses remote resources it cannot list in the package."""
    src = player.get("src") or next(
        (source.get("src", "") for source in player.iter("source") if source.get("src")), ""
    )
    label = player.get("title") or _MEDIA_LABELS[player.tag]
    player.clear(keep_tail=True)
    player.attrib.clear()
    player.tag = "a" if _is_remote(src) else "span"
    if _is_remote(src):
        player.set("href", src)
    player.text = f"[{label}]"


def _is_remote(url: str) -> bool:
    return url.startswith(("http://", "https://", "mailto:", "ftp://"))


def to_xhtml(fragment: str) -> str:
    """Sanitized HTML as well-formed XHTML5: closed empty elements, no HTML-only entities,
    no HTML 4 presentational markup."""
    if not fragment.strip():
        return ""
    wrapper = lxml_html.fragment_fromstring(fragment, create_parent="div")
    for player in list(wrapper.iter("iframe", "audio", "video")):
        _link_to_media(player)
    ids: set[str] = set()
    for element in wrapper.iter():
        if isinstance(element.tag, str) and element is not wrapper:
            _html5(element, ids)
    inner = [escape(wrapper.text or "", quote=False)]
    for child in wrapper:
        inner.append(etree.tostring(child, method="xml", encoding="unicode", with_tail=True))
    return "".join(inner)


def _page(title: str, body: str, language: str, rtl: bool) -> str:
    direction = ' dir="rtl"' if rtl else ""
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n<!DOCTYPE html>\n'
        f'<html xmlns="{XHTML_NS}" xmlns:epub="http://www.idpf.org/2007/ops" '
        f'xml:lang="{escape(language)}" lang="{escape(language)}"{direction}>\n'
        f"<head><title>{escape(title)}</title>"
        '<link rel="stylesheet" type="text/css" href="style.css"/></head>\n'
        f"<body>\n{body}\n</body>\n</html>\n"
    )


def book_identifier(work: Work) -> str:
    """The EPUB's `dc:identifier`; the catalogs use it as the work's id, so apps match them."""
    return f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, f'{settings.SITE_NAME}/works/{work.pk}')}"


def _preface(context: ExportContext) -> str:
    return to_xhtml(render_to_string("exports/preface.html", {"export": context}))


def _chapter(context: ExportContext, index: int) -> str:
    chapter = context.chapters[index]
    return to_xhtml(
        render_to_string("exports/chapter.html", {"export": context, "chapter": chapter})
    )


def _package(context: ExportContext, files: list[tuple[str, str]], identifier: str) -> str:
    work = context.work
    modified = (work.updated_at or work.edited_at or timezone.now()).strftime("%Y-%m-%dT%H:%M:%SZ")
    meta = [
        f'<dc:identifier id="book-id">{escape(identifier)}</dc:identifier>',
        f"<dc:title>{escape(work.title)}</dc:title>",
        f"<dc:language>{escape(work.language)}</dc:language>",
        f"<dc:publisher>{escape(context.site_name)}</dc:publisher>",
        f'<meta property="dcterms:modified">{modified}</meta>',
    ]
    for number, pseud in enumerate(context.creators, start=1):
        meta.append(f'<dc:creator id="creator{number}">{escape(pseud.byline)}</dc:creator>')
    if context.published is not None:
        meta.append(f"<dc:date>{context.published:%Y-%m-%d}</dc:date>")
    if work.summary:
        summary = " ".join(html_to_text(work.summary).split())
        meta.append(f"<dc:description>{escape(summary)}</dc:description>")
    for subject in context.subjects:
        meta.append(f"<dc:subject>{escape(subject)}</dc:subject>")
    for part in context.series:
        title, ref = escape(part.series.title), f"series{part.series.pk}"
        meta += [
            f'<meta property="belongs-to-collection" id="{ref}">{title}</meta>',
            f'<meta refines="#{ref}" property="collection-type">series</meta>',
            f'<meta refines="#{ref}" property="group-position">{part.number}</meta>',
        ]
    if context.series:
        first = context.series[0]
        meta += [
            f'<meta name="calibre:series" content="{escape(first.series.title)}"/>',
            f'<meta name="calibre:series_index" content="{first.number}"/>',
        ]
    items = [
        '<item id="nav" href="nav.xhtml" media-type="application/xhtml+xml" properties="nav"/>',
        '<item id="ncx" href="toc.ncx" media-type="application/x-dtbncx+xml"/>',
        '<item id="style" href="style.css" media-type="text/css"/>',
    ]
    spine = []
    for name, _ in files:
        item_id = name.removesuffix(".xhtml")
        items.append(f'<item id="{item_id}" href="{name}" media-type="application/xhtml+xml"/>')
        spine.append(f'<itemref idref="{item_id}"/>')
    direction = ' page-progression-direction="rtl"' if work.is_rtl else ""
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n'
        '<package xmlns="http://www.idpf.org/2007/opf" version="3.0" '
        f'unique-identifier="book-id" xml:lang="{escape(work.language)}">\n'
        '<metadata xmlns:dc="http://purl.org/dc/elements/1.1/">\n'
        + "\n".join(meta)
        + "\n</metadata>\n<manifest>\n"
        + "\n".join(items)
        + f'\n</manifest>\n<spine toc="ncx"{direction}>\n'
        + "\n".join(spine)
        + "\n</spine>\n</package>\n"
    )


def _navigation(
    context: ExportContext, toc: list[tuple[str, str]], identifier: str
) -> tuple[str, str]:
    work = context.work
    entries = "\n".join(f'<li><a href="{name}">{escape(label)}</a></li>' for name, label in toc)
    heading = f"<h1>{escape(work.title)}</h1>"
    toc_nav = f'<nav epub:type="toc" id="toc">{heading}\n<ol>\n{entries}\n</ol></nav>'
    start = toc[1][0] if len(toc) > 1 else toc[0][0]
    landmarks = (
        '<nav epub:type="landmarks" id="landmarks" hidden=""><h2>Landmarks</h2><ol>'
        '<li><a epub:type="cover" href="cover.xhtml">Cover</a></li>'
        f'<li><a epub:type="bodymatter" href="{start}">Start</a></li></ol></nav>'
    )
    nav = _page(work.title, toc_nav + "\n" + landmarks, work.language, work.is_rtl)
    points = "\n".join(
        f'<navPoint id="point{number}" playOrder="{number}"><navLabel><text>{escape(label)}'
        f'</text></navLabel><content src="{name}"/></navPoint>'
        for number, (name, label) in enumerate(toc, start=1)
    )
    ncx = (
        '<?xml version="1.0" encoding="utf-8"?>\n'
        '<ncx xmlns="http://www.daisy.org/z3986/2005/ncx/" version="2005-1">\n'
        f'<head><meta name="dtb:uid" content="{escape(identifier)}"/>'
        '<meta name="dtb:depth" content="1"/><meta name="dtb:totalPageCount" content="0"/>'
        '<meta name="dtb:maxPageNumber" content="0"/></head>\n'
        f"<docTitle><text>{escape(work.title)}</text></docTitle>\n"
        f"<navMap>\n{points}\n</navMap>\n</ncx>\n"
    )
    return nav, ncx


def render_epub(work: Work, context: ExportContext | None = None) -> bytes:
    """The work as EPUB 3; `context` when the caller has already read it (`export_context`)."""
    context = context or export_context(work)
    work = context.work
    identifier = book_identifier(work)
    language, rtl = work.language, work.is_rtl
    cover = to_xhtml(render_to_string("exports/cover.html", {"export": context}))
    files: list[tuple[str, str]] = [
        ("cover.xhtml", _page(work.title, cover, language, rtl)),
        ("preface.xhtml", _page(work.title, _preface(context), language, rtl)),
    ]
    toc = [("preface.xhtml", "Preface")]
    for index, chapter in enumerate(context.chapters):
        name = f"chapter{chapter.position:03}.xhtml"
        label = chapter.heading if len(context.chapters) > 1 or chapter.title else work.title
        files.append((name, _page(label, _chapter(context, index), language, rtl)))
        toc.append((name, label))
    afterword = to_xhtml(render_to_string("exports/afterword.html", {"export": context}))
    files.append(("afterword.xhtml", _page("Afterword", afterword, language, rtl)))
    toc.append(("afterword.xhtml", "Afterword"))
    nav, ncx = _navigation(context, toc, identifier)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as epub:
        # The mimetype comes first and uncompressed, so readers can sniff the file type.
        epub.writestr("mimetype", "application/epub+zip", compress_type=zipfile.ZIP_STORED)
        epub.writestr(
            "META-INF/container.xml",
            '<?xml version="1.0" encoding="utf-8"?>\n'
            '<container version="1.0" xmlns="urn:oasis:names:tc:opendocument:xmlns:container">'
            '<rootfiles><rootfile full-path="OEBPS/content.opf" '
            'media-type="application/oebps-package+xml"/></rootfiles></container>\n',
        )
        epub.writestr("OEBPS/content.opf", _package(context, files, identifier))
        epub.writestr("OEBPS/nav.xhtml", nav)
        epub.writestr("OEBPS/toc.ncx", ncx)
        epub.writestr("OEBPS/style.css", _STYLE)
        for name, content in files:
            epub.writestr(f"OEBPS/{name}", content)
    return buffer.getvalue()


@register("epub", "EPUB", "application/epub+zip")
def epub_download(work: Work) -> bytes:
    return render_epub(work)
