"""Fan fiction's own conventions, recognised in a list of blocks from any format.

Writers mark structure with words, not markup: `A/N:` paragraphs at the top and bottom, a title
line, `Title:`/`Rating:` header lines, `Chapter 4: The Bridge` and `Prologue` headings, `* * *`
or `oOo` between scenes, `The End` or `To be continued…` after the last line. Every parser
turns its file into `Block`s (a paragraph, a heading or a break) and `structure` reads these
conventions off them, so a DOCX or a Markdown file gets the same treatment as a .txt file.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ficarchive.texts.labels import HEADER_LABELS
from ficarchive.texts.paragraphs import text_to_html
from ficarchive.texts.sanitize import sanitize_html
from ficarchive.texts.structure import SCENE_BREAK_HTML, ParsedChapter, ParsedWork


@dataclass
class Block:
    """One paragraph-level piece of a file: its plain text and its sanitized HTML."""

    text: str
    html: str = ""
    heading: int = 0  # 1-6 for a heading the file marked as one, 0 for a paragraph
    is_break: bool = False

    @classmethod
    def from_text(cls, text: str) -> Block:
        return cls(text=text.strip(), html=text_to_html(text))

    @classmethod
    def scene_break(cls) -> Block:
        return cls(text="* * *", html=SCENE_BREAK_HTML, is_break=True)


def blocks_from_plain_text(text: str) -> list[Block]:
    from ficarchive.texts.paragraphs import split_paragraphs

    return [Block.from_text(paragraph) for paragraph in split_paragraphs(text)]


# -- what the conventions look like -------------------------------------------------------------

_NOTE = re.compile(
    r"""^[\s*_~(\[]*
    (?:A\s*/\s*N|(?-i:AN)|Author'?s?'?\s+Notes?|Authors?\s+Notes?|Disclaimer|Notes?|N/A)
    \s*\d*\s*[)\]]?\s*(?:[:\-–—.]+|\s(?=\S))\s*[*_~]*\s*""",
    re.IGNORECASE | re.VERBOSE,
)
# `A/N` alone, or `A/N:` followed by text; plain `Note`/`Notes` need the colon to count.
_STRICT_NOTE = re.compile(r"^[\s*_~(\[]*(?:Notes?|Disclaimer)\s*\d*\s*[:\-–—]", re.IGNORECASE)
# `AN` counts only in capitals and before punctuation: "An old man walked in." is prose.
_LOOSE_NOTE = re.compile(
    r"^[\s*_~(\[]*(?:(?i:A\s*/\s*N)|AN\d*(?=\s*[:\-–—.)\]]|\s*$)|(?i:Author'?s?'?\s+Notes?))"
)

_HEADER = re.compile(
    r"^\s*(?P<key>Title|Author|Authors?|By|Fandoms?|Rating|Pairings?|Relationships?|Ships?|"
    r"Characters?|Summary|Warnings?|Archive Warnings?|Categor(?:y|ies)|Tags|Additional Tags|"
    r"Genres?|Status|Word\s*Count|Words|Chapters)\s*:\s*(?P<value>.*)$",
    re.IGNORECASE,
)
_NUMBER_WORDS = (
    "one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen "
    "sixteen seventeen eighteen nineteen twenty thirty forty fifty"
).split()
_NUMBER = (
    r"(?:\d+|[IVXLC]+\b|(?:" + "|".join(_NUMBER_WORDS) + r")(?:[\s-](?:one|two|three|four|five|"
    r"six|seven|eight|nine))?)"
)
_CHAPTER = re.compile(
    r"^[\s*_~#=\[(]*(?:(?P<named>Prologue|Epilogue|Interlude|Afterword|Foreword)\b"
    r"|(?P<kind>Chapter|Ch\.?|Part|Book)\s+(?P<number>" + _NUMBER + r"))"
    r"\s*[)\]]?(?P<separator>\s*[:.\-–—|]+\s*|\s+(?=\S)|\s*$)(?P<title>.*?)[\s*_~#=]*$",
    re.IGNORECASE,
)
_END = re.compile(
    r"^[\s*_~\-=.(\[]*(?P<word>the\s+end|fin|finis|end|the\s+very\s+end|to\s+be\s+continued|"
    r"tbc|end\s+of\s+(?:chapter|part)(?:\s+" + _NUMBER + r")?|end\s+chapter(?:\s+\d+)?)"
    r"[\s.!?…*_~\-=)\]]*$",
    re.IGNORECASE,
)
_SYMBOLS = r"*~#=_\-+•·◇◆♦❖✦✧★☆§¤°※—–.:|/\\<>^oOxX0"
_SCENE_BREAK = re.compile(r"^[" + _SYMBOLS + r"\s]{3,}$")
_LONE_SYMBOL = re.compile(r"^\s*[^\w\s\"'“”‘’(),;!?]\s*$")


def is_scene_break(text: str) -> bool:
    """`***`, `* * *`, `~~~`, `---`, `oOo`, `xXx`, `-x-x-`, or a lone centred symbol."""
    stripped = text.strip()
    if not stripped or len(stripped) > 40:
        return False
    if _LONE_SYMBOL.match(stripped):
        return True
    if not _SCENE_BREAK.match(stripped):
        return False
    if not stripped.strip(".…· "):
        return False  # an ellipsis is a pause, not a break
    letters = re.sub(r"[^A-Za-z0]", "", stripped)
    if not letters:
        return True
    if set(letters.lower().replace("0", "o")) not in ({"o"}, {"x"}):
        return False
    # o/x count as decoration between symbols (-x-x-) or in mixed case (oOo, xXx, o0o), never `ooo`.
    upper = letters.replace("0", "O")
    has_symbols = len(letters) < len(stripped.replace(" ", ""))
    return has_symbols or (upper != upper.lower() and upper != upper.upper())


def note_text(text: str) -> str | None:
    """The note without its `A/N:` marker, or None when the paragraph is not a note."""
    if not (_STRICT_NOTE.match(text) or _LOOSE_NOTE.match(text)):
        return None
    match = _NOTE.match(text)
    if match is None:
        return None
    return text[match.end() :].strip()


def chapter_heading(text: str) -> str | None:
    """The chapter's title (`Chapter 4: The Bridge` → `The Bridge`, `Prologue` → `Prologue`)."""
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
    if match.group("named"):
        named = match.group("named").capitalize()
        return f"{named}: {title}" if title else named
    return title


