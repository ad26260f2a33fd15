"""The OPDS catalog on the web: OPDS 1.2 under `/opds/`, OPDS 2.0 under `/opds/v2/`.

Each view reads the request (page, facets, search words), builds a feed in `opds` and writes it
in the version asked for.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404

from ficarchive.exports import opds
from ficarchive.exports.atom import render_atom, render_opensearch
from ficarchive.exports.catalog import ACQUISITION_KIND, Feed
from ficarchive.exports.opds import OPENSEARCH_TYPE, Catalog, Listing, opds1_type
from ficarchive.exports.opds2 import OPDS2_TYPE, render_opds2
from ficarchive.exports.queries import FacetError, Facets
from ficarchive.tags.models import Tag, tag_from_url
from ficarchive.works.models import Series
from ficarchive.works.queries import series_works, tag_is_shown


def _catalog(request: HttpRequest, version: int) -> Catalog:
    return Catalog(version, f"{request.scheme}://{request.get_host()}", request.user)


def _listing(request: HttpRequest) -> Listing:
    facets = Facets.parse(request.GET.get("rating", ""), request.GET.get("status", ""))
    return Listing(request.GET.get("page"), facets)


def _respond(request: HttpRequest, version: int, build: Callable[[Catalog], Feed]) -> HttpResponse:
    try:
        feed = build(_catalog(request, version))
    except FacetError as error:
        return HttpResponseBadRequest(str(error), content_type="text/plain; charset=utf-8")
    if version == 1:
        return HttpResponse(render_atom(feed), content_type=opds1_type(feed.kind))
    return HttpResponse(render_opds2(feed), content_type=OPDS2_TYPE)


def root(request: HttpRequest, version: int) -> HttpResponse:
    return _respond(request, version, opds.root)


def recent(request: HttpRequest, version: int) -> HttpResponse:
    return _respond(request, version, lambda catalog: opds.recent(catalog, _listing(request)))


def fandoms(request: HttpRequest, version: int) -> HttpResponse:
    page = request.GET.get("page")
    return _respond(request, version, lambda catalog: opds.fandoms(catalog, page))


def top_tags(request: HttpRequest, version: int) -> HttpResponse:
    return _respond(request, version, opds.popular_tags)


def tag(request: HttpRequest, version: int, name: str) -> HttpResponse:
    found = get_object_or_404(Tag, name__iexact=tag_from_url(name))
    if not tag_is_shown(request.user, found):
        raise Http404("No tag found.")  # as on the tag's page: only on works hidden from them
    return _respond(request, version, lambda catalog: opds.tag(catalog, found, _listing(request)))


def series_list(request: HttpRequest, version: int) -> HttpResponse:
    page = request.GET.get("page")
    return _respond(request, version, lambda catalog: opds.series_list(catalog, page))


def series(request: HttpRequest, version: int, series_id: int) -> HttpResponse:
    found = get_object_or_404(Series, pk=series_id)
    if not series_works(request.user, found).exists():
        raise Http404("No series found.")  # as on the series page: nothing to show this reader
    return _respond(
        request, version, lambda catalog: opds.series(catalog, found, _listing(request))
    )


def search(request: HttpRequest, version: int) -> HttpResponse:
    query = request.GET.get("query", "")
    return _respond(
        request, version, lambda catalog: opds.search(catalog, query, _listing(request))
    )


def opensearch(request: HttpRequest) -> HttpResponse:
    template = _catalog(request, 1).url("search") + "?query={searchTerms}"
    description = render_opensearch(settings.SITE_NAME, template, opds1_type(ACQUISITION_KIND))
    return HttpResponse(description, content_type=OPENSEARCH_TYPE)
