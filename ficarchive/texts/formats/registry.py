"""The registry of input formats: one parser per format, found by the file's extension.

A parser takes the file's bytes and name and returns a `ParsedWork`. The built-in formats
register themselves (`formats.builtin`, imported by the app's `ready()`) exactly the way a
new one would; this module imports none of them, so any format may import it:

    @register("rtf", [".rtf"])
    def parse_rtf(data: bytes, name: str) -> ParsedWork: ...
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ficarchive.texts.headings import title_case
from ficarchive.texts.limits import DEFAULT_MAX_FILE_BYTES, Limits, megabytes, reading
from ficarchive.texts.structure import ParsedWork, ParseError

Parser = Callable[[bytes, str], ParsedWork]

# Works on AO3 are capped well below this; a larger file is a mistake, not a story. The archive's
# own limit is the IMPORT_MAX_FILE_MB setting (`texts.limits.from_settings`).
MAX_FILE_BYTES = DEFAULT_MAX_FILE_BYTES


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


def parse_bytes(data: bytes, name: str, limits: Limits | None = None) -> ParsedWork:
    """The work in a file's bytes. Every failure is a ParseError naming the file and the reason.

    The parse runs under `limits` (the defaults when None): too big a file is refused before it
    is read, too long a work while it is read (`texts.limits`). This runs in the calling process;
    `texts.isolation` runs it in a child process with memory and time limits as well.
    """
    limits = limits or Limits()
    entry = format_for(name)
    if entry is None:
        known = ", ".join(extensions())
        raise ParseError(f"not a supported format (use one of {known})", name)
    if not data.strip():
        raise ParseError("the file is empty", name)
    if len(data) > limits.max_file_bytes:
        raise ParseError(too_big(len(data), limits), name)
    try:
        with reading(limits) as budget:
            work = entry.parse(data, name)
            if work.chapters:
                budget.check_words(work.word_count)
    except ParseError as error:
        raise ParseError(error.message, name) from error
    except (ValueError, LookupError, OSError, RecursionError) as error:
        raise ParseError(f"could not be read as {entry.name}: {error}", name) from error
    if not work.chapters:
        raise ParseError("no story text was found in it", name)
    work.source_format = entry.name
    work.sanitize_fields()  # each field's own allow-list, whatever the reader made it from
    if not work.title:
        work.title = title_from_file_name(name)
    return work


def too_big(size: int, limits: Limits) -> str:
    return (
        f"the file is {megabytes(size)}; the largest ficarchive reads is "
        f"{megabytes(limits.max_file_bytes)}"
    )


def read_file(path: str | Path, limits: Limits | None = None) -> bytes:
    """A story file's bytes, refused unread when it is over the size limit."""
    limits = limits or Limits()
    path = Path(path)
    try:
        size = path.stat().st_size
        if size > limits.max_file_bytes:
            raise ParseError(too_big(size, limits), str(path))
        return path.read_bytes()
    except OSError as error:
        raise ParseError(f"cannot be read ({error.strerror or error})", str(path)) from error


def parse_file(path: str | Path, limits: Limits | None = None) -> ParsedWork:
    return parse_bytes(read_file(path, limits), str(path), limits)


def title_from_file_name(name: str) -> str:
    """A title for a file that names none: `the-runaways.txt` → `The Runaways`. A name in
    lower case (a slug) is set in title case; a name with capitals keeps them."""
    stem = Path(name).name.split(".")[0]
    words = " ".join(re.sub(r"[_\-]+", " ", stem).split())
    if words == words.lower():
        words = title_case(words.upper())
    return words or "Untitled"
