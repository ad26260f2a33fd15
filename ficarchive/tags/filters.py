"""The filter table: which tags each work is found under, kept in step with works and wrangling.

A work's tags stand for filter tags: a synonym for its canonical tag, any other tag for itself
(so an unwrangled tag's page still lists its works), and each of those for all its ancestors —
its parents, their parents, and a relationship's characters. Rows are recomputed for a batch of
works at once, in a fixed number of queries per batch, never one query per work.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction

from ficarchive.tags.models import FilterTagging, Tag

# Works refiltered per round: keeps each IN (...) list well under SQLite's variable limit.
BATCH = 500

TagParents = Tag.parents.through
RelationshipCharacters = Tag.characters.through
# The works' tags, read through Tag's side of the relation so this app needs no works import.
WorkTags = Tag.works.through


def _upward_edges(tag_ids: set[int]) -> dict[int, set[int]]:
    """Every tag above `tag_ids` (parents and a relationship's characters), read level by
    level: one pair of queries per level of the tree, which is a handful deep."""
    edges: dict[int, set[int]] = {}
    frontier = set(tag_ids)
    while frontier:
        pairs = list(
            TagParents.objects.filter(from_tag_id__in=frontier).values_list(
                "from_tag_id", "to_tag_id"
            )
        )
        pairs += RelationshipCharacters.objects.filter(from_tag_id__in=frontier).values_list(
            "from_tag_id", "to_tag_id"
        )
        for child, parent in pairs:
            edges.setdefault(child, set()).add(parent)
        edges.update({tag: set() for tag in frontier if tag not in edges})
        frontier = {parent for _, parent in pairs if parent not in edges}
    return edges


def _closure(
    tag_id: int, edges: dict[int, set[int]], memo: dict[int, frozenset[int]]
) -> frozenset[int]:
    """The tag and all its ancestors. Wrangling refuses cycles; `seen` guards against one that
    slipped in by hand, so a bad row costs a missing filter, never a hang."""
    if tag_id in memo:
        return memo[tag_id]
    found = {tag_id}
    stack = [tag_id]
    while stack:
        for parent in edges.get(stack.pop(), ()):
            if parent not in found:
                found.add(parent)
                stack.append(parent)
    memo[tag_id] = frozenset(found)
    return memo[tag_id]


def filter_tags_for(tag_ids: Iterable[int]) -> dict[int, frozenset[int]]:
    """For each tag, the filter tags a work carrying it is found under."""
    ids = set(tag_ids)
    stands_for = dict(Tag.objects.filter(pk__in=ids).values_list("pk", "merger_id"))
    representatives = {tag: merger or tag for tag, merger in stands_for.items()}
    edges = _upward_edges(set(representatives.values()))
    memo: dict[int, frozenset[int]] = {}
    return {tag: _closure(rep, edges, memo) for tag, rep in representatives.items()}


def _refilter_batch(work_ids: list[int]) -> None:
    tagged = list(WorkTags.objects.filter(work_id__in=work_ids).values_list("work_id", "tag_id"))
    filters = filter_tags_for({tag for _, tag in tagged})
    wanted = {(work, f) for work, tag in tagged for f in filters.get(tag, ())}
    existing = {
        (work, tag): pk
        for pk, work, tag in FilterTagging.objects.filter(work_id__in=work_ids).values_list(
            "pk", "work_id", "filter_tag_id"
        )
    }
    stale = [pk for pair, pk in existing.items() if pair not in wanted]
    if stale:
        FilterTagging.objects.filter(pk__in=stale).delete()
    FilterTagging.objects.bulk_create(
        [FilterTagging(work_id=w, filter_tag_id=t) for w, t in wanted if (w, t) not in existing]
    )


@transaction.atomic
def refilter_works(work_ids: Iterable[int]) -> None:
    """Make the filter rows of these works match their tags and the tag tree as it is now."""
    ids = sorted(set(work_ids))
    for start in range(0, len(ids), BATCH):
        _refilter_batch(ids[start : start + BATCH])


def works_under(tag_ids: Iterable[int]) -> list[int]:
    """The works whose filter rows can change when these tags are wrangled: those found under
    them now, and those carrying them (in one query)."""
    ids = list(tag_ids)
    carrying = WorkTags.objects.filter(tag_id__in=ids).values_list("work_id", flat=True)
    found = FilterTagging.objects.filter(filter_tag_id__in=ids).values_list("work_id", flat=True)
    return list(found.union(carrying))
