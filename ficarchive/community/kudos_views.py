"""The kudos button's POST: leave kudos, then go back to the page it was pressed on."""

from __future__ import annotations

from django.contrib import messages
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_POST

from ficarchive.accounts.guests import client_address
from ficarchive.accounts.web import go_back
from ficarchive.community.kudos import KudosError, leave_kudos
from ficarchive.works.models import Creatorship, Work
from ficarchive.works.web import visible_work


@require_POST
def kudos(request: HttpRequest, work_id: int) -> HttpResponse:
    creatorships = Creatorship.objects.select_related("pseud")
    works = Work.objects.prefetch_related(Prefetch("creatorships", queryset=creatorships))
    work = visible_work(request, work_id, works)
    try:
        leave_kudos(work, request.user, address=client_address(request))
    except KudosError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, "Thank you for leaving kudos!")
    return go_back(request, work.get_absolute_url())
