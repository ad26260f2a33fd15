"""The semantic detector's vectors in memory follow the index without rebuilding it."""

from __future__ import annotations

import pytest

from ficarchive.overlap import semantic, services
from ficarchive.overlap.detectors import DraftPassage
from ficarchive.overlap.semantic import SemanticDetector
from tests.cast import make_user, make_work

pytestmark = pytest.mark.django_db

SCENE = (
    "The lamp failed at midnight, exactly when the storm was at its height. The keeper climbed "
    "the stairs with a lantern swinging in her hand, found the old oil hidden behind the sacks, "
    "poured it into the reservoir, and lit the wick with a tinderbox on the third strike, so "
    "that the light swelled behind the lens and flung itself out across the black water."
)


def neighbours(allowed: set[int]) -> set[int]:
    draft = [DraftPassage(1, 0, len(SCENE), SCENE)]
    return {c.passage_id for c in SemanticDetector().candidates(draft, allowed, allowed)}


def test_new_and_deleted_passages_are_followed_without_a_rebuild() -> None:
    writer = make_user("writer")
    first = make_work(writer, title="First", body=SCENE)
    services.index_work(first.pk)
    assert neighbours({first.pk})
    built = semantic._cache.index

    second = make_work(writer, title="Second", body=SCENE + " And then it was morning.")
    services.index_work(second.pk)
    found = neighbours({first.pk, second.pk})
    second_passages = set(second.passages.values_list("pk", flat=True))
    assert second_passages <= found
    assert semantic._cache.index is built  # the new passages were searched beside the index

    first_passages = set(first.passages.values_list("pk", flat=True))
    first_id = first.pk
    first.delete()
    found = neighbours({first_id, second.pk})
    assert not first_passages & found
    assert second_passages <= found


def test_many_changes_rebuild_the_index(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(semantic._VectorCache, "MIN_TAIL", 0)
    writer = make_user("writer")
    first = make_work(writer, title="First", body=SCENE)
    services.index_work(first.pk)
    neighbours({first.pk})
    built = semantic._cache.index
    others = [make_work(writer, title=f"Other {n}", body=SCENE) for n in range(3)]
    for work in others:
        services.index_work(work.pk)
    found = neighbours({w.pk for w in [first, *others]})
    assert semantic._cache.index is not built
    assert len(found) == 3  # the three nearest of four equal passages
