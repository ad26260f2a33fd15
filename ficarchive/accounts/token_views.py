"""The Tokens page in Preferences (`account/tokens`): make a personal access token for the API,
see it once, list one's tokens with when each was last used, and revoke them."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils.cache import add_never_cache_headers
from django.views.decorators.http import require_http_methods, require_POST

from ficarchive.accounts import tokens
from ficarchive.accounts.models import AccessToken
from ficarchive.accounts.web import signed_in


class TokenForm(forms.Form):
    name = forms.CharField(
        label="Token name", max_length=100, help_text="What it is for: “posting script”, an app."
    )
    scope = forms.ChoiceField(
        label="Scope", choices=AccessToken.Scope.choices, widget=forms.RadioSelect, initial="read"
    )
    expires = forms.IntegerField(
        label="Expires after (days)",
        required=False,
        min_value=1,
        max_value=tokens.MAX_DAYS,
        help_text="Empty: it works until you revoke it.",
    )


def _page(
    request: HttpRequest, form: TokenForm, secret: str = "", status: int = 200
) -> HttpResponse:
    context = {"form": form, "tokens": tokens.tokens_of(signed_in(request)), "secret": secret}
    response = render(request, "accounts/tokens.html", context, status=status)
    add_never_cache_headers(response)  # the page may show a secret
    return response


@login_required
@require_http_methods(["GET", "POST"])
def token_list(request: HttpRequest) -> HttpResponse:
    """`account/tokens`: the user's tokens and the form for a new one; a new token's secret is
    shown on the page the form answers with, once, and never again."""
    if request.method == "GET":
        return _page(request, TokenForm())
    form = TokenForm(request.POST)
    if not form.is_valid():
        return _page(request, form, status=400)
    data = form.cleaned_data
    try:
        made = tokens.create_token(signed_in(request), data["name"], data["scope"], data["expires"])
    except tokens.TokenError as error:
        form.add_error(error.field if error.field in form.fields else None, error.message)
        return _page(request, form, status=400)
    return _page(request, TokenForm(), secret=made.secret, status=201)


@login_required
@require_POST
def token_revoke(request: HttpRequest, token_id: int) -> HttpResponse:
    try:
        token = tokens.revoke(signed_in(request), token_id)
    except tokens.TokenError as error:
        messages.error(request, f"Revoke: {error.message}")
    else:
        messages.success(request, f"Token “{token.name}” is revoked: it no longer works.")
    return redirect("accounts:tokens")


urlpatterns: list[URLPattern] = [
    path("account/tokens", token_list, name="tokens"),
    path("account/tokens/<int:token_id>/revoke", token_revoke, name="token_revoke"),
]
