"""The site skin page, `skins`: any reader, logged in or not, chooses how the archive looks.

A plain form (no JavaScript needed): it posts, the choice is kept (in the account, or in the
`skin` cookie for a logged-out reader) and the reader goes back to the page they came from, which
shows the new skin at once.
"""

from __future__ import annotations

from dataclasses import asdict

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import URLPattern, path

from ficarchive.accounts import skins
from ficarchive.accounts.forms import SkinForm
from ficarchive.accounts.models import User
from ficarchive.accounts.web import go_back, next_url


def site_skin(request: HttpRequest) -> HttpResponse:
    form = SkinForm(request.POST or None, initial=asdict(skins.skin_of(request)))
    if request.method == "POST" and form.is_valid():
        chosen = form.skin_chosen()
        response = go_back(request, "accounts:skin")
        user = request.user
        if isinstance(user, User):
            user.skin, user.color_scheme = chosen.skin, chosen.scheme
            user.text_size, user.line_width = chosen.size, chosen.width
            user.save(update_fields=["skin", "color_scheme", "text_size", "line_width"])
        else:
            skins.remember_in_cookie(response, chosen)
        messages.success(request, f"Your site skin is now: {chosen.describe()}.")
        return response
    status = 400 if request.method == "POST" else 200
    context = {"form": form, "next": next_url(request) or ""}
    return render(request, "accounts/skin.html", context, status=status)


urlpatterns: list[URLPattern] = [path("skins", site_skin, name="skin")]
