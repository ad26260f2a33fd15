"""Export my data: `/account/export` asks for the zip and shows how it is going, and
`/account/export/{name}.zip` gives it, to its owner only."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from ficarchive.accounts.models import User
from ficarchive.exports import account_export
from ficarchive.jobs.models import Job

REFRESH_SECONDS = 5


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


@login_required
def account_export_page(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    if request.method == "POST":
        account_export.request_export(user)
        messages.info(request, "Your export is being prepared.")
        return redirect("exports:account_export")
    export = account_export.latest_export(user)
    job = account_export.pending_job(user)
    context = {
        "export": export,
        "size": export.path.stat().st_size if export else 0,
        "job": job,
        "failed": job is not None and job.state == Job.State.FAILED,
        "refresh": REFRESH_SECONDS,
        "days": account_export.KEPT_FOR.days,
    }
    response = render(request, "exports/account_export.html", context)
    response["Cache-Control"] = "no-store"
    return response


def account_export_download(request: HttpRequest, name: str) -> FileResponse:
    # Not `login_required`: a guest, like any other user, is told there is nothing here.
    user = request.user
    export = account_export.export_named(user, name) if isinstance(user, User) else None
    if export is None:
        raise Http404("There is no such export.")
    response = FileResponse(
        export.path.open("rb"),
        as_attachment=True,
        filename=export.download_name,
        content_type="application/zip",
    )
    response["Cache-Control"] = "private, no-store"
    return response
