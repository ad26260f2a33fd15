"""A user's page and a pseud's page, each listing the works credited to them that the reader may
see. They sit above works and community (a user's page offers a subscription), but keep their
URL names in the `accounts` namespace (`accounts:user`, `accounts:pseud`): `ficarchive/urls.py`
joins these routes to the accounts app's."""

from __future__ import annotations

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import URLPattern, path

from ficarchive.accounts.models import User
from ficarchive.accounts.services import find_pseud
from ficarchive.community.subscriptions import subscription_of
from ficarchive.works.models import Work
from ficarchive.works.queries import listed_works, with_blurb_data

PAGE_SIZE = 20


def _works_page(request: HttpRequest, works: QuerySet[Work]) -> Page[Work]:
    return Paginator(works, PAGE_SIZE).get_page(request.GET.get("page"))


def user_page(request: HttpRequest, username: str) -> HttpResponse:
    owner = get_object_or_404(User, username__iexact=username, is_active=True)
    works = with_blurb_data(
        listed_works(request.user).filter(creatorships__pseud__user=owner).distinct()
    )
    context = {
        "owner": owner,
        "pseuds": list(owner.pseuds.all()),
        "page": _works_page(request, works),
        "is_self": request.user.pk == owner.pk,
        "subscription": subscription_of(request.user, creator=owner),
    }
    return render(request, "community/user.html", context)


def pseud_page(request: HttpRequest, username: str, pseud: str) -> HttpResponse:
    found = find_pseud(username, pseud)
    if found is None:
        raise Http404("No pseud found.")
    works = with_blurb_data(listed_works(request.user).filter(creatorships__pseud=found))
    context = {"pseud": found, "owner": found.user, "page": _works_page(request, works)}
    return render(request, "community/pseud.html", context)


# Named in the `accounts` namespace (see the module's docstring).
urlpatterns: list[URLPattern] = [
    path("users/<str:username>", user_page, name="user"),
    path("users/<str:username>/pseuds/<str:pseud>", pseud_page, name="pseud"),
]
