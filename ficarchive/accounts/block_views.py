"""The account pages for blocking and muting users: `account/blocked` and `account/muted`.

The pages list whom the user blocked or muted, block or mute by user name, and lift either;
the Block and Mute buttons on a user's page post to the same views and come back there.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from ficarchive.accounts import blocks
from ficarchive.accounts.models import User


def _account(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


def _back(request: HttpRequest, default: str) -> HttpResponse:
    """Back to the page the button was on (a user's page), or to the list."""
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, {request.get_host()}, request.is_secure()
    ):
        return redirect(target)
    return redirect(default)


def _blocked_page(request: HttpRequest, status: int = 200) -> HttpResponse:
    context = {"blocks": blocks.blocks_of(_account(request))}
    return render(request, "accounts/blocks.html", context, status=status)


def _muted_page(request: HttpRequest, status: int = 200) -> HttpResponse:
    context = {"mutes": blocks.mutes_of(_account(request))}
    return render(request, "accounts/blocks_muted.html", context, status=status)


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
        made = blocks.block(_account(request), request.POST.get("username", ""))
    except blocks.BlockError as error:
        messages.error(request, str(error))
        return _blocked_page(request, status=400)
    messages.success(
        request,
        f"You blocked {made.blocked.username}. They can no longer comment on, leave kudos on "
        "or give gifts on your works.",
    )
    return _back(request, "accounts:blocked")


@login_required
@require_POST
def unblock(request: HttpRequest) -> HttpResponse:
    user_id = _user_id(request)
    other = blocks.unblock(_account(request), user_id) if user_id is not None else None
    if other is None:
        messages.error(request, "Unblock: the form did not name a user you have blocked.")
        return _blocked_page(request, status=400)
    messages.success(request, f"You unblocked {other.username}.")
    return _back(request, "accounts:blocked")


@login_required
@require_GET
def muted(request: HttpRequest) -> HttpResponse:
    """`account/muted`: the users I muted, a form to mute another, and Unmute buttons."""
    return _muted_page(request)


@login_required
@require_POST
def mute(request: HttpRequest) -> HttpResponse:
    try:
        other = blocks.mute(_account(request), request.POST.get("username", ""))
    except blocks.BlockError as error:
        messages.error(request, str(error))
        return _muted_page(request, status=400)
    messages.success(
        request, f"You muted {other.username}. Their works and comments are hidden from you."
    )
    return _back(request, "accounts:muted")


@login_required
@require_POST
def unmute(request: HttpRequest) -> HttpResponse:
    user_id = _user_id(request)
    other = blocks.unmute(_account(request), user_id) if user_id is not None else None
    if other is None:
        messages.error(request, "Unmute: the form did not name a user you have muted.")
        return _muted_page(request, status=400)
    messages.success(request, f"You unmuted {other.username}.")
    return _back(request, "accounts:muted")


urlpatterns: list[URLPattern] = [
    path("account/blocked", blocked, name="blocked"),
    path("account/blocked/add", block, name="block"),
    path("account/blocked/remove", unblock, name="unblock"),
    path("account/muted", muted, name="muted"),
    path("account/muted/add", mute, name="mute"),
    path("account/muted/remove", unmute, name="unmute"),
]
