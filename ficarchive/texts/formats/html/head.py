"""What a page's <head> and byline say: its title and its author."""

from __future__ import annotations

import re

from lxml.html import HtmlElement

from ficarchive.texts.blocks import Block
from ficarchive.texts.header_lines import byline
from ficarchive.texts.makers import gutenberg
from ficarchive.texts.markup import text_of

# -- the <head> -----------------------------------------------------------------------------------


def title_from_head(root: HtmlElement) -> str:
    title = root.find(".//title")
    text = text_of(title) if title is not None else ""
    title, _ = gutenberg.book_of(text)  # "The Project Gutenberg eBook of Emma, by Jane Austen"
    return title or re.sub(r",\s+by\s+.*$", "", text, flags=re.IGNORECASE).strip()


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
        names = byline(block.text)
        if names:
            return names
    return []
