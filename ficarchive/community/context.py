"""What the reading pages show of the community: each part adds its own names to the context.

`work_page_context` is called by the work and chapter pages (works.views) with the chapter shown,
or None for the whole work; every part reads in a fixed number of queries, however many kudos,
comments or bookmarks there are.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from ficarchive.community import bookmarks, comments, kudos, readings, subscriptions
from ficarchive.works.models import Chapter, Work


def work_page_context(request: HttpRequest, work: Work, chapter: Chapter | None) -> dict[str, Any]:
    context: dict[str, Any] = {}
    context.update(kudos.page_context(request, work))
    context.update(comments.page_context(request, work, chapter))
    context.update(bookmarks.page_context(request, work))
    context.update(subscriptions.page_context(request, work))
    context.update(readings.page_context(request, work, chapter))
    return context
