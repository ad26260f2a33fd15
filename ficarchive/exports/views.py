"""Downloads: `/downloads/{work_id}/{file_name}.{ext}`, for works the reader may see."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404

from ficarchive.exports.formats import export_format, file_name
from ficarchive.works.models import Work
from ficarchive.works.queries import can_view, with_blurb_data


def download(request: HttpRequest, work_id: str, name: str, extension: str) -> HttpResponse:
    export = export_format(extension)
    if export is None:
        raise Http404(f"There is no .{extension} download.")
    work = get_object_or_404(with_blurb_data(Work.objects.all()), pk=work_id)
    if not can_view(request.user, work):
        raise Http404("No work found.")
    response = HttpResponse(export.render(work), content_type=export.media_type)
    response["Content-Disposition"] = f'attachment; filename="{file_name(work.title)}.{extension}"'
    return response
