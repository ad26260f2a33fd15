"""Wrangling services refuse what would break the tag tree, with a message naming the tag."""

from __future__ import annotations

import pytest

from ficarchive.tags.models import Tag, TagType
from ficarchive.tags.services import TagError
from ficarchive.tags.wrangling import (
    make_canonical,
    make_not_canonical,
    merge_tag,
    set_characters,
    set_parents,
)
from tests.tags.wrangled import canonical, wrangle_gilmore_girls

pytestmark = pytest.mark.django_db


def test_a_tag_cannot_be_its_own_ancestor() -> None:
    au = canonical("Alternate Universe", TagType.FREEFORM)
    coffee = canonical("Alternate Universe - Coffee Shops", TagType.FREEFORM, au)
    with pytest.raises(TagError, match="Alternate Universe - Coffee Shops"):
        set_parents(au, [coffee])
    with pytest.raises(TagError, match="cycle"):
        set_parents(au, [au])
    assert list(au.parents.all()) == []


def test_a_tag_cannot_be_merged_into_its_own_sub_tag() -> None:
    au = canonical("Alternate Universe", TagType.FREEFORM)
    coffee = canonical("Alternate Universe - Coffee Shops", TagType.FREEFORM, au)
    with pytest.raises(TagError, match="cycle"):
        merge_tag(au, coffee)


def test_parents_must_be_of_a_fitting_type() -> None:
    gg = wrangle_gilmore_girls()
    with pytest.raises(TagError, match="'Rory Gilmore' is a character tag"):
        set_parents(gg.fandom, [gg.rory])
    with pytest.raises(TagError, match="'TV Shows' is a media tag"):
        set_parents(gg.tv, [gg.fandom])
    with pytest.raises(TagError, match="'TV Shows' is a media tag; a character tag's parents"):
        set_parents(gg.rory, [gg.tv])


def test_parents_must_be_canonical() -> None:
    gg = wrangle_gilmore_girls()
    loose = Tag.objects.create(name="Stars Hollow", type=TagType.FANDOM)
    with pytest.raises(TagError, match="'Stars Hollow' is not canonical"):
        set_parents(gg.rory, [loose])


def test_a_synonym_takes_its_canonical_tags_type() -> None:
    gg = wrangle_gilmore_girls()
    rory = Tag.objects.create(name="Rory G", type=TagType.FREEFORM)
    with pytest.raises(
        TagError, match="'Rory G' is an additional tag and 'Rory Gilmore' a character tag"
    ):
        merge_tag(rory, gg.rory)
    assert Tag.objects.get(name="Rory G").merger is None


def test_merging_needs_a_canonical_target() -> None:
    loose = Tag.objects.create(name="Jess/Rory", type=TagType.RELATIONSHIP)
    other = Tag.objects.create(name="Rory/Jess", type=TagType.RELATIONSHIP)
    with pytest.raises(TagError, match="'Rory/Jess' is not canonical"):
        merge_tag(loose, other)


def test_a_synonym_cannot_be_made_canonical_without_unmerging() -> None:
    wrangle_gilmore_girls()
    with pytest.raises(TagError, match="'Literati' is a synonym"):
        make_canonical(Tag.objects.get(name="Literati"))


def test_a_canonical_tag_with_synonyms_stays_canonical() -> None:
    gg = wrangle_gilmore_girls()
    with pytest.raises(TagError, match="'Rory Gilmore' has synonyms"):
        make_not_canonical(gg.rory)
    gg.rory.refresh_from_db()
    assert gg.rory.canonical


def test_official_tags_cannot_be_wrangled() -> None:
    mature = Tag.objects.get(name="Mature")
    with pytest.raises(TagError, match="'Mature' is an official rating tag"):
        make_not_canonical(mature)


def test_only_characters_go_in_a_relationship() -> None:
    gg = wrangle_gilmore_girls()
    with pytest.raises(TagError, match="'Gilmore Girls' is a fandom tag, not a character"):
        set_characters(gg.literati, [gg.fandom])
    with pytest.raises(TagError, match="'Rory Gilmore' is not a relationship"):
        set_characters(gg.rory, [gg.jess])


def test_a_synonym_named_as_character_stands_for_its_canonical_tag() -> None:
    gg = wrangle_gilmore_girls()
    set_characters(gg.literati, [Tag.objects.get(name="Rory"), gg.jess])
    assert set(gg.literati.characters.all()) == {gg.rory, gg.jess}


def test_a_platonic_relationship_guesses_its_characters_when_made_canonical() -> None:
    gg = wrangle_gilmore_girls()
    lane = canonical("Lane Kim", TagType.CHARACTER, gg.fandom)
    friends = Tag.objects.create(name="Lane Kim & Rory", type=TagType.RELATIONSHIP)
    make_canonical(friends)
    assert set(friends.characters.all()) == {lane, gg.rory}
