"""Subscribing to works, users and series, unsubscribing, and the subscriptions page."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.template.loader import render_to_string
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from ficarchive.community.models import Subscription
from ficarchive.community.subscriptions import (
    SubscriptionError,
    subscribe_to_series,
    subscribe_to_user,
    subscribe_to_work,
    subscription_of,
    subscriptions_of,
)
from ficarchive.works.models import Series, Work
from tests.cast import make_user, make_work
from tests.markup import runnable_markup

pytestmark = pytest.mark.django_db


def _series_with(*works: Work) -> Series:
    series = Series.objects.create(title="The Bridge Years")
    for position, work in enumerate(works, start=1):
        series.serial_works.create(work=work, position=position)
    return series


# -- services ------------------------------------------------------------------------------


def test_subscribing_twice_to_a_work_keeps_one_subscription() -> None:
    work = make_work(make_user("author"))
    reader = make_user("reader")
    first = subscribe_to_work(reader, work)
    again = subscribe_to_work(reader, work)
    assert again.pk == first.pk
    assert Subscription.objects.filter(user=reader, work=work).count() == 1


def test_a_draft_cannot_be_subscribed_to() -> None:
    draft = make_work(make_user("author"), posted=False)
    with pytest.raises(SubscriptionError, match="no posted work"):
        subscribe_to_work(make_user("reader"), draft)
    assert not Subscription.objects.exists()


def test_a_creator_cannot_subscribe_to_their_own_work() -> None:
    author = make_user("author")
    work = make_work(author)
    with pytest.raises(SubscriptionError, match="creator"):
        subscribe_to_work(author, work)


def test_readers_subscribe_to_active_users_but_not_to_themselves() -> None:
    author, reader = make_user("author"), make_user("reader")
    assert subscribe_to_user(reader, "AUTHOR").creator_id == author.pk
    with pytest.raises(SubscriptionError, match="yourself"):
        subscribe_to_user(reader, "reader")
    author.is_active = False
    author.save()
    Subscription.objects.all().delete()
    with pytest.raises(SubscriptionError, match="no user 'author'"):
        subscribe_to_user(reader, "author")
    with pytest.raises(SubscriptionError, match="no user 'nobody'"):
        subscribe_to_user(reader, "nobody")


def test_a_series_needs_a_work_the_reader_can_see() -> None:
    author, reader = make_user("author"), make_user("reader")
    hidden = _series_with(make_work(author, posted=False))
    with pytest.raises(SubscriptionError, match="no series"):
        subscribe_to_series(reader, hidden)
    shown = _series_with(make_work(author, title="Posted"))
    assert subscribe_to_series(reader, shown).series_id == shown.pk


def test_subscriptions_are_grouped_by_kind() -> None:
    author, reader = make_user("author"), make_user("reader")
    work = make_work(author)
    series = _series_with(work)
    subscribe_to_work(reader, work)
    subscribe_to_user(reader, "author")
    subscribe_to_series(reader, series)
    groups = subscriptions_of(reader)
    assert [s.work_id for s in groups.works] == [work.pk]
    assert [s.creator_id for s in groups.users] == [author.pk]
    assert [s.series_id for s in groups.series] == [series.pk]
    assert not subscriptions_of(author)


# -- the buttons and views -----------------------------------------------------------------


def test_a_reader_subscribes_from_the_work_page_and_unsubscribes(client: Client) -> None:
    work = make_work(make_user("author"))
    reader = make_user("reader")
    client.force_login(reader)
    page = client.get(work.get_absolute_url()).content.decode()
    assert reverse("community:subscribe_work", args=[work.pk]) in page
    assert ">Subscribe</button>" in page

    response = client.post(
        reverse("community:subscribe_work", args=[work.pk]), {"next": work.get_absolute_url()}
    )
    assert response.status_code == 302
    assert response["Location"] == work.get_absolute_url()
    subscription = Subscription.objects.get(user=reader, work=work)
    page = client.get(work.get_absolute_url()).content.decode()
    assert reverse("community:unsubscribe", args=[subscription.pk]) in page
    assert ">Unsubscribe</button>" in page

    client.post(reverse("community:unsubscribe", args=[subscription.pk]))
    assert not Subscription.objects.filter(user=reader).exists()


def test_guests_and_creators_see_no_subscribe_button(client: Client) -> None:
    author = make_user("author")
    work = make_work(author)
    assert "subscribe" not in client.get(work.get_absolute_url()).content.decode().lower()
    client.force_login(author)
    assert "subscribe" not in client.get(work.get_absolute_url()).content.decode().lower()


def test_guests_are_sent_to_log_in_and_nothing_is_subscribed(client: Client) -> None:
    work = make_work(make_user("author"))
    response = client.post(reverse("community:subscribe_work", args=[work.pk]))
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]
    assert not Subscription.objects.exists()


def test_subscribing_is_post_only(client: Client) -> None:
    work = make_work(make_user("author"))
    client.force_login(make_user("reader"))
    assert client.get(reverse("community:subscribe_work", args=[work.pk])).status_code == 405
    assert not Subscription.objects.exists()


def test_a_draft_is_not_found_by_the_subscribe_view(client: Client) -> None:
    draft = make_work(make_user("author"), posted=False)
    client.force_login(make_user("reader"))
    response = client.post(reverse("community:subscribe_work", args=[draft.pk]))
    assert response.status_code == 404
    assert not Subscription.objects.exists()


def test_a_refused_subscription_is_a_400_with_its_reason(client: Client) -> None:
    reader = make_user("reader")
    client.force_login(reader)
    response = client.post(reverse("community:subscribe_user", args=["reader"]))
    assert response.status_code == 400
    assert "is your own account: you cannot subscribe to yourself." in response.content.decode()
    response = client.post(reverse("community:subscribe_user", args=["nobody"]))
    assert response.status_code == 400
    assert "There is no user" in response.content.decode()


def test_a_reader_subscribes_to_a_user_and_a_series(client: Client) -> None:
    author, reader = make_user("author"), make_user("reader")
    series = _series_with(make_work(author))
    client.force_login(reader)
    response = client.post(reverse("community:subscribe_user", args=["author"]))
    assert response["Location"] == author.get_absolute_url()
    response = client.post(reverse("community:subscribe_series", args=[series.pk]))
    assert response["Location"] == series.get_absolute_url()
    assert Subscription.objects.filter(user=reader, creator=author).exists()
    assert Subscription.objects.filter(user=reader, series=series).exists()


def test_the_redirect_never_leaves_the_site(client: Client) -> None:
    work = make_work(make_user("author"))
    client.force_login(make_user("reader"))
    response = client.post(
        reverse("community:subscribe_work", args=[work.pk]), {"next": "https://evil.example/"}
    )
    assert response["Location"] == work.get_absolute_url()


def test_no_one_can_delete_someone_elses_subscription(client: Client) -> None:
    work = make_work(make_user("author"))
    subscription = subscribe_to_work(make_user("reader"), work)
    client.force_login(make_user("stranger"))
    response = client.post(reverse("community:unsubscribe", args=[subscription.pk]))
    assert response.status_code == 404
    assert Subscription.objects.filter(pk=subscription.pk).exists()


def test_the_subscriptions_page_lists_each_kind_with_unsubscribe_buttons(client: Client) -> None:
    author, reader = make_user("author"), make_user("reader")
    work = make_work(author, title="Everything Back <b>But</b> You")
    series = _series_with(work)
    subscriptions = [
        subscribe_to_work(reader, work),
        subscribe_to_user(reader, "author"),
        subscribe_to_series(reader, series),
    ]
    client.force_login(reader)
    page = client.get(reverse("community:subscriptions", args=["reader"])).content.decode()
    for heading in ("Works", "Users", "Series"):
        assert f">{heading}</h3>" in page
    for subscription in subscriptions:
        assert reverse("community:unsubscribe", args=[subscription.pk]) in page
    assert "Everything Back &lt;b&gt;But&lt;/b&gt; You" in page
    assert runnable_markup(page) == []


def test_only_the_owner_sees_their_subscriptions(client: Client) -> None:
    make_user("reader")
    client.force_login(make_user("stranger"))
    response = client.get(reverse("community:subscriptions", args=["reader"]))
    assert response.status_code == 404


def test_the_subscriptions_page_does_not_query_per_subscription(client: Client) -> None:
    reader = make_user("reader")
    client.force_login(reader)
    url = reverse("community:subscriptions", args=["reader"])

    def queries() -> int:
        with CaptureQueriesContext(connection) as context:
            assert client.get(url).status_code == 200
        return len(context.captured_queries)

    author = make_user("author")
    subscribe_to_work(reader, make_work(author, title="One"))
    subscribe_to_user(reader, "author")
    few = queries()
    for number in range(3):
        writer = make_user(f"writer{number}")
        work = make_work(writer, title=f"Work {number}")
        subscribe_to_work(reader, work)
        subscribe_to_user(reader, writer.username)
        subscribe_to_series(reader, _series_with(work))
    assert queries() == few


def test_the_button_for_user_and_series_pages_subscribes_or_unsubscribes(rf: Any) -> None:
    author, reader = make_user("author"), make_user("reader")
    request = rf.get(author.get_absolute_url())
    request.user = reader
    subscribe_url = reverse("community:subscribe_user", args=["author"])
    html = render_to_string(
        "community/subscription_button.html",
        {"subscription": subscription_of(reader, creator=author), "subscribe_url": subscribe_url},
        request=request,
    )
    assert f'action="{subscribe_url}"' in html
    assert "csrfmiddlewaretoken" in html
    assert ">Subscribe</button>" in html

    subscription = subscribe_to_user(reader, "author")
    html = render_to_string(
        "community/subscription_button.html",
        {"subscription": subscription_of(reader, creator=author), "subscribe_url": subscribe_url},
        request=request,
    )
    assert reverse("community:unsubscribe", args=[subscription.pk]) in html
    assert ">Unsubscribe</button>" in html
