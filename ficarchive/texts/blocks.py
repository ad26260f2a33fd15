"""Blocks: the paragraph-level pieces every reader turns its file into, for `conventions` to
read a work's shape from. Plain text becomes blocks here, by AO3's paragraph rules (a blank line
between paragraphs) or, in a file without blank lines, by its indented first lines.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ficarchive.texts.paragraphs import split_paragraphs, text_to_html
from ficarchive.texts.structure import SCENE_BREAK_HTML


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
    return [
        Block.from_text(line)
        for paragraph in split_paragraphs(text)
        for line in _indented_paragraphs(paragraph)
    ]


_INDENT = re.compile(r"^(?: {2,}|\t)\S")
# A line this long was not wrapped by hand: the writer's editor wrapped it on screen.
_UNWRAPPED_LINE = 100


def _indented_paragraphs(paragraph: str) -> list[str]:
    """The paragraphs of a file that marks them by indenting their one long line instead of
    leaving a blank line between them; any other paragraph (a poem's indented lines, a
    hard-wrapped paragraph) as it is."""
    lines = paragraph.split("\n")
    indented = [line for line in lines if _INDENT.match(line)]
    if (
        len(indented) < 3
        or len(indented) * 3 < len(lines) * 2
        or sum(len(line) >= _UNWRAPPED_LINE for line in indented) * 2 < len(indented)
    ):
        return [paragraph]
    return [line for line in lines if line.strip()]
