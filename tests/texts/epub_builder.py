"""Small, valid EPUBs for the tests, written with zipfile: EPUB 3 with a navigation document,
EPUB 2 with an NCX, and one shaped like AO3's (calibre's conversion of AO3's HTML download)."""

# ruff: noqa: E501  (markup copied the way the tools write it, one element to a line)

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass, field
from html import escape

CONTAINER = """<?xml version="1.0" encoding="UTF-8"?>
<container version="1.0" xmlns="urn:oasis:names:tc:opendocument:xmlns:container">
  <rootfiles>
    <rootfile full-path="{opf}" media-type="application/oebps-package+xml"/>
  </rootfiles>
</container>
"""

XHTML = """<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE html>
<html xmlns="http://www.w3.org/1999/xhtml" xmlns:epub="http://www.idpf.org/2007/ops" lang="en">
<head><title>{title}</title><link rel="stylesheet" type="text/css" href="style.css"/></head>
<body{body_attrs}>
{body}
</body>
</html>
"""


def xhtml(body: str, title: str = "Chapter", body_attrs: str = "") -> str:
    return XHTML.format(title=escape(title), body=body, body_attrs=body_attrs)


@dataclass
class Doc:
    """One document of the spine: its file name (relative to the OPF), its body, its TOC label."""

    href: str
    body: str
    label: str | None = None
    ident: str = ""
    linear: bool = True
    properties: str = ""
    raw: bytes | None = None  # the whole file, when the test wants it exactly so


@dataclass
class Book:
    title: str = "The Lamplighter's Tide"
    authors: list[str] = field(default_factory=lambda: ["tidewright"])
    description: str = ""
    language: str = "en"
    subjects: list[str] = field(default_factory=list)
    docs: list[Doc] = field(default_factory=list)
    folder: str = "OEBPS"
    extra_metadata: str = ""
    extra_files: dict[str, bytes] = field(default_factory=dict)
    toc: list[tuple[str, str]] | None = None  # (href, label); None: from the docs' labels

    def toc_entries(self) -> list[tuple[str, str]]:
        if self.toc is not None:
            return self.toc
        return [(doc.href, doc.label) for doc in self.docs if doc.label]


NOT_LINEAR = ' linear="no"'


def _ident(doc: Doc, index: int) -> str:
    return doc.ident or f"doc{index}"


def _metadata(book: Book, version: str) -> str:
    lines = [f'<dc:identifier id="bookid">urn:uuid:ficarchive-test-{version}</dc:identifier>']
    lines.append(f"<dc:title>{escape(book.title)}</dc:title>")
    for index, author in enumerate(book.authors):
        if version == "3.0":
            lines.append(f'<dc:creator id="creator{index}">{escape(author)}</dc:creator>')
            lines.append(
                f'<meta refines="#creator{index}" property="role" scheme="marc:relators">aut</meta>'
            )
        else:
            lines.append(f'<dc:creator opf:role="aut">{escape(author)}</dc:creator>')
    if book.language:
        lines.append(f"<dc:language>{book.language}</dc:language>")
    if book.description:
        lines.append(f"<dc:description>{escape(book.description)}</dc:description>")
    for subject in book.subjects:
        lines.append(f"<dc:subject>{escape(subject)}</dc:subject>")
    if version == "3.0":
        lines.append('<meta property="dcterms:modified">2024-01-01T00:00:00Z</meta>')
    lines.append(book.extra_metadata)
    return "\n    ".join(lines)


def _opf(book: Book, version: str, nav_href: str | None, ncx_href: str | None) -> str:
    items = []
    for index, doc in enumerate(book.docs):
        properties = f' properties="{doc.properties}"' if doc.properties else ""
        items.append(
            f'<item id="{_ident(doc, index)}" href="{doc.href}" '
            f'media-type="application/xhtml+xml"{properties}/>'
        )
    if nav_href:
        items.append(
            f'<item id="nav" href="{nav_href}" media-type="application/xhtml+xml" '
            'properties="nav"/>'
        )
    if ncx_href:
        items.append(f'<item id="ncx" href="{ncx_href}" media-type="application/x-dtbncx+xml"/>')
    items.append('<item id="css" href="style.css" media-type="text/css"/>')
    spine = "\n    ".join(
        f'<itemref idref="{_ident(doc, index)}"{"" if doc.linear else NOT_LINEAR}/>'
        for index, doc in enumerate(book.docs)
    )
    toc = ' toc="ncx"' if ncx_href else ""
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<package xmlns="http://www.idpf.org/2007/opf" version="{version}" unique-identifier="bookid">
  <metadata xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:opf="http://www.idpf.org/2007/opf">
    {_metadata(book, version)}
  </metadata>
  <manifest>
    {chr(10).join(items)}
  </manifest>
  <spine{toc}>
    {spine}
  </spine>
