"""Catalog feeds written as OPDS 2.0 JSON (`application/opds+json`).

Publications carry no `images`: the schema lets a publication go without them, and when there
are images one must be a bitmap (JPEG, PNG, GIF, WebP, AVIF or JPEG XL), which the archive
does not have for works.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from ficarchive.exports.catalog import Feed, Link, Publication

OPDS2_TYPE = "application/opds+json"


def _date(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _link(link: Link, *, rel: bool = True) -> dict[str, Any]:
    data: dict[str, Any] = {"href": link.href, "type": link.type}
    if rel:
        data["rel"] = link.rel
    if link.title:
        data["title"] = link.title
    if link.templated:
        data["templated"] = True
    return data


def _publication(entry: Publication) -> dict[str, Any]:
    metadata: dict[str, Any] = {
        "@type": "http://schema.org/Book",
        "identifier": entry.id,
        "title": entry.title,
        "author": [
            {"name": author.name, "links": [{"href": author.uri, "type": "text/html"}]}
            for author in entry.authors
        ],
        "language": entry.language,
        "modified": _date(entry.updated),
    }
    if entry.published is not None:
        metadata["published"] = _date(entry.published)
    if entry.summary:
        metadata["description"] = entry.summary
    if entry.categories:
        metadata["subject"] = [
            {"name": category.label, "code": category.term, "scheme": category.scheme}
            for category in entry.categories
        ]
    if entry.series:
        metadata["belongsTo"] = {
            "series": [
                {
                    "name": part.title,
                    "position": part.position,
                    "links": [{"href": part.href, "type": OPDS2_TYPE}],
                }
                for part in entry.series
            ]
        }
    return {"metadata": metadata, "links": [_link(link) for link in entry.links]}


def feed_data(feed: Feed) -> dict[str, Any]:
    """The feed as OPDS 2.0 JSON data."""
    metadata: dict[str, Any] = {"title": feed.title, "modified": _date(feed.updated)}
    if feed.total is not None and feed.per_page and feed.page:
        metadata.update(
            {"numberOfItems": feed.total, "itemsPerPage": feed.per_page, "currentPage": feed.page}
        )
    data: dict[str, Any] = {
        "metadata": metadata,
        "links": [_link(link) for link in feed.links if not link.facet_group],
    }
    if feed.navigation:
        data["navigation"] = [
            {**_link(entry.link), "title": _count_title(entry.title, entry.link.count)}
            for entry in feed.navigation
        ]
    if feed.publications:
        data["publications"] = [_publication(entry) for entry in feed.publications]
    if not feed.navigation and not feed.publications:
        # A feed needs at least one publication or navigation link: lead back to the start.
        start = feed.link("start")
        assert start is not None
        data["navigation"] = [{**_link(start), "title": "Nothing here. Back to the catalog"}]
    groups: dict[str, list[dict[str, Any]]] = {}
    for link in feed.links:
        if link.facet_group:
            item = _link(link, rel=False)
            if link.active:
                item["rel"] = "self"
            groups.setdefault(link.facet_group, []).append(item)
    if groups:
        data["facets"] = [
            {"metadata": {"title": group}, "links": links} for group, links in groups.items()
        ]
    return data


def _count_title(title: str, count: int | None) -> str:
    return title if count is None else f"{title} ({count})"


def render_opds2(feed: Feed) -> bytes:
    return json.dumps(feed_data(feed), ensure_ascii=False, indent=1).encode()
