"""The filter table: a work is found under the canonical tags its tags stand for and all their
ancestors, and stays so as wranglers merge, unmerge and re-parent tags."""

from __future__ import annotations

import pytest

from ficarchive.tags.filters import refilter_works
from ficarchive.tags.models import FilterTagging, Tag, TagType
from ficarchive.tags.wrangling import merge_tag, set_characters, set_parents, unmerge_tag
from ficarchive.works.models import Work
from tests.cast import make_work
from tests.tags.wrangled import canonical, synonym, wrangle_gilmore_girls

pytestmark = pytest.mark.django_db


def _under(tag: Tag) -> set[str]:
    return set(Work.objects.filter(filter_taggings__filter_tag=tag).values_list("title", flat=True))


def test_a_work_tagged_with_a_synonym_is_found_under_the_canonical_tag_and_its_fandom() -> None:
    gg = wrangle_gilmore_girls()
    make_work(title="Coffee", relationships=["Literati"])
    assert _under(gg.literati) == {"Coffee"}
    assert _under(gg.fandom) == {"Coffee"}
    assert _under(gg.tv) == {"Coffee"}
    assert _under(Tag.objects.get(name="Literati")) == set()


def test_a_relationships_works_are_found_under_its_characters() -> None:
    gg = wrangle_gilmore_girls()
    set_characters(gg.literati, [gg.rory, gg.jess])
    make_work(title="Coffee", relationships=["Literati"])
    assert _under(gg.rory) == {"Coffee"}
    assert _under(gg.jess) == {"Coffee"}


def test_merging_a_used_tag_refilters_its_works() -> None:
    gg = wrangle_gilmore_girls()
    make_work(title="Diner", relationships=["Jess/Rory"])
    assert _under(gg.literati) == set()
    synonym("Jess/Rory", gg.literati)
    assert _under(gg.literati) == {"Diner"}
    assert _under(gg.fandom) == {"Diner"}
    assert _under(Tag.objects.get(name="Jess/Rory")) == set()


def test_a_new_relationship_knows_its_characters_by_their_synonyms() -> None:
    gg = wrangle_gilmore_girls()
    make_work(title="Diner", relationships=["Jess/Rory"])
    guessed = Tag.objects.get(name="Jess/Rory").characters.all()
    assert set(guessed) == {gg.rory, gg.jess}
    # Its works are found under the characters, and so under their fandom.
    assert _under(gg.rory) == {"Diner"}
    assert _under(gg.fandom) == {"Diner"}


def test_unmerging_a_synonym_takes_its_works_out_of_the_canonical_tag() -> None:
    gg = wrangle_gilmore_girls()
    make_work(title="Coffee", relationships=["Literati"])
    unmerge_tag(Tag.objects.get(name="Literati"))
    assert _under(gg.literati) == set()
    assert _under(Tag.objects.get(name="Literati")) == {"Coffee"}


def test_new_parents_reach_the_works_of_sub_tags_and_synonyms() -> None:
    gg = wrangle_gilmore_girls()
    au = canonical("Alternate Universe", TagType.FREEFORM)
    coffee_shop = canonical("Alternate Universe - Coffee Shops", TagType.FREEFORM)
    synonym("Coffee Shop AU", coffee_shop)
    make_work(title="Latte", freeforms=["Coffee Shop AU"], fandoms=["Gilmore Girls"])
    assert _under(au) == set()
    set_parents(coffee_shop, [au, gg.fandom])
    assert _under(au) == {"Latte"}
    set_parents(coffee_shop, [gg.fandom])
    assert _under(au) == set()
    assert _under(gg.fandom) == {"Latte"}


def test_merging_a_canonical_tag_moves_its_sub_tags_to_the_new_one() -> None:
    gg = wrangle_gilmore_girls()
    old = canonical("Gilmore Girls (TV 2000)", TagType.FANDOM)
    lane = canonical("Lane Kim", TagType.CHARACTER, old)
    make_work(title="Drums", characters=["Lane Kim"])
    merge_tag(old, gg.fandom)
    assert list(lane.parents.all()) == [gg.fandom]
    assert _under(gg.fandom) == {"Drums"}
    assert _under(gg.tv) == {"Drums"}


def test_a_changed_tag_list_replaces_the_works_filter_rows() -> None:
    gg = wrangle_gilmore_girls()
    from ficarchive.works.services import WorkData, update_work

    work = make_work(title="Coffee", relationships=["Literati"])
    update_work(work, WorkData(title="Coffee", freeforms=["Fluff"]), work.creators[0])
    assert _under(gg.literati) == set()
    assert _under(Tag.objects.get(name="Fluff")) == {"Coffee"}


def test_refiltering_twice_changes_nothing() -> None:
    wrangle_gilmore_girls()
    work = make_work(title="Coffee", relationships=["Literati"], fandoms=["Gilmore Girls"])
    before = set(FilterTagging.objects.values_list("work_id", "filter_tag_id"))
    refilter_works([work.pk, work.pk])
    assert set(FilterTagging.objects.values_list("work_id", "filter_tag_id")) == before
