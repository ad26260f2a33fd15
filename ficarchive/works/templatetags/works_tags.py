"""The AO3 'required tags' square, and the parts of reading pages and lists that are the same
for every reader of an audience (blurbs, a work's tags), cached per revision of the work."""

from __future__ import annotations

from typing import Any

from django import template
from django.core.cache import cache
from django.db.models import QuerySet, prefetch_related_objects
from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe

from ficarchive.tags.models import TagType
from ficarchive.works.models import Work
from ficarchive.works.queries import Part, series_parts, tags_in_order

register = template.Library()

_RATING_CODES = {
    "General Audiences": ("G", "rating-general-audience"),
    "Teen And Up Audiences": ("T", "rating-teen"),
    "Mature": ("M", "rating-mature"),
    "Explicit": ("E", "rating-explicit"),
    "Not Rated": ("-", "rating-notrated"),
}
# One or two letters fit the square; the full name is in its title and for screen readers.
_CATEGORY_CODES = {
    "F/F": ("FF", "femslash"),
    "F/M": ("FM", "het"),
    "M/M": ("MM", "slash"),
    "Gen": ("G", "gen"),
    "Multi": ("+", "multi"),
    "Other": ("O", "other"),
}
_NO_WARNINGS = "No Archive Warnings Apply"
_CHOSE_NOT = "Creator Chose Not To Use Archive Warnings"


def required_tags(work: Work) -> list[dict[str, str]]:
    """Four symbols, each with a short code, a CSS class and the words it stands for."""
    rating_code, css = _RATING_CODES.get(work.rating, ("-", "rating-notrated"))
    warnings = work.warnings
    if warnings == [_NO_WARNINGS]:
        warning = ("", "warning-no", _NO_WARNINGS)
    elif warnings == [_CHOSE_NOT] or not warnings:
        warning = ("?", "warning-choosenotto", _CHOSE_NOT)
    else:
        warning = ("!", "warning-yes", ", ".join(warnings))
    categories = work.categories
    if not categories:
        category = ("", "category-none", "No category")
    elif len(categories) > 1:
        category = ("+", "category-multi", ", ".join(categories))
    else:
        code, slug = _CATEGORY_CODES.get(categories[0], ("?", "other"))
        category = (code, "category-" + slug, categories[0])
    if work.complete:
        status = ("✓", "complete-yes", "Complete Work")
    else:
        status = ("…", "complete-no", "Work in Progress")
    return [
        {"code": rating_code, "css": css, "text": work.rating, "kind": TagType.RATING.label},
        {"code": warning[0], "css": warning[1], "text": warning[2], "kind": "Archive Warnings"},
        {"code": category[0], "css": category[1], "text": category[2], "kind": "Category"},
        {"code": status[0], "css": status[1], "text": status[2], "kind": "Status"},
    ]


@register.inclusion_tag("works/required_tags.html")
def required_tags_for(work: Work) -> dict[str, Any]:
    return {"symbols": required_tags(work)}


@register.filter
def parts_for(work: Work, signed_in: bool) -> list[Part]:
    """`{% for part in work|parts_for:signed_in %}Part {{ part.number }} of …`: the work's
    series, numbered as a logged-in (or logged-out) reader sees them."""
    return series_parts(work, bool(signed_in))


BLURB_SECONDS = 600


def _blurb_key(work: Work, signed_in: bool) -> str:
    # Kudos, comments, bookmarks and hits change without an edit of the work. Logged-in and
    # logged-out readers see different series part numbers; a change of them moves the
    # revision of every work of the series (works.services), so the stamp covers them.
    counts = f"{work.kudos_count}.{work.comments_count}.{work.bookmarks_count}.{work.hits}"
    audience = "in" if signed_in else "out"
    return f"blurb:{work.pk}:{work.content_stamp}:{counts}:{audience}"


@register.simple_tag(takes_context=True)
def blurbs(context: Any, works: Any) -> SafeString:
    """The works' blurbs as a list, each rendered once per revision and audience, then from
    the cache.

    A list given as a queryset with prefetches (`with_blurb_data`) is read without them: only
    the works whose blurbs are not cached get their creators, tags and series fetched, so a
    list whose blurbs are all cached costs one query.
    """
    signed_in = _signed_in(context)
    lookups: tuple[Any, ...] = ()
    if isinstance(works, QuerySet):
        lookups = tuple(getattr(works, "_prefetch_related_lookups", ()))
        works = works.prefetch_related(None) if lookups else works
    items = list(works)
    cached = cache.get_many([_blurb_key(work, signed_in) for work in items])
    missing = [work for work in items if _blurb_key(work, signed_in) not in cached]
    if missing:
        if lookups:
            prefetch_related_objects(missing, *lookups)
        made = {
            _blurb_key(work, signed_in): render_to_string(
                "works/blurb.html", {"work": work, "signed_in": signed_in}
            )
            for work in missing
        }
        cache.set_many(made, BLURB_SECONDS)
        cached.update(made)
    if not items:
        return mark_safe('<p class="empty">No works here yet.</p>')
    listed = "".join(cached[_blurb_key(work, signed_in)] for work in items)
    return mark_safe(f'<ol class="work index group">{listed}</ol>')


# Names changed elsewhere (a tag renamed, a series retitled) do not move the work's revision:
# they show within a minute, as on the logged-out page cache (server.page_cache).
FRAGMENT_SECONDS = 60


def _signed_in(context: Any) -> bool:
    user = context.get("user")
    return bool(user is not None and user.is_authenticated)


@register.simple_tag(takes_context=True)
def work_tags(context: Any, work: Work) -> SafeString:
    """The work page's tags, language and series (`works/work_tags.html`), made once per
    revision and audience, then from the cache. The work's tags are fetched only on a miss, so
    a reading page that finds them cached loads the work without them."""
    signed_in = _signed_in(context)
    key = f"work-tags:{work.pk}:{work.content_stamp}:{'in' if signed_in else 'out'}"
    html: str | None = cache.get(key)
    if html is None:
        if "tags" not in getattr(work, "_prefetched_objects_cache", {}):
            prefetch_related_objects([work], tags_in_order())
        parts = series_parts(work, signed_in)
        html = render_to_string("works/work_tags.html", {"work": work, "series_parts": parts})
        cache.set(key, html, FRAGMENT_SECONDS)
    return mark_safe(html)
