"""What views across the archive ask of a request: the signed-in user, and the way back."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponseRedirect
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme

from ficarchive.accounts.models import User


def signed_in(request: HttpRequest) -> User:
    """The logged-in user (views check `login_required` first)."""
    user = request.user
    if not isinstance(user, User):
        raise PermissionDenied
    return user


def next_url(request: HttpRequest) -> str | None:
    """The page a form came from (`next`), when it is a page of this site."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    allowed = url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return target if target and allowed else None


def go_back(request: HttpRequest, default: str) -> HttpResponseRedirect:
    """Redirect to the page the form came from (`next`, when it is ours), else to `default` (a
    path or a URL name)."""
    return redirect(next_url(request) or default)
