"""The registry of download formats. Each turns a work into the bytes of one file.

The built-in formats register themselves (`exports.builtin`, imported by the app's `ready()`)
exactly the way a new one would; this module imports none of them, so any format may import it:

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


def _always() -> bool:
    return True


@dataclass(frozen=True)
class ExportFormat:
    extension: str
    label: str
    media_type: str
    render: Renderer
    # A slow format (a conversion by another program) is always made by a background job.
    slow: bool = False
    # Whether this archive can make the format now (a converter may not be installed).
    available: Callable[[], bool] = _always


_FORMATS: dict[str, ExportFormat] = {}
# The order of the download menu: e-book formats first, as on AO3; EPUB, the open one, leads.
_OFFERED = ["epub", "azw3", "mobi", "pdf", "html", "md", "txt"]


def register(
    extension: str,
    label: str,
    media_type: str,
    *,
    slow: bool = False,
    available: Callable[[], bool] = _always,
) -> Callable[[Renderer], Renderer]:
    def add(render: Renderer) -> Renderer:
        _FORMATS[extension] = ExportFormat(extension, label, media_type, render, slow, available)
        return render

    return add


def export_formats() -> list[ExportFormat]:
    """The formats this archive can make now, in the order they are offered."""
    ordered = sorted(
        _FORMATS.values(),
        key=lambda export: (
            _OFFERED.index(export.extension) if export.extension in _OFFERED else len(_OFFERED)
        ),
    )
    return [export for export in ordered if export.available()]


def export_format(extension: str) -> ExportFormat | None:
    export = _FORMATS.get(extension)
    return export if export is not None and export.available() else None


def file_name(title: str) -> str:
    """AO3's download names: ASCII letters, digits and underscores, cut to 24 characters."""
    ascii_title = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    name = re.sub(r"[^A-Za-z0-9]+", "_", ascii_title).strip("_")[:24].rstrip("_")
    return name or "Work"
