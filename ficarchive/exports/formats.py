"""The registry of download formats. Each turns a work into the bytes of one file.

The built-in formats register themselves in their modules, the way a new one would:

    @register("txt", "Plain text", "text/plain; charset=utf-8")
    def plain_text(work: Work) -> bytes: ...
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass

from ficarchive.works.models import Work

Renderer = Callable[[Work], bytes]


@dataclass(frozen=True)
class ExportFormat:
    extension: str
    label: str
    media_type: str
    render: Renderer


_FORMATS: dict[str, ExportFormat] = {}


def register(extension: str, label: str, media_type: str) -> Callable[[Renderer], Renderer]:
    def add(render: Renderer) -> Renderer:
        _FORMATS[extension] = ExportFormat(extension, label, media_type, render)
        return render

    return add


def export_formats() -> list[ExportFormat]:
    return list(_FORMATS.values())


def export_format(extension: str) -> ExportFormat | None:
    return _FORMATS.get(extension)


def file_name(title: str) -> str:
    """AO3's download names: ASCII letters, digits and underscores, cut to 24 characters."""
    ascii_title = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    name = re.sub(r"[^A-Za-z0-9]+", "_", ascii_title).strip("_")[:24].rstrip("_")
    return name or "Work"


from ficarchive.exports import epub, html  # noqa: E402, F401
