"""Change email (confirmed by a link to the new address) and change user name
(`accounts.identity`), linked from Preferences beside Change password."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path

from ficarchive.accounts import identity
from ficarchive.accounts.forms import EmailChangeForm, UsernameChangeForm
from ficarchive.accounts.models import RENAME_INTERVAL, RENAME_REDIRECT_DAYS
from ficarchive.accounts.services import AccountError
from ficarchive.accounts.web import signed_in


def _render(
    request: HttpRequest, template: str, context: dict[str, object], error: AccountError | None
) -> HttpResponse:
    # A form sent back with errors is a 400; one refused by a limit, a 429 saying when to retry.
    status = 400 if request.method == "POST" else 200
    response = render(request, template, context, status=status)
    if error is not None and error.retry_after is not None:
        response.status_code = 429
        response["Retry-After"] = str(error.retry_after)
    return response


@login_required
def email_change(request: HttpRequest) -> HttpResponse:
    user = signed_in(request)
    form = EmailChangeForm(request.POST or None)
    refused: AccountError | None = None
    if request.method == "POST" and form.is_valid():
        try:
            email = identity.request_email_change(
                user, form.cleaned_data["email"], form.cleaned_data["password"]
            )
        except AccountError as error:
            form.add_error(error.field, error.message)
            refused = error
        else:
            hours = identity.link_hours()
            messages.success(
                request,
                f"We sent a link to {email}. Open it within {hours} hours to make it your "
                f"email address; until then your account keeps {user.email or 'no address'}.",
            )
            return redirect("accounts:preferences")
    context: dict[str, object] = {"form": form, "current": user.email}
    return _render(request, "accounts/email_change.html", context, refused)


def email_confirm(request: HttpRequest, token: str) -> HttpResponse:
    """A link from the email: shows the change, and makes it when its button is pressed (a
    mail scanner that opens links changes nothing)."""
    try:
        link = identity.read_email_link(token)
        if request.method == "POST":
            identity.confirm_email_change(token)
            messages.success(request, f"Your email address is now {link.new}.")
            return redirect("accounts:preferences" if request.user.is_authenticated else "home")
    except identity.LinkRefused as refused:
        context = {"message": refused.message}
        return render(request, "accounts/email_confirm_invalid.html", context, status=400)
    return render(request, "accounts/email_confirm.html", {"link": link})


@login_required
def username_change(request: HttpRequest) -> HttpResponse:
    user = signed_in(request)
    form = UsernameChangeForm(request.POST or None)
    refused: AccountError | None = None
    if request.method == "POST" and form.is_valid():
        try:
            renamed = identity.change_username(
                user, form.cleaned_data["username"], form.cleaned_data["password"]
            )
        except AccountError as error:
            form.add_error(error.field, error.message)
            refused = error
        else:
            note = "" if renamed.pseud else " Your pseuds keep their names."
            messages.success(
                request,
                f"Your user name is now {user.username}.{note} Links to /users/{renamed.old} "
                f"lead here for {RENAME_REDIRECT_DAYS} days.",
            )
            return redirect(user)
    context: dict[str, object] = {
        "form": form,
        "next_at": identity.next_rename_at(user),
        "interval_days": RENAME_INTERVAL.days,
        "redirect_days": RENAME_REDIRECT_DAYS,
    }
    return _render(request, "accounts/username_change.html", context, refused)


urlpatterns = [
    path("account/email", email_change, name="email"),
    path("account/email/confirm/<str:token>", email_confirm, name="email_confirm"),
    path("account/username", username_change, name="username"),
]
