"""A wrangled Gilmore Girls corner of the archive, built through the wrangling services."""

from __future__ import annotations

from dataclasses import dataclass

from ficarchive.tags.models import Tag, TagType
from ficarchive.tags.wrangling import make_canonical, merge_tag, set_parents


@dataclass
class Wrangled:
    tv: Tag
    fandom: Tag
    rory: Tag
    jess: Tag
    literati: Tag  # the canonical relationship


def canonical(name: str, tag_type: str, *parents: Tag) -> Tag:
    tag, _ = Tag.objects.get_or_create(name=name, defaults={"type": tag_type})
    make_canonical(tag)
    if parents:
        set_parents(tag, list(parents))
    return tag


def synonym(name: str, of: Tag) -> Tag:
    tag, _ = Tag.objects.get_or_create(name=name, defaults={"type": of.type})
    merge_tag(tag, of)
    return tag


def wrangle_gilmore_girls() -> Wrangled:
    tv = Tag.objects.get(name="TV Shows")
    fandom = canonical("Gilmore Girls", TagType.FANDOM, tv)
    rory = canonical("Rory Gilmore", TagType.CHARACTER, fandom)
    jess = canonical("Jess Mariano", TagType.CHARACTER, fandom)
    synonym("Rory", rory)
    synonym("Jess", jess)
    literati = canonical("Rory Gilmore/Jess Mariano", TagType.RELATIONSHIP, fandom)
    synonym("Literati", literati)
    return Wrangled(tv, fandom, rory, jess, literati)
