"""Pages of a book that are not the story: contents pages and title pages."""

from __future__ import annotations

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
