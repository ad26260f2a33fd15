"""Plain text (.txt): the format most drafts live in."""

from __future__ import annotations

from ficarchive.texts.conventions import blocks_from_plain_text, structure
from ficarchive.texts.decoding import decode_text
from ficarchive.texts.formats import register
from ficarchive.texts.structure import ParsedWork


@register("text", [".txt", ".text"])
def parse_text(data: bytes, name: str) -> ParsedWork:
    return structure(blocks_from_plain_text(decode_text(data)))