</package>
"""


def _nav(book: Book) -> str:
    entries = "\n".join(
        f'<li><a href="{href}">{escape(label)}</a></li>' for href, label in book.toc_entries()
    )
    body = f'<nav epub:type="toc" id="toc"><h1>Contents</h1><ol>\n{entries}\n</ol></nav>'
    return xhtml(body, "Contents")


def _ncx(book: Book) -> str:
    points = "\n".join(
        f'<navPoint id="p{index}" playOrder="{index + 1}"><navLabel><text>{escape(label)}</text>'
        f'</navLabel><content src="{href}"/></navPoint>'
        for index, (href, label) in enumerate(book.toc_entries())
    )
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<ncx xmlns="http://www.daisy.org/z3986/2005/ncx/" version="2005-1">
  <head><meta name="dtb:uid" content="urn:uuid:ficarchive-test"/></head>
  <docTitle><text>{escape(book.title)}</text></docTitle>
  <navMap>
{points}
  </navMap>
</ncx>
"""


def zip_files(files: dict[str, bytes | str]) -> bytes:
    """A zip with `mimetype` first and stored, as EPUBs have it."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        if "mimetype" in files:
            archive.writestr("mimetype", files["mimetype"], compress_type=zipfile.ZIP_STORED)
        for name, content in files.items():
            if name != "mimetype":
                archive.writestr(name, content)
    return buffer.getvalue()


def epub_files(book: Book, version: str = "3.0") -> dict[str, bytes | str]:
    folder = f"{book.folder}/" if book.folder else ""
    opf_path = f"{folder}content.opf"
    nav_href = "nav.xhtml" if version.startswith("3") else None
    ncx_href = "toc.ncx" if version.startswith("2") else None
    files: dict[str, bytes | str] = {
        "mimetype": "application/epub+zip",
        "META-INF/container.xml": CONTAINER.format(opf=opf_path),
        opf_path: _opf(book, version, nav_href, ncx_href),
        f"{folder}style.css": "p { margin: 0; }",
    }
    if nav_href:
        files[f"{folder}{nav_href}"] = _nav(book)
    if ncx_href:
        files[f"{folder}{ncx_href}"] = _ncx(book)
    for doc in book.docs:
        files[f"{folder}{doc.href}"] = doc.raw if doc.raw is not None else xhtml(doc.body)
    files.update(book.extra_files)
    return files


def build_epub(book: Book, version: str = "3.0") -> bytes:
    return zip_files(epub_files(book, version))


# -- ready-made books --------------------------------------------------------------------------


def fanfic_book() -> Book:
    """A two-chapter fic as a writer's tool would make it: a cover, a title page, a chapter per
    file with its heading, author's notes, scene breaks, `The End`."""
    return Book(
        description="<p>The lamp at Kettle Point has not gone dark in forty years.</p>",
        subjects=["Original Work", "Lighthouses", "Slow Burn"],
        docs=[
            Doc(
                "cover.xhtml", '<div class="cover"><img src="images/cover.jpg" alt="Cover"/></div>'
            ),
            Doc(
                "title.xhtml",
                '<h1 class="title">The Lamplighter\'s Tide</h1>\n<p class="author">tidewright</p>',
            ),
            Doc(
                "chapter1.xhtml",
                """<h2 id="c1">Chapter 1: Low Water</h2>
<p>A/N: Thank you to my beta, Sparrow, for reading this twice.</p>
<p>The tide went out the way it always did at Kettle Point, all at once and without apology.</p>
<p>Maren was halfway up the stair when she heard the knock. <em>Nobody</em> knocked.</p>
<p class="center">* * *</p>
<p>That night the lamp turned its slow circle over the water.</p>
<p>A/N: Next chapter: the storm!</p>""",
                label="Chapter 1: Low Water",
            ),
            Doc(
                "chapter2.xhtml",
                """<h2>Chapter 2: High Water</h2>
<p>The storm came in sideways on the third night of the spring tides.</p>
<hr/>
<p>In the morning the harbourmaster found them both asleep in the lamp room.</p>
<p class="center">The End</p>""",
                label="Chapter 2: High Water",
            ),
        ],
    )


