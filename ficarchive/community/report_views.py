"""The "report abuse" form for works and comments, and the moderators' queue of reports."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from ficarchive.accounts.guests import client_address
from ficarchive.accounts.models import User
from ficarchive.community import reports
from ficarchive.community.models import Report

QUEUE_PAGE_SIZE = 50
HONEYPOT = "website"


class ReportForm(forms.Form):
    reason = forms.ChoiceField(label="Reason", choices=Report.Reason.choices)
    details = forms.CharField(
        label="Details",
        widget=forms.Textarea(attrs={"rows": 8}),
        max_length=reports.DETAILS_MAX,
        help_text="What is wrong, and where (a chapter, a paragraph). "
        f"At most {reports.DETAILS_MAX:,} characters.",
    )
    email = forms.EmailField(
        label="Your email",
        required=False,
        help_text="Optional: where the moderators may write to you about this report.",
    )

    def __init__(self, *args: Any, guest: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if guest:
            self.fields["email"].required = True
            self.fields[
                "email"
            ].help_text = (
                "Required for guests, so the moderators can reply. It is shown only to them."
            )


def _missing(request: HttpRequest, message: str, status: int) -> HttpResponse:
    return render(request, "community/report_missing.html", {"message": message}, status=status)


def report(request: HttpRequest) -> HttpResponse:
    """`reports/new?work=<id>` or `?comment=<id>`: report a work or comment the reader can see."""
    if request.method not in ("GET", "POST"):
        return HttpResponse("Use GET to see the report form and POST to send it.", status=405)
    try:
        target = reports.find_target(
            request.user, request.GET.get("work"), request.GET.get("comment")
        )
    except reports.TargetNotFound as error:
        return _missing(request, error.message, 404)
    except reports.ReportError as error:
        return _missing(request, error.message, 400)
    guest = not request.user.is_authenticated
    form = ReportForm(request.POST if request.method == "POST" else None, guest=guest)
    status = 200
    if request.method == "POST":
        status = 400
        if request.POST.get(HONEYPOT, "").strip():
            # Only scripts fill the field people cannot see; nothing is stored.
            form.is_valid()
            form.add_error(
                None,
                f"The report was not sent: the hidden “{HONEYPOT}” field must be left empty.",
            )
        elif form.is_valid():
            try:
                reports.file_report(
                    request.user,
                    target,
                    reason=form.cleaned_data["reason"],
                    details=form.cleaned_data["details"],
                    email=form.cleaned_data["email"],
                    address=client_address(request),
                )
            except reports.TooManyReports as error:
                form.add_error(None, error.message)
                status = 429
            except reports.ReportError as error:
                form.add_error(error.field, error.message)
            else:
                return redirect("community:report_sent")
    context = {"form": form, "target": target, "honeypot": HONEYPOT}
    return render(request, "community/report.html", context, status=status)


@require_GET
def report_sent(request: HttpRequest) -> HttpResponse:
    return render(request, "community/report_sent.html")


def _moderator(request: HttpRequest) -> User | None:
    user = request.user
    return user if isinstance(user, User) and user.can_moderate else None


def _denied(request: HttpRequest) -> HttpResponse:
    return render(request, "community/moderation_denied.html", status=403)


def _queue_page(request: HttpRequest, status: int = 200) -> HttpResponse:
    state = request.GET.get("state", Report.State.OPEN)
    try:
        found = reports.queue(state)
    except reports.ReportError as error:
        messages.error(request, error.message)
        state, found, status = Report.State.OPEN, reports.queue(Report.State.OPEN), 400
    page = Paginator(found, QUEUE_PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "rows": [(item, reports.reported(item)) for item in page.object_list],
        "state": state,
        "states": Report.State.choices,
        "page_query": urlencode({"state": state}),
    }
    return render(request, "community/moderation.html", context, status=status)


@login_required
@require_GET
def moderation(request: HttpRequest) -> HttpResponse:
    """`moderation/reports?state=open|resolved|dismissed`: the reports queue, newest first."""
    if _moderator(request) is None:
        return _denied(request)
    return _queue_page(request)


ACTIONS = {"resolve": Report.State.RESOLVED, "dismiss": Report.State.DISMISSED}


@login_required
@require_POST
def moderation_handle(request: HttpRequest, report_id: int) -> HttpResponse:
    """Resolve or dismiss report `report_id` with a note."""
    moderator = _moderator(request)
    if moderator is None:
        return _denied(request)
    action = request.POST.get("action", "")
    try:
        if action not in ACTIONS:
            raise reports.ReportError(
                f"Report {report_id}: the action must be resolve or dismiss, not {action!r}."
            )
        handled = reports.handle_report(
            report_id, moderator, ACTIONS[action], request.POST.get("note", "")
        )
    except reports.ReportError as error:
        messages.error(request, error.message)
        return _queue_page(request, status=400)
    messages.success(request, f"Report {handled.pk} was {handled.state}.")
    return redirect(f"{reverse('community:moderation')}?state={Report.State.OPEN}")
