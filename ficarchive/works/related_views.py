"""Related works waiting for an answer: links other writers made from their works to the
signed-in user's, to approve (the child is then listed under "Works inspired by this one") or
decline. At `/users/{name}/related-works`, linked from the user's page, as co-creator requests
are."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from ficarchive.accounts.web import signed_in
from ficarchive.works import related
from ficarchive.works.services import WorkError

ANSWERS = {"approve": True, "decline": False}


@login_required
def related_works(request: HttpRequest, username: str) -> HttpResponse:
    user = signed_in(request)
    if user.username.lower() != username.lower():
        raise Http404("Only you can see the related works waiting for your answer.")
    status = 200
    if request.method == "POST":
        answer = request.POST.get("answer", "")
        try:
            if answer not in ANSWERS:
                raise WorkError("Answer with approve or decline.", "answer")
            link = related.answer_link(
                user, int(request.POST.get("link", "")), approve=ANSWERS[answer]
            )
        except ValueError:
            messages.error(request, "Say which related work you are answering.")
            status = 400
        except WorkError as error:
            messages.error(request, error.message)
            status = 400
        else:
            if ANSWERS[answer]:
                messages.success(
                    request, f"{link.child.title} is now listed as inspired by {link.parent.title}."
                )
            else:
                messages.info(
                    request, f"{link.child.title} will not be listed on {link.parent.title}."
                )
            return redirect("works:related_works", user.username)
    context = {"links": related.pending_for(user), "owner": user}
    return render(request, "works/related_works.html", context, status=status)
