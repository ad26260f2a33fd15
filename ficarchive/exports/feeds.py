"""Atom feeds of recent works for feed readers: a pseud's works and a series' works.

A feed's address is shared and polled by programs that never log in, and what a feed reader
fetched once it keeps, so these feeds show what a logged-out reader sees: never a draft, never a
restricted work, whoever asks.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone

from ficarchive.accounts.models import Pseud
from ficarchive.exports.catalog import Feed, Link, Person, publication
from ficarchive.tags.models import Tag, tag_to_url
from ficarchive.works.models import Series, Work
from ficarchive.works.queries import listed_works, with_blurb_data

FEED_SIZE = 25
ATOM_TYPE = "application/atom+xml"


def public_works() -> QuerySet[Work]:
    return listed_works(AnonymousUser())


def _feed(
    base: str, href: str, page: str, title: str, works: QuerySet[Work], subtitle: str = ""
) -> Feed:
    entries = [publication(w, base) for w in with_blurb_data(works)[:FEED_SIZE]]
    return Feed(
        id=href,
        title=title,
        subtitle=subtitle,
        updated=max((entry.updated for entry in entries), default=timezone.now()),
        kind="",
        author=Person(settings.SITE_NAME, base + reverse("home")),
        links=[Link(href, "self", ATOM_TYPE), Link(page, "alternate", "text/html", title)],
        publications=entries,
    )


def pseud_feed(base: str, pseud: Pseud) -> Feed:
    href = base + reverse("exports:pseud_feed", args=[pseud.user.username, pseud.name])
    works = public_works().filter(creatorships__pseud=pseud)
    title = f"Works by {pseud.byline}"
    return _feed(base, href, base + pseud.get_absolute_url(), title, works)


def series_feed(base: str, series: Series) -> Feed:
    href = base + reverse("exports:series_feed", args=[series.pk])
    works = public_works().filter(serial_works__series=series)
    page = base + series.get_absolute_url()
    # The series' description, as its page shows it, under the feed's title.
    return _feed(base, href, page, series.title, works, subtitle=series.summary)


def tag_feed(base: str, tag: Tag) -> Feed:
    """A tag's recent works, what a logged-out reader finds under the tag. Through the filter
    table, so the feed of "Gilmore Girls" carries works tagged only with one of its sub-tags or
    synonyms, as the tag's page does."""
    href = base + reverse("exports:tag_feed", args=[tag_to_url(tag.name)])
    works = public_works().filter(filter_taggings__filter_tag=tag)
    return _feed(base, href, base + tag.get_absolute_url(), f"Works in {tag.name}", works)
