"""A leaving user's works and series: orphaned to `orphan_account` or deleted, and co-created
ones left with the other creators (`works.leaving`; the account itself: tests/community)."""

from __future__ import annotations

from typing import Any

import pytest

from ficarchive.accounts.models import User
from ficarchive.accounts.services import ORPHAN_ACCOUNT, add_pseud, default_pseud
from ficarchive.works import events
from ficarchive.works.leaving import hand_over_works, orphan_pseud
from ficarchive.works.models import Series, Work
from tests.cast import make_user, make_work

pytestmark = pytest.mark.django_db


def test_orphaning_puts_one_orphan_account_in_place_of_all_the_users_pseuds() -> None:
    leaver, partner = make_user("leaver"), make_user("partner")
    second = add_pseud(leaver, "Quill")
    work = make_work(leaver, partner)
    work.creatorships.create(pseud=second, position=5)
    revision = work.revision
    assert hand_over_works(leaver, orphan=True) == (0, 1)
    work.refresh_from_db()
    assert work.creators == [orphan_pseud(), default_pseud(partner)]
    assert work.revision == revision + 1


def test_the_orphan_account_is_made_once_and_cannot_log_in() -> None:
    make_work(make_user("first"))
    make_work(make_user("second"))
    hand_over_works(User.objects.get(username="first"), orphan=True)
    hand_over_works(User.objects.get(username="second"), orphan=True)
    orphan = User.objects.get(username=ORPHAN_ACCOUNT)
    assert not orphan.has_usable_password()
    assert Work.objects.filter(creatorships__pseud__user=orphan).count() == 2


def test_deleting_leaves_a_co_created_work_and_draft_with_the_other_creator() -> None:
    leaver, partner = make_user("leaver"), make_user("partner")
    shared = make_work(leaver, partner, title="Shared")
    shared_draft = make_work(leaver, partner, title="Shared draft", posted=False)
    own = make_work(leaver, title="Own")
    assert hand_over_works(leaver, orphan=False) == (1, 2)
    assert not Work.objects.filter(pk=own.pk).exists()
    for work in (shared, shared_draft):
        assert Work.objects.get(pk=work.pk).creators == [default_pseud(partner)]
    assert not User.objects.filter(username=ORPHAN_ACCOUNT).exists()


def test_orphaning_deletes_drafts_and_gives_no_draft_to_orphan_account() -> None:
    leaver, partner = make_user("leaver"), make_user("partner")
    draft = make_work(leaver, title="Mine", posted=False)
    shared_draft = make_work(leaver, partner, title="Ours", posted=False)
    assert hand_over_works(leaver, orphan=True) == (1, 1)
    assert not Work.objects.filter(pk=draft.pk).exists()
    assert Work.objects.get(pk=shared_draft.pk).creators == [default_pseud(partner)]


def test_series_are_orphaned_or_left_to_their_other_creators_or_deleted() -> None:
    leaver, partner = make_user("leaver"), make_user("partner")
    make_work(leaver, title="Solo", new_series_title="Solo series")
    make_work(leaver, title="Part one", new_series_title="Shared series")
    series = Series.objects.get(title="Shared series")
    series.pseuds.add(default_pseud(partner))
    make_work(partner, title="Part two", series_id=series.pk)
    # A series of the leaver's alone that holds a partner's work as well.
    make_work(leaver, title="Mine", new_series_title="Holding")
    theirs = make_work(partner, title="Theirs", series_id=None)
    Series.objects.get(title="Holding").serial_works.create(work=theirs, position=2)
    hand_over_works(leaver, orphan=False)
    assert list(series.pseuds.all()) == [default_pseud(partner)]
    assert [s.work.title for s in series.serial_works.all()] == ["Part two"]
    assert not Series.objects.filter(title__in=["Solo series", "Holding"]).exists()
    assert Work.objects.filter(pk=theirs.pk).exists()


def test_orphaning_sends_work_changed_for_search_feeds_and_downloads(
    django_capture_on_commit_callbacks: Any,
) -> None:
    leaver = make_user("leaver")
    work = make_work(leaver)
    heard: list[int] = []

    def listen(sender: Any, work_id: int, **kwargs: Any) -> None:
        heard.append(work_id)

    events.work_changed.connect(listen, weak=False, dispatch_uid="test-leaving")
    try:
        with django_capture_on_commit_callbacks(execute=True):
            hand_over_works(leaver, orphan=True)
    finally:
        events.work_changed.disconnect(dispatch_uid="test-leaving")
    assert heard == [work.pk]