def end_marker(text: str) -> str | None:
    """`complete` for `The End`/`Fin`, `in progress` for `To be continued`, `chapter end` for
    `End of Chapter 3`; None when the paragraph is not an end marker."""
    match = _END.match(text.strip())
    if match is None:
        return None
    word = " ".join(match.group("word").lower().split())
    if word.startswith(("to be continued", "tbc")):
        return "in progress"
    if word.startswith(("end of", "end chapter")):
        return "chapter end"
    return "complete"


def _heading_next(blocks: list[Block], at: int) -> bool:
    following = next((b for b in blocks[at + 1 :] if not b.is_break and b.text.strip()), None)
    return following is not None and chapter_heading(following.text.strip()) is not None


def _title_like(text: str) -> bool:
    stripped = text.strip()
    if not stripped or "\n" in stripped or len(stripped) > 120 or len(stripped.split()) > 14:
        return False
    return not stripped.endswith((".", ",", ";", ":", '"', "”", "'")) or stripped.endswith("...")


# -- reading them -------------------------------------------------------------------------------


@dataclass
class _Chapter:
    title: str = ""
    has_heading: bool = False
    notes: list[str] = field(default_factory=list)
    end_notes: list[str] = field(default_factory=list)
    body: list[Block] = field(default_factory=list)


def _note_html(text: str) -> str:
    return text_to_html(text)


def _apply_header(work: ParsedWork, key: str, value: str) -> None:
    kind = HEADER_LABELS.get(" ".join(key.lower().split()), "ignore")
    value = value.strip()
    if not value or kind == "ignore":
        return
    if kind == "title":
        work.title = value
    elif kind == "author":
        work.authors = [name.strip() for name in re.split(r",|&| and ", value) if name.strip()]
    elif kind == "summary":
        work.summary = text_to_html(value)
    elif kind == "status":
        lowered = value.lower()
        if "complete" in lowered and "incomplete" not in lowered:
            work.complete = True
        elif any(word in lowered for word in ("progress", "incomplete", "ongoing", "wip")):
            work.complete = False
    else:
        work.add_tags(kind, split_names(value))


def split_names(value: str) -> list[str]:
    return [name.strip() for name in re.split(r"[,;]", value) if name.strip()]


