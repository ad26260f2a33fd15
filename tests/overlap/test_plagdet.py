from __future__ import annotations

import math

import pytest

from ficarchive.overlap.plagdet import (
    PlagdetAccumulator,
    evaluate,
    pan_xml,
    plagdet_score,
    read_pan_xml,
    write_pan_xml,
)

CASE = (100, 200, 1000, 1100)


def test_perfect_detection_scores_one():
    scores = evaluate([CASE], [CASE])

    assert (scores.precision, scores.recall, scores.granularity, scores.plagdet) == (1, 1, 1, 1)


def test_a_detection_split_in_two_has_granularity_two():
    halves = [(100, 150, 1000, 1050), (150, 200, 1050, 1100)]

    scores = evaluate([CASE], halves)

    assert scores.precision == 1
    assert scores.recall == 1
    assert scores.granularity == 2
    assert scores.plagdet == pytest.approx(1 / math.log2(3))


def test_no_detection_scores_zero():
    scores = evaluate([CASE], [])

    assert scores.recall == 0
    assert scores.plagdet == 0


def test_no_cases_and_no_detections_score_one_as_pan_does():
    assert evaluate([], []).plagdet == 1


def test_a_false_detection_without_cases_scores_zero():
    assert evaluate([], [CASE]).plagdet == 0


def test_recall_counts_characters_of_both_sides():
    # The whole suspicious side, none of the source side beyond the first character: the
    # passages overlap on both sides, so the detection counts, covering 101 of 200 characters.
    detection = (100, 200, 1000, 1001)

    scores = evaluate([CASE], [detection])

    assert scores.recall == pytest.approx(101 / 200)
    assert scores.precision == 1


def test_overlap_on_one_side_only_does_not_detect():
    wrong_source = (100, 200, 5000, 5100)

    scores = evaluate([CASE], [wrong_source])

    assert scores.precision == 0
    assert scores.recall == 0
    assert scores.granularity == 1


def test_a_detection_too_long_loses_precision():
    twice_as_long = (100, 300, 1000, 1200)

    scores = evaluate([CASE], [twice_as_long])

    assert scores.recall == 1
    assert scores.precision == pytest.approx(0.5)


def test_the_accumulator_macro_averages_over_the_collection_not_over_pairs():
    accumulator = PlagdetAccumulator()
    accumulator.add([CASE], [CASE])  # found
    accumulator.add([CASE, (300, 400, 2000, 2100)], [])  # two missed
    accumulator.add([], [CASE])  # a false detection

    scores = accumulator.scores()

    assert scores.cases == 3
    assert scores.detections == 2
    assert scores.recall == pytest.approx(1 / 3)
    assert scores.precision == pytest.approx(1 / 2)
    assert scores.plagdet == pytest.approx(plagdet_score(1 / 2, 1 / 3, 1))


def test_merging_accumulators_equals_adding_everything_to_one():
    a, b, both = PlagdetAccumulator(), PlagdetAccumulator(), PlagdetAccumulator()
    for target in (a, both):
        target.add([CASE], [(100, 150, 1000, 1050), (150, 200, 1050, 1100)])
    for target in (b, both):
        target.add([CASE], [(120, 260, 1010, 1150)])

    a.merge(b)

    assert a.scores() == both.scores()


def test_pan_xml_round_trips(tmp_path):
    detections = [(10, 20, 30, 45), (100, 250, 0, 120)]
    path = tmp_path / "suspicious-document00001-source-document00002.xml"

    write_pan_xml(path, "suspicious-document00001.txt", "source-document00002.txt", detections)
    read = read_pan_xml(path)

    assert read.this_reference == "suspicious-document00001.txt"
    assert read.passages == [("source-document00002.txt", span) for span in detections]
    assert 'name="detected-plagiarism"' in path.read_text(encoding="utf-8")


def test_it_reads_a_pan_truth_file_and_skips_other_features(tmp_path):
    path = tmp_path / "truth.xml"
    path.write_text(
        '<document  reference="suspicious-document00008.txt">\n'
        '\t<feature  name="about" authors="DUC2001" title="news" language="en" />\n'
        '\t<feature  name="plagiarism" type="artificial" obfuscation="summary" '
        'this_offset="3822" this_length="593" source_reference="source-document00305.txt" '
        'source_offset="0" source_length="5861" />\n'
        "</document>\n",
        encoding="utf-8",
    )

    read = read_pan_xml(path)

    assert read.passages == [("source-document00305.txt", (3822, 4415, 0, 5861))]


def test_an_answer_without_detections_is_an_empty_document():
    xml = pan_xml("suspicious-document00001.txt", "source-document00002.txt", [])

    assert "feature" not in xml
    assert 'reference="suspicious-document00001.txt"' in xml
