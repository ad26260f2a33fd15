"""Chapter headings in a file's paragraphs, the way writers and printed books mark them.

One paragraph alone can say it is a heading (`Chapter 4: The Bridge`, `Prologue`, `Letter 1`,
`ADVENTURE I. A SCANDAL IN BOHEMIA`, `PART ONE`). Others are headings only in company: a bare
`I.` or `1` (or `1. The Cyclone`, or `1` with the title on the next line) counts only where the
file numbers its paragraphs in sequence (I, II, III…), so a story's "I." stays prose; a bare
title counts only where a contents list at the top names it. The contents list itself is not
story text.

Headings have ranks: books and volumes hold parts, parts hold chapters, chapters hold numbered
sections. The chapters are the `Chapter`-like headings where the file has them, else the
deepest rank it uses; a part above them names its chapters (`chapter_title`), a section below
them stays in the text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_UNITS = "one two three four five six seven eight nine".split()
_TEENS = "ten eleven twelve thirteen fourteen fifteen sixteen seventeen eighteen nineteen".split()
_TENS = "twenty thirty forty fifty sixty seventy eighty ninety".split()
_NUMBER_WORDS = [*_UNITS, *_TEENS, *_TENS[:4]]
_WORD_VALUES = {
    **{word: value for value, word in enumerate(_UNITS, start=1)},
    **{word: value for value, word in enumerate(_TEENS, start=10)},
    **{word: value * 10 for value, word in enumerate(_TENS, start=2)},
}
_WORD_NUMBER = r"(?:" + "|".join(_NUMBER_WORDS) + r")(?:[\s-](?:" + "|".join(_UNITS) + r"))?"
NUMBER = r"(?:\d+|[IVXLC]+(?![^\W_])|" + _WORD_NUMBER + ")"
_NAMED = "Prologue|Epilogue|Interlude|Afterword|Foreword"
_KINDS = "Chapter|Ch\\.?|Part|Book|Volume|Vol\\.?|Letter|Adventure|Stave|Canto"
_CHAPTER = re.compile(
    r"^[\s*_~#=\[(]*(?:(?P<named>" + _NAMED + r")(?![^\W_])"
    r"|(?P<kind>" + _KINDS + r")\s+(?P<number>" + NUMBER + r"))"
    r"\s*[)\]]?(?P<separator>\s*[:.\-–—|]+\s*|\s+(?=\S)|(?=[\s*_~#=]*$))(?P<title>.*?)[\s*_~#=]*$",
    re.IGNORECASE,
)
# A number alone (`I.`, `XIV`, `12`, `Seven`), or a number and a title (`1. The Cyclone`).
_ROMAN_NUMBER = r"(?-i:[IVXLC]+)"
# A number in words is a heading without a full stop: "One." is a line of dialogue.
_BARE_NUMBER = re.compile(
    r"^[\s*_~#=\[(]*(?:(?P<number>\d{1,3}|" + _ROMAN_NUMBER + r")\s*[.:)\]]?"
    r"|(?P<word>" + _WORD_NUMBER + r")\s*[:)\]]?)[\s*_~#=]*$",
    re.IGNORECASE,
)
_NUMBERED_TITLE = re.compile(
    r"^\s*(?P<number>\d{1,3}|" + _ROMAN_NUMBER + r")\s*[.:)\-–—]\s*(?P<title>\S.*?)\s*$"
)
_CONTENTS_LABEL = re.compile(r"^\W*(?:table\s+of\s+)?contents\W*$", re.IGNORECASE)
# A contents line: `Chapter 3: The Bridge`, `III. The Bridge ..... 41`, `The Bridge   41`.
_PAGE_NUMBER = re.compile(r"(?:\s*\.{2,}\s*|\s{2,})\d+\s*$|\s+\d+\s*$")
_ROMAN_VALUES = {"I": 1, "V": 5, "X": 10, "L": 50, "C": 100}

# Ranks, outermost first; a named heading (`Prologue`) is a chapter whatever the file's rank.
BOOK, PART, CHAPTER, SECTION = 1, 2, 3, 4
_KIND_RANKS = {"book": BOOK, "volume": BOOK, "vol": BOOK, "part": PART}
_OWN_NAME_KINDS = frozenset({"letter", "adventure", "stave", "canto"})
_SMALL_WORDS = frozenset(
    "a an and as at but by for from in into nor of on or over the to upon with".split()
)


@dataclass(frozen=True)
class Heading:
    title: str  # the chapter's own title, "" for `Chapter 4`
    rank: int
    label: str  # the heading as written, in one line: a part's name for its chapters
    named: bool = False


def chapter_heading(text: str) -> str | None:
    """The chapter's title (`Chapter 4: The Bridge` → `The Bridge`, `Prologue` → `Prologue`)."""
    heading = _own_heading(text)
    return None if heading is None else heading.title


