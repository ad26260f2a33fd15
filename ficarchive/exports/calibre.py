"""MOBI, AZW3 and PDF through calibre's `ebook-convert`, offered only where calibre is installed.

AO3 makes these formats the same way. We convert from our own EPUB (its navigation gives
calibre the chapter list) and pass the work's metadata on the command line. A conversion takes
seconds, so these formats are always made by a background job.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from functools import lru_cache
from pathlib import Path

from django.conf import settings

from ficarchive.exports.context import export_context
from ficarchive.exports.epub import render_epub
from ficarchive.exports.formats import register
from ficarchive.texts.structure import html_to_text
from ficarchive.works.models import Work

TIMEOUT_SECONDS = 600


class ConversionError(Exception):
    """`ebook-convert` could not make the file."""


@lru_cache(maxsize=8)
def _find(command: str) -> str | None:
    return shutil.which(command) if command else None


def ebook_convert() -> str | None:
    """The path of `ebook-convert`, or None when it is not installed (or turned off)."""
    return _find(settings.EBOOK_CONVERT)


def available() -> bool:
    return ebook_convert() is not None


def convert(work: Work, extension: str) -> bytes:
    program = ebook_convert()
    if program is None:
        raise ConversionError("calibre's ebook-convert is not installed")
    export = export_context(work)
    with tempfile.TemporaryDirectory(prefix="ficarchive-convert-") as folder:
        source = Path(folder) / "work.epub"
        source.write_bytes(render_epub(work, export))
        target = Path(folder) / f"work.{extension}"
        command = [
            program,
            str(source),
            str(target),
            "--title",
            work.title,
            "--authors",
            " & ".join(pseud.byline for pseud in export.creators) or "Anonymous",
            "--publisher",
            export.site_name,
            "--language",
            work.language or "en",
            "--tags",
            ", ".join(export.subjects),
            "--comments",
            html_to_text(work.summary),
        ]
        if export.series:
            first = export.series[0]
            command += ["--series", first.series.title, "--series-index", str(first.number)]
        if extension == "pdf":
            command += ["--pdf-page-numbers", "--paper-size", "a5"]
        # calibre is a Qt program: no display here, and its settings stay in the temp folder.
        environment = {
            **os.environ,
            "QT_QPA_PLATFORM": "offscreen",
            "HOME": folder,
            "CALIBRE_CONFIG_DIRECTORY": str(Path(folder) / "config"),
        }
        if os.geteuid() == 0:
            # PDF output renders with Qt WebEngine (Chromium), whose sandbox refuses root.
            environment["QTWEBENGINE_DISABLE_SANDBOX"] = "1"
        try:
            done = subprocess.run(
                command,
                capture_output=True,
                text=True,
                timeout=TIMEOUT_SECONDS,
                env=environment,
                check=False,
            )
        except subprocess.TimeoutExpired:
            raise ConversionError(
                f"ebook-convert took more than {TIMEOUT_SECONDS} s for .{extension}"
            ) from None
        if done.returncode != 0 or not target.exists():
            last = (done.stderr or done.stdout).strip().splitlines()[-1:] or ["no output"]
            raise ConversionError(
                f"ebook-convert failed for .{extension} (exit {done.returncode}): {last[0]}"
            )
        return target.read_bytes()


@register("azw3", "AZW3", "application/vnd.amazon.mobi8-ebook", slow=True, available=available)
def azw3_download(work: Work) -> bytes:
    return convert(work, "azw3")


@register("mobi", "MOBI", "application/x-mobipocket-ebook", slow=True, available=available)
def mobi_download(work: Work) -> bytes:
    return convert(work, "mobi")


@register("pdf", "PDF", "application/pdf", slow=True, available=available)
def pdf_download(work: Work) -> bytes:
    return convert(work, "pdf")
