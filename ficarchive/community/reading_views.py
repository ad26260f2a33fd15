"""History pages: a reader's history and Marked for Later list, and the buttons that change them."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from ficarchive.accounts.models import User
from ficarchive.accounts.web import go_back, signed_in
from ficarchive.community import readings
from ficarchive.community.readings import ReadingError
from ficarchive.works.web import visible_work

PAGE_SIZE = 20


def _owner(request: HttpRequest, username: str) -> User:
    """The history's owner, who is the only one to see it."""
    user = signed_in(request)
    if user.username.lower() != username.lower():
        raise PermissionDenied("Only its owner can see a history.")
    return user


@login_required
def reading_list(request: HttpRequest, username: str) -> HttpResponse:
    owner = _owner(request, username)
    later_only = request.GET.get("show") == "later"
    items = readings.history(owner, later_only=later_only)
    page = Paginator(items, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "owner": owner,
        "page": page,
        "later_only": later_only,
        "page_query": "show=later" if later_only else "",
    }
    return render(request, "community/readings.html", context)


@login_required
@require_POST
def reading_clear(request: HttpRequest, username: str) -> HttpResponse:
    owner = _owner(request, username)
    readings.clear_history(owner)
    messages.success(request, "Your history is now cleared.")
    return redirect("community:readings", owner.username)


@login_required
@require_POST
def reading_delete(request: HttpRequest, reading_id: int) -> HttpResponse:
    user = signed_in(request)
    try:
        readings.delete_reading(user, reading_id)
    except ReadingError as error:
        return HttpResponse(error.message, status=400, content_type="text/plain")
    messages.success(request, "Work was deleted from your history.")
    return go_back(request, reverse("community:readings", args=[user.username]))


@login_required
@require_POST
def mark_for_later(request: HttpRequest, work_id: int) -> HttpResponse:
    user = signed_in(request)
    work = visible_work(request, work_id)
    try:
        later = readings.toggle_later(user, work)
    except ReadingError as error:
        return HttpResponse(error.message, status=400, content_type="text/plain")
    if later:
        messages.success(request, "This work was added to your Marked for Later list.")
    else:
        messages.success(request, "This work was marked as read.")
    return go_back(request, work.get_absolute_url())
