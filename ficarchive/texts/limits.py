"""How much of a file ficarchive reads before it says no: bytes, words, characters and markup.

A story file is untrusted input that can ask for gigabytes (issue 14: a YAML alias bomb, zip
members that lie about their sizes, 190 MB of paragraphs under the unpack limit). The limits here
are counted *while the file is read*, before a parser builds a tree of it, so a file over them
costs the few megabytes read up to the point where it crossed a limit, not the whole of it:

- words: a work longer than `IMPORT_MAX_WORDS` is refused (the setting; default one million,
  longer than any novel published as one volume);
- characters: text without the spaces that make words (one 25 MB "word") is refused past
  `CHARACTERS_PER_WORD` characters (spaces and line breaks not counted) for each word allowed;
- markup: tags are counted, `TAGS_PER_WORD` for each word allowed, so an archive member of
  empty elements cannot grow a tree of millions of nodes.

Every parse runs under one `TextBudget` (`reading`); parsers feed it the story's text as they
read it (`count_text` for plain text, `MarkupCounter` for HTML and XML). The counts made on the
way are quick estimates (a word split over two chunks counts twice, punctuation counts), so they
refuse only past `ESTIMATE_MARGIN` over the limit; the exact word count of the parsed work
decides the rest (`check_words`).
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

from ficarchive.texts.structure import ParseError

MEGABYTE = 1024 * 1024
DEFAULT_MAX_WORDS = 1_000_000
DEFAULT_MAX_FILE_BYTES = 30 * MEGABYTE
DEFAULT_PARSE_SECONDS = 30
DEFAULT_PARSE_MEMORY_BYTES = 512 * MEGABYTE

# English averages five characters a word, spaces aside; twelve leaves room for any
# language and any writer, and still stops a text with no spaces at a size the server can hold.
CHARACTERS_PER_WORD = 12
# Word's own XML, the most verbose of the formats, has one or two tags a word.
TAGS_PER_WORD = 4
TAGS_ALWAYS_ALLOWED = 100_000  # a short story's metadata, styles and table of contents
ESTIMATE_MARGIN = 1.1
# The text is counted in pieces of this size, so counting stops soon after a limit is passed.
_PIECE = 1024 * 1024

_CJK = r"\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af\u0e00-\u0e7f"
# The estimate: words between spaces, and each CJK character one more (as AO3 counts them).
_CJK_CHARACTER = re.compile(rf"[{_CJK}]")
_TAG = re.compile(r"<[^>]*>")
_LAST_EDGE = re.compile(r"[\s>](?=[^\s>]*\Z)")  # the last space or tag end: a word starts after
_TAIL = 4096  # where that is looked for: a longer "word" is counted in two pieces


@dataclass(frozen=True)
class Limits:
    """The limits of one parse. `from_settings()` reads the archive's; tests make their own."""

    max_words: int = DEFAULT_MAX_WORDS
    max_file_bytes: int = DEFAULT_MAX_FILE_BYTES
    parse_seconds: float = DEFAULT_PARSE_SECONDS
    parse_memory_bytes: int = DEFAULT_PARSE_MEMORY_BYTES

    @property
    def max_characters(self) -> int:
        return self.max_words * CHARACTERS_PER_WORD

    @property
    def max_tags(self) -> int:
        return self.max_words * TAGS_PER_WORD + TAGS_ALWAYS_ALLOWED

    def as_dict(self) -> dict[str, float]:
        return {
            "max_words": self.max_words,
            "max_file_bytes": self.max_file_bytes,
            "parse_seconds": self.parse_seconds,
            "parse_memory_bytes": self.parse_memory_bytes,
        }

    @classmethod
    def from_dict(cls, values: dict[str, float]) -> Limits:
        return cls(
            max_words=int(values["max_words"]),
            max_file_bytes=int(values["max_file_bytes"]),
            parse_seconds=float(values["parse_seconds"]),
            parse_memory_bytes=int(values["parse_memory_bytes"]),
        )


def from_settings() -> Limits:
    """The archive's limits, from the IMPORT_* settings."""
    from django.conf import settings

    return Limits(
        max_words=getattr(settings, "IMPORT_MAX_WORDS", DEFAULT_MAX_WORDS),
        max_file_bytes=getattr(settings, "IMPORT_MAX_FILE_MB", 30) * MEGABYTE,
        parse_seconds=getattr(settings, "IMPORT_PARSE_SECONDS", DEFAULT_PARSE_SECONDS),
        parse_memory_bytes=getattr(settings, "IMPORT_PARSE_MEMORY_MB", 512) * MEGABYTE,
    )


