"""bench/overlap_fiction.py: its edit styles do what they say, its truth spans point at the
planted text, and a tiny run against a scratch archive prints every style and column."""

from __future__ import annotations

import json
import random
import re
import subprocess
import sys
from functools import cache
from pathlib import Path
from types import ModuleType

from tests.bench.scripts import load

ROOT = Path(__file__).resolve().parent.parent.parent
SCRIPT = ROOT / "bench" / "overlap_fiction.py"

PASSAGE = (
    "Alice was beginning to get very tired of sitting by her sister on the bank. She looked "
    "at the book her sister was reading, but it had no pictures in it, and she thought it was "
    "quite dull. So she walked down to the river and sat on the grass, and she wondered "
    "whether the making of a daisy-chain would be worth the trouble. ‘I do not know,’ said "
    "Alice, ‘what it is for.’ Suddenly a White Rabbit ran close by her. There was nothing so "
    "very remarkable in that, and Alice did not think it very much out of the way to hear "
    "the Rabbit say to itself, ‘Oh dear! I shall be late!’ She hoped it would stop, and she "
    "followed it across the field, and she was just in time to see it pop down a large "
    "rabbit-hole under the hedge. In another moment down went Alice after it, never once "
    "considering how in the world she was to get out again."
)


def bench() -> ModuleType:
    return load("overlap_fiction")


def test_the_tense_switch_puts_past_narration_in_the_present() -> None:
    switch = bench().switch_tense
    assert switch("Then she walked home.") == "Then she walks home."
    assert switch("They were tired, and I was too.") == "They are tired, and I am too."
    assert switch("She hoped it would stop.") == "She hopes it will stop."
    assert switch("He stopped and decided.") == "He stops and decides."
    # participles after be, adjectives after a determiner, and dialogue stay as they are
    assert switch("She was pleased with the tired dog.") == "She is pleased with the tired dog."
    assert switch("‘I walked,’ said Alice.") == "‘I walked,’ says Alice."


def test_the_pov_switch_tells_the_main_character_in_the_first_person() -> None:
    module = bench()
    alice = module.CASTS["alice"]
    switched = module.switch_pov(
        "Alice looked at her cat, and she smiled. The Rabbit ran to Alice’s house.", alice
    )
    assert switched == "I looked at my cat, and I smiled. The Rabbit ran to my house."
    # speech is the characters' own words: untouched
    assert module.switch_pov("‘She is late,’ said Alice.", alice) == "‘She is late,’ said I."


def test_the_pov_switch_tells_a_narrator_in_the_third_person() -> None:
    module = bench()
    watson = module.CASTS["sherlock"]
    switched = module.switch_pov('"Come," said he. I walked to my room by myself.', watson)
    assert switched == '"Come," said he. Watson walked to his room by himself.'


def test_a_rename_swaps_every_name_for_the_same_new_one() -> None:
    module = bench()
    pride = module.CASTS["pride"]
    mapping = module.rename_map(pride, random.Random(4))
    assert mapping["Lizzy"] == mapping["Eliza"] == mapping["Elizabeth"]
    assert len({mapping[n] for n in ("Elizabeth", "Jane", "Lydia", "Kitty", "Mary")}) == 5
    text = "Elizabeth told Jane. “Lizzy!” cried Jane, and Elizabeth laughed at Mr. Darcy."
    renamed = module.rename(text, mapping)
    assert not re.search(r"\b(Elizabeth|Lizzy|Jane|Darcy)\b", renamed)
    assert renamed.count(mapping["Elizabeth"]) == 3
    assert renamed.count(mapping["Jane"]) == 2
    assert f"Mr. {mapping['Darcy']}" in renamed


def test_a_light_edit_changes_five_to_ten_percent_of_the_words() -> None:
    module = bench()
    shares = []
    for seed in range(12):
        edited = module.light_edit(PASSAGE, random.Random(seed))
        shares.append(module.changed_share(PASSAGE, edited))
        assert edited != PASSAGE
    assert all(0.05 <= share <= 0.10 for share in shares), shares


