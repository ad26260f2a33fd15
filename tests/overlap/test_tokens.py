"""Words for the overlap check: the three cuts into words, the stop words and the stemmer."""

from __future__ import annotations

from ficarchive.overlap import align, fingerprints, passages, tokens, verify
from ficarchive.search import semantic


def test_a_word_keeps_its_inner_apostrophes() -> None:
    found = [m.group() for m in tokens.words("Rory’s coffee, didn't she?")]
    assert found == ["Rory’s", "coffee", "didn't", "she"]
    assert tokens.words("Rory’s")[0].span() == (0, 6)


def test_a_word_piece_splits_at_apostrophes_into_pieces_the_stop_words_hold() -> None:
    pieces = tokens.WORD_PIECE.findall("didn't won't they'll")
    assert pieces == ["didn", "t", "won", "t", "they", "ll"]
    assert set(pieces) <= tokens.STOP_WORDS | {"they"}


def test_letters_are_runs_of_lower_case_letters() -> None:
    assert tokens.LETTERS.findall("the 3 lamps, lit") == ["the", "lamps", "lit"]


def test_stop_words_are_function_words_not_topics() -> None:
    assert {"the", "and", "would", "their"} <= tokens.STOP_WORDS
    assert not {"lamp", "storm", "keeper"} & tokens.STOP_WORDS


def test_the_stemmer_brings_forms_of_a_word_together() -> None:
    assert tokens.STEMMER.stemWords(["climbing", "climbed", "climbs"]) == ["climb"] * 3


def test_every_part_of_the_check_uses_the_same_words() -> None:
    for module in (align, fingerprints, verify):
        assert vars(module)["STOP_WORDS"] is tokens.STOP_WORDS, module.__name__
        assert vars(module)["STEMMER"] is tokens.STEMMER, module.__name__
    assert vars(passages)["WORD"] is tokens.WORD


def test_story_descriptions_leave_out_the_overlap_stop_words_and_more() -> None:
    assert tokens.STOP_WORDS < semantic.STOP_WORDS
    assert {"story", "something"} <= semantic.STOP_WORDS - tokens.STOP_WORDS