def megabytes(size: float) -> str:
    return f"{size / MEGABYTE:,.0f} MB" if size >= 10 * MEGABYTE else f"{size / MEGABYTE:.1f} MB"


def too_many_words(limits: Limits) -> ParseError:
    return ParseError(
        f"the work is longer than {limits.max_words:,} words, the most ficarchive takes as one "
        "work; split it into several works (a series) and import those"
    )


class TextBudget:
    """The words, characters and tags read so far in one file, refused past its limits."""

    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        self.words = 0
        self.characters = 0
        self.tags = 0

    def count_text(self, text: str) -> None:
        """Count the words of plain text, a piece at a time, stopping at the first limit."""
        start = 0
        while start < len(text):
            end = min(len(text), start + _PIECE)
            if end < len(text):
                # Cut at a space, so no word is counted twice; a text without one is cut anyway.
                space = max(text.rfind(" ", start, end), text.rfind("\n", start, end))
                end = space + 1 if space > start else end
            self._add(text[start:end])
            start = end

    def _add(self, text: str) -> None:
        # str.split and str.count run at C speed; a regex that lists a million words does not.
        self.words += len(text.split()) + _CJK_CHARACTER.subn("", text)[1]
        self.characters += len(text) - text.count(" ") - text.count("\n") - text.count("\t")
        if self.words > self.limits.max_words * ESTIMATE_MARGIN:
            raise too_many_words(self.limits)
        if self.characters > self.limits.max_characters:
            raise ParseError(
                f"its text has more than {self.limits.max_characters:,} characters (besides "
                f"spaces), more than a work of the {self.limits.max_words:,} words ficarchive "
                "takes would have"
            )

    def count_tags(self, count: int) -> None:
        self.tags += count
        if self.tags > self.limits.max_tags:
            raise ParseError(
                f"its markup has more than {self.limits.max_tags:,} tags, far more than a work "
                f"of the {self.limits.max_words:,} words ficarchive takes would need"
            )

    def check_words(self, words: int) -> None:
        """The exact count of the parsed work, which the estimates may have let through."""
        if words > self.limits.max_words:
            raise too_many_words(self.limits)


class MarkupCounter:
    """Counts HTML or XML as it streams in, in bytes of any chunking: tags always, and the
    words of the text between them when `story` (a story document, not a table of contents)."""

    def __init__(self, budget: TextBudget, story: bool) -> None:
        self.budget = budget
        self.story = story
        self._decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        self._carry = ""

    def feed(self, chunk: bytes) -> None:
        self.feed_text(self._decoder.decode(chunk))

    def feed_text(self, text: str) -> None:
        text = self._carry + text
        # A tag or a word cut in half by the chunking waits for its end in the next chunk.
        opening = text.rfind("<")
        if opening > text.rfind(">"):
            cut = opening
        else:
            tail = len(text) - min(len(text), _TAIL)
            edge = _LAST_EDGE.search(text, tail)
            cut = edge.end() if edge is not None else tail
        text, self._carry = text[:cut], text[cut:]
        if len(self._carry) > _PIECE:  # a "tag" that never closes is text after all
            text, self._carry = text + self._carry, ""
        self.budget.count_tags(text.count("<"))
        if self.story:
            self.budget.count_text(_TAG.sub(" ", text))

    def count_all(self, text: str) -> None:
        """A whole document already in memory, a piece at a time, so counting stops early."""
        for start in range(0, len(text), _PIECE):
            self.feed_text(text[start : start + _PIECE])
        self.close()

    def close(self) -> None:
        rest, self._carry = self._carry + self._decoder.decode(b"", final=True), ""
        self.budget.count_tags(rest.count("<"))
        if self.story:
            self.budget.count_text(_TAG.sub(" ", rest))


_current: ContextVar[TextBudget | None] = ContextVar("text_budget", default=None)


@contextmanager
def reading(limits: Limits) -> Iterator[TextBudget]:
    """Run a parse under a fresh budget; `budget()` inside it is that budget."""
    fresh = TextBudget(limits)
    token = _current.set(fresh)
    try:
        yield fresh
    finally:
        _current.reset(token)


def budget() -> TextBudget:
    """The budget of the parse under way; a parser called on its own, outside `reading`, gets
    a fresh one with the default limits."""
    return _current.get() or TextBudget(Limits())