def test_reordering_keeps_every_sentence_and_adds_one() -> None:
    module = bench()
    text = "One went. Two came. Three sat.\n\nFour stood. Five ran."
    reordered = module.reorder(text, random.Random(2), "A new one spoke.")
    assert reordered != text
    assert sorted(re.findall(r"\w+ \w+\.", reordered)) == sorted(
        ["One went.", "Two came.", "Three sat.", "Four stood.", "Five ran.", "one spoke."]
    )


def test_retagging_changes_adds_or_removes_speech_tags() -> None:
    module = bench()
    text = "“Yes,” said Jane.\n\n“No.”\n\n“Why?” she asked."
    retagged = {module.retag_dialogue(text, random.Random(seed), "Elizabeth") for seed in range(8)}
    assert text not in retagged
    assert any("said Jane" not in t and "Jane" in t for t in retagged)  # a tag changed
    assert any("“No,” " in t for t in retagged)  # a tag added
    assert any("“Yes.”" in t for t in retagged)  # a tag removed


@cache
def _maker() -> tuple[ModuleType, object]:
    module = bench()
    books = module.read_books(module.DEFAULT_SOURCE, 8000)
    sources = []
    for b, book in enumerate(books):  # one stored-like chapter per book, as the check reads it
        paragraphs = [p for chapter in book.archive for p in chapter]
        text = "\n\n".join(paragraphs)
        sources.append(module.SourceChapter(b, 100 + b, book.title, 1, text, paragraphs))
    return module, module.DraftMaker(books, sources, random.Random(7))


def test_truth_spans_point_at_the_planted_text_in_the_draft_and_the_source() -> None:
    module, maker = _maker()
    for style in module.STYLES:
        draft = maker.draft(style)  # type: ignore[attr-defined]
        module.read_draft(draft)
        assert draft.cases
        for case in draft.cases:
            chapter = draft.chapters[case.draft_chapter - 1]
            assert chapter[case.draft_start : case.draft_end] == case.planted
            source = next(s for s in maker.sources if s.work_id == case.work_id)  # type: ignore[attr-defined]
            assert source.text[case.source_start : case.source_end] == case.original
            assert 40 <= case.words <= 300
            assert (case.planted == case.original) == (style == "verbatim")


def test_new_prose_comes_from_another_book_with_the_source_books_names() -> None:
    _, maker = _maker()
    sources = maker.sources  # type: ignore[attr-defined]
    draft = maker.draft("verbatim", most=1)  # type: ignore[attr-defined]
    (case,) = draft.cases
    source = next(s for s in sources if s.work_id == case.work_id)
    prose = [p for p in draft.paragraphs if p != case.planted]
    assert prose
    assert not any(p in source.text for p in prose)
    assert all(p not in s.text for s in sources for p in prose)  # held out of every work


def test_a_tiny_run_prints_every_style_and_column(tmp_path: Path) -> None:
    out = tmp_path / "fiction.json"
    command = [sys.executable, str(SCRIPT), "--cases", "2", "--negatives", "2"]
    command += ["--book-words", "12000", "--json", str(out)]
    done = subprocess.run(
        command, cwd=ROOT, capture_output=True, text=True, timeout=900, check=False
    )
    assert done.returncode == 0, done.stdout + done.stderr
    lines = done.stdout.splitlines()
    header = next(line for line in lines if line.startswith("style"))
    for column in ("drafts", "cases", "found", "detect", "recall", "prec", "gran", "false/draft"):
        assert column in header
    module = bench()
    for style in (*module.STYLES, *module.NEGATIVES):
        assert any(line.startswith(f"{style} ") for line in lines), style
    assert "machine:" in done.stdout
    assert "Python" in done.stdout or "CPython" in done.stdout
    report = json.loads(out.read_text())
    for style in module.STYLES:
        row = report["styles"][style]
        assert row["cases"] == 2
        assert 0 <= row["detection"] <= 1
    assert report["styles"]["negative-same-book"]["cases"] == 0
    targets = [line for line in lines if line.rstrip().endswith(("PASS", "MISS"))]
    assert len(targets) == len(report["targets"]) > len(module.STYLES)


def test_the_default_books_are_the_three_novels_and_no_cut_down_copy() -> None:
    script = bench()
    names = [path.name for path in script.book_files(script.DEFAULT_SOURCE)]
    assert names == [
        "alice-in-wonderland.txt.gz",
        "pride-and-prejudice.txt.gz",
        "sherlock-holmes.txt.gz",
    ]
