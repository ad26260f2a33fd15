"""The posting form's tag pages: autocomplete of the tags a reader may know, and adding the
tags suggested for a draft (its creators only). They live with works because both need to
know who may see which work; the tag pages proper (wrangling) are `ficarchive.tags.views`."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.views.decorators.http import require_GET, require_POST

from ficarchive.tags.models import TagType
from ficarchive.tags.queries import autocomplete as autocomplete_names
from ficarchive.works import services as work_services
from ficarchive.works.models import Work
from ficarchive.works.queries import is_creator, shown_tags


@require_GET
def autocomplete(request: HttpRequest) -> HttpResponse:
    tag_type = request.GET.get("type") or None
    if tag_type is not None and tag_type not in TagType.values:
        return HttpResponseBadRequest("Unknown tag type.")
    names = autocomplete_names(request.GET.get("term", ""), tag_type, shown_tags(request.user))
    return JsonResponse(names, safe=False)


# The types a suggestion comes in, each a list of checkboxes named for it.
SUGGESTED_TYPES = (TagType.RELATIONSHIP, TagType.CHARACTER)


@login_required
@require_POST
def add_suggested(request: HttpRequest, work_id: int) -> HttpResponse:
    """Add the suggested tags the creator ticked, and nothing else: an unticked suggestion is
    not sent, so it is never applied. Anyone else gets 404, as a draft is not theirs to see."""
    work = get_object_or_404(Work.objects.prefetch_related("creatorships__pseud"), pk=work_id)
    if not is_creator(request.user, work):
        raise Http404("No work found.")
    added: list[str] = []
    try:
        with transaction.atomic():  # all the ticked tags, or none of them
            for tag_type in SUGGESTED_TYPES:
                names = [" ".join(name.split()) for name in request.POST.getlist(str(tag_type))]
                added += work_services.add_tags(work, tag_type, [name for name in names if name])
    except work_services.WorkError as error:
        messages.error(request, error.message)
    else:
        if added:
            messages.success(request, f"Tags added: {', '.join(added)}.")
        else:
            messages.info(request, "No tags were ticked, so none were added.")
    return redirect(work)
