"""Importing story files on the web: one file from the posting form, or a whole folder.

Bounded at every step (issue 14): the request's size is checked before its body is read, the
number of files when it is parsed, and each file is read in a child process with memory and time
limits (`texts.isolation`), outside any transaction, so one upload can neither take this server
process nor hold the database while it is read.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import TooManyFilesSent
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.csrf import csrf_exempt, csrf_protect

from ficarchive.accounts.models import User
from ficarchive.accounts.services import default_pseud
from ficarchive.texts.formats import extensions, too_big
from ficarchive.texts.isolation import ParserProcess
from ficarchive.texts.limits import MEGABYTE, from_settings
from ficarchive.works.imports import FAILED, IMPORTED, SKIPPED, ImportResult, import_bytes


def _context(user: User) -> dict[str, Any]:
    limits = from_settings()
    return {
        "extensions": ", ".join(extensions()),
        "pseuds": list(user.pseuds.all()),
        "max_megabytes": limits.max_file_bytes // MEGABYTE,
        "max_words": f"{limits.max_words:,}",
        "max_upload_megabytes": f"{settings.IMPORT_MAX_UPLOAD_MB:,}",
        "max_files": f"{settings.DATA_UPLOAD_MAX_NUMBER_FILES:,}",
    }


def _refuse(request: HttpRequest, message: str, status: int) -> HttpResponse:
    assert isinstance(request.user, User)
    messages.error(request, message)
    return render(request, "works/import.html", _context(request.user), status=status)


@login_required
@csrf_exempt  # checked below, once the request is known to be small enough to read
def import_works(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        # Django would read the whole body (to temporary files) to check the CSRF token; the
        # size it declares is checked first. The server reads no more than it declares.
        size = int(request.META.get("CONTENT_LENGTH") or 0)
        limit = settings.IMPORT_MAX_UPLOAD_MB * MEGABYTE
        if size > limit:
            return _refuse(
                request,
                f"The upload is {size / MEGABYTE:,.0f} MB; one import takes at most "
                f"{settings.IMPORT_MAX_UPLOAD_MB:,} MB of files. Import the folder in parts "
                "(files imported before are skipped).",
                413,
            )
        try:
            request.FILES  # noqa: B018 (parse the body here, where its limits can be answered)
        except TooManyFilesSent:
            return _refuse(
                request,
                f"One import takes at most {settings.DATA_UPLOAD_MAX_NUMBER_FILES:,} files. "
                "Import the folder in parts (files imported before are skipped).",
                400,
            )
    return _import_works(request)


@csrf_protect
def _import_works(request: HttpRequest) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)
    context = _context(user)
    if request.method != "POST":
        return render(request, "works/import.html", context)
    files = request.FILES.getlist("files") + request.FILES.getlist("folder")
    if not files:
        messages.error(request, "Choose at least one file to import.")
        return render(request, "works/import.html", context, status=400)
    pseuds = context["pseuds"]
    chosen = [p for p in pseuds if str(p.pk) == request.POST.get("pseud")]
    credit = chosen or [default_pseud(user)]
    post = request.POST.get("post") == "on"
    fandom = request.POST.get("fandom", "")
    results: list[ImportResult] = []
    limits = from_settings()
    with ParserProcess(limits) as parser:
        for upload in files:
            name = upload.name or "upload"
            if upload.size is not None and upload.size > limits.max_file_bytes:
                results.append(ImportResult(name, FAILED, too_big(upload.size, limits)))
                continue
            results.append(
                import_bytes(upload.read(), name, credit, post=post, parser=parser, fandom=fandom)
            )
    if len(results) == 1 and results[0].status == IMPORTED and results[0].work_id and not post:
        messages.success(
            request, f"{results[0].title} was imported as a draft. Check it, then post."
        )
        return redirect("works:preview", results[0].work_id)
    counts = {
        status: sum(r.status == status for r in results) for status in (IMPORTED, SKIPPED, FAILED)
    }
    status = 400 if counts[FAILED] and not counts[IMPORTED] else 200
    context.update({"results": results, "counts": counts, "posted": post})
    return render(request, "works/import_results.html", context, status=status)
