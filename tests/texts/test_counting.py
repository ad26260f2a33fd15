from __future__ import annotations

import random

from ficarchive.texts.counting import count_words, count_words_in_text, count_words_slowly


def test_it_counts_words_not_markup() -> None:
    assert count_words("<p>One <em>two</em> three.</p><p>Four</p>") == 4


def test_block_edges_separate_words() -> None:
    assert count_words("<p>end</p><p>start</p>") == 2


def test_each_cjk_character_is_a_word_and_punctuation_is_not() -> None:
    assert count_words("<p>你好世界 — ok</p>") == 5


def test_the_one_regex_count_agrees_with_the_rule_token_by_token() -> None:
    alphabet = [*"ab _-!.,;:—…'\"\n\t *1é", "你", "・", "。", "ア", "한", "ก", "\u3000", "\u00a0"]
    rng = random.Random(14)
    for _ in range(20_000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 24)))
        assert count_words_in_text(text) == count_words_slowly(text), repr(text)


def test_a_long_run_of_punctuation_is_counted_in_one_pass() -> None:
    assert count_words_in_text("!" * 1_000_000 + "a") == 1
