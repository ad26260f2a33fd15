"""`{% download_menu work %}`: the work page's Download menu, a link for each export format.

A template tag, so that the works app's reading views need not know which formats there are.
"""

from __future__ import annotations

from typing import Any

from django import template
from django.urls import reverse

from ficarchive.exports.formats import export_formats, file_name
from ficarchive.works.models import Work

register = template.Library()


def download_links(work: Work) -> list[tuple[str, str]]:
    """Each export format's label and the address of the work's file in it."""
    # One URL reversed; the formats differ only in the extension.
    stem = reverse("exports:download", args=[work.pk, file_name(work.title), "x"])[:-1]
    return [(export.label, stem + export.extension) for export in export_formats()]


@register.inclusion_tag("exports/download_menu.html")
def download_menu(work: Work) -> dict[str, Any]:
    return {"downloads": download_links(work)}
