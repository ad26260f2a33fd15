"""Input formats: the registry (`formats.registry`) and the built-in formats beside it.

This package imports no format, so a format module may import it; `formats.builtin` imports the
built-in ones (the app's `ready()` does, and so must a script that parses without Django).
"""

from __future__ import annotations

from ficarchive.texts.formats.registry import (
    MAX_FILE_BYTES,
    Format,
    Parser,
    extensions,
    format_for,
    formats,
    parse_bytes,
    parse_file,
    read_file,
    register,
    too_big,
)

__all__ = [
    "MAX_FILE_BYTES",
    "Format",
    "Parser",
    "extensions",
    "format_for",
    "formats",
    "parse_bytes",
    "parse_file",
    "read_file",
    "register",
    "too_big",
]