def _read_headers(blocks: list[Block], work: ParsedWork) -> int:
    """Header lines at the top (`Title: …`, `Rating: …`); returns how many blocks they used."""
    used = 0
    for index, block in enumerate(blocks[:12]):
        if block.heading or block.is_break:
            break
        lines = block.text.split("\n")
        if not _HEADER.match(lines[0]):
            break
        current_key, current_value = "", ""
        for line in lines:
            match = _HEADER.match(line)
            if match:
                if current_key:
                    _apply_header(work, current_key, current_value)
                current_key, current_value = match.group("key"), match.group("value")
            else:
                current_value += " " + line.strip()
        if current_key:
            _apply_header(work, current_key, current_value)
        used = index + 1
    return used


def structure(blocks: list[Block], work: ParsedWork | None = None) -> ParsedWork:
    """A work from blocks: headers, title, notes, chapters, scene breaks and end markers."""
    work = work or ParsedWork()
    blocks = [block for block in blocks if block.text.strip() or block.is_break]
    start = _read_headers(blocks, work)
    blocks = blocks[start:]

    has_headings = any(
        chapter_heading(block.text) is not None for block in blocks if not block.is_break
    )
    marked_headings = [block for block in blocks if block.heading]
    # One heading above all the others (a single <h1> over <h2> chapters) is the work's title.
    title_heading: Block | None = None
    if len(marked_headings) > 1:
        top = min(block.heading for block in marked_headings)
        tops = [block for block in marked_headings if block.heading == top]
        if len(tops) == 1 and tops[0] is marked_headings[0]:
            title_heading = tops[0]
    chapters: list[_Chapter] = []
    preface_notes: list[str] = []
    current: _Chapter | None = None
    complete: bool | None = None
    trailing_notes: list[str] = []
    trailing_blocks: list[Block] = []  # the same notes as the writer wrote them
    title_block: Block | None = None

    for at, block in enumerate(blocks):
        text = block.text.strip()
        if block.is_break or is_scene_break(text):
            if current is not None and current.body and not current.body[-1].is_break:
                current.body.append(Block.scene_break())
            continue
        if current is None and not work.title and block is title_heading:
            work.title = text
            continue
        note = note_text(text)
        heading = chapter_heading(text)
        if heading is None and block.heading and len(marked_headings) > 1:
            heading = text
        if heading is not None:
            if current is not None and not current.body and not current.has_heading:
                # Text before the first heading was only notes: they belong to the work.
                preface_notes.extend(current.notes)
                chapters.remove(current)
            if current is not None and trailing_notes:
                current.end_notes.extend(trailing_notes)
                trailing_notes, trailing_blocks = [], []
            current = _Chapter(title=heading, has_heading=True)
            chapters.append(current)
            continue
        if note is not None:
            if current is None or (not current.body and not current.has_heading):
                preface_notes.append(note)
            elif not current.body:
                current.notes.append(note)
            else:
                trailing_notes.append(note)
                trailing_blocks.append(block)
            continue
        marker = end_marker(text)
        if marker is not None:
            if marker != "chapter end":
                complete = marker == "complete"
            continue
        if current is None:
            # A short line before the story is its title; in a story with chapter headings,
            # only when a heading follows it ("Title", then "Prologue").
            title_line = (
                _title_like(text) and (not has_headings or _heading_next(blocks, at))
            ) or block.heading
            if not work.title and title_line:
                work.title, title_block = text, block
                continue
            current = _Chapter()
            chapters.append(current)
        if trailing_notes:
            # A note in the middle of the text stays where and as the writer put it.
            current.body.extend(trailing_blocks)
            trailing_notes, trailing_blocks = [], []
        current.body.append(block)

    if title_block is not None and not any(chapter.body for chapter in chapters):
        # The only line of text was not a title after all: it is the story.
        work.title = ""
        chapters = [_Chapter(body=[title_block])]
    found_notes = "\n".join(_note_html(note) for note in preface_notes)
    work.notes = "\n".join(part for part in (work.notes, found_notes) if part)
    if trailing_notes:
        end_html = "\n".join(_note_html(note) for note in trailing_notes)
        work.end_notes = (work.end_notes + "\n" + end_html).strip()
    if complete is not None and work.complete is None:
        work.complete = complete
    for chapter in chapters:
        while chapter.body and chapter.body[-1].is_break:
            chapter.body.pop()
        if not chapter.body and not chapter.notes:
            continue
        work.chapters.append(
            ParsedChapter(
                html=sanitize_html("\n".join(block.html for block in chapter.body)),
                title=chapter.title,
                notes="\n".join(_note_html(n) for n in chapter.notes),
                end_notes="\n".join(_note_html(n) for n in chapter.end_notes),
            )
        )
    return work
