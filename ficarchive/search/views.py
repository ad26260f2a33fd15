from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from ficarchive.search import services
from ficarchive.tags.models import TagType
from ficarchive.works.queries import with_blurb_data

PAGE_SIZE = 20
FACET_PAGE_SIZE = 15


def _ids(request: HttpRequest, name: str) -> list[int]:
    return [int(value) for value in request.GET.getlist(name) if value.isdigit()]


def search(request: HttpRequest) -> HttpResponse:
    """`/search?q=…&sort=…&include=ID&exclude=ID`: works matching the query and the tag filters,
    with every tag of the results counted; a malformed query says what is wrong."""
    text = request.GET.get("q", "").strip()
    sort = request.GET.get("sort", "best")
    include, exclude = _ids(request, "include"), _ids(request, "exclude")
    context: dict[str, object] = {"q": text, "sort": sort, "sorts": services.SORTS}
    if not text and not include and not exclude:
        return render(request, "search/search.html", context)
    try:
        results = services.search(request.user, text, sort=sort, include=include, exclude=exclude)
    except services.SearchError as error:
        context["error"] = str(error)
        return render(request, "search/search.html", context, status=400)
    base: dict[str, Any] = {"q": text, "sort": sort, "include": include, "exclude": exclude}
    works = with_blurb_data(results.works)
    context.update(
        {
            "searched": True,
            "results": results,
            "page": Paginator(works, PAGE_SIZE).get_page(request.GET.get("page")),
            "page_query": urlencode(base, doseq=True),
            "facets": _facet_pages(request, results, base),
        }
    )
    return render(request, "search/search.html", context)


def _facet_pages(
    request: HttpRequest, results: services.Results, base: dict[str, Any]
) -> list[dict[str, Any]]:
    """Each tag type's counts, a page at a time (`<type>_page`), with links that add the tag to
    the included or excluded ones."""
    chosen = {tag.pk for tag in (*results.included, *results.excluded)}
    pages = []
    for tag_type, found in services.facets(results.works).items():
        page = Paginator([f for f in found if f.tag.pk not in chosen], FACET_PAGE_SIZE).get_page(
            request.GET.get(f"{tag_type}_page")
        )
        rows = []
        for facet in page.object_list:
            with_tag = {**base, "include": [*base["include"], facet.tag.pk]}
            without = {**base, "exclude": [*base["exclude"], facet.tag.pk]}
            rows.append(
                {
                    "facet": facet,
                    "include": urlencode(with_tag, doseq=True),
                    "exclude": urlencode(without, doseq=True),
                }
            )
        pages.append(
            {
                "type": tag_type,
                "label": TagType(tag_type).label,
                "page": page,
                "rows": rows,
                "query": urlencode(base, doseq=True),
            }
        )
    return pages
