from __future__ import annotations

from pathlib import Path

import pytest

from ficarchive.tags.suggest import (
    SHORT_TEXT_WORDS,
    CharacterTag,
    RelationshipTag,
    Suggestion,
    name_terms,
    suggest,
)
from ficarchive.texts.formats import parse_file

FOUNDING_STORY = Path(__file__).parent.parent / "fixtures" / "everything-back-but-you.txt"

GILMORE_GIRLS = (
    CharacterTag("Rory Gilmore", ("Rory",)),
    CharacterTag("Jess Mariano", ("Jess",)),
    CharacterTag("Dean Forester", ("Dean",)),
    CharacterTag("Luke Danes", ("Luke",)),
    CharacterTag("Lorelai Gilmore", ("Lorelai",)),
    CharacterTag("Lindsay Lister"),
)

# Filler that names nobody and holds no romance cue, to make a text long or a scene apart.
FILLER = "The diner was busy that morning and the coffee was strong as ever. "


def long_text(*paragraphs: str) -> str:
    """Paragraphs padded past the short-text limit, so one mention is not enough."""
    paragraph = FILLER * 10
    count = SHORT_TEXT_WORDS // len(paragraph.split()) + 1
    return "\n\n".join([*paragraphs, *[paragraph] * count])


def characters(suggestions: list[Suggestion]) -> dict[str, Suggestion]:
    return {s.name: s for s in suggestions if s.type == "character"}


def relationships(suggestions: list[Suggestion]) -> dict[str, Suggestion]:
    return {s.name: s for s in suggestions if s.type == "relationship"}


@pytest.fixture(scope="module")
def founding_chapters() -> list[str]:
    parsed = parse_file(FOUNDING_STORY)
    return [chapter.text for chapter in parsed.chapters]


def test_the_founding_story_suggests_its_characters_and_its_couple(
    founding_chapters: list[str],
) -> None:
    found = suggest(founding_chapters, GILMORE_GIRLS)

    assert {"Rory Gilmore", "Jess Mariano", "Dean Forester", "Luke Danes"} <= set(characters(found))
    couple = relationships(found)["Rory Gilmore/Jess Mariano"]
    assert couple.new
    assert couple.reason.startswith("together in ")
    # The story ends with Rory and Jess together: they come before her past with Dean.
    assert found[0].name == "Rory Gilmore/Jess Mariano"


def test_the_founding_story_does_not_suggest_who_it_never_names(
    founding_chapters: list[str],
) -> None:
    found = suggest(founding_chapters, GILMORE_GIRLS)

    # Lorelai is only ever "her Mom"; "Gilmore" alone names nobody.
    assert "Lorelai Gilmore" not in characters(found)


def test_the_founding_story_uses_an_existing_relationship_tag(founding_chapters: list[str]) -> None:
    existing = RelationshipTag("Jess Mariano/Rory Gilmore", ("Jess Mariano", "Rory Gilmore"))

    found = relationships(suggest(founding_chapters, GILMORE_GIRLS, [existing]))

    assert "Rory Gilmore/Jess Mariano" not in found
    assert found["Jess Mariano/Rory Gilmore"].new is False


def test_characters_are_sorted_by_mentions_with_a_reason() -> None:
    text = long_text("Jess read. Rory read. Jess smiled. Rory laughed. Jess left.")

    found = [s for s in suggest([text], GILMORE_GIRLS) if s.type == "character"]

    assert [(s.name, s.mentions, s.reason) for s in found] == [
        ("Jess Mariano", 3, "mentioned 3 times"),
        ("Rory Gilmore", 2, "mentioned 2 times"),
    ]


def test_a_shared_surname_counts_for_nobody() -> None:
    text = long_text("Gilmore was late again. Gilmore always was. Everyone waited for Gilmore.")

    assert suggest([text], GILMORE_GIRLS) == []


def test_a_shared_surname_inside_a_full_name_counts_once_for_its_owner() -> None:
    text = long_text("Rory Gilmore arrived. Later Rory Gilmore left.")

    assert characters(suggest([text], GILMORE_GIRLS))["Rory Gilmore"].mentions == 2


def test_an_unambiguous_surname_counts_for_its_character() -> None:
    text = long_text("Mariano shrugged. Nobody argued with Mariano.")

    assert characters(suggest([text], GILMORE_GIRLS))["Jess Mariano"].mentions == 2


def test_a_synonym_counts_for_its_canonical_tag() -> None:
    cast = [CharacterTag("Rory Gilmore", ("Lorelai 'Rory' Gilmore", "Kid"))]
    text = long_text("Kid, come here. Lorelai 'Rory' Gilmore did not move.")

    found = characters(suggest([text], cast))

    assert found["Rory Gilmore"].mentions == 2


def test_possessives_count_as_mentions() -> None:
    text = long_text("Jess's book lay open. Jess’s jacket hung on Jess' chair.")

    assert characters(suggest([text], GILMORE_GIRLS))["Jess Mariano"].mentions == 3


def test_names_are_case_sensitive() -> None:
    cast = [CharacterTag("Will Smith")]
    text = long_text("She will go, she will stay, whatever the will of the town.")

    assert suggest([text], cast) == []


def test_a_name_inside_a_longer_word_is_not_a_mention() -> None:
    text = long_text("Deanna and Jessica and Lukewarm coffee, all of them at Deansville.")

    assert suggest([text], GILMORE_GIRLS) == []


def test_a_character_not_mentioned_is_not_suggested() -> None:
    text = long_text("Rory read all afternoon. Rory fell asleep.")

    assert set(characters(suggest([text], GILMORE_GIRLS))) == {"Rory Gilmore"}


