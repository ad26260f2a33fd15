"""The inbox page: read, filter, mark read or unread, delete, approve and reply from the list.

Replies post to the comment view (`community:comment_new`) with the inbox item's id, which marks
the item replied; approving posts to `community:comment_approve`.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from ficarchive.accounts.web import signed_in
from ficarchive.community import inbox

PAGE_SIZE = 20
ACTIONS = {"read", "unread", "delete"}


@login_required
@require_GET
def inbox_page(request: HttpRequest) -> HttpResponse:
    unread_only = request.GET.get("filter") == "unread"
    items = inbox.items(signed_in(request), unread_only=unread_only)
    page = Paginator(items, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "unread_only": unread_only,
        "unread": inbox.unread_count(request.user),
        "inbox_url": request.get_full_path(),
        "comment_base": reverse("community:comment", args=[0])[:-1],
    }
    return render(request, "community/inbox.html", context)


@login_required
@require_POST
def inbox_update(request: HttpRequest) -> HttpResponse:
    action = request.POST.get("action", "")
    ids = request.POST.getlist("items")
    back = reverse("community:inbox")
    if request.POST.get("filter") == "unread":
        back += "?filter=unread"
    if action not in ACTIONS:
        message = f"Inbox: {action!r} is not something the inbox can do (read, unread, delete)."
        return render(request, "community/inbox_error.html", {"error": message}, status=400)
    if not ids:
        messages.error(request, "Inbox: select at least one comment first.")
        return redirect(back)
    if action == "delete":
        count = inbox.remove(signed_in(request), ids)
        messages.success(
            request, f"Deleted {count} comment{'s' if count != 1 else ''} from your inbox."
        )
    else:
        count = inbox.mark(signed_in(request), ids, read=action == "read")
        messages.success(request, f"Marked {count} comment{'s' if count != 1 else ''} {action}.")
    return redirect(back)
