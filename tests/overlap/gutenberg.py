"""Real prose for the overlap tests: paragraphs of the Project Gutenberg books in
tests/fixtures/gutenberg, and the small edits a writer makes when reusing a passage."""

from __future__ import annotations

import gzip
import re
from functools import cache
from pathlib import Path

BOOKS = Path(__file__).parent.parent / "fixtures" / "gutenberg"
# The books' encodings (Sherlock Holmes predates the UTF-8 files).
_ENCODING = {"sherlock-holmes": "latin-1"}

# Words a writer slips in or swaps for another when going over old prose.
EDIT_WORDS = ("quietly", "suddenly", "rather", "certainly", "perhaps", "still", "truly", "simply")


@cache
def paragraphs(book: str, min_words: int = 25) -> tuple[str, ...]:
    """The book's prose paragraphs of at least `min_words` words, each on one line."""
    raw = gzip.decompress((BOOKS / f"{book}.txt.gz").read_bytes())
    text = raw.decode(_ENCODING.get(book, "utf-8-sig"))
    body = text.split("*** START", 1)[1].split("*** END", 1)[0]
    found = (" ".join(p.split()) for p in re.split(r"\n\s*\n", body))
    return tuple(p for p in found if len(p.split()) >= min_words)


def lightly_edited(parts: list[str], edits: int) -> list[str]:
    """The paragraphs with `edits` small edits spread evenly over their words: in turn a word
    replaced, a word added, a word dropped."""
    words = [part.split(" ") for part in parts]
    places = [(i, j) for i, w in enumerate(words) for j in range(len(w))]
    spots = [places[len(places) * (2 * k + 1) // (2 * edits)] for k in range(edits)]
    for number, (i, j) in enumerate(reversed(spots)):
        word = EDIT_WORDS[number % len(EDIT_WORDS)]
        if number % 3 == 0:
            words[i][j] = word
        elif number % 3 == 1:
            words[i].insert(j, word)
        else:
            del words[i][j]
    return [" ".join(w) for w in words]


def dialogue(parts: list[str], low: int, high: int) -> list[int]:
    """Which paragraphs are speech of `low` to `high` words."""
    return [i for i, p in enumerate(parts) if low <= len(p.split()) <= high and "“" in p]


# After . ! or ? (not a title's full stop, "Mr.") before a capital or an opening quote.
_SENTENCE_BREAK = re.compile(r"(?<=[.!?])(?<!Mr\.)(?<!Mrs\.)(?<!Dr\.)(?<!St\.)\s+(?=[A-Z“‘\"'])")


def sentences(paragraph: str) -> list[str]:
    """A paragraph's sentences."""
    return _SENTENCE_BREAK.split(paragraph)


def reordered(parts: list[str], added: str) -> list[str]:
    """The paragraphs with their sentences moved about, as a writer reworks a passage: each
    paragraph's last sentence put first, and `added` put after the first sentence of the
    middle paragraph."""
    out = []
    for part in parts:
        found = sentences(part)
        out.append(found[-1:] + found[:-1])
    middle = out[len(out) // 2]
    middle.insert(1, added)
    return [" ".join(found) for found in out]
