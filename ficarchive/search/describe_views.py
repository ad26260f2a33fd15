"""`/search/describe?q=…`: find a story from a description of what happens in it.

A view of its own beside `views.py`, which holds the query-language search and its filters.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from ficarchive.search import semantic


def describe(request: HttpRequest) -> HttpResponse:
    """The works that fit the description, best first; when none fits well, the nearest few
    under a heading that says so; a description with nothing to search for gets why."""
    text = request.GET.get("q", "").strip()
    context: dict[str, object] = {"q": text, "max_length": semantic.MAX_DESCRIPTION}
    if text:
        found = semantic.describe(request.user, text)
        context.update(
            {
                "searched": not found.message,
                "message": found.message,
                "works": [work for work, _ in found.fits],
                "nearest": [work for work, _ in found.nearest],
            }
        )
    return render(request, "search/describe.html", context)
