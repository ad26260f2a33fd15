"""Co-creator requests: the invitations waiting for the signed-in user, to accept or decline.

A writer who adds a co-creator only invites them (`works.services.invite_co_creators`); the
invited user answers here, at `/users/{name}/co-creator-requests`, linked from their user page
and their drafts.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from ficarchive.accounts.web import signed_in
from ficarchive.works import services

ANSWERS = {"accept": True, "decline": False}


@login_required
def co_creator_requests(request: HttpRequest, username: str) -> HttpResponse:
    user = signed_in(request)
    if user.username.lower() != username.lower():
        raise Http404("Only you can see your co-creator requests.")
    status = 200
    if request.method == "POST":
        answer = request.POST.get("answer", "")
        try:
            if answer not in ANSWERS:
                raise services.WorkError("Answer with accept or decline.", "answer")
            invitation = int(request.POST.get("invitation", ""))
            work = services.answer_invitation(user, invitation, accept=ANSWERS[answer])
        except ValueError:
            messages.error(request, "Say which invitation you are answering.")
            status = 400
        except services.WorkError as error:
            messages.error(request, error.message)
            status = 400
        else:
            if ANSWERS[answer]:
                messages.success(request, f"You are now credited as a co-creator of {work.title}.")
            else:
                messages.info(request, f"You declined to be a co-creator of {work.title}.")
            return redirect("works:co_creator_requests", user.username)
    context = {"invitations": services.invitations_for(user), "owner": user}
    return render(request, "works/co_creator_requests.html", context, status=status)
