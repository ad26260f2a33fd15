"""History and Marked for Later: visits are recorded only while history is kept, the history is
its owner's alone, and it can be cleared."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from ficarchive.accounts.models import User
from ficarchive.community.models import Reading
from ficarchive.community.readings import page_context
from ficarchive.works.models import Work
from tests.cast import make_user, make_work

pytestmark = pytest.mark.django_db


def _history(client: Client, user: User, query: str = "") -> str:
    response = client.get(reverse("community:readings", args=[user.username]) + query)
    assert response.status_code == 200
    return response.content.decode()


def test_reading_a_work_is_recorded_with_visits_and_chapter(client: Client) -> None:
    work = make_work(make_user("author"), title="Long Road", chapters=2)
    reader = make_user("reader")
    client.force_login(reader)
    client.get(work.get_absolute_url())
    second = work.chapters.get(position=2)
    client.get(second.get_absolute_url())
    reading = Reading.objects.get(user=reader, work=work)
    assert reading.views == 2
    assert reading.chapter == second
    client.get(work.get_absolute_url() + "?view_full_work=true")
    reading.refresh_from_db()
    assert reading.views == 3
    assert reading.chapter == second  # the whole work shown keeps the chapter last read
    page = _history(client, reader)
    assert "Long Road" in page
    assert "Visited 3 times" in page
    assert "Last visited" in page


def test_recording_a_visit_takes_two_queries(rf: object) -> None:
    from django.contrib.auth.models import AnonymousUser

    work = make_work(make_user("author"))
    reader = make_user("reader")
    request = rf.get("/")  # type: ignore[attr-defined]
    request.user = reader
    work = Work.objects.prefetch_related("creatorships__pseud").get(pk=work.pk)
    for _ in range(2):  # the first visit inserts, the second updates
        with CaptureQueriesContext(connection) as context:
            page_context(request, work, None)
        assert len(context.captured_queries) <= 2
    request.user = AnonymousUser()
    with CaptureQueriesContext(connection) as context:
        assert page_context(request, work, None) == {"own_reading": None}
    assert not context.captured_queries


def test_creators_reading_their_own_work_are_not_recorded(client: Client) -> None:
    author = make_user("author")
    work = make_work(author)
    client.force_login(author)
    client.get(work.get_absolute_url())
    assert not Reading.objects.exists()


def test_history_switched_off_records_nothing_and_says_so(client: Client) -> None:
    work = make_work(make_user("author"))
    reader = make_user("reader")
    client.force_login(reader)
    response = client.post(
        reverse("accounts:preferences"), {"update_emails": "daily"}
    )  # keep_history unticked
    assert response.status_code == 302
    reader.refresh_from_db()
    assert reader.keep_history is False
    assert reader.update_emails == "daily"
    client.get(work.get_absolute_url())
    assert not Reading.objects.exists()
    page = _history(client, reader)
    assert "Your history is turned off" in page
    assert "Clear History" in page


def test_preferences_show_and_check_the_history_and_email_settings(client: Client) -> None:
    reader = make_user("reader")
    client.force_login(reader)
    page = client.get(reverse("accounts:preferences")).content.decode()
    assert "Keep my history" in page
    assert "Email me subscription updates" in page
    assert "Once a day" in page
    response = client.post(
        reverse("accounts:preferences"), {"keep_history": "on", "update_emails": "hourly"}
    )
    assert response.status_code == 400
    assert "Email me subscription updates" in response.content.decode()
    reader.refresh_from_db()
    assert reader.update_emails == "each"


def test_clearing_the_history_forgets_everything(client: Client) -> None:
    author = make_user("author")
    one, two = make_work(author, title="One"), make_work(author, title="Two")
    reader = make_user("reader")
    client.force_login(reader)
    client.get(one.get_absolute_url())
    client.post(reverse("community:mark_for_later", args=[two.pk]))
    assert Reading.objects.filter(user=reader).count() == 2
    other = make_user("other")
    Reading.objects.create(user=other, work=one, last_read_at=timezone.now(), views=1)
    assert client.get(reverse("community:readings_clear", args=["reader"])).status_code == 405
    response = client.post(reverse("community:readings_clear", args=["reader"]))
    assert response.status_code == 302
    assert not Reading.objects.filter(user=reader).exists()
    assert Reading.objects.filter(user=other).exists()
    assert "Your history is empty" in _history(client, reader)


def test_one_history_item_can_be_deleted_by_its_owner_only(client: Client) -> None:
    work = make_work(make_user("author"))
    reader = make_user("reader")
    client.force_login(reader)
    client.get(work.get_absolute_url())
    reading = Reading.objects.get()
    delete = reverse("community:reading_delete", args=[reading.pk])
    client.force_login(make_user("stranger"))
    response = client.post(delete)
    assert response.status_code == 400
    assert Reading.objects.exists()
    client.force_login(reader)
    assert client.post(delete).status_code == 302
    assert not Reading.objects.exists()


def test_mark_for_later_toggles_and_works_with_history_off(client: Client) -> None:
    work = make_work(make_user("author"), title="Someday")
    reader = make_user("reader")
    User.objects.filter(pk=reader.pk).update(keep_history=False)
    client.force_login(reader)
    assert "Mark for Later" in client.get(work.get_absolute_url()).content.decode()
    url = reverse("community:mark_for_later", args=[work.pk])
    assert client.get(url).status_code == 405
    assert client.post(url).status_code == 302
    assert Reading.objects.get().later
    assert "Mark as Read" in client.get(work.get_absolute_url()).content.decode()
    later = _history(client, reader, "?show=later")
    assert "Someday" in later
    assert "Marked for Later" in later
    client.post(url)
    assert not Reading.objects.get().later
    assert "Someday" not in _history(client, reader, "?show=later")


def test_marking_a_draft_for_later_is_refused(client: Client) -> None:
    draft = make_work(make_user("author"), posted=False)
    client.force_login(make_user("reader"))
    assert client.post(reverse("community:mark_for_later", args=[draft.pk])).status_code == 404
    assert not Reading.objects.exists()


def test_the_history_is_its_owners_alone(client: Client) -> None:
    reader = make_user("reader")
    url = reverse("community:readings", args=["reader"])
    assert client.get(url).status_code == 302  # to the log-in page
    client.force_login(make_user("stranger"))
    assert client.get(url).status_code == 403
    assert client.post(reverse("community:readings_clear", args=["reader"])).status_code == 403
    client.force_login(reader)
    assert client.get(url).status_code == 200


def test_works_that_became_invisible_drop_out_of_the_history(client: Client) -> None:
    author = make_user("author")
    kept, hidden = make_work(author, title="Still Here"), make_work(author, title="Gone Again")
    reader = make_user("reader")
    client.force_login(reader)
    client.get(kept.get_absolute_url())
    client.get(hidden.get_absolute_url())
    Work.objects.filter(pk=hidden.pk).update(posted=False)
    page = _history(client, reader)
    assert "Still Here" in page
    assert "Gone Again" not in page


def test_the_history_page_does_not_query_per_work(client: Client) -> None:
    reader = make_user("reader")
    client.force_login(reader)

    def read(count: int, prefix: str) -> None:
        for number in range(count):
            work = make_work(
                make_user(f"{prefix}{number}"),
                title=f"{prefix} {number}",
                fandoms=[f"F {prefix} {number}"],
                chapters=2,
                new_series_title=f"S {prefix} {number}",
            )
            client.get(work.chapters.get(position=2).get_absolute_url())

    def queries() -> int:
        with CaptureQueriesContext(connection) as context:
            _history(client, reader)
        return len(context.captured_queries)

    read(2, "few")
    few = queries()
    read(5, "many")
    assert queries() == few
