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

from ficarchive.texts.blocks import Block
from ficarchive.texts.header_lines import byline, is_header_line, read_header_lines
from ficarchive.texts.headings import (
    CHAPTER,
    NUMBER,
    PART,
    Heading,
    chapter_heading,
    find_headings,
    title_case,
    title_like,
)
from ficarchive.texts.paragraphs import text_to_html
from ficarchive.texts.sanitize import sanitize_html
from ficarchive.texts.structure import ParsedChapter, ParsedWork

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

_END = re.compile(
    r"^[\s*_~\-=.(\[]*(?P<word>the\s+end|fin|finis|end|the\s+very\s+end|to\s+be\s+continued|"
    r"tbc|end\s+of\s+(?:chapter|part)(?:\s+" + NUMBER + r")?|end\s+chapter(?:\s+\d+)?)"
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


class _Reader:
    """One pass over a file's blocks, from its preface to its last chapter."""

    def __init__(self, blocks: list[Block], work: ParsedWork) -> None:
        self.blocks = [block for block in blocks if block.text.strip() or block.is_break]
        self.work = work
        layout = find_headings([block.text for block in self.blocks])
        self.skipped = layout.contents
        self.headings = dict(layout.headings)
        marked = [at for at, block in enumerate(self.blocks) if block.heading]
        # One heading above all the others (a single <h1> over <h2> chapters) is the title.
        self.title_heading: int | None = None
        if len(marked) > 1:
            top = min(self.blocks[at].heading for at in marked)
            tops = [at for at in marked if self.blocks[at].heading == top]
            if len(tops) == 1 and tops[0] == marked[0]:
                self.title_heading = tops[0]
            for at in marked:
                text = self.blocks[at].text.strip()
                if at == self.title_heading or at in self.skipped:
                    continue
                if chapter_heading(text) is None:
                    # A marked heading is a chapter titled as written ("One", "Beginnings").
                    self.headings[at] = Heading(text, CHAPTER, text)
        self.skipped = self.skipped | self._titles_below_headings()

    def _titles_below_headings(self) -> set[int]:
        """`CHAPTER I`, a blank line, then `Down the Rabbit-Hole`: where every untitled chapter
        heading (two at least) has a title-like line of its own below it, that line is the
        chapter's title. The lines it takes, which are no longer story text."""
        untitled = [
            at
            for at, heading in self.headings.items()
            if heading.rank == CHAPTER and not heading.title and not heading.named
        ]
        if len(untitled) < 2 or not all(self._title_below(at + 1) for at in untitled):
            return set()
        for at in untitled:
            heading, title = self.headings[at], self.blocks[at + 1].text.strip()
            self.headings[at] = Heading(title, CHAPTER, f"{heading.label}: {title}")
        return {at + 1 for at in untitled}

    def _title_below(self, at: int) -> bool:
        """The block at `at` can be the title of the heading above it: a title-like line that is
        no convention of its own, with story after it."""
        if at + 1 >= len(self.blocks) or at in self.headings or at + 1 in self.headings:
            return False
        block = self.blocks[at]
        text = block.text.strip()
        return (
            at not in self.skipped
            and title_like(text)
            and not self._is_preface(at)
            and end_marker(text) is None
        )

    def _is_preface(self, at: int) -> bool:
        """Blocks a title line may stand among: notes, header lines, breaks, a byline."""
        block = self.blocks[at]
        text = block.text.strip()
        return (
            at in self.skipped
            or block.is_break
            or is_scene_break(text)
            or note_text(text) is not None
            or bool(byline(text))
            or (not block.heading and is_header_line(text))
        )

    def _title_line(self, at: int) -> bool:
        """A short line before the story is its title; in a story with chapter headings, only
        when a heading follows it, past any notes ("Title", "A/N: …", then "Prologue")."""
        block = self.blocks[at]
        if at in self.headings or not (title_like(block.text) or block.heading):
            return False
        if not self.headings:
            return True
        following = next(
            (i for i in range(at + 1, len(self.blocks)) if not self._is_preface(i)), None
        )
        return following is not None and following in self.headings

    def preface(self) -> tuple[int, list[str], Block | None]:
        """The title line, header lines, notes and byline before the first heading or story
        paragraph, in any order: where the story starts, the notes, the title line."""
        work, notes = self.work, []
        title_block: Block | None = None
        at = 0
        while at < len(self.blocks):
            block = self.blocks[at]
            text = block.text.strip()
            note = note_text(text)
            if at in self.headings:
                break
            if at in self.skipped or block.is_break or is_scene_break(text):
                pass
            elif at == self.title_heading and not work.title:
                work.title = text
            elif read_header_lines(block, work):
                pass
            elif note is not None:
                notes.append(note)
            elif title_block is not None and not work.authors and byline(text):
                work.authors = byline(text)
            elif work.title and text.casefold() == work.title.casefold():
                pass  # the title line again, under `Title:`
            elif not work.title and self._title_line(at):
                work.title, title_block = text, block
            else:
                break
            at += 1
        return at, notes, title_block

    def _part_holds_chapters(self, at: int) -> bool:
        following = next(
            (i for i in range(at + 1, len(self.blocks)) if not self._is_preface(i)), None
        )
        return following is not None and following in self.headings

    def read(self) -> ParsedWork:
        work = self.work
        start, preface_notes, title_block = self.preface()
        chapters: list[_Chapter] = []
        current: _Chapter | None = None
        complete: bool | None = None
        trailing_notes: list[str] = []
        trailing_blocks: list[Block] = []  # the same notes as the writer wrote them
        part = ""

        for at in range(start, len(self.blocks)):
            block = self.blocks[at]
            text = block.text.strip()
            if at in self.skipped:
                continue
            if block.is_break or is_scene_break(text):
                if current is not None and current.body and not current.body[-1].is_break:
                    current.body.append(Block.scene_break())
                continue
            heading = self.headings.get(at)
            if heading is not None and heading.rank == PART and self._part_holds_chapters(at):
                part = title_case(heading.label)
                continue
            if heading is not None:
                if current is not None and not current.body and not current.has_heading:
                    # Text before the first heading was only notes: they belong to the work.
                    preface_notes.extend(current.notes)
                    chapters.remove(current)
                if current is not None and trailing_notes:
                    current.end_notes.extend(trailing_notes)
                    trailing_notes, trailing_blocks = [], []
                title = heading.title
                if part:
                    title, part = (f"{part} — {title}" if title else part), ""
                current = _Chapter(title=title, has_heading=True)
                chapters.append(current)
                continue
            note = note_text(text)
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


def structure(blocks: list[Block], work: ParsedWork | None = None) -> ParsedWork:
    """A work from blocks: headers, title, notes, chapters, scene breaks and end markers."""
    return _Reader(blocks, work or ParsedWork()).read()
