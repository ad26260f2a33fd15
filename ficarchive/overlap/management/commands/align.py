"""`ficarchive align SUSPICIOUS SOURCE`: the matching passages of two plain-text files."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from ficarchive.overlap.align import align
from ficarchive.overlap.plagdet import pan_xml


class Command(BaseCommand):
    help = (
        "Align two plain-text files and print their matching passages (character offsets into "
        "the files as read, UTF-8), or the PAN text-alignment XML answer with --pan-xml."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("suspicious", help="the text that may reuse the other")
        parser.add_argument("source", help="the text it may reuse")
        parser.add_argument("--pan-xml", action="store_true", help="print PAN XML instead")

    def handle(self, *args: Any, **options: Any) -> None:
        this = _read(options["suspicious"])
        source = _read(options["source"])
        found = align(this, source)
        if options["pan_xml"]:
            spans = [(a.this_start, a.this_end, a.source_start, a.source_end) for a in found]
            self.stdout.write(
                pan_xml(
                    os.path.basename(options["suspicious"]),
                    os.path.basename(options["source"]),
                    spans,
                ),
                ending="",
            )
            return
        if not found:
            self.stdout.write("No matching passages.")
        for number, a in enumerate(found, start=1):
            self.stdout.write(
                f"{number}. suspicious {a.this_start}–{a.this_end} ↔ source "
                f"{a.source_start}–{a.source_end}  similarity {a.similarity:.2f}, "
                f"verbatim {a.verbatim_ratio:.0%}"
            )
            self.stdout.write(f"   “{_short(this[a.this_start : a.this_end])}”")
            self.stdout.write(f"   “{_short(source[a.source_start : a.source_end])}”")


def _read(path: str) -> str:
    # Newlines are kept as they are in the file, so offsets count characters of the raw file.
    try:
        with Path(path).open(encoding="utf-8", errors="strict", newline="") as file:
            return file.read()
    except FileNotFoundError:
        raise CommandError(f"{path}: no such file.") from None
    except UnicodeDecodeError as error:
        raise CommandError(
            f"{path}: not UTF-8 text ({error.reason} at byte {error.start})."
        ) from None
    except OSError as error:
        raise CommandError(f"{path}: cannot be read ({error.strerror}).") from None


def _short(text: str, limit: int = 160) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"
