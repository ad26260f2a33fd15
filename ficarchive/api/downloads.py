"""A work's downloads through the API: the same files as the web's Download menu, by format,
for the works the caller may see (a token's restricted works too, which the web's addresses
give only to a logged-in browser)."""

from __future__ import annotations

from typing import Annotated, Any

from django.http import HttpRequest, HttpResponse, HttpResponseBase
from ninja import Router, Schema
from ninja.params.functions import Path

from ficarchive.api import schemas
from ficarchive.api.problems import Problem
from ficarchive.exports import services
from ficarchive.exports.formats import export_format, export_formats
from ficarchive.exports.views import download_etag, not_modified, served_file
from ficarchive.works.models import Work
from ficarchive.works.web import visible_work

router = Router(tags=["works"])
ERRORS: dict[int, type[Schema]] = dict.fromkeys((400, 401, 404, 422, 429, 503), schemas.Problem)
PREPARING_SECONDS = 5


class Preparing(Schema):
    """The file is being made: ask again after `retry_after` seconds (also `Retry-After`)."""

    detail: str
    retry_after: int


@router.get(
    "/works/{work_id}/downloads/{file_format}",
    response={202: Preparing, **ERRORS},
    summary="Download a work",
    operation_id="downloadWork",
    url_name="download",
)
def download(
    request: HttpRequest, work_id: int, file_format: Annotated[str, Path(max_length=10)]
) -> HttpResponseBase:
    """The work as a file (`epub`, `html`, `txt`, and the others the archive makes: the `format`
    of the work's `downloads`), as the web's Download menu gives it. A file that takes a while
    is made by a background job: `202` with `Retry-After` until it is ready. `ETag` and
    `If-None-Match` as on the web."""
    export = export_format(file_format)
    if export is None:
        offered = ", ".join(found.extension for found in export_formats())
        raise Problem(
            404, f"There is no {file_format!r} download; use one of {offered}.", "file_format"
        )
    work = visible_work(request, work_id, Work.objects.prefetch_related("creatorships__pseud"))
    etag = download_etag(work, export.extension)
    unchanged = not_modified(request, etag)
    if unchanged is not None:
        return unchanged
    prepared = services.prepare(work, export)
    if prepared.path is None:
        job = prepared.job
        if job is not None and job.state == job.State.FAILED:
            minutes = int(services.RETRY_AFTER_FAILURE.total_seconds()) // 60
            detail = f"The {export.label} file could not be made; try again in {minutes} minutes."
            raise Problem(503, detail)
        waiting = HttpResponse(
            Preparing(
                detail=f"The {export.label} file is being made.", retry_after=PREPARING_SECONDS
            ).model_dump_json(),
            status=202,
            content_type="application/json",
        )
        waiting["Retry-After"] = str(PREPARING_SECONDS)
        waiting["Cache-Control"] = "no-store"
        return waiting
    served = served_file(work, export, prepared.path, etag)
    served["Vary"] = "Authorization, Cookie"
    return served


def described_file() -> dict[str, Any]:
    """The description of a download's `200`: a file of each format's media type."""
    binary = {"schema": {"type": "string", "format": "binary"}}
    return {
        "description": "The file.",
        "content": {export.media_type: binary for export in export_formats()},
    }