def _own_heading(text: str) -> Heading | None:
    """The heading a paragraph is by itself, or None."""
    stripped = text.strip()
    if "\n" in stripped or len(stripped) > 150:
        return None
    match = _CHAPTER.match(stripped)
    if match is None:
        return None
    title = match.group("title").strip()
    if title and title[0].islower() and not match.group("separator").strip():
        # `Chapter one was hard`, `Afterword was the word` are prose: a heading's title
        # follows punctuation.
        return None
    label = " ".join(stripped.strip("*_~#=[]() ").split())
    if match.group("named"):
        named = match.group("named").capitalize()
        return Heading(f"{named}: {title}" if title else named, CHAPTER, label, named=True)
    kind = match.group("kind").lower().rstrip(".")
    if not title and kind in _OWN_NAME_KINDS:
        title = label  # "Letter 4" is the chapter's name; "Chapter 4" is only its number
    return Heading(title, _KIND_RANKS.get(kind, CHAPTER), label)


def title_like(text: str) -> bool:
    """A short line that could be a title: not a sentence (no closing full stop or quote)."""
    stripped = text.strip()
    if not stripped or "\n" in stripped or len(stripped) > 120 or len(stripped.split()) > 14:
        return False
    return not stripped.endswith((".", ",", ";", ":", '"', "”", "'")) or stripped.endswith("...")


def title_case(text: str) -> str:
    """`A SCANDAL IN BOHEMIA` → `A Scandal in Bohemia`, for headings set in capitals; any other
    text is returned as it is."""
    if not text.isupper():
        return text
    words = text.lower().split()
    result = []
    for position, word in enumerate(words):
        if 0 < position < len(words) - 1 and word in _SMALL_WORDS:
            result.append(word)
        else:
            result.append("-".join(_capitalise(part) for part in word.split("-")))
    return " ".join(result)


def _capitalise(word: str) -> str:
    return re.sub(r"[^\W\d_]", lambda match: match.group(0).upper(), word, count=1)


def _number_value(number: str) -> tuple[str, int] | None:
    """The kind of numeral (`digits`, `roman`, `words`) and its value."""
    number = number.strip()
    if number.isdigit():
        return "digits", int(number)
    if re.fullmatch("[IVXLC]+", number):
        values = [_ROMAN_VALUES[char] for char in number]
        total = sum(-v if v < w else v for v, w in zip(values, [*values[1:], 0], strict=True))
        return "roman", total
    parts = re.split(r"[\s-]+", number.lower())
    if all(part in _WORD_VALUES for part in parts):
        return "words", sum(_WORD_VALUES[part] for part in parts)
    return None


def _key(text: str) -> str:
    """A title as a contents list and a heading both spell it: no case, numbering or stops."""
    return re.sub(r"[^\w\s]", "", _key_title(text)).casefold().strip()


def _keys(text: str) -> set[str]:
    """The ways a contents entry and its heading may match: by title, and by kind and number
    (`Chapter 1` for `Chapter 1: The Bridge`)."""
    text = _PAGE_NUMBER.sub("", " ".join(text.split()))
    keys = {_key(text)}
    match = _CHAPTER.match(text)
    if match is not None and match.group("kind"):
        value = _number_value(match.group("number"))
        keys.add(f"{match.group('kind').lower()} {value[1] if value else match.group('number')}")
    return keys - {""}


@dataclass
class _Numbered:
    index: int
    kind: str
    value: int
    title: str
    label: str


def _numbered(text: str) -> _Numbered | None:
    """A paragraph that is a heading if the file numbers in sequence: `IV`, `12.`, `Seven`,
    `1. The Cyclone`, or `1` with `The Cyclone` on the next line."""
    lines = [line.strip() for line in text.strip().split("\n")]
    if len(lines) > 2 or len(lines[0]) > 100:
        return None
    match = _BARE_NUMBER.match(lines[0])
    title = ""
    if match is not None:
        if len(lines) == 2:
            if not title_like(lines[1]):
                return None
            title = lines[1]
    else:
        numbered = _NUMBERED_TITLE.match(lines[0])
        if numbered is None or len(lines) == 2 or not title_like(numbered.group("title")):
            return None
        match, title = numbered, numbered.group("title")
    value = _number_value(match.group("number") or match.group("word"))
    if value is None:
        return None
    return _Numbered(0, value[0], value[1], title, " ".join(" ".join(lines).split()))


def _in_sequence(candidates: list[_Numbered]) -> list[_Numbered]:
    """The candidates that number on from one another (1, 2, 3…; a new run may start again, as
    sections do in each chapter); a number out of step, or alone, is prose."""
    kept: list[_Numbered] = []
    run: list[_Numbered] = []
    for at, candidate in enumerate(candidates):
        if run and candidate.value == run[-1].value + 1 and candidate.index > run[-1].index + 1:
            run.append(candidate)
            continue
        following = candidates[at + 1] if at + 1 < len(candidates) else None
        if (
            following is not None
            and following.value == candidate.value + 1
            and following.index > candidate.index + 1
        ):
            if len(run) >= 2:
                kept.extend(run)
            run = [candidate]
    if len(run) >= 2:
        kept.extend(run)
    return kept


