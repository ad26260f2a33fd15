"""A chapter's own title from its heading: `Chapter 4: The Bridge` is `The Bridge`."""

from __future__ import annotations

import re

from ficarchive.texts.headings import chapter_heading, title_case

# -- titles -------------------------------------------------------------------------------------

_ROMAN = r"(?=[IVXLCDM])M{0,4}(?:CM|CD|D?C{0,3})(?:XC|XL|L?X{0,3})(?:IX|IV|V?I{0,3})"
NUMBERED = re.compile(r"^(?:[A-Za-z]+\s+)?(?:" + _ROMAN + r"|\d+)\s*(?:[.:)\]\-–—]+\s*|$)")


def heading_title(text: str) -> str:
    """A chapter's own title from its heading: `CHAPTER I. Down the Rabbit-Hole` → `Down the
    Rabbit-Hole`, `ADVENTURE I. A SCANDAL IN BOHEMIA` → `A SCANDAL IN BOHEMIA`, `Chapter 1` → ``."""
    text = " ".join(text.split())
    title = chapter_heading(text)
    if title is None:
        match = NUMBERED.match(text)
        title = text[match.end() :] if match else text
    return title.strip(" .:-–—")


def chapter_title(heading_text: str, toc_entry: str = "") -> str:
    own = heading_title(heading_text)
    if own and not own.isupper():
        return own
    listed = heading_title(toc_entry) if toc_entry else ""
    if listed and not listed.isupper():
        return listed
    chosen = own or listed
    return title_case(chosen)  # a title set in capitals, as a title
