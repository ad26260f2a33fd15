"""The kudos button's POST: leave kudos, then go back to the page it was pressed on."""

from __future__ import annotations

from django.contrib import messages
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import URLPattern, path
from django.views.decorators.http import require_POST

from ficarchive.accounts.guests import client_address
from ficarchive.accounts.web import next_url
from ficarchive.community.kudos import KudosError, leave_kudos
from ficarchive.works.models import Creatorship, Work
from ficarchive.works.queries import can_view


def _back(request: HttpRequest, work: Work) -> str:
    """Where the button was pressed (a chapter page), if that is a page of this site."""
    return next_url(request) or work.get_absolute_url()


@require_POST
def kudos(request: HttpRequest, work_id: int) -> HttpResponse:
    creatorships = Creatorship.objects.select_related("pseud")
    work = get_object_or_404(
        Work.objects.prefetch_related(Prefetch("creatorships", queryset=creatorships)),
        pk=work_id,
    )
    if not can_view(request.user, work):
        raise Http404("No work found.")
    try:
        leave_kudos(work, request.user, address=client_address(request))
    except KudosError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, "Thank you for leaving kudos!")
    return redirect(_back(request, work))


urlpatterns: list[URLPattern] = [
    path("works/<int:work_id>/kudos", kudos, name="kudos"),
]
