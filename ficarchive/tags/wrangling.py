"""Tag wrangling: canonical tags, synonyms, parents and a relationship's characters.

Each change runs in one transaction with the filter rows of every affected work, so a tag page
never shows a half-wrangled tree. Mistakes a wrangler can make (a wrong type, a cycle) are
`TagError`s naming the tag.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TypeVar

from django.db import models, transaction

from ficarchive.tags.filters import (
    RelationshipCharacters,
    TagParents,
    filter_tags_for,
    refilter_works,
    works_under,
)
from ficarchive.tags.models import OFFICIAL_TAGS, Tag, TagType
from ficarchive.tags.services import TagError, guess_characters, split_tag_list

Edge = TypeVar("Edge", bound=models.Model)

# What a tag of each type may sit under; types not listed have no parents.
PARENT_TYPES: dict[str, frozenset[str]] = {
    TagType.FANDOM: frozenset({TagType.MEDIA, TagType.FANDOM}),
    TagType.CHARACTER: frozenset({TagType.FANDOM, TagType.CHARACTER}),
    TagType.RELATIONSHIP: frozenset({TagType.FANDOM, TagType.RELATIONSHIP}),
    TagType.FREEFORM: frozenset({TagType.FANDOM, TagType.FREEFORM}),
}
# Official tags and media are fixed: they are always canonical and never merged.
FIXED_TYPES = frozenset({*OFFICIAL_TAGS, TagType.MEDIA})


def _label(tag_type: str) -> str:
    """The type as a reader says it: "fandom", "additional" (for freeform tags)."""
    return "additional" if tag_type == TagType.FREEFORM else TagType(tag_type).label.lower()


def _a(tag_type: str) -> str:
    label = _label(tag_type)
    return f"{'an' if label[0] in 'aeiou' else 'a'} {label} tag"


def tag_named(name: str) -> Tag:
    tag = Tag.objects.filter(name__iexact=" ".join(name.split())).first()
    if tag is None:
        raise TagError(f"There is no tag named {name!r}.")
    return tag


def tags_named(text: str) -> list[Tag]:
    """Tags from a comma-separated list of names; a synonym stands for its canonical tag."""
    tags = [tag_named(name) for name in split_tag_list(text)]
    return list(dict.fromkeys(tag.merger if tag.merger_id else tag for tag in tags))  # type: ignore[misc]


def _refilter_after(tags: Iterable[Tag]) -> list[int]:
    """The works to refilter once these tags change, read before they do."""
    return works_under([tag.pk for tag in tags])


def _not_fixed(tag: Tag) -> None:
    if tag.type in FIXED_TYPES:
        raise TagError(f"{tag.name!r} is an official {_label(tag.type)} tag and cannot change.")


@transaction.atomic
def make_canonical(tag: Tag) -> Tag:
    """Mark a tag as the common form readers filter by. Its works already filter under it."""
    if tag.merger_id is not None:
        raise TagError(
            f"{tag.name!r} is a synonym of {tag.merger.name!r}; "  # type: ignore[union-attr]
            "remove it from its canonical tag first."
        )
    tag.canonical = True
    tag.save(update_fields=["canonical"])
    if tag.type == TagType.RELATIONSHIP and not tag.characters.exists():
        set_characters(tag, guess_characters(tag.name))
    return tag


@transaction.atomic
def make_not_canonical(tag: Tag) -> Tag:
    _not_fixed(tag)
    if tag.synonyms.exists() or tag.children.exists() or tag.relationships.exists():
        raise TagError(
            f"{tag.name!r} has synonyms, sub-tags or relationships; "
            "move them to another tag before it stops being canonical."
        )
    tag.canonical = False
    tag.save(update_fields=["canonical"])
    return tag


def _repoint(through: type[Edge], old: int, new: int) -> None:
    """Edges into `old` now go into `new` (its sub-tags, or relationships it is a character of);
    edges out of `old` are dropped."""
    manager = through._default_manager
    moved = manager.filter(to_tag_id=old)
    manager.bulk_create(
        [
            through(from_tag_id=child, to_tag_id=new)
            for child in moved.values_list("from_tag_id", flat=True)
        ],
        ignore_conflicts=True,
    )
    moved.delete()
    manager.filter(from_tag_id=old).delete()


@transaction.atomic
def merge_tag(tag: Tag, into: Tag) -> Tag:
    """Make `tag` a synonym of the canonical `into`: its works, synonyms and sub-tags follow.

    The tag's own parents and characters are dropped: `into` carries the wrangling now.
    """
    _not_fixed(tag)
    if into.pk == tag.pk:
        raise TagError(f"{tag.name!r} cannot be a synonym of itself.")
    if not into.canonical:
        raise TagError(f"{into.name!r} is not canonical; merge into a canonical tag.")
    if into.type != tag.type:
        raise TagError(
            f"{tag.name!r} is {_a(tag.type)} and {into.name!r} "
            f"{_a(into.type)}; a synonym has its canonical tag's type."
        )
    if tag.pk in filter_tags_for([into.pk])[into.pk]:
        raise TagError(f"{into.name!r} is a sub-tag of {tag.name!r}; that would make a cycle.")
    affected = _refilter_after([tag])
    Tag.objects.filter(merger=tag).update(merger=into)
    _repoint(TagParents, tag.pk, into.pk)
    _repoint(RelationshipCharacters, tag.pk, into.pk)
    tag.canonical = False
    tag.merger = into
    tag.save(update_fields=["canonical", "merger"])
    refilter_works(affected)
    return tag


@transaction.atomic
def unmerge_tag(tag: Tag) -> Tag:
    """A synonym becomes a tag of its own again; its works stop filtering under the merger."""
    affected = _refilter_after([tag])
    tag.merger = None
    tag.save(update_fields=["merger"])
    refilter_works(affected)
    return tag


def _check_parent(tag: Tag, parent: Tag) -> None:
    allowed = PARENT_TYPES.get(tag.type, frozenset())
    if not allowed:
        raise TagError(f"{tag.name!r} is {_a(tag.type)}; those have no parent tags.")
    if parent.type not in allowed:
        names = " or ".join(sorted(_label(t) for t in allowed))
        raise TagError(
            f"{parent.name!r} is {_a(parent.type)}; {_a(tag.type)}'s parents are {names} tags."
        )
    if not parent.canonical:
        raise TagError(f"{parent.name!r} is not canonical; only canonical tags can be parents.")
    if parent.pk == tag.pk or tag.pk in filter_tags_for([parent.pk])[parent.pk]:
        raise TagError(f"{parent.name!r} is under {tag.name!r}; that would make a cycle.")


@transaction.atomic
def set_parents(tag: Tag, parents: list[Tag]) -> Tag:
    """Replace the tag's parents; its works (and its sub-tags' works) filter under the new ones."""
    if tag.merger_id is not None:
        raise TagError(f"{tag.name!r} is a synonym; set the parents of its canonical tag.")
    for parent in parents:
        _check_parent(tag, parent)
    affected = _refilter_after([tag])
    tag.parents.set(parents)
    refilter_works(affected)
    return tag


def add_parent(tag: Tag, parent: Tag) -> Tag:
    return set_parents(tag, [*tag.parents.all(), parent])


def remove_parent(tag: Tag, parent: Tag) -> Tag:
    return set_parents(tag, [p for p in tag.parents.all() if p.pk != parent.pk])


@transaction.atomic
def set_characters(relationship: Tag, characters: list[Tag]) -> Tag:
    """The characters in a relationship; its works are found under them too, as on AO3."""
    if relationship.type != TagType.RELATIONSHIP:
        raise TagError(f"{relationship.name!r} is not a relationship tag.")
    characters = list(dict.fromkeys(c.merger if c.merger else c for c in characters))
    for character in characters:
        if character.type != TagType.CHARACTER:
            raise TagError(f"{character.name!r} is {_a(character.type)}, not a character tag.")
    affected = _refilter_after([relationship])
    relationship.characters.set(characters)
    refilter_works(affected)
    return relationship
