"""`ficarchive parse FILE`: what the archive reads in a story file, without storing anything."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from ficarchive.texts.formats import extensions, read_file
from ficarchive.texts.isolation import ParserProcess
from ficarchive.texts.limits import from_settings
from ficarchive.texts.structure import ParsedWork, ParseError, html_to_text


class Command(BaseCommand):
    help = (
        "Parse a story file and print its structure (title, notes, tags, chapters) without "
        f"storing anything. Formats: {', '.join(extensions())}. The file is read under the "
        "IMPORT_* limits, in a child process, as an import would read it."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="the story file")
        parser.add_argument("--json", action="store_true", help="print the structure as JSON")

    def handle(self, *args: Any, **options: Any) -> None:
        limits = from_settings()
        try:
            data = read_file(options["file"], limits)
            with ParserProcess(limits) as parser:
                work = parser.parse(data, options["file"])
        except ParseError as error:
            raise CommandError(str(error)) from None
        if options["json"]:
            self.stdout.write(json.dumps(work.as_json(), ensure_ascii=False, indent=2))
        else:
            self.stdout.write(summary(work))


def summary(work: ParsedWork) -> str:
    status = {True: "complete", False: "in progress", None: "not said"}[work.complete]
    lines = [
        f"Title:     {work.title}",
        f"Authors:   {', '.join(work.authors) or '-'}",
        f"Format:    {work.source_format}",
        f"Words:     {work.word_count}",
        f"Status:    {status}",
        f"Chapters:  {len(work.chapters)}",
    ]
    for kind, names in work.tags.items():
        lines.append(f"{kind.capitalize() + ':':<10} {', '.join(names)}")
    if work.summary:
        lines.append(f"Summary:   {_short(work.summary)}")
    if work.notes:
        lines.append(f"Notes:     {_short(work.notes)}")
    if work.end_notes:
        lines.append(f"End notes: {_short(work.end_notes)}")
    for number, chapter in enumerate(work.chapters, start=1):
        title = f": {chapter.title}" if chapter.title else ""
        lines.append(f"  {number:>3}. Chapter {number}{title} ({chapter.word_count} words)")
    return "\n".join(lines)


def _short(html: str, length: int = 70) -> str:
    text = " ".join(html_to_text(html).split())
    return text if len(text) <= length else text[: length - 1] + "…"
