"""A tag's page: the works listed under it, as the reader may see them (mutes applied), with the
Sort and Filter form beside them.

A list of works, so it lives above `works` with the other lists that filter and sort; `tags`
itself knows nothing of works."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect

from ficarchive.search.list_views import TEMPLATE, listing_page
from ficarchive.tags.models import Tag, tag_from_url
from ficarchive.works.queries import tag_is_shown


def tag_works(request: HttpRequest, name: str) -> HttpResponse:
    tag = get_object_or_404(Tag.objects.select_related("merger"), name__iexact=tag_from_url(name))
    if not tag_is_shown(request.user, tag):  # only on works hidden from this reader
        raise Http404("No tag found.")
    if tag.merger is not None:  # a synonym's works are listed under its canonical tag
        return redirect(tag.merger)
    # Through the filter table: works tagged with a synonym or a sub-tag are found here too.
    return listing_page(request, TEMPLATE, {"tag": tag}, tag=tag)
