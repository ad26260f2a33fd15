"""The account pages for blocking and muting users: `account/blocked` and `account/muted`.

The pages list whom the user blocked or muted, block or mute by user name, and lift either;
the Block and Mute buttons on a user's page post to the same views and come back there.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import URLPattern, path
from django.views.decorators.http import require_GET, require_POST

from ficarchive.accounts import blocks
from ficarchive.accounts.web import go_back, signed_in


def _blocked_page(request: HttpRequest, status: int = 200) -> HttpResponse:
    context = {"blocks": blocks.blocks_of(signed_in(request))}
    return render(request, "accounts/blocks.html", context, status=status)


def _user_id(request: HttpRequest) -> int | None:
    value = request.POST.get("user", "")
    return int(value) if value.isdigit() else None


@login_required
@require_GET
def blocked(request: HttpRequest) -> HttpResponse:
    """`account/blocked`: the users I blocked, a form to block another, and Unblock buttons."""
    return _blocked_page(request)


@login_required
@require_POST
def block(request: HttpRequest) -> HttpResponse:
    try:
        made = blocks.block(signed_in(request), request.POST.get("username", ""))
    except blocks.BlockError as error:
        messages.error(request, str(error))
        return _blocked_page(request, status=400)
    messages.success(
        request,
        f"You blocked {made.blocked.username}. They can no longer comment on or leave kudos on "
        "your works.",
    )
    return go_back(request, "accounts:blocked")


@login_required
@require_POST
def unblock(request: HttpRequest) -> HttpResponse:
    user_id = _user_id(request)
    other = blocks.unblock(signed_in(request), user_id) if user_id is not None else None
    if other is None:
        messages.error(request, "Unblock: the form did not name a user you have blocked.")
        return _blocked_page(request, status=400)
    messages.success(request, f"You unblocked {other.username}.")
    return go_back(request, "accounts:blocked")


urlpatterns: list[URLPattern] = [
    path("account/blocked", blocked, name="blocked"),
    path("account/blocked/add", block, name="block"),
    path("account/blocked/remove", unblock, name="unblock"),
]
