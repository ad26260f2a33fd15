from __future__ import annotations

import re
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from ficarchive.accounts.web import go_back, signed_in
from ficarchive.search import filters, saved
from ficarchive.search.list_views import listing_page
from ficarchive.search.models import MutedTag, MutedUser, SavedSearch

# Ids and page numbers fit a 64-bit column: 18 digits always do. Longer ones, signs and digits
# other than 0-9 ("²" passes str.isdigit() and fails int()) are no id at all.
_WHOLE_NUMBER = re.compile(r"[0-9]{1,18}")


def _number(value: str) -> int | None:
    return int(value) if _WHOLE_NUMBER.fullmatch(value) else None


def search(request: HttpRequest) -> HttpResponse:
    """`/search?q=…` with the Sort and Filter form's parameters (`filters.py`): works matching
    the query and the filters, the form beside them with every tag of the results counted; a
    malformed query or filter says what is wrong."""
    text = request.GET.get("q", "").strip()
    context: dict[str, object] = {"q": text}
    try:
        asked = bool(text) or filters.read_filter(request.GET, default_sort="best").narrows
    except filters.FilterError:
        asked = True  # answered 400 by the listing, naming the field
    if not asked:
        listing = filters.Listing(filters.WorkFilter(sort="best"), None)
        context.update(filters.form_context(listing, request.GET))
        return render(request, "search/search.html", context)
    context["searched"] = True
    return listing_page(request, "search/search.html", context, default_sort="best")


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
                include=filters.ids(request.POST, "include"),
                exclude=filters.ids(request.POST, "exclude"),
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