def test_one_mention_is_enough_in_a_short_text_but_not_in_a_long_one() -> None:
    short = "Luke poured the coffee."

    assert "Luke Danes" in characters(suggest([short], GILMORE_GIRLS))
    assert "Luke Danes" not in characters(suggest([long_text(short)], GILMORE_GIRLS))


def test_a_disambiguated_tag_is_found_by_its_plain_name() -> None:
    cast = [CharacterTag("Kirk Gleason (Gilmore Girls)")]
    text = long_text("Kirk had a new business. Kirk Gleason always did.")

    assert characters(suggest([text], cast))["Kirk Gleason (Gilmore Girls)"].mentions == 2


def test_name_terms_drop_a_synonym_two_tags_claim() -> None:
    cast = [
        CharacterTag("Rory Gilmore", ("Gilmore girl",)),
        CharacterTag("Lorelai Gilmore", ("Gilmore girl",)),
    ]

    terms = name_terms(cast)

    assert "Gilmore girl" not in terms
    assert "Gilmore" not in terms
    assert terms["Lorelai"] == "Lorelai Gilmore"


def test_a_kiss_suggests_a_new_relationship_in_order_of_appearance() -> None:
    text = long_text("Jess looked up as Rory came in. Rory kissed Jess, and Jess kissed her back.")

    found = relationships(suggest([text], GILMORE_GIRLS))

    assert found == {
        "Jess Mariano/Rory Gilmore": Suggestion(
            "Jess Mariano/Rory Gilmore",
            "relationship",
            1,
            "together in 1 romantic scene",
            new=True,
        )
    }


def test_characters_only_in_non_romantic_scenes_get_no_relationship() -> None:
    scene = "Luke poured coffee for Rory. Rory thanked Luke and opened her book."
    text = "\n\n* * *\n\n".join([scene] * 5)

    found = suggest([text], GILMORE_GIRLS)

    assert set(characters(found)) == {"Rory Gilmore", "Luke Danes"}
    assert relationships(found) == {}


def test_romance_in_another_scene_does_not_pair_characters() -> None:
    text = "\n\n".join(
        [
            "Luke poured coffee for Rory and went back to the counter.",
            "* * *",
            "Dean kissed Lindsay goodbye. Lindsay loved Dean, her husband.",
            "* * *",
            "Rory and Luke talked about books until closing.",
        ]
    )

    found = relationships(suggest([text], GILMORE_GIRLS))

    assert set(found) == {"Dean Forester/Lindsay Lister"}


def test_a_third_character_nearby_does_not_join_the_couple() -> None:
    text = long_text(
        "Dean watched from the door, as Dean always did. That night Rory kissed Jess under "
        "the bridge, and Jess kissed her back. Rory laughed."
    )

    found = suggest([text], GILMORE_GIRLS)

    assert "Dean Forester" in characters(found)
    assert set(relationships(found)) == {"Rory Gilmore/Jess Mariano"}


def test_one_loose_cue_a_sentence_away_is_not_a_romance() -> None:
    text = long_text(
        "Rory sat with Lindsay at the bus stop. Neither said much. She said she loved the "
        "town. Rory left first, and Lindsay stayed."
    )

    assert relationships(suggest([text], GILMORE_GIRLS)) == {}


def test_a_text_without_breaks_is_read_in_windows_of_paragraphs() -> None:
    romance = "Rory kissed Jess by the lake."
    apart = "\n\n".join([FILLER] * 8)
    text = "\n\n".join([romance, apart, romance, apart, romance])

    found = relationships(suggest([text], GILMORE_GIRLS))

    assert found["Rory Gilmore/Jess Mariano"].mentions == 3


def test_chapters_are_scenes_of_their_own() -> None:
    chapters = ["Rory kissed Jess.", "Rory kissed Jess again."]

    found = relationships(suggest(chapters, GILMORE_GIRLS))

    assert found["Rory Gilmore/Jess Mariano"].reason == "together in 2 romantic scenes"


FRIENDS = RelationshipTag("Rory Gilmore & Luke Danes", ("Rory Gilmore", "Luke Danes"))


def test_an_existing_platonic_tag_is_suggested_after_three_shared_scenes() -> None:
    scene = "Luke poured coffee for Rory. Rory thanked Luke."
    text = "\n\n* * *\n\n".join([scene] * 3)

    found = relationships(suggest([text], GILMORE_GIRLS, [FRIENDS]))

    assert found["Rory Gilmore & Luke Danes"].reason == "together in 3 scenes, none romantic"
    assert found["Rory Gilmore & Luke Danes"].new is False


def test_a_platonic_tag_needs_three_shared_scenes() -> None:
    scene = "Luke poured coffee for Rory. Rory thanked Luke."
    text = "\n\n* * *\n\n".join([scene] * 2)

    assert relationships(suggest([text], GILMORE_GIRLS, [FRIENDS])) == {}


def test_a_platonic_tag_is_never_invented() -> None:
    scene = "Luke poured coffee for Rory. Rory thanked Luke."
    text = "\n\n* * *\n\n".join([scene] * 4)

    assert relationships(suggest([text], GILMORE_GIRLS)) == {}


def test_romance_wins_over_an_existing_platonic_tag() -> None:
    text = "Luke poured coffee for Rory.\n\n* * *\n\nRory kissed Luke on the cheek."

    found = relationships(suggest([text], GILMORE_GIRLS, [FRIENDS]))

    assert set(found) == {"Luke Danes/Rory Gilmore"}


def test_no_characters_means_no_suggestions() -> None:
    assert suggest(["Rory kissed Jess."], []) == []
