"""The retold-scene detector: the same events in the same order, not the same people and mood.

Fan fiction's hardest negatives are other scenes of the same characters in the same setting: the
chapters of one novel are exactly that. These tests take them from the Project Gutenberg books in
tests/fixtures/gutenberg (issue 16, part 2b).
"""

from __future__ import annotations

import re

import pytest

from ficarchive.overlap import calibration, embeddings, services
from ficarchive.overlap.passages import cut, sentences, without_names
from ficarchive.overlap.verify import scene_likeness
from tests.cast import make_user, make_work
from tests.overlap.gutenberg import paragraphs

# The retold curve's midpoint: the scene likeness scored 0.5.
RETOLD_MIDPOINT = -calibration.CURVES["retold"].bias / calibration.CURVES["retold"].similarity

# Alice in the White Rabbit's house (chapter IV): the bottle, the growing, stuck in the room.
ALICE_GROWS = "By this time she had found her way into a tidy little room"
# That scene retold in other words, written for this test: the same events in the same order,
# no run of five words in common with the book.
ALICE_GROWS_RETOLD = """\
Alice wandered into a neat small bedroom. A table stood by the window, and there, just as she \
had wished, lay a fan together with a few pairs of minute white gloves. She picked up the fan \
and some gloves and turned to go, but then she spotted a small flask beside the mirror. Nobody \
had labelled this one, yet she pulled out the cork and sipped. Something odd always follows \
when I eat or drink, she reasoned, so let us find out what this one does; with luck it will \
make me big once more, as I am sick of being so small.

It worked, and far faster than she had bargained for. Halfway through the flask her skull was \
already squashed against the plaster overhead, and she had to bend low to keep from snapping \
her neck. She set the flask down in a hurry. Enough, she told herself, no more growing, \
please; already the doorway is too narrow for me. How I regret swallowing so much!

Regret came too late. Bigger and bigger she swelled, until she was forced onto her knees; a \
minute afterwards even kneeling was impossible, so she lay flat with an elbow jammed against \
the door and her other arm wrapped about her head. Still she kept swelling, and in desperation \
she pushed an arm through the window and a foot into the fireplace flue. That is all I can \
manage, she said, whatever comes next. Whatever is going to happen to me?

Fortunately the potion had done its worst by then, and she stopped getting larger. Even so she \
was most uncomfortable, and since there was plainly no hope of ever leaving that room, it is \
hardly surprising she was miserable."""


def run_from(book: str, opening: str, count: int, before: int = 0) -> list[str]:
    """`count` paragraphs of the book from `before` paragraphs ahead of the one that opens
    with `opening`."""
    found = paragraphs(book)
    at = next(i for i, p in enumerate(found) if p.startswith(opening)) - before
    return list(found[at : at + count])


