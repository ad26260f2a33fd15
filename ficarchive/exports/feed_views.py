"""Atom feeds on the web: `/users/{user}/pseuds/{pseud}/works.atom`, `/series/{id}/works.atom`."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404

from ficarchive.accounts.services import find_pseud
from ficarchive.exports.atom import render_atom
from ficarchive.exports.feeds import ATOM_TYPE, pseud_feed, public_works, series_feed
from ficarchive.works.models import Series


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
