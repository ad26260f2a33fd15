"""Plain text (.txt): the format most drafts live in."""

from __future__ import annotations

from ficarchive.texts.conventions import blocks_from_plain_text, structure
from ficarchive.texts.decoding import decode_text
from ficarchive.texts.formats import register
from ficarchive.texts.limits import budget
from ficarchive.texts.structure import ParsedWork


@register("text", [".txt", ".text"])
def parse_text(data: bytes, name: str) -> ParsedWork:
    text = decode_text(data)
    budget().count_text(text)  # a work over the limits stops here, before it is split up
    return structure(blocks_from_plain_text(text))
