"""AO3's download layout as one self-contained HTML file: preface, chapters, afterword."""

from __future__ import annotations

from django.template.loader import render_to_string

from ficarchive.exports.context import export_context
from ficarchive.exports.formats import register
from ficarchive.works.models import Work


def render_html(work: Work) -> str:
    return render_to_string("exports/work.html", {"export": export_context(work)})


@register("html", "HTML", "text/html; charset=utf-8")
def html_download(work: Work) -> bytes:
    return render_html(work).encode("utf-8")
