"""A chapter's own title from its heading: `Chapter 4: The Bridge` is `The Bridge`."""

from __future__ import annotations

import re

from ficarchive.texts.headings import chapter_heading

# -- titles -------------------------------------------------------------------------------------

_ROMAN = r"(?=[IVXLCDM])M{0,4}(?:CM|CD|D?C{0,3})(?:XC|XL|L?X{0,3})(?:IX|IV|V?I{0,3})"
NUMBERED = re.compile(r"^(?:[A-Za-z]+\s+)?(?:" + _ROMAN + r"|\d+)\s*(?:[.:)\]\-–—]+\s*|$)")
_SMALL_WORDS = frozenset(
    "a an and as at but by for from in into nor of on or over the to upon with".split()
)


def _title_case(text: str) -> str:
    """`A SCANDAL IN BOHEMIA` → `A Scandal in Bohemia`, for headings set in capitals."""
    words = text.lower().split()
    result = []
    for position, word in enumerate(words):
        if 0 < position < len(words) - 1 and word in _SMALL_WORDS:
            result.append(word)
        else:
            result.append("-".join(_FIRST_LETTER.sub(_upper, part, 1) for part in word.split("-")))
    return " ".join(result)


_FIRST_LETTER = re.compile(r"[^\W\d_]")


def _upper(match: re.Match[str]) -> str:
    return match.group(0).upper()


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
    return _title_case(chosen) if chosen.isupper() else chosen
