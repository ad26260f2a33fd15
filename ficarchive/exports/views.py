"""Downloads: `/downloads/{work_id}/{file_name}.{ext}`, for works the reader may see."""

from __future__ import annotations

from pathlib import Path

from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import render
from django.utils.http import http_date

from ficarchive.exports import services
from ficarchive.exports.formats import ExportFormat, export_format, file_name
from ficarchive.works.models import Work
from ficarchive.works.web import visible_work

PREPARING_REFRESH_SECONDS = 5


def download(request: HttpRequest, work_id: str, name: str, extension: str) -> HttpResponseBase:
    export = export_format(extension)
    if export is None:
        raise Http404(f"There is no .{extension} download.")
    work = visible_work(request, int(work_id), Work.objects.prefetch_related("creatorships__pseud"))
    etag = download_etag(work, extension)
    unchanged = not_modified(request, etag)
    if unchanged is not None:
        return unchanged
    prepared = services.prepare(work, export)
    if prepared.path is None:
        job = prepared.job
        failed = job is not None and job.state == job.State.FAILED
        context = {
            "work": work,
            "export": export,
            "failed": failed,
            "refresh": PREPARING_REFRESH_SECONDS,
        }
        response = render(request, "exports/preparing.html", context, status=503 if failed else 202)
        wait = services.RETRY_AFTER_FAILURE.total_seconds() if failed else PREPARING_REFRESH_SECONDS
        response["Retry-After"] = str(int(wait))
        response["Cache-Control"] = "no-store"
        return response
    return served_file(work, export, prepared.path, etag)


def download_etag(work: Work, extension: str) -> str:
    """A download's ETag: the work's revision and the format."""
    return f'"{work.content_stamp}-{extension}"'


def not_modified(request: HttpRequest, etag: str) -> HttpResponse | None:
    """`304 Not Modified` when the reader has this file already."""
    if request.headers.get("If-None-Match") != etag:
        return None
    response = HttpResponse(status=304)
    response["ETag"] = etag
    return response


def served_file(work: Work, export: ExportFormat, path: Path, etag: str) -> FileResponse:
    """A made download as the browser saves it, with its ETag and cache rules."""
    served = FileResponse(
        path.open("rb"),
        as_attachment=True,
        filename=f"{file_name(work.title)}.{export.extension}",
        content_type=export.media_type,
    )
    served["ETag"] = etag
    served["Last-Modified"] = http_date(work.edited_at.timestamp())
    # Restricted works are for signed-in readers: no shared cache may keep them.
    private = work.restricted or not work.posted
    served["Cache-Control"] = "private, no-cache" if private else "no-cache"
    return served
