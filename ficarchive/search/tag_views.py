"""A tag's page: the works listed under it, as the reader may see them (mutes applied).

A list of works, so it lives above `works` with the other lists that filter and sort; `tags`
itself knows nothing of works."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from ficarchive.search.saved import without_muted
from ficarchive.tags.models import Tag, tag_from_url
from ficarchive.works.queries import listed_works, tag_is_shown, with_blurb_data

PAGE_SIZE = 20


def tag_works(request: HttpRequest, name: str) -> HttpResponse:
    tag = get_object_or_404(Tag.objects.select_related("merger"), name__iexact=tag_from_url(name))
    if not tag_is_shown(request.user, tag):  # only on works hidden from this reader
        raise Http404("No tag found.")
    if tag.merger is not None:  # a synonym's works are listed under its canonical tag
        return redirect(tag.merger)
    # Through the filter table: works tagged with a synonym or a sub-tag are found here too.
    listed = without_muted(listed_works(request.user), request.user)
    works = with_blurb_data(listed.filter(filter_taggings__filter_tag=tag))
    page = Paginator(works, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "works/work_list.html", {"page": page, "tag": tag})
