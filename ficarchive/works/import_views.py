"""Importing story files on the web: one file from the posting form, or a whole folder."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from ficarchive.accounts.models import User
from ficarchive.accounts.services import default_pseud
from ficarchive.texts.formats import MAX_FILE_BYTES, extensions
from ficarchive.works.imports import FAILED, IMPORTED, SKIPPED, ImportResult, import_bytes

MAX_FILES = 1000


@login_required
def import_works(request: HttpRequest) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)
    pseuds = list(user.pseuds.all())
    context = {
        "extensions": ", ".join(extensions()),
        "pseuds": pseuds,
        "max_megabytes": MAX_FILE_BYTES // 1024 // 1024,
    }
    if request.method != "POST":
        return render(request, "works/import.html", context)
    files = request.FILES.getlist("files") + request.FILES.getlist("folder")
    if not files:
        messages.error(request, "Choose at least one file to import.")
        return render(request, "works/import.html", context, status=400)
    if len(files) > MAX_FILES:
        messages.error(request, f"Import at most {MAX_FILES} files at once.")
        return render(request, "works/import.html", context, status=400)
    chosen = [p for p in pseuds if str(p.pk) == request.POST.get("pseud")]
    credit = chosen or [default_pseud(user)]
    post = request.POST.get("post") == "on"
    results: list[ImportResult] = []
    for upload in files:
        name = upload.name or "upload"
        if upload.size is not None and upload.size > MAX_FILE_BYTES:
            limit = MAX_FILE_BYTES // 1024 // 1024
            results.append(ImportResult(name, FAILED, f"larger than {limit} MB"))
            continue
        results.append(import_bytes(upload.read(), name, credit, post=post))
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
