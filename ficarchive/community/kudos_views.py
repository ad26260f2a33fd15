"""The kudos button's POST: leave kudos, then go back to the page it was pressed on."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_POST

from ficarchive.accounts.guests import client_address
from ficarchive.accounts.web import go_back
from ficarchive.community.kudos import (
    GUEST_COOKIE,
    GUEST_COOKIE_SECONDS,
    AlreadyLeft,
    KudosError,
    guest_cookie_path,
    leave_kudos,
)
from ficarchive.works.models import Creatorship, Work
from ficarchive.works.web import visible_work


@require_POST
def kudos(request: HttpRequest, work_id: int) -> HttpResponse:
    creatorships = Creatorship.objects.select_related("pseud")
    works = Work.objects.prefetch_related(Prefetch("creatorships", queryset=creatorships))
    work = visible_work(request, work_id, works)
    left = True
    try:
        leave_kudos(work, request.user, address=client_address(request))
    except KudosError as error:
        messages.error(request, str(error))
        left = isinstance(error, AlreadyLeft)
    else:
        messages.success(request, "Thank you for leaving kudos!")
    response = go_back(request, work.get_absolute_url())
    if left and not request.user.is_authenticated:
        # The guest's pages of this work are made for them for a while, showing their kudos.
        response.set_cookie(
            GUEST_COOKIE,
            "1",
            max_age=GUEST_COOKIE_SECONDS,
            path=guest_cookie_path(work),
            secure=settings.SESSION_COOKIE_SECURE,
            httponly=True,
            samesite="Lax",
        )
    return response
