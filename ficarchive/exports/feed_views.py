"""Atom feeds on the web: `/users/{user}/pseuds/{pseud}/works.atom`, `/series/{id}/works.atom`,
`/tags/{name}/feed.atom`."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse

from ficarchive.accounts.services import find_pseud
from ficarchive.exports.atom import render_atom
from ficarchive.exports.feeds import ATOM_TYPE, pseud_feed, public_works, series_feed, tag_feed
from ficarchive.tags.models import Tag, tag_from_url, tag_to_url
from ficarchive.works.models import Series
from ficarchive.works.queries import tag_is_shown


def _atom(data: bytes) -> HttpResponse:
    return HttpResponse(data, content_type=f"{ATOM_TYPE}; charset=utf-8")


def _base(request: HttpRequest) -> str:
    return f"{request.scheme}://{request.get_host()}"


def pseud_works(request: HttpRequest, username: str, pseud: str) -> HttpResponse:
    found = find_pseud(username, pseud)
    if found is None:
        raise Http404("No pseud found.")
    return _atom(render_atom(pseud_feed(_base(request), found), opds=False))


def series_works(request: HttpRequest, series_id: int) -> HttpResponse:
    found = get_object_or_404(Series, pk=series_id)
    if not public_works().filter(serial_works__series=found).exists():
        raise Http404("No series found.")  # as on the series page: nothing public to show
    return _atom(render_atom(series_feed(_base(request), found), opds=False))


def tag_works(request: HttpRequest, name: str) -> HttpResponse:
    """Fetched without a login, so it lists what a logged-out reader may see; a tag such a
    reader may not know is 404, as a tag never made. A synonym redirects to its tag's feed."""
    tag = get_object_or_404(Tag.objects.select_related("merger"), name__iexact=tag_from_url(name))
    if not tag_is_shown(AnonymousUser(), tag):
        raise Http404("No tag found.")
    if tag.merger is not None:
        return redirect(reverse("exports:tag_feed", args=[tag_to_url(tag.merger.name)]))
    return _atom(render_atom(tag_feed(_base(request), tag), opds=False))
