"""Feeds written as Atom (RFC 4287): OPDS 1.2 catalog feeds and plain feeds for feed readers.

Both come from the same `catalog.Feed`; a plain feed leaves out what only e-reader apps use
(facets, OpenSearch counts) and declares only the namespaces it uses.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

from lxml import etree

from ficarchive.exports.catalog import Feed, Link, NavigationEntry, Publication

ATOM = "http://www.w3.org/2005/Atom"
DC = "http://purl.org/dc/terms/"
OPDS = "http://opds-spec.org/2010/catalog"
OPENSEARCH = "http://a9.com/-/spec/opensearch/1.1/"
THREAD = "http://purl.org/syndication/thread/1.0"
OPDS_NAMESPACES = {None: ATOM, "dc": DC, "opds": OPDS, "opensearch": OPENSEARCH, "thr": THREAD}
ATOM_NAMESPACES = {None: ATOM, "dc": DC}

# Characters XML 1.0 cannot hold; a pasted title may carry one.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _text(value: str) -> str:
    return _NOT_XML.sub("", value)


def _date(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _add(parent: etree._Element, tag: str, text: str | None = None, **attrs: str) -> etree._Element:
    element = etree.SubElement(parent, tag, {key: _text(value) for key, value in attrs.items()})
    if text is not None:
        element.text = _text(text)
    return element


def _atom(name: str) -> str:
    return f"{{{ATOM}}}{name}"


def _link(parent: etree._Element, link: Link) -> None:
    element = _add(parent, _atom("link"), rel=link.rel, href=link.href, type=link.type)
    if link.title:
        element.set("title", _text(link.title))
    if link.facet_group:
        element.set(f"{{{OPDS}}}facetGroup", _text(link.facet_group))
        if link.active:
            element.set(f"{{{OPDS}}}activeFacet", "true")
    if link.count is not None:
        element.set(f"{{{THREAD}}}count", str(link.count))


def _person(parent: etree._Element, tag: str, name: str, uri: str) -> None:
    person = _add(parent, _atom(tag))
    _add(person, _atom("name"), name)
    _add(person, _atom("uri"), uri)


def _publication(parent: etree._Element, entry: Publication) -> None:
    element = _add(parent, _atom("entry"))
    _add(element, _atom("title"), entry.title)
    _add(element, _atom("id"), entry.id)
    _add(element, _atom("updated"), _date(entry.updated))
    if entry.published is not None:
        _add(element, _atom("published"), _date(entry.published))
    for author in entry.authors:
        _person(element, "author", author.name, author.uri)
    _add(element, f"{{{DC}}}language", entry.language)
    for category in entry.categories:
        _add(
            element,
            _atom("category"),
            term=category.term,
            label=category.label,
            scheme=category.scheme,
        )
    if entry.summary:
        _add(element, _atom("summary"), entry.summary, type="text")
    _add(element, _atom("content"), entry.content, type="html")
    for link in entry.links:
        _link(element, link)


def _navigation(parent: etree._Element, entry: NavigationEntry) -> None:
    element = _add(parent, _atom("entry"))
    _add(element, _atom("title"), entry.title)
    _add(element, _atom("id"), entry.id)
    _add(element, _atom("updated"), _date(entry.updated))
    _add(element, _atom("content"), entry.summary, type="text")
    _link(element, entry.link)


def render_atom(feed: Feed, *, opds: bool = True) -> bytes:
    """The feed as an Atom document: an OPDS 1.2 catalog feed, or with `opds=False` a plain
    feed of works for feed readers."""
    root = etree.Element(_atom("feed"), nsmap=OPDS_NAMESPACES if opds else ATOM_NAMESPACES)  # type: ignore[arg-type]
    _add(root, _atom("id"), feed.id)
    _add(root, _atom("title"), feed.title)
    if feed.subtitle:
        _add(root, _atom("subtitle"), feed.subtitle, type="html")
    _add(root, _atom("updated"), _date(feed.updated))
    _person(root, "author", feed.author.name, feed.author.uri)
    for link in feed.links:
        if opds or not link.facet_group:
            _link(root, link)
    if opds and feed.total is not None and feed.per_page and feed.page:
        _add(root, f"{{{OPENSEARCH}}}totalResults", str(feed.total))
        _add(root, f"{{{OPENSEARCH}}}itemsPerPage", str(feed.per_page))
        _add(root, f"{{{OPENSEARCH}}}startIndex", str((feed.page - 1) * feed.per_page + 1))
    for navigation in feed.navigation:
        _navigation(root, navigation)
    for entry in feed.publications:
        _publication(root, entry)
    return etree.tostring(root, xml_declaration=True, encoding="utf-8", pretty_print=True)


def render_opensearch(site_name: str, template: str, result_type: str) -> bytes:
    """An OpenSearch description: where e-reader apps send a reader's search."""
    root = etree.Element(f"{{{OPENSEARCH}}}OpenSearchDescription", nsmap={None: OPENSEARCH})  # type: ignore[dict-item]
    _add(root, f"{{{OPENSEARCH}}}ShortName", site_name[:16])  # the spec's limit
    _add(root, f"{{{OPENSEARCH}}}LongName", site_name[:48])
    description = f"Search works on {site_name} by title, summary, creator or tag."
    _add(root, f"{{{OPENSEARCH}}}Description", description)
    _add(root, f"{{{OPENSEARCH}}}InputEncoding", "UTF-8")
    _add(root, f"{{{OPENSEARCH}}}OutputEncoding", "UTF-8")
    _add(root, f"{{{OPENSEARCH}}}Url", type=result_type, template=template)
    return etree.tostring(root, xml_declaration=True, encoding="utf-8", pretty_print=True)