_AO3_TAGS = """<dl class="tags">
  <dt class="calibre2">Rating:</dt>
  <dd class="calibre3"><a class="calibre4" href="https://archiveofourown.org/tags/Teen%20And%20Up%20Audiences">Teen And Up Audiences</a></dd>
  <dt class="calibre2">Archive Warning:</dt>
  <dd class="calibre3"><a class="calibre4" href="https://archiveofourown.org/tags/No%20Archive%20Warnings%20Apply">No Archive Warnings Apply</a></dd>
  <dt class="calibre2">Category:</dt>
  <dd class="calibre3"><a class="calibre4" href="https://archiveofourown.org/tags/F*s*F">F/F</a></dd>
  <dt class="calibre2">Fandom:</dt>
  <dd class="calibre3"><a class="calibre4" href="https://archiveofourown.org/tags/Original%20Work">Original Work</a></dd>
  <dt class="calibre2">Relationship:</dt>
  <dd class="calibre3"><a class="calibre4" href="https://archiveofourown.org/tags/Maren*s*Ilse">Maren/Ilse</a></dd>
  <dt class="calibre2">Characters:</dt>
  <dd class="calibre3"><a class="calibre4" href="https://archiveofourown.org/tags/Maren">Maren (Original Character)</a>, <a class="calibre4" href="https://archiveofourown.org/tags/Ilse">Ilse (Original Character)</a></dd>
  <dt class="calibre2">Additional Tags:</dt>
  <dd class="calibre3"><a class="calibre4" href="https://archiveofourown.org/tags/Lighthouses">Lighthouses</a>, <a class="calibre4" href="https://archiveofourown.org/tags/Slow%20Burn">Slow Burn</a></dd>
  <dt class="calibre2">Language:</dt>
  <dd class="calibre3">English</dd>
  <dt class="calibre2">Stats:</dt>
  <dd class="calibre3">Published: 2023-06-02 Completed: 2023-06-16 Words: 612 Chapters: 2/2</dd>
</dl>"""

AO3_PREFACE = f"""<div id="preface" class="calibre1">
<h2 class="toc-heading">Preface</h2>
<p class="message"><b class="calibre5">The Lamplighter's Tide</b><br class="calibre6"/>
Posted originally on the <a href="https://archiveofourown.org/" class="calibre4">Archive of Our Own</a> at <a href="https://archiveofourown.org/works/48151623" class="calibre4">https://archiveofourown.org/works/48151623</a>.</p>
<div class="meta">
{_AO3_TAGS}
<h1 class="calibre7">The Lamplighter's Tide</h1>
<div class="byline">by <a rel="author" href="https://archiveofourown.org/users/tidewright/pseuds/tidewright" class="calibre4">tidewright</a>, <a rel="author" href="https://archiveofourown.org/users/saltandink/pseuds/Salt%20and%20Ink" class="calibre4">Salt and Ink (saltandink)</a></div>
<p class="calibre8">Summary</p>
<blockquote class="userstuff"><p class="calibre8">The lamp at Kettle Point has not gone dark in forty years. Ilse keeps asking <em class="calibre9">why</em>.</p></blockquote>
<p class="calibre8">Notes</p>
<blockquote class="userstuff"><p class="calibre8">Written for the Coastal Fic Exchange.</p></blockquote>
<div class="endnote-link">See the end of the work for more <a href="The_Lamplighters_Tide_split_004.xhtml#endnotes" class="calibre4">notes</a></div>
</div>
</div>"""

AO3_CHAPTER_1 = """<div id="chapters" class="userstuff1">
<div class="meta1">
<h2 class="heading">Chapter 1: Low Water</h2>
<p class="calibre8">Chapter Summary</p>
<blockquote class="userstuff"><p class="calibre8">A visitor at the lamp room door.</p></blockquote>
<p class="calibre8">Chapter Notes</p>
<blockquote class="userstuff"><p class="calibre8">The lighthouse is invented; the weather is not.</p></blockquote>
<div class="endnote-link">(See the end of the chapter for <a href="#endnotes1" class="calibre4">more notes</a>.)</div>
</div>
<div class="userstuff2">
<p class="calibre8">The tide went out the way it always did at Kettle Point, all at once and without apology.</p>
<p class="calibre8">"You're the keeper," said the girl on the step. <em class="calibre9">Nobody</em> knocked at the lighthouse.</p>
<p align="center" class="calibre8">* * *</p>
<p class="calibre8">That night the lamp turned its slow circle over the water.</p>
</div>
<div id="endnotes1" class="meta2">
<p class="calibre8">Chapter End Notes</p>
<blockquote class="userstuff"><p class="calibre8">Next chapter: the storm.</p></blockquote>
</div>
</div>"""

