"""Pages of a book that are not the story: contents, title and copyright pages."""

from __future__ import annotations

import re

from lxml import etree

from ficarchive.texts.flatten import Piece
from ficarchive.texts.markup import text_of
from ficarchive.texts.ziparchive import resolve

# -- pages that are not the story ---------------------------------------------------------------


def words_in(text: str) -> int:
    return len(text.split())


def is_contents_page(body: etree._Element, story_paths: set[str], base: str) -> bool:
    """A page that is mostly links to the book's other pages."""
    links = [a for a in body.iter("a") if resolve(base, a.get("href") or "") in story_paths]
    if len(links) < 3:
        return False
    linked = sum(len(text_of(a)) for a in links)
    return linked >= 0.5 * max(len(text_of(body)), 1)


def is_title_page(pieces: list[Piece], title: str, authors: list[str]) -> bool:
    """A short page before the story that gives the title or the author and little else."""
    text = " ".join(piece.block.text for piece in pieces)
    if not text or words_in(text) > 60:
        return False
    if any(words_in(piece.block.text) >= 15 for piece in pieces):
        return False
    folded = text.casefold()
    names = [title, *authors]
    return any(name and name.casefold() in folded for name in names)


_RIGHTS = re.compile(
    r"©|\bcopyright\b|all rights reserved|\bisbn\b|\bfirst (?:edition|published)\b"
)


def is_copyright_page(body: etree._Element, pieces: list[Piece]) -> bool:
    """A short page that EPUB 3 marks as the copyright page, or that says two of the things
    such a page says (©, all rights reserved, ISBN, first edition). A fic's disclaimer says
    them too, and is the work's notes: a page that calls itself one is kept."""
    text = " ".join(piece.block.text for piece in pieces)
    if words_in(text) > 250 or "disclaimer" in text.casefold():
        return False
    for element in body.iter():
        if "copyright-page" in (element.get("data-epub-type") or "").split():
            return True
    return len({match.casefold() for match in _RIGHTS.findall(text)}) >= 2
