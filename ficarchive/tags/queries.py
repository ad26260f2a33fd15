"""Reads shared by the tag pages: the wrangling queue and autocomplete."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Case, Count, IntegerField, Q, Value, When
from django.db.models.functions import Lower

from ficarchive.tags.models import FilterTagging, Tag, TagType

AUTOCOMPLETE_SIZE = 15
# The wrangling queue shows this many tags at most; wranglers work it from the top.
QUEUE_SIZE = 1000
WRANGLED_TYPES = (TagType.FANDOM, TagType.RELATIONSHIP, TagType.CHARACTER, TagType.FREEFORM)


def autocomplete(term: str, tag_type: str | None = None) -> list[str]:
    """Tag names containing `term`: canonical tags first, then the rest; within each, names
    that start with the term before names that contain it, then alphabetically."""
    term = " ".join(term.split())
    if not term:
        return []
    tags = Tag.objects.filter(name__icontains=term)
    if tag_type:
        tags = tags.filter(type=tag_type)
    starts = Case(
        When(name__istartswith=term, then=Value(0)), default=Value(1), output_field=IntegerField()
    )
    ordered = tags.annotate(infix=starts).order_by("-canonical", "infix", Lower("name"))
    return list(ordered.values_list("name", flat=True)[:AUTOCOMPLETE_SIZE])


@dataclass
class QueueGroup:
    """Unwrangled tags used in one fandom's works, each with how many of those works."""

    fandom: str
    tags: list[tuple[Tag, int]] = field(default_factory=list)


def unwrangled() -> Q:
    return Q(canonical=False, merger__isnull=True, type__in=WRANGLED_TYPES)


def wrangling_queue() -> list[QueueGroup]:
    """Unwrangled tags grouped by the fandoms of the works that carry them, in three queries:
    unwrangled fandoms first, then each fandom, then tags on works without a fandom."""
    tags = {
        tag.pk: tag
        for tag in Tag.objects.filter(unwrangled())
        .annotate(work_count=Count("works"))
        .order_by(Lower("name"))[:QUEUE_SIZE]
    }
    pairs = (
        FilterTagging.objects.filter(
            filter_tag__type=TagType.FANDOM,
            work__tags__in=[pk for pk, tag in tags.items() if tag.type != TagType.FANDOM],
        )
        .values_list("filter_tag__name", "work__tags")
        .annotate(count=Count("work", distinct=True))
        .order_by(Lower("filter_tag__name"))
    )
    groups: dict[str, QueueGroup] = {"": QueueGroup("Unwrangled fandoms")}
    grouped: set[int] = set()
    for fandom, tag_id, count in pairs:
        groups.setdefault(fandom, QueueGroup(fandom)).tags.append((tags[tag_id], count))
        grouped.add(tag_id)
    for tag in tags.values():
        if tag.type == TagType.FANDOM:
            groups[""].tags.append((tag, tag.work_count))
    loose = QueueGroup("No fandom")
    for tag in tags.values():
        if tag.type != TagType.FANDOM and tag.pk not in grouped:
            loose.tags.append((tag, tag.work_count))
    return [group for group in [*groups.values(), loose] if group.tags]
