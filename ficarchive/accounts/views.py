"""Sign-up, log-in, log-out, password change and reset, pseuds, preferences. The user and
pseud pages, which list works, are `community.people_views`."""

from __future__ import annotations

from dataclasses import asdict

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout, update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import PasswordChangeForm, SetPasswordForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from ficarchive.accounts import resets, services, skins, throttle
from ficarchive.accounts.forms import (
    LogInForm,
    PasswordResetForm,
    PreferencesForm,
    PseudForm,
    SignUpForm,
    SkinForm,
)
from ficarchive.accounts.guests import client_address
from ficarchive.accounts.models import User
from ficarchive.accounts.web import go_back, next_url


def signup(request: HttpRequest) -> HttpResponse:
    form = SignUpForm(request.POST or None)
    refused: services.AccountError | None = None
    if request.method == "POST" and form.is_valid():
        try:
            user = services.sign_up(
                services.SignUp(
                    username=form.cleaned_data["username"],
                    email=form.cleaned_data["email"],
                    password=form.cleaned_data["password"],
                    invitation_code=form.cleaned_data["invitation_code"],
                ),
                client_address(request),
            )
        except services.AccountError as error:
            form.add_error(error.field, error.message)
            refused = error
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, f"Welcome, {user.username}! Your account is ready.")
            return redirect("home")
    response = render(request, "accounts/signup.html", {"form": form}, status=_status(request))
    return _retry_after(response, refused)


def _status(request: HttpRequest) -> int:
    # A form sent back with errors is a 400 so scripts and tests see the failure.
    return 400 if request.method == "POST" else 200


def _retry_after(response: HttpResponse, error: services.AccountError | None) -> HttpResponse:
    """A try refused by a limit is a 429 that says, as the message does, when to come back."""
    if error is not None and error.retry_after is not None:
        response.status_code = 429
        response["Retry-After"] = str(error.retry_after)
    return response


def log_in(request: HttpRequest) -> HttpResponse:
    form = LogInForm(request.POST or None)
    refused: services.AccountError | None = None
    if request.method == "POST" and form.is_valid():
        try:
            user = services.log_in(
                request, form.cleaned_data["username"], form.cleaned_data["password"]
            )
        except services.AccountError as error:
            form.add_error(None, error.message)
            refused = error
        else:
            login(request, user)
            # Ticked: the session lasts SESSION_COOKIE_AGE; unticked, it ends with the browser.
            remember = form.cleaned_data["remember"]
            request.session.set_expiry(settings.SESSION_COOKIE_AGE if remember else 0)
            return go_back(request, "/")
    context = {"form": form, "next": next_url(request) or "/"}
    response = render(request, "accounts/login.html", context, status=_status(request))
    return _retry_after(response, refused)


@require_POST
def log_out(request: HttpRequest) -> HttpResponse:
    logout(request)
    messages.info(request, "You have logged out.")
    return redirect("home")


@login_required
def password_change(request: HttpRequest) -> HttpResponse:
    form = PasswordChangeForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = form.save()
        update_session_auth_hash(request, user)
        messages.success(request, "Your password has been changed.")
        return redirect("accounts:preferences")
    return render(request, "accounts/password.html", {"form": form}, status=_status(request))


def password_reset(request: HttpRequest) -> HttpResponse:
    """Ask for a reset link. Every address gets the same answer, account or not."""
    form = PasswordResetForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            resets.send_reset_links(form.cleaned_data["email"], client_address(request))
        except throttle.Throttled as refused:
            form.add_error("email", refused.message)
            response = render(request, "accounts/password_reset.html", {"form": form}, status=429)
            response["Retry-After"] = str(refused.seconds)
            return response
        return redirect("accounts:password_reset_sent")
    return render(request, "accounts/password_reset.html", {"form": form}, status=_status(request))


def password_reset_sent(request: HttpRequest) -> HttpResponse:
    hours = settings.PASSWORD_RESET_TIMEOUT // 3600
    return render(request, "accounts/password_reset_sent.html", {"hours": hours})


def password_reset_confirm(request: HttpRequest, uidb64: str, token: str) -> HttpResponse:
    """Set a new password from a reset link; a wrong, expired or used link says so."""
    user = resets.user_for_link(uidb64, token)
    if user is None:
        return render(request, "accounts/password_reset_invalid.html", status=400)
    form = SetPasswordForm(user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, "Your password has been changed. Log in with your new password.")
        return redirect("accounts:login")
    return render(
        request, "accounts/password_reset_confirm.html", {"form": form}, status=_status(request)
    )


@login_required
def preferences(request: HttpRequest) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)
    fields = ["view_adult", "keep_history", "update_emails"]
    form = PreferencesForm(
        request.POST or None, initial={name: getattr(user, name) for name in fields}
    )
    if request.method == "POST" and form.is_valid():
        for name in fields:
            if form.cleaned_data[name] != "":
                setattr(user, name, form.cleaned_data[name])
        user.save(update_fields=fields)
        messages.success(request, "Your preferences were saved.")
        return redirect("accounts:preferences")
    # The skin has its own form (it posts to `skins`, as logged-out readers' does).
    skin_form = SkinForm(initial=asdict(skins.skin_of(request)))
    context = {"form": form, "skin_form": skin_form}
    return render(request, "accounts/preferences.html", context, status=_status(request))


@login_required
def pseud_new(request: HttpRequest) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)
    form = PseudForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            pseud = services.add_pseud(
                user,
                form.cleaned_data["name"],
                form.cleaned_data["description"],
                make_default=form.cleaned_data["make_default"],
            )
        except services.AccountError as error:
            form.add_error(error.field, error.message)
        else:
            messages.success(request, f"Pseud {pseud.name} created.")
            return redirect(pseud)
    return render(request, "accounts/pseud_form.html", {"form": form}, status=_status(request))
