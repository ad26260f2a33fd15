"""Subscribing on the web: subscribe and unsubscribe buttons, the subscriptions page and the
updates page. Each view checks access, calls `community.subscriptions` and redirects."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from ficarchive.accounts.web import go_back, signed_in
from ficarchive.community import subscriptions
from ficarchive.community.subscriptions import SubscriptionError
from ficarchive.works.models import Series
from ficarchive.works.web import visible_work

UPDATES_PAGE_SIZE = 50


def _refused(request: HttpRequest, error: SubscriptionError) -> HttpResponse:
    return render(request, "community/subscription_error.html", {"message": str(error)}, status=400)


@login_required
@require_POST
def subscribe_work(request: HttpRequest, work_id: int) -> HttpResponse:
    work = visible_work(request, work_id)
    try:
        subscriptions.subscribe_to_work(signed_in(request), work)
    except SubscriptionError as error:
        return _refused(request, error)
    messages.success(request, f"You are now subscribed to {work.title}.")
    return go_back(request, work.get_absolute_url())


@login_required
@require_POST
def subscribe_user(request: HttpRequest, username: str) -> HttpResponse:
    try:
        subscription = subscriptions.subscribe_to_user(signed_in(request), username)
    except SubscriptionError as error:
        return _refused(request, error)
    assert subscription.creator is not None
    messages.success(request, f"You are now subscribed to {subscription.creator.username}.")
    return go_back(request, subscription.creator.get_absolute_url())


@login_required
@require_POST
def subscribe_series(request: HttpRequest, series_id: int) -> HttpResponse:
    series = get_object_or_404(Series, pk=series_id)
    try:
        subscriptions.subscribe_to_series(signed_in(request), series)
    except SubscriptionError as error:
        return _refused(request, error)
    messages.success(request, f"You are now subscribed to {series.title}.")
    return go_back(request, series.get_absolute_url())


@login_required
@require_POST
def unsubscribe(request: HttpRequest, subscription_id: int) -> HttpResponse:
    user = signed_in(request)
    if not subscriptions.unsubscribe(user, subscription_id):
        raise Http404("You have no such subscription.")
    messages.success(request, "You are unsubscribed.")
    return go_back(request, reverse("community:subscriptions", args=[user.username]))


@login_required
def subscription_list(request: HttpRequest, username: str) -> HttpResponse:
    user = signed_in(request)
    if user.username.lower() != username.lower():
        raise Http404("Only you can see your subscriptions.")
    groups = subscriptions.subscriptions_of(user)
    return render(request, "community/subscriptions.html", {"groups": groups, "owner": user})


@login_required
def updates(request: HttpRequest) -> HttpResponse:
    user = signed_in(request)
    page = Paginator(subscriptions.updates_of(user), UPDATES_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    context = {"page": page, "unread": subscriptions.unread_updates(user)}
    return render(request, "community/updates.html", context)


@login_required
@require_POST
def updates_read(request: HttpRequest) -> HttpResponse:
    marked = subscriptions.mark_all_read(signed_in(request))
    messages.success(request, f"Marked {marked} update{'' if marked == 1 else 's'} as read.")
    return redirect("community:updates")
