from __future__ import annotations

from ficarchive.texts.counting import count_words


def test_it_counts_words_not_markup() -> None:
    assert count_words("<p>One <em>two</em> three.</p><p>Four</p>") == 4


def test_block_edges_separate_words() -> None:
    assert count_words("<p>end</p><p>start</p>") == 2


def test_each_cjk_character_is_a_word_and_punctuation_is_not() -> None:
    assert count_words("<p>你好世界 — ok</p>") == 5
