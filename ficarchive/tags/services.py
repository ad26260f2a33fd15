"""Tags on works: find or create typed tags from what a writer typed."""

from __future__ import annotations

import re
from collections.abc import Iterable

from django.db import transaction
from django.db.models.functions import Lower

from ficarchive.tags.models import OFFICIAL_TAGS, Tag, TagType


class TagError(Exception):
    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


# AO3 forbids these in tag names: they are its own separators and wildcards.
_FORBIDDEN = re.compile(r"[,^*<>{}=`\\%]")


def split_tag_list(text: str) -> list[str]:
    """Names from a comma-separated field, trimmed, without empties or repeats."""
    seen: set[str] = set()
    names: list[str] = []
    for raw in text.split(","):
        name = " ".join(raw.split())
        if name and name.lower() not in seen:
            seen.add(name.lower())
            names.append(name)
    return names


def find_or_create_tags(tag_type: str, names: Iterable[str]) -> list[Tag]:
    """Tags of one type by name. An existing tag of another type is an error the user can fix."""
    tags: list[Tag] = []
    for name in names:
        if len(name) > 150:
            raise TagError(f"The tag {name[:40]!r}… is longer than 150 characters.", tag_type)
        if _FORBIDDEN.search(name):
            raise TagError(f"The tag {name!r} contains a character tags may not use.", tag_type)
        tag = Tag.objects.filter(name__iexact=name).first()
        if tag is None:
            if tag_type in OFFICIAL_TAGS:
                raise TagError(f"{name!r} is not an official {tag_type} tag.", tag_type)
            with transaction.atomic():
                tag = Tag.objects.create(name=name, type=tag_type)
                if tag_type == TagType.RELATIONSHIP:
                    tag.characters.set(guess_characters(name))
        elif tag.type != tag_type:
            label = TagType(tag.type).label.lower()
            raise TagError(
                f"{name!r} is already a {label} tag; it cannot also be a "
                f"{TagType(tag_type).label.lower()} tag.",
                tag_type,
            )
        tags.append(tag)
    return tags


# "Rory Gilmore/Jess Mariano" is romantic, "Rory Gilmore & Lane Kim" platonic.
_PAIRING = re.compile(r"/|\s&\s")


def guess_characters(relationship_name: str) -> list[Tag]:
    """The character tags a relationship's name spells out, each as its canonical tag, so
    "Jess/Rory" finds Jess Mariano and Rory Gilmore through their synonyms. Names that match no
    character tag are skipped: a wrangler fills those in."""
    parts = [" ".join(part.split()).lower() for part in _PAIRING.split(relationship_name)]
    found = (
        Tag.objects.annotate(lower_name=Lower("name"))
        .filter(type=TagType.CHARACTER, lower_name__in=[p for p in parts if p])
        .select_related("merger")
    )
    by_name = {tag.lower_name: tag.merger or tag for tag in found}
    return list(dict.fromkeys(by_name[part] for part in parts if part in by_name))


def official_tags(tag_type: str) -> list[Tag]:
    order = {name: index for index, name in enumerate(OFFICIAL_TAGS[tag_type])}
    tags = list(Tag.objects.filter(type=tag_type, name__in=order))
    return sorted(tags, key=lambda tag: order[tag.name])
