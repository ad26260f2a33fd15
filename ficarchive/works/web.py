"""What views across the archive ask about a work in a request: may this reader see it."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404

from ficarchive.works.models import Work
from ficarchive.works.queries import can_view, reading_work, with_blurb_data

# Set in request.META by a reading page that shows the reader something of their own besides the
# parts the page cache fills in (`community.reader_parts`): no copy of it is kept to share.
OWN_PAGE = "ficarchive.own_page"


def mark_own_page(request: HttpRequest) -> None:
    request.META[OWN_PAGE] = True


def adult_answered(request: HttpRequest) -> bool:
    """The reader said yes to Mature, Explicit and Not Rated works: for this page
    (`view_adult=true`), for good (their preference) or for this browser's session."""
    if request.GET.get("view_adult") == "true":
        return True
    if getattr(request.user, "view_adult", False):
        return True
    return bool(request.session.get("view_adult", False))


def visible_work(request: HttpRequest, work_id: int, works: QuerySet[Work] | None = None) -> Work:
    """The work (from `works`; by default with its blurb data) if this reader may see it.
    Drafts, and restricted works for logged-out readers, are 404: as if they did not exist."""
    if works is None:
        works = with_blurb_data(Work.objects.all())
    work = get_object_or_404(works, pk=work_id)
    if not can_view(request.user, work):
        raise Http404("No work found.")
    return work


def readable_work(request: HttpRequest, work_id: int) -> Work:
    """`visible_work` for the reading pages: the work with its creators and its tags in the
    writer's order (`works.queries.reading_work`; the adult check reads its rating), not its
    series: those are in the cached fragment `works_tags.work_tags`, which fetches them when
    it makes it."""
    work = reading_work(work_id)
    if work is None or not can_view(request.user, work):
        raise Http404("No work found.")
    return work