def _contents(texts: list[str]) -> tuple[set[int], list[str]]:
    """A contents list before the story: the paragraphs it fills and the titles it names."""
    dropped: set[int] = set()
    entries: list[str] = []
    labelled = False
    for index, text in enumerate(texts[:60]):
        lines = [line.strip() for line in text.strip().split("\n") if line.strip()]
        if _CONTENTS_LABEL.match(lines[0]) and not entries:
            labelled = True
            dropped.add(index)
            lines = lines[1:]
            if not lines:
                continue
        names = [_PAGE_NUMBER.sub("", line) for line in lines]
        numbered = all(
            _own_heading(name) is not None or _NUMBERED_TITLE.match(name) for name in names
        )
        if not all(title_like(name) for name in names) and not numbered:
            if dropped or entries:
                break
            continue
        seen = set().union(*(_keys(entry) for entry in entries)) if entries else set()
        if seen & _keys(names[0]):
            break  # the first chapter, named again: the contents have ended
        if (labelled and (dropped or entries)) or (len(names) >= 2 and numbered):
            dropped.add(index)
            entries.extend(names)
        elif entries or dropped:
            break
    if entries and not labelled:
        # Numbered lines that name no later paragraph are a list in the story, not contents.
        later = set().union(
            *(_keys(text) for text in texts[max(dropped) + 1 :] if len(text) <= 150)
        )
        if len([entry for entry in entries if _keys(entry) & later]) < 2:
            return set(), []
    return dropped, entries


@dataclass
class Layout:
    """Where a file's headings are: index of paragraph → heading, and the contents list."""

    headings: dict[int, Heading]
    contents: set[int]


def find_headings(texts: list[str]) -> Layout:
    """The headings among a file's paragraphs (their plain texts, in order)."""
    contents, entries = _contents(texts)
    by_key = {_key(entry): entry for entry in entries}
    headings: dict[int, Heading] = {}
    numbered: dict[str, list[_Numbered]] = {}
    for index, text in enumerate(texts):
        if index in contents:
            continue
        own = _own_heading(text) or _titled_heading(text)
        key = _key(text) if by_key and len(text) <= 150 else ""
        if key in by_key:
            # The contents list names each chapter once, and spells its title ("A Scandal in
            # Bohemia" for `ADVENTURE I. A SCANDAL IN BOHEMIA`); the same words again later
            # (a sign in the story) are prose.
            title, rank = _key_title(by_key.pop(key)), own.rank if own is not None else CHAPTER
            headings[index] = Heading(title, rank, own.label if own is not None else title)
        elif own is not None:
            headings[index] = own
        else:
            candidate = _numbered(text)
            if candidate is not None:
                candidate.index = index
                numbered.setdefault(candidate.kind, []).append(candidate)
    for candidates in numbered.values():
        for candidate in _in_sequence(candidates):
            headings[candidate.index] = Heading(candidate.title, SECTION, candidate.label)
    return Layout(_ranked(headings), contents)


def _titled_heading(text: str) -> Heading | None:
    """`Chapter 1` with the title on the next line: `Chapter 1\nThe Bridge`."""
    lines = [line.strip() for line in text.strip().split("\n")]
    if len(lines) != 2 or not title_like(lines[1]):
        return None
    heading = _own_heading(lines[0])
    if heading is None or heading.title:
        return None
    return Heading(lines[1], heading.rank, f"{heading.label}: {lines[1]}", heading.named)


def _key_title(entry: str) -> str:
    """A contents entry's title without its numbering or page number."""
    entry = _PAGE_NUMBER.sub("", " ".join(entry.split()))
    heading = _own_heading(entry)
    if heading is not None:
        return heading.title
    match = _NUMBERED_TITLE.match(entry)
    return match.group("title") if match else entry


def _ranked(headings: dict[int, Heading]) -> dict[int, Heading]:
    """Headings ranked as chapters (`CHAPTER`), the parts above them (`PART`, whatever they are
    called) and, dropped, the numbered sections below them."""
    ranks = {heading.rank for heading in headings.values() if not heading.named}
    if not ranks:
        return headings
    chapter_rank = CHAPTER if CHAPTER in ranks else max(ranks)
    ranked: dict[int, Heading] = {}
    for index, heading in sorted(headings.items()):
        if heading.named or heading.rank == chapter_rank:
            ranked[index] = Heading(heading.title, CHAPTER, heading.label, heading.named)
        elif heading.rank < chapter_rank:
            ranked[index] = Heading(heading.title, PART, heading.label)
    return ranked
