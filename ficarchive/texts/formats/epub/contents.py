"""The EPUB's table of contents: the EPUB 3 navigation document, else the EPUB 2 NCX."""

from __future__ import annotations

import posixpath
from dataclasses import dataclass

from lxml import etree

from ficarchive.texts.formats.epub.package import SKIP_TYPES, Item, Package
from ficarchive.texts.markup import parse_xhtml_document, text_of
from ficarchive.texts.structure import ParseError
from ficarchive.texts.ziparchive import ZipArchive, local_name, resolve

# -- the table of contents ---------------------------------------------------------------------


@dataclass
class Entry:
    path: str
    fragment: str
    label: str


def read_toc(archive: ZipArchive, package: Package) -> list[Entry]:
    """The entries of the navigation document, else of the NCX; [] when neither can be read."""
    nav = next((item for item in package.items.values() if "nav" in item.properties), None)
    if nav is not None and archive.has(nav.path):
        entries = _read_nav(archive, nav, package)
        if entries:
            return entries
    ncx = package.items.get(package.toc_id)
    if ncx is None:
        ncx = next(
            (item for item in package.items.values() if item.media_type.endswith("dtbncx+xml")),
            None,
        )
    if ncx is not None and archive.has(ncx.path):
        try:
            root = archive.xml(ncx.path, recover=True)
        except ParseError:
            return []  # a table of contents we cannot read: the chapters' headings will do
        return _read_ncx(root, posixpath.dirname(ncx.path))
    return []


def _read_nav(archive: ZipArchive, item: Item, package: Package) -> list[Entry]:
    root = parse_xhtml_document(archive.read(item.path))
    if root is None:
        return []
    base = posixpath.dirname(item.path)
    navs = list(root.iter("nav"))
    for nav in navs:
        types = (nav.get("data-epub-type") or "").split()
        if "landmarks" in types:
            for link in nav.iter("a"):
                kinds = set((link.get("data-epub-type") or "").lower().split())
                if kinds & SKIP_TYPES and link.get("href"):
                    package.skip_paths.add(resolve(base, link.get("href") or ""))
    toc = next((nav for nav in navs if "toc" in (nav.get("data-epub-type") or "").split()), None)
    if toc is None:
        toc = navs[0] if navs else root
    entries = []
    for link in toc.iter("a"):
        href = link.get("href") or ""
        path = resolve(base, href)
        if path:
            fragment = href.split("#", 1)[1] if "#" in href else ""
            entries.append(Entry(path, fragment, text_of(link)))
    return entries


def _read_ncx(root: etree._Element, base: str) -> list[Entry]:
    entries = []
    for point in root.iter():
        if local_name(point) != "navpoint":
            continue
        label = src = ""
        for child in point:
            if local_name(child) == "navlabel":
                label = text_of(child)
            elif local_name(child) == "content":
                src = child.get("src") or ""
        path = resolve(base, src)
        if path:
            fragment = src.split("#", 1)[1] if "#" in src else ""
            entries.append(Entry(path, fragment, label))
    return entries