AO3_CHAPTER_2 = """<div id="chapters" class="userstuff1">
<div class="meta1">
<h2 class="heading">Chapter 2: High Water</h2>
<p class="calibre8">Chapter Notes</p>
<blockquote class="userstuff"><p class="calibre8">Warning for a shipwreck that nobody dies in.</p></blockquote>
</div>
<div class="userstuff2">
<p class="calibre8">The storm came in sideways on the third night of the spring tides.</p>
<p class="calibre8">Ilse rowed out anyway, lantern held high.</p>
<hr class="calibre10"/>
</div>
</div>"""

# Calibre splits a long chapter into two files; the second has no heading of its own.
AO3_CHAPTER_2_CONTINUED = """<div id="chapters" class="userstuff1"><div class="userstuff2">
<p class="calibre8">In the morning the harbourmaster found them both asleep in the lamp room.</p>
</div></div>"""

AO3_AFTERWORD = """<div id="afterword" class="calibre1">
<h2 class="toc-heading">Afterword</h2>
<div class="meta">
<div id="endnotes">
<p class="calibre8">End Notes</p>
<blockquote class="userstuff"><p class="calibre8">Thank you for reading! Come and find me on <a href="https://example.org/tidewright" class="calibre4">my blog</a>.</p></blockquote>
</div>
<dl class="calibre11"><dt class="calibre2">Works inspired by this one:</dt>
<dd class="calibre3"><a href="https://archiveofourown.org/works/49220004" class="calibre4">The Keeper's Log</a> by gullsong</dd></dl>
</div>
<p class="message">Please <a href="https://archiveofourown.org/works/48151623/comments/new" class="calibre4">drop by the Archive and comment</a> to let the creator know if you enjoyed their work!</p>
</div>"""


def ao3_book() -> Book:
    """AO3's EPUB as calibre writes it: EPUB 2, files split at the preface, each chapter and the
    afterword (and once more inside a long chapter), classes renamed, tags as subjects."""
    stem = "The_Lamplighters_Tide_split_"
    tags = ["Fanworks", "Teen And Up Audiences", "No Archive Warnings Apply", "F/F"]
    tags += ["Original Work", "Maren/Ilse", "Maren (Original Character)"]
    tags += ["Ilse (Original Character)", "Lighthouses", "Slow Burn"]
    return Book(
        authors=["tidewright, Salt and Ink"],
        description=(
            "<p>The lamp at Kettle Point has not gone dark in forty years. Ilse keeps asking "
            "<em>why</em>.</p>"
        ),
        subjects=tags,
        folder="",
        extra_metadata=(
            "<dc:publisher>Archive of Our Own</dc:publisher>\n"
            '    <meta name="calibre:title_sort" content="Lamplighter\'s Tide, The"/>'
        ),
        docs=[
            Doc(f"{stem}000.xhtml", AO3_PREFACE, label="Preface"),
            Doc(f"{stem}001.xhtml", AO3_CHAPTER_1, label="Chapter 1: Low Water"),
            Doc(f"{stem}002.xhtml", AO3_CHAPTER_2, label="Chapter 2: High Water"),
            Doc(f"{stem}003.xhtml", AO3_CHAPTER_2_CONTINUED),
            Doc(f"{stem}004.xhtml", AO3_AFTERWORD, label="Afterword"),
        ],
    )


# FanFicFare's AO3 adapter puts a chapter's summary and notes, and the work's, in these blocks.
FFF_NOTES_CHAPTER = """<h3 class="fff_chapter_title">Low Water</h3>
<div class="fff_chapter_notes fff_head_notes"><b>Author's Note:</b><blockquote class="userstuff"><p>For the exchange.</p></blockquote>
<b>Summary for the Chapter:</b><blockquote class="userstuff"><p>A knock.</p></blockquote>
<b>Notes for the Chapter:</b><blockquote class="userstuff"><p>Invented lighthouse.</p></blockquote></div>
<div class="userstuff module"><p>The tide went out all at once and without apology.</p></div>
<div class="fff_chapter_notes fff_foot_notes"><b>Notes for the Chapter:</b><blockquote class="userstuff"><p>Storm next.</p></blockquote>
<b>Author's Note:</b><blockquote class="userstuff"><p>Thanks for reading!</p></blockquote></div>"""
