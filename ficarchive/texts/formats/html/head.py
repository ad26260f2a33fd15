"""What a page's <head> and byline say: its title and its author."""

from __future__ import annotations

import re

from lxml.html import HtmlElement

from ficarchive.texts.blocks import Block
from ficarchive.texts.markup import text_of

BYLINE = re.compile(r"^\s*(?:written\s+)?by\s+(?P<names>\S.{0,120})$", re.IGNORECASE)
PG_TITLE_TAG = re.compile(
    r"^(?:The\s+)?Project\s+Gutenberg(?:'s|’s)?\s+(?:E-?Book|E-?text)\s+of\s+", re.I
)
# -- the <head> -----------------------------------------------------------------------------------


def title_from_head(root: HtmlElement) -> str:
    title = root.find(".//title")
    text = text_of(title) if title is not None else ""
    text = PG_TITLE_TAG.sub("", text)
    return re.sub(r",\s+by\s+.*$", "", text, flags=re.IGNORECASE).strip()


def authors_from_head(root: HtmlElement) -> list[str]:
    for meta in root.iter("meta"):
        if (meta.get("name") or "").lower() in ("author", "dc.creator", "dcterms.creator"):
            content = " ".join((meta.get("content") or "").split())
            if content:
                return [content]
    title = root.find(".//title")
    match = re.search(r",\s+by\s+(.+)$", text_of(title) if title is not None else "", re.I)
    return [match.group(1).strip()] if match else []


def byline_names(blocks: list[Block]) -> list[str]:
    """The names in a `by …` line among the blocks, if there is one."""
    for block in blocks:
        match = BYLINE.match(" ".join(block.text.split()))
        if match:
            return [name.strip() for name in re.split(r",|&| and ", match.group("names"))]
    return []
