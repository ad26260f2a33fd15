from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from ficarchive.accounts.web import go_back, signed_in
from ficarchive.search import saved, services
from ficarchive.search.models import MutedTag, MutedUser, SavedSearch
from ficarchive.search.paging import Matches
from ficarchive.tags.models import TagType

PAGE_SIZE = 20


# Ids and page numbers fit a 64-bit column: 18 digits always do. Longer ones, signs and digits
# other than 0-9 ("²" passes str.isdigit() and fails int()) are no id at all.
_WHOLE_NUMBER = re.compile(r"[0-9]{1,18}")
_PAGE_NUMBER = re.compile(r"[0-9]{1,100}")


def _number(value: str) -> int | None:
    return int(value) if _WHOLE_NUMBER.fullmatch(value) else None


def _ids(request: HttpRequest, name: str) -> list[int]:
    """The ids the links of the page put in `name`; anything else there is left out."""
    numbers = (_number(value) for value in request.GET.getlist(name))
    # Each id once, in order: a repeated tag is the same filter.
    return list(dict.fromkeys(number for number in numbers if number is not None))


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
    # The search is worked out once: the count, the page and the tag counts come from its ids.
    matches = Matches(results.works)
    context.update(
        {
            "searched": True,
            "results": results,
            "page": Paginator(matches, PAGE_SIZE).get_page(request.GET.get("page")),
            "page_query": urlencode(base, doseq=True),
            "facets": _facet_pages(request, results, matches, base),
            "chosen": _removal_links(base, results),
        }
    )
    return render(request, "search/search.html", context)


def _facet_pages(
    request: HttpRequest, results: services.Results, matches: Matches, base: dict[str, Any]
) -> list[dict[str, Any]]:
    """Each tag type's counts, a page at a time (`<type>_page`), with links that add the tag to
    the included or excluded ones; the tags already chosen are shown above, not here."""
    chosen = [tag.pk for tag in (*results.included, *results.excluded)]
    pages = {
        tag_type: int(value)
        for tag_type in TagType.values
        # Any length: a page past the end is the last one (Python's int has no upper bound).
        if _PAGE_NUMBER.fullmatch(value := request.GET.get(f"{tag_type}_page", ""))
    }
    groups = services.facets(
        matches.facet_source, per_page=services.FACET_PAGE_SIZE, pages=pages, leave_out=chosen
    )
    shown = []
    for group in groups.values():
        rows = []
        for facet in group.facets:
            with_tag = {**base, "include": [*base["include"], facet.tag.pk]}
            without = {**base, "exclude": [*base["exclude"], facet.tag.pk]}
            rows.append(
                {
                    "facet": facet,
                    "include": urlencode(with_tag, doseq=True),
                    "exclude": urlencode(without, doseq=True),
                }
            )
        shown.append({"group": group, "rows": rows, "query": urlencode(base, doseq=True)})
    return shown


def _removal_links(base: dict[str, Any], results: services.Results) -> dict[str, list[Any]]:
    """The chosen tags, each with the query string of this search without it."""
    links: dict[str, list[Any]] = {"included": [], "excluded": []}
    for key, tags in (("include", results.included), ("exclude", results.excluded)):
        for tag in tags:
            rest = {**base, key: [pk for pk in base[key] if pk != tag.pk]}
            links[f"{key}d"].append((tag, urlencode(rest, doseq=True)))
    return links


@login_required
def saved_searches(request: HttpRequest) -> HttpResponse:
    """`/search/saved`: the reader's named searches; POST saves the search it is given."""
    user = signed_in(request)
    error = ""
    if request.method == "POST":
        try:
            saved.save_search(
                user,
                request.POST.get("name", ""),
                request.POST.get("q", ""),
                sort=request.POST.get("sort", "best"),
                include=_posted_ids(request, "include"),
                exclude=_posted_ids(request, "exclude"),
            )
        except saved.SavedError as error_:
            error = str(error_)
        else:
            messages.success(request, "Your search was saved.")
            return redirect("search:saved")
    searches = [
        (
            item,
            urlencode(
                {
                    "q": item.query,
                    "sort": item.sort,
                    "include": item.include,
                    "exclude": item.exclude,
                },
                doseq=True,
            ),
        )
        for item in SavedSearch.objects.filter(user=user)
    ]
    status = 400 if error else 200
    return render(
        request, "search/saved.html", {"searches": searches, "error": error}, status=status
    )


@login_required
@require_POST
def saved_delete(request: HttpRequest, saved_id: int) -> HttpResponse:
    saved.delete_saved(signed_in(request), saved_id)
    return redirect("search:saved")


@login_required
def mutes(request: HttpRequest) -> HttpResponse:
    """`/search/mutes`: the tags and users whose works this reader never sees listed."""
    user = signed_in(request)
    error = ""
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            if action == "mute_tag":
                saved.mute_tag(user, request.POST.get("name", ""))
            elif action == "mute_user":
                muted = saved.mute_user(user, request.POST.get("name", "")).muted
                messages.success(
                    request,
                    f"You muted {muted.username}. Their works and comments are hidden from you.",
                )
            elif action == "unmute_tag" and (muted_id := _number(request.POST.get("id", ""))):
                saved.unmute_tag(user, muted_id)
            elif action == "unmute_user" and (muted_id := _number(request.POST.get("id", ""))):
                unmuted = saved.unmute_user(user, muted_id)
                if unmuted is None:
                    raise saved.SavedError("Unmute: the form did not name a user you have muted.")
                messages.success(request, f"You unmuted {unmuted.username}.")
            else:
                raise saved.SavedError("Sorry, that request was not understood.")
        except saved.SavedError as error_:
            error = str(error_)
        else:
            # The Mute buttons on a user's page come back to it.
            return go_back(request, "search:mutes")
    context = {
        "tags": MutedTag.objects.filter(user=user).select_related("tag").order_by("tag__name"),
        "users": MutedUser.objects.filter(user=user)
        .select_related("muted")
        .order_by("muted__username"),
        "error": error,
    }
    return render(request, "search/mutes.html", context, status=400 if error else 200)


def _posted_ids(request: HttpRequest, name: str) -> list[int]:
    numbers = (_number(value) for value in request.POST.getlist(name))
    return list(dict.fromkeys(number for number in numbers if number is not None))
