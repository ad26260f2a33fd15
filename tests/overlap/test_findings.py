"""From candidates to findings (issue 16, part 2): one reused passage is one finding, found to
its edges in whole sentences, and findings come in the draft's order.

The earlier story is twenty paragraphs of Pride and Prejudice stored as a writer's work; the
draft is new prose (paragraphs of Sherlock Holmes) with passages of it reused and edited."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.core.management import call_command

from ficarchive.accounts.models import User
from ficarchive.overlap import findings, services
from ficarchive.overlap.findings import Finding, SourceSpan, Span, by_score
from ficarchive.works.queries import chapter_texts
from tests.cast import make_user, make_work
from tests.overlap.gutenberg import dialogue, lightly_edited, paragraphs, reordered

pytestmark = pytest.mark.django_db


def earlier_story(at: int) -> tuple[User, list[str], str]:
    """A writer, the paragraphs of their earlier (stored, indexed) story, and its stored text."""
    writer = make_user("wren")
    parts = list(paragraphs("pride-and-prejudice")[at : at + 20])
    work = make_work(writer, title="Earlier", body="\n\n".join(parts))
    services.index_work(work.pk)
    return writer, parts, chapter_texts(work)[0][1]


def new_prose(at: int) -> list[str]:
    return list(paragraphs("sherlock-holmes")[at : at + 12])


def check(writer: User, draft: str) -> list[Finding]:
    return services.check_texts([draft], writer, scope="mine").findings


def where(text: str, parts: list[str]) -> tuple[int, int]:
    start = text.index(parts[0])
    return start, text.index(parts[-1], start) + len(parts[-1])


def assert_covers(finding: Finding, draft: str, copied: list[str], source: str, reused: list[str]):
    """The finding is the reused passage, edges within a few characters on both sides."""
    for (start, end), (true_start, true_end) in (
        ((finding.draft.start, finding.draft.end), where(draft, copied)),
        ((finding.source.start, finding.source.end), where(source, reused)),
    ):
        assert abs(start - true_start) <= 5, (start, true_start)
        assert abs(end - true_end) <= 5, (end, true_end)
    assert finding.draft.text == draft[finding.draft.start : finding.draft.end]
    assert finding.source.text == source[finding.source.start : finding.source.end]


@pytest.mark.parametrize("at", [30, 140, 260])
def test_five_paragraphs_copied_with_ten_small_edits_are_one_finding_covering_all_five(
    at: int,
) -> None:
    writer, earlier, source = earlier_story(at)
    copied = lightly_edited(earlier[8:13], 10)
    new = new_prose(at)
    draft = "\n\n".join(new[:6] + copied + new[6:])

    [finding] = check(writer, draft)

    assert finding.kind == "near-verbatim"
    assert_covers(finding, draft, copied, source, earlier[8:13])


@pytest.mark.parametrize("at", [20, 170, 330])
def test_a_passage_with_seven_in_a_hundred_words_changed_is_one_finding_to_its_edges(
    at: int,
) -> None:
    writer, earlier, source = earlier_story(at)
    reused = earlier[9:11]
    copied = lightly_edited(reused, round(0.07 * len(" ".join(reused).split())))
    new = new_prose(at)
    draft = "\n\n".join(new[:5] + copied + new[5:])

    [finding] = check(writer, draft)

    assert_covers(finding, draft, copied, source, reused)


def test_a_sentence_added_and_names_swapped_leave_one_finding() -> None:
    writer, earlier, source = earlier_story(140)
    reused = earlier[8:12]
    copied = [p.replace("Elizabeth", "Eliza").replace("Darcy", "Fitzwilliam") for p in reused]
    added = "The candles had burned low by then, and nobody had thought to send for more of them."
    sentences = copied[1].split(". ")
    copied[1] = ". ".join([*sentences[:1], added.rstrip("."), *sentences[1:]])
    copied = lightly_edited(copied, 4)
    new = new_prose(140)
    draft = "\n\n".join(new[:6] + copied + new[6:])

    [finding] = check(writer, draft)

    assert_covers(finding, draft, copied, source, reused)


@pytest.mark.parametrize("at", [150, 300])
def test_two_passages_from_one_source_chapter_in_one_draft_chapter_are_two_findings(
    at: int,
) -> None:
    # A speech of about 116 words with two words changed, then four paragraphs with edits: the
    # speech was lost when a draft chapter and a source chapter made one region and one finding.
    writer, earlier, source = earlier_story(at)
    speech = dialogue(earlier, 95, 140)[-1]
    second = lightly_edited([earlier[speech]], 2)
    first = lightly_edited(earlier[3:7], 8)
    new = new_prose(at)
    draft = "\n\n".join(new[:3] + second + new[3:6] + first + new[6:])

    found = check(writer, draft)

    assert len(found) == 2, found
    assert_covers(found[0], draft, second, source, [earlier[speech]])
    assert_covers(found[1], draft, first, source, earlier[3:7])


@pytest.mark.parametrize("at", [30, 260])
def test_a_passage_with_its_sentences_reordered_and_one_added_is_one_finding_to_its_edges(
    at: int,
) -> None:
    writer, earlier, source = earlier_story(at)
    reused = earlier[8:11]
    added = "The clock on the landing struck the hour, and nobody in the room paid it any heed."
    copied = reordered(reused, added)
    new = new_prose(at)
    draft = "\n\n".join(new[:6] + copied + new[6:])

    [finding] = check(writer, draft)

    assert_covers(finding, draft, copied, source, reused)


def test_neighbours_from_one_source_passage_in_the_other_order_are_one_finding() -> None:
    # Two findings side by side in the draft whose source sides are neighbours the other
    # way round: one passage whose sentences were reordered.
    _, earlier, source = earlier_story(140)
    first, second = earlier[9], earlier[8]
    draft = "\n\n".join([new_prose(140)[0], first, second, new_prose(140)[1]])
    found = [
        _finding(draft, first, source, first),
        _finding(draft, second, source, second),
    ]

    [merged] = findings._merged(found, [draft], {(7, 1): source})

    assert (merged.draft.start, merged.draft.end) == where(draft, [first, second])
    assert (merged.source.start, merged.source.end) == where(source, [second, first])


def _finding(draft: str, part: str, source: str, source_part: str) -> Finding:
    start, source_start = draft.index(part), source.index(source_part)
    return Finding(
        "near-verbatim",
        0.9,
        "lexical",
        Span(1, start, start + len(part), part),
        SourceSpan(1, source_start, source_start + len(source_part), source_part, 7, "Earlier"),
    )


def test_findings_come_in_the_drafts_order_and_by_score_on_request(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    writer, earlier, _ = earlier_story(300)
    # The first passage in the draft is the more edited one, so it is not the strongest.
    heavily = lightly_edited(earlier[12:14], 30)
    exact = earlier[3:6]
    new = new_prose(300)
    draft = "\n\n".join(new[:3] + heavily + new[3:6] + exact + new[6:])

    found = check(writer, draft)

    assert [f.draft.start for f in found] == sorted(f.draft.start for f in found)
    assert len(found) == 2, found
    assert found[0].score < found[1].score
    assert by_score(found) == [found[1], found[0]]
    (tmp_path / "draft.txt").write_text(f"A Draft\n\n{draft}\n", encoding="utf-8")
    scores = {}
    for order in ("position", "score"):
        call_command(
            "check",
            str(tmp_path / "draft.txt"),
            "--author",
            "wren",
            "--json",
            "--scope",
            "mine",
            "--sort",
            order,
        )
        scores[order] = [f["score"] for f in json.loads(capsys.readouterr().out)["findings"]]
    assert scores["score"] == sorted(scores["position"], reverse=True) != scores["position"]
