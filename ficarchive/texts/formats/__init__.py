"""The registry of input formats: one parser per format, found by the file's extension.

A parser takes the file's bytes and name and returns a `ParsedWork`. The built-in formats
register themselves below exactly the way a new one would:

    @register("rtf", [".rtf"])
    def parse_rtf(data: bytes, name: str) -> ParsedWork: ...
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ficarchive.texts.structure import ParsedWork, ParseError

Parser = Callable[[bytes, str], ParsedWork]

# Works on AO3 are capped well below this; a larger file is a mistake, not a story.
MAX_FILE_BYTES = 30 * 1024 * 1024


@dataclass(frozen=True)
class Format:
    name: str
    extensions: tuple[str, ...]
    parse: Parser


_FORMATS: dict[str, Format] = {}


def register(name: str, extensions: list[str]) -> Callable[[Parser], Parser]:
    def add(parser: Parser) -> Parser:
        entry = Format(name, tuple(extensions), parser)
        for extension in extensions:
            _FORMATS[extension.lower()] = entry
        return parser

    return add


def formats() -> list[Format]:
    return sorted({f.name: f for f in _FORMATS.values()}.values(), key=lambda f: f.name)


def extensions() -> list[str]:
    return sorted(_FORMATS)


def format_for(name: str) -> Format | None:
    suffixes = [s.lower() for s in Path(name).suffixes]
    for count in range(len(suffixes), 0, -1):
        found = _FORMATS.get("".join(suffixes[-count:]))
        if found is not None:
            return found
    return None


def parse_bytes(data: bytes, name: str) -> ParsedWork:
    """The work in a file's bytes. Every failure is a ParseError naming the file and the reason."""
    entry = format_for(name)
    if entry is None:
        known = ", ".join(extensions())
        raise ParseError(f"not a supported format (use one of {known})", name)
    if not data.strip():
        raise ParseError("the file is empty", name)
    if len(data) > MAX_FILE_BYTES:
        size = len(data) / 1024 / 1024
        limit = MAX_FILE_BYTES // 1024 // 1024
        raise ParseError(
            f"the file is {size:.1f} MB; the largest ficarchive reads is {limit} MB", name
        )
    try:
        work = entry.parse(data, name)
    except ParseError as error:
        raise ParseError(error.message, name) from error
    except (ValueError, LookupError, OSError, RecursionError) as error:
        raise ParseError(f"could not be read as {entry.name}: {error}", name) from error
    if not work.chapters:
        raise ParseError("no story text was found in it", name)
    work.source_format = entry.name
    if not work.title:
        work.title = _title_from_name(name)
    return work


def parse_file(path: str | Path) -> ParsedWork:
    path = Path(path)
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            limit = MAX_FILE_BYTES // 1024 // 1024
            megabytes = size / 1024 / 1024
            raise ParseError(
                f"the file is {megabytes:.1f} MB; the largest ficarchive reads is {limit} MB",
                str(path),
            )
        data = path.read_bytes()
    except OSError as error:
        raise ParseError(f"cannot be read ({error.strerror or error})", str(path)) from error
    return parse_bytes(data, str(path))


def _title_from_name(name: str) -> str:
    stem = Path(name).name.split(".")[0]
    return " ".join(stem.replace("_", " ").replace("-", " ").split()) or "Untitled"


# The built-in formats: importing them registers them.
from ficarchive.texts.formats import docx, epub, html, markdown, plaintext  # noqa: E402, F401
