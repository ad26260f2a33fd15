"""Reporting works and comments, and the moderators' queue of reports."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from ficarchive.accounts.models import User
from ficarchive.accounts.services import default_pseud
from ficarchive.community import reports
from ficarchive.community.models import Comment, Report
from ficarchive.works.models import Work
from tests.cast import make_user, make_work

pytestmark = pytest.mark.django_db

DETAILS = "This chapter copies my story word for word."


def _report_url(**target: object) -> str:
    (kind, pk), *_ = target.items()
    return f"{reverse('community:report')}?{kind}={pk}"


def _send(client: Client, url: str, **fields: str) -> Any:
    return client.post(url, {"reason": "plagiarism", "details": DETAILS, **fields})


def _comment(work: Work, user: User, *, approved: bool = True, body: str = "Nice!") -> Comment:
    return Comment.objects.create(
        work=work, user=user, pseud=default_pseud(user), body=f"<p>{body}</p>", approved=approved
    )


def _moderator(name: str = "mod") -> User:
    user = make_user(name)
    user.is_moderator = True
    user.save(update_fields=["is_moderator"])
    return user


def test_a_user_reports_a_work(client: Client) -> None:
    work = make_work(make_user("author"))
    reader = make_user("reader")
    client.force_login(reader)
    form = client.get(_report_url(work=work.pk))
    assert form.status_code == 200
    assert work.title in form.content.decode()
    response = _send(client, _report_url(work=work.pk))
    assert response.status_code == 302
    assert response["Location"] == reverse("community:report_sent")
    report = Report.objects.get()
    assert (report.reporter, report.work, report.comment) == (reader, work, None)
    assert report.url == work.get_absolute_url()
    assert (report.reason, report.details, report.state) == ("plagiarism", DETAILS, "open")
    assert "Thank you for your report" in client.get(response["Location"]).content.decode()


def test_a_guest_reports_a_work_and_must_give_an_email(client: Client) -> None:
    work = make_work(make_user("author"))
    response = _send(client, _report_url(work=work.pk))
    assert response.status_code == 400
    assert "Your email: This field is required." in response.content.decode()
    assert not Report.objects.exists()

    response = _send(client, _report_url(work=work.pk), email="guest@example.org")
    assert response.status_code == 302
    report = Report.objects.get()
    assert report.reporter is None
    assert report.reporter_email == "guest@example.org"


def test_a_user_reports_a_comment_by_its_permalink(client: Client) -> None:
    work = make_work(make_user("author"))
    comment = _comment(work, make_user("troll"))
    client.force_login(make_user("reader"))
    assert client.get(_report_url(comment=comment.pk)).status_code == 200
    assert _send(client, _report_url(comment=comment.pk)).status_code == 302
    report = Report.objects.get()
    assert (report.work, report.comment) == (work, comment)
    assert report.url == f"/comments/{comment.pk}"


def test_a_guest_reports_a_comment(client: Client) -> None:
    comment = _comment(make_work(make_user("author")), make_user("troll"))
    response = _send(client, _report_url(comment=comment.pk), email="guest@example.org")
    assert response.status_code == 302
    assert Report.objects.get().comment == comment


def test_the_honeypot_refuses_the_report_and_stores_nothing(client: Client) -> None:
    work = make_work(make_user("author"))
    client.force_login(make_user("reader"))
    response = _send(client, _report_url(work=work.pk), website="http://spam.example")
    assert response.status_code == 400
    assert "“website” field must be left empty" in response.content.decode()
    assert not Report.objects.exists()


def test_the_form_has_a_csrf_token_and_a_hidden_honeypot(client: Client) -> None:
    work = make_work(make_user("author"))
    page = client.get(_report_url(work=work.pk)).content.decode()
    assert "csrfmiddlewaretoken" in page
    assert 'name="website"' in page
    assert 'class="landmark" aria-hidden="true"' in page


@pytest.mark.parametrize(
    ("fields", "error"),
    [
        ({"details": "   "}, "Details: This field is required."),
        ({"details": "x" * 5_001}, "Ensure this value has at most 5000 characters"),
        ({"reason": "boring"}, "Select a valid choice."),
    ],
)
def test_it_refuses_a_report_without_valid_details_or_reason(
    client: Client, fields: dict[str, str], error: str
) -> None:
    work = make_work(make_user("author"))
    client.force_login(make_user("reader"))
    response = _send(client, _report_url(work=work.pk), **fields)
    assert response.status_code == 400
    assert error in response.content.decode()
    assert not Report.objects.exists()


def test_invisible_or_missing_works_are_not_found(client: Client) -> None:
    author = make_user("author")
    draft = make_work(author, title="Secret Draft", posted=False)
    restricted = make_work(author, title="Members Only", restricted=True)
    for url in (_report_url(work=draft.pk), _report_url(work=restricted.pk)):
        response = client.get(url)
        assert response.status_code == 404
        assert "that you can see to report" in response.content.decode()
        assert "Secret Draft" not in response.content.decode()
        assert _send(client, url, email="g@example.org").status_code == 404
    client.force_login(make_user("stranger"))
    assert client.get(_report_url(work=draft.pk)).status_code == 404
    assert client.get(_report_url(work=restricted.pk)).status_code == 200
    assert client.get(_report_url(work=99999)).status_code == 404
    assert not Report.objects.exists()


def test_held_comments_can_be_reported_only_by_their_writer_and_the_creators(
    client: Client,
) -> None:
    author, troll = make_user("author"), make_user("troll")
    held = _comment(make_work(author), troll, approved=False)
    url = _report_url(comment=held.pk)
    assert client.get(url).status_code == 404
    client.force_login(make_user("stranger"))
    assert client.get(url).status_code == 404
    for allowed in (author, troll):
        client.force_login(allowed)
        assert client.get(url).status_code == 200


def test_comments_on_invisible_works_and_deleted_comments_are_not_found(client: Client) -> None:
    author, troll = make_user("author"), make_user("troll")
    on_draft = _comment(make_work(author, posted=False), troll)
    deleted = _comment(make_work(author, title="Posted"), troll)
    deleted.deleted = True
    deleted.save(update_fields=["deleted"])
    client.force_login(make_user("stranger"))
    for comment in (on_draft, deleted):
        assert client.get(_report_url(comment=comment.pk)).status_code == 404


@pytest.mark.parametrize("query", ["", "?work=abc", "?work=1&comment=2"])
def test_a_malformed_target_is_a_bad_request_with_a_message(client: Client, query: str) -> None:
    response = client.get(reverse("community:report") + query)
    assert response.status_code == 400
    assert 'class="errors"' in response.content.decode()


def test_a_user_may_send_five_reports_in_ten_minutes(client: Client) -> None:
    work = make_work(make_user("author"))
    client.force_login(make_user("reader"))
    for _ in range(reports.RATE_LIMIT):
        assert _send(client, _report_url(work=work.pk)).status_code == 302
    response = _send(client, _report_url(work=work.pk))
    assert response.status_code == 429
    assert "You have sent 5 reports in the last 10 minutes" in response.content.decode()
    assert Report.objects.count() == reports.RATE_LIMIT
    # Another reader is not held back by the first one's reports.
    client.force_login(make_user("other"))
    assert _send(client, _report_url(work=work.pk)).status_code == 302


def test_a_guest_address_may_send_five_reports_whatever_the_email(client: Client) -> None:
    work = make_work(make_user("author"))
    for number in range(reports.RATE_LIMIT):
        response = _send(client, _report_url(work=work.pk), email=f"g{number}@example.org")
        assert response.status_code == 302
    response = _send(client, _report_url(work=work.pk), email="new@example.org")
    assert response.status_code == 429
    assert Report.objects.count() == reports.RATE_LIMIT
    # The limit is counted from the reports' keyed hashes, the same for one address.
    keys = set(Report.objects.values_list("guest_key", flat=True))
    assert keys == {reports.guest_key("127.0.0.1")}
    other_address = Client(REMOTE_ADDR="192.0.2.9")
    assert _send(other_address, _report_url(work=work.pk), email="x@example.org").status_code == (
        302
    )


def test_the_guest_rate_limit_keeps_no_address() -> None:
    key = reports.guest_key("192.0.2.1")
    assert "192.0.2.1" not in key
    assert key != reports.guest_key("192.0.2.2")


def test_the_work_page_has_a_report_link(client: Client) -> None:
    work = make_work(make_user("author"))
    page = client.get(work.get_absolute_url()).content.decode()
    assert f'href="{reverse("community:report")}?work={work.pk}"' in page


def test_moderators_see_open_reports_newest_first(client: Client) -> None:
    work = make_work(make_user("author"), title="Reported Work")
    reader = make_user("reader")
    older = Report.objects.create(
        reporter=reader, work=work, url=work.get_absolute_url(), reason="spam", details="Older"
    )
    newer = Report.objects.create(
        reporter_email="g@example.org",
        work=work,
        url=work.get_absolute_url(),
        reason="rating",
        details="Newer <script>alert(1)</script>",
    )
    client.force_login(_moderator())
    response = client.get(reverse("community:moderation"))
    assert response.status_code == 200
    page = response.content.decode()
    assert page.index(f'id="report-{newer.pk}"') < page.index(f'id="report-{older.pk}"')
    assert "Wrong rating or missing warnings" in page
    assert "Reported Work" in page
    assert "guest (g@example.org)" in page
    assert 'href="/users/reader"' in page
    assert "<script>alert" not in page


def test_others_get_403_from_the_queue(client: Client) -> None:
    report = Report.objects.create(url="/works/1", reason="spam", details="x")
    client.force_login(make_user("reader"))
    assert client.get(reverse("community:moderation")).status_code == 403
    handle = reverse("community:moderation_handle", args=[report.pk])
    assert client.post(handle, {"action": "resolve", "note": "no"}).status_code == 403
    report.refresh_from_db()
    assert report.state == "open"
    client.logout()
    assert client.get(reverse("community:moderation")).status_code == 302


def test_a_moderator_resolves_and_dismisses_reports_with_a_note(client: Client) -> None:
    work = make_work(make_user("author"))
    first, second = (
        Report.objects.create(work=work, url=work.get_absolute_url(), reason="spam", details=d)
        for d in ("one", "two")
    )
    moderator = _moderator()
    client.force_login(moderator)
    handle = reverse("community:moderation_handle", args=[first.pk])
    response = client.post(handle, {"action": "resolve", "note": "Hid the work."})
    assert response.status_code == 302
    first.refresh_from_db()
    assert (first.state, first.handled_by, first.resolution) == (
        "resolved",
        moderator,
        "Hid the work.",
    )
    assert first.handled_at is not None
    client.post(
        reverse("community:moderation_handle", args=[second.pk]),
        {"action": "dismiss", "note": "Not spam."},
    )
    second.refresh_from_db()
    assert second.state == "dismissed"

    open_page = client.get(reverse("community:moderation")).content.decode()
    assert f'id="report-{first.pk}"' not in open_page
    resolved = client.get(reverse("community:moderation") + "?state=resolved").content.decode()
    assert f'id="report-{first.pk}"' in resolved
    assert "Hid the work." in resolved
    assert f'id="report-{second.pk}"' not in resolved
    dismissed = client.get(reverse("community:moderation") + "?state=dismissed").content.decode()
    assert f'id="report-{second.pk}"' in dismissed


def test_handling_needs_a_note_an_action_and_an_open_report(client: Client) -> None:
    report = Report.objects.create(url="/works/1", reason="spam", details="x")
    client.force_login(_moderator())
    handle = reverse("community:moderation_handle", args=[report.pk])
    response = client.post(handle, {"action": "resolve", "note": " "})
    assert response.status_code == 400
    assert "write a note" in response.content.decode()
    response = client.post(handle, {"action": "delete", "note": "x"})
    assert response.status_code == 400
    assert "must be resolve or dismiss" in response.content.decode()
    assert client.post(handle, {"action": "resolve", "note": "Done."}).status_code == 302
    response = client.post(handle, {"action": "dismiss", "note": "Again."})
    assert response.status_code == 400
    assert "was already resolved by mod" in response.content.decode()
    missing = reverse("community:moderation_handle", args=[99999])
    assert client.post(missing, {"action": "resolve", "note": "x"}).status_code == 400


def test_the_queue_says_deleted_when_the_reported_thing_is_gone(client: Client) -> None:
    work = make_work(make_user("author"))
    comment = _comment(work, make_user("troll"))
    work_id, comment_id = work.pk, comment.pk
    client.force_login(make_user("reader"))
    _send(client, _report_url(work=work_id))
    _send(client, _report_url(comment=comment_id))
    client.force_login(_moderator())
    page = client.get(reverse("community:moderation")).content.decode()
    assert "(deleted)" not in page

    comment.delete()
    page = client.get(reverse("community:moderation")).content.decode()
    assert f"a comment at /comments/{comment_id} (deleted)" in page
    assert f'the work <a href="/works/{work_id}">' in page

    work.delete()
    page = client.get(reverse("community:moderation")).content.decode()
    assert f"a work at /works/{work_id} (deleted)" in page
    assert Report.objects.filter(state="open").count() == 2


def test_the_report_keeps_the_comments_permalink() -> None:
    assert reports.comment_url(5) == reverse("community:comment", args=[5])


def test_the_queue_costs_the_same_queries_however_many_reports(client: Client) -> None:
    client.force_login(_moderator())

    def add(number: int) -> None:
        work = make_work(make_user(f"author{number}"), title=f"Work {number}")
        comment = _comment(work, make_user(f"troll{number}"))
        reporter = make_user(f"reader{number}")
        Report.objects.create(
            reporter=reporter, work=work, url=work.get_absolute_url(), reason="spam", details="x"
        )
        Report.objects.create(
            reporter=reporter,
            work=work,
            comment=comment,
            url=f"/comments/{comment.pk}",
            reason="harassment",
            details="y",
        )

    def count() -> int:
        with CaptureQueriesContext(connection) as context:
            assert client.get(reverse("community:moderation")).status_code == 200
        return len(context.captured_queries)

    add(1)
    few = count()
    add(2)
    add(3)
    assert count() == few


def test_moderators_see_the_community_models_in_the_admin_read_only(client: Client) -> None:
    client.force_login(_moderator())
    for model in ("report", "kudos", "comment", "bookmark", "subscription", "reading", "hit"):
        assert client.get(f"/admin/community/{model}/").status_code == 200, model
    assert client.get("/admin/community/kudos/add/").status_code == 403
    client.force_login(make_user("reader"))
    assert client.get("/admin/community/report/").status_code == 302


def test_a_moderator_resolves_a_report_in_the_admin_with_a_note(client: Client) -> None:
    report = Report.objects.create(url="/works/1", reason="spam", details="x")
    moderator = _moderator()
    client.force_login(moderator)
    url = f"/admin/community/report/{report.pk}/change/"
    response = client.post(url, {"state": "resolved", "resolution": ""})
    assert response.status_code == 200
    assert "Write a note saying what was done" in response.content.decode()
    report.refresh_from_db()
    assert report.state == "open"

    # What was reported stays as it was sent: only the outcome is the moderator's to set.
    sent = {"state": "resolved", "resolution": "Done.", "details": "edited", "reason": "other"}
    assert client.post(url, sent).status_code == 302
    report.refresh_from_db()
    assert (report.state, report.handled_by, report.resolution) == ("resolved", moderator, "Done.")
    assert (report.details, report.reason) == ("x", "spam")
    assert report.handled_at is not None