def other_chapter_neighbours(book: str, per_book: int = 12) -> list[tuple[str, str]]:
    """Passages of the book paired with the most alike passage (by the semantic detector's
    static vectors, names out) at least ten passages away: the same characters and setting,
    another scene — what the semantic detector hands the sentence model in a check."""
    text = "\n\n".join(paragraphs(book, 8)[:400])
    passages = [text[c.start : c.end] for c in cut(text)]
    vectors = embeddings.static_vectors([without_names(p) for p in passages])
    alike = vectors @ vectors.T
    pairs = []
    for i in range(0, len(passages), max(1, len(passages) // per_book)):
        for j in range(len(passages)):
            if abs(i - j) < 10:
                alike[i, j] = -1
        pairs.append((passages[i], passages[int(alike[i].argmax())]))
    return pairs


def shared_runs(a: str, b: str, size: int = 5) -> set[tuple[str, ...]]:
    def runs(text: str) -> set[tuple[str, ...]]:
        words = re.findall(r"\w+", text.lower())
        return {tuple(words[i : i + size]) for i in range(len(words) - size + 1)}

    return runs(a) & runs(b)


# -- the sentence model's verdict ---------------------------------------------------------------


@pytest.mark.parametrize("book", ["alice-in-wonderland", "pride-and-prejudice", "sherlock-holmes"])
def test_the_nearest_other_scenes_of_a_novel_are_not_alike_enough_to_be_retold(book):
    pairs = other_chapter_neighbours(book)
    likeness = scene_likeness(pairs)
    assert max(likeness) < RETOLD_MIDPOINT, sorted(likeness)[-3:]


def test_a_scene_retold_in_other_words_is_alike_enough_to_be_retold():
    original = "\n\n".join(run_from("alice-in-wonderland", ALICE_GROWS, 4))
    assert not shared_runs(original, ALICE_GROWS_RETOLD)
    (likeness,) = scene_likeness([(ALICE_GROWS_RETOLD, original)])
    assert likeness > RETOLD_MIDPOINT + 0.03


def test_the_same_sentences_out_of_order_are_not_a_retold_scene():
    original = run_from("alice-in-wonderland", ALICE_GROWS, 4)
    # The retelling's paragraphs backwards: the same events, no longer in their order.
    backwards = "\n\n".join(reversed(ALICE_GROWS_RETOLD.split("\n\n")))
    in_order, out_of_order = scene_likeness(
        [(ALICE_GROWS_RETOLD, "\n\n".join(original)), (backwards, "\n\n".join(original))]
    )
    assert out_of_order < in_order / 2


def test_pairs_without_enough_shared_events_never_reach_the_sentence_model(monkeypatch):
    original = "\n\n".join(run_from("alice-in-wonderland", ALICE_GROWS, 4))
    unrelated = "\n\n".join(paragraphs("pride-and-prejudice")[200:203])
    embedded: list[str] = []
    model_vectors = embeddings.model_vectors

    def counted(texts):
        embedded.extend(texts)
        return model_vectors(texts)

    monkeypatch.setattr(embeddings, "model_vectors", counted)
    retold, chance = scene_likeness([(ALICE_GROWS_RETOLD, original), (unrelated, original)])
    assert chance == 0.0
    assert retold > RETOLD_MIDPOINT
    # Only the retold pair's sentences were embedded: none of the unrelated passage's.
    assert embedded
    assert not [s for s in sentences(without_names(unrelated)) if s in embedded]


# -- the check, end to end ----------------------------------------------------------------------

# Scenes with the same characters and setting: the source work's, and the draft's new prose.
# The pair had a "retold" finding before the detector asked for the same events in order.
SAME_PEOPLE = {
    # Netherfield: Elizabeth and Darcy over Miss Bingley's games (ch. 11), and the last days of
    # Elizabeth's stay there (ch. 12).
    "pride-and-prejudice": (
        ("Elizabeth, with a triumphant sensation, looked towards his friend", 10, 4),
        ("To Mr. Darcy it was welcome intelligence", 8, 0),
    ),
}


@pytest.mark.django_db
@pytest.mark.parametrize("book", SAME_PEOPLE)
def test_new_prose_with_the_sources_characters_and_setting_gives_no_retold_finding(book):
    (source_opening, source_count, source_before), (draft_opening, draft_count, _) = SAME_PEOPLE[
        book
    ]
    writer = make_user("wren")
    source = "\n\n".join(run_from(book, source_opening, source_count, source_before))
    draft = "\n\n".join(run_from(book, draft_opening, draft_count))
    work = make_work(writer, title="Earlier", body=source, posted=True)
    services.index_work(work.pk)
    report = services.check_texts([draft], writer, scope="mine")
    assert [f for f in report.findings if f.kind == "retold"] == []


@pytest.mark.django_db
def test_a_retold_scene_in_new_prose_is_still_found():
    writer = make_user("wren")
    source = "\n\n".join(run_from("alice-in-wonderland", ALICE_GROWS, 10, before=4))
    work = make_work(writer, title="Down the Hole", body=source, posted=True)
    services.index_work(work.pk)
    new_prose = run_from("pride-and-prejudice", "To Mr. Darcy it was welcome intelligence", 5)
    draft = "\n\n".join([*new_prose[:3], ALICE_GROWS_RETOLD, *new_prose[3:]])
    report = services.check_texts([draft], writer, scope="mine")
    found = [f for f in report.findings if f.kind in ("retold", "paraphrase")]
    assert found, report.findings
    best = found[0]
    assert best.source.work_id == work.pk
    retold_at = draft.index(ALICE_GROWS_RETOLD)
    assert best.draft.start < retold_at + len(ALICE_GROWS_RETOLD)
    assert best.draft.end > retold_at
    original_at = source.index(ALICE_GROWS)
    assert best.source.start < original_at + 2000
    assert best.source.end > original_at
