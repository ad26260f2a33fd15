"""Lists of works with AO3's Sort and Filter form beside them: `/works`, a user's works and a
pseud's works (a tag's works are in `tag_views`, a user's bookmarks in community). Each list is
a search narrowed to its works (`filters.apply`), so every one takes the same parameters."""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from ficarchive.accounts.models import User
from ficarchive.accounts.services import find_pseud
from ficarchive.search import filters, services
from ficarchive.tags.models import Tag
from ficarchive.works.models import Creatorship

TEMPLATE = "search/work_list.html"


def listing_page(
    request: HttpRequest,
    template: str,
    context: dict[str, Any],
    *,
    default_sort: str = "updated",
    within: Q | None = None,
    tag: Tag | None = None,
) -> HttpResponse:
    """A list of works with the Sort and Filter form beside it; a parameter the archive cannot
    use is answered 400 with the form and the message naming the field."""
    status = 200
    try:
        work_filter = filters.read_filter(request.GET, default_sort=default_sort)
    except filters.FilterError as error:
        kept = filters.WorkFilter(
            sort=default_sort,
            include=filters.ids(request.GET, "include"),
            exclude=filters.ids(request.GET, "exclude"),
        )
        listing, status = filters.Listing(kept, None, error=str(error)), 400
    else:
        try:
            listing = filters.apply(
                request.user,
                work_filter,
                page_number=request.GET.get("page"),
                within=within,
                tag=tag,
            )
        except (filters.FilterError, services.SearchError) as error:
            listing, status = filters.Listing(work_filter, None, error=str(error)), 400
    context = {**context, **filters.form_context(listing, request.GET), "page": listing.page}
    context["page_query"] = listing.page_query
    return render(request, template, context, status=status)


def work_list(request: HttpRequest) -> HttpResponse:
    """`/works`: every work the reader may see, newest update first."""
    return listing_page(request, TEMPLATE, {})


def user_works(request: HttpRequest, username: str) -> HttpResponse:
    """`/users/<u>/works`: the works credited to any of the user's pseuds."""
    owner = get_object_or_404(User, username__iexact=username, is_active=True)
    credited = Creatorship.objects.filter(pseud__user=owner).values("work_id")
    return listing_page(request, TEMPLATE, {"owner": owner}, within=Q(pk__in=credited))


def pseud_works(request: HttpRequest, username: str, pseud: str) -> HttpResponse:
    """`/users/<u>/pseuds/<p>/works`: the works credited to one pseud."""
    found = find_pseud(username, pseud)
    if found is None:
        raise Http404("No pseud found.")
    credited = Creatorship.objects.filter(pseud=found).values("work_id")
    context = {"owner": found.user, "pseud": found}
    return listing_page(request, TEMPLATE, context, within=Q(pk__in=credited))
