"""The Atom feed of a tag's recent works: what a logged-out reader finds under the tag."""

from __future__ import annotations

from django.urls import reverse

from ficarchive.exports.catalog import Feed
from ficarchive.exports.feeds import _feed, public_works
from ficarchive.tags.models import Tag, tag_to_url


def tag_feed(base: str, tag: Tag) -> Feed:
    """Through the filter table, so the feed of "Gilmore Girls" carries works tagged only with
    one of its sub-tags or synonyms, as the tag's page does."""
    href = base + reverse("tags:feed", args=[tag_to_url(tag.name)])
    works = public_works().filter(filter_taggings__filter_tag=tag)
    return _feed(base, href, base + tag.get_absolute_url(), f"Works in {tag.name}", works)
