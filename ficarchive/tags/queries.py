"""Reads shared by the tag pages: the wrangling queue, autocomplete and a text's suggestions."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Case, Count, IntegerField, Prefetch, Q, QuerySet, Value, When
from django.db.models.functions import Lower

from ficarchive.tags.models import FilterTagging, Tag, TagType
from ficarchive.tags.suggest import CharacterTag, RelationshipTag, Suggestion, suggest
from ficarchive.texts.structure import html_to_text

AUTOCOMPLETE_SIZE = 15
# The wrangling queue shows this many tags at most; wranglers work it from the top.
QUEUE_SIZE = 1000
WRANGLED_TYPES = (TagType.FANDOM, TagType.RELATIONSHIP, TagType.CHARACTER, TagType.FREEFORM)


def autocomplete(term: str, tag_type: str | None = None, shown: Q | None = None) -> list[str]:
    """Tag names containing `term`: canonical tags first, then the rest; within each, names
    that start with the term before names that contain it, then alphabetically.

    `shown` limits the names to the tags the reader may know exist (the works app's
    `shown_tags`: canonical ones, and others only through a work the reader may see); the tags
    app knows nothing of who may see which work, so the caller says.
    """
    term = " ".join(term.split())
    if not term:
        return []
    tags = Tag.objects.filter(name__icontains=term)
    if tag_type:
        tags = tags.filter(type=tag_type)
    if shown is not None:
        tags = tags.filter(shown)
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


def suggestions_from(carried_tags: QuerySet[Tag], bodies: Iterable[str]) -> list[Suggestion]:
    """Character and relationship tags the chapter `bodies` (HTML) suggest, from the canonical
    tags of the fandoms among `carried_tags`, without those already carried (directly or
    through a synonym). The works app's `suggestions_for` passes a work's tags and chapters.

    Six queries whatever the number of tags: the carried tags, the fandoms' characters and
    their synonyms, the fandoms' relationships and their characters, and `bodies` if lazy.
    """
    carried = list(
        carried_tags.values_list("pk", "name", "type", "canonical", "merger", "merger__name")
    )
    # A fandom tag stands for its canonical tag; an unwrangled one has no characters yet.
    fandom_ids = {
        merger if merger is not None else pk
        for pk, _, tag_type, canonical, merger, _ in carried
        if tag_type == TagType.FANDOM and (canonical or merger is not None)
    }
    if not fandom_ids:
        return []
    # A character or relationship is a fandom's when one of its parents is the fandom or a
    # synonym of it, so a parent set before a merge still counts.
    in_fandoms = Q(parents__in=fandom_ids) | Q(parents__merger__in=fandom_ids)
    characters = (
        Tag.objects.filter(in_fandoms, type=TagType.CHARACTER, canonical=True)
        .distinct()
        .prefetch_related(Prefetch("synonyms", queryset=Tag.objects.only("name", "merger")))
    )
    relationships = (
        Tag.objects.filter(in_fandoms, type=TagType.RELATIONSHIP, canonical=True)
        .distinct()
        .prefetch_related(
            Prefetch("characters", queryset=Tag.objects.select_related("merger").order_by())
        )
    )
    character_tags = [
        CharacterTag(tag.name, tuple(synonym.name for synonym in tag.synonyms.all()))
        for tag in characters
    ]
    if not character_tags:
        return []
    relationship_tags = [
        RelationshipTag(tag.name, tuple((c.merger or c).name for c in tag.characters.all()))
        for tag in relationships
    ]
    found = suggest([html_to_text(body) for body in bodies], character_tags, relationship_tags)
    has = {
        name.casefold()
        for _, own, _, _, _, merger_name in carried
        for name in (own, merger_name)
        if name
    }
    return [suggestion for suggestion in found if suggestion.name.casefold() not in has]
