"""AO3's paragraph rules: plain text and bare HTML become paragraphs the same way AO3 makes them.

One newline is a line break inside a paragraph; a blank line (two or more newlines, with any
spaces between them) starts a new paragraph. HTML that already has block elements is kept as it
is written; HTML without any (a few <em>s and line breaks) gets the same rules as plain text.
"""

from __future__ import annotations

import html
import re

from ficarchive.texts.sanitize import sanitize_html

_BLANK_LINE = re.compile(r"\n[ \t\u00a0]*\n\s*")
_BLOCK_TAG = re.compile(
    r"<\s*(p|div|blockquote|h[1-6]|ul|ol|li|table|pre|hr|center|dl|address)\b", re.IGNORECASE
)


def normalise_newlines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


def split_paragraphs(text: str) -> list[str]:
    """Paragraphs of plain text, each stripped, none empty."""
    text = normalise_newlines(text).strip()
    if not text:
        return []
    return [part.strip() for part in _BLANK_LINE.split(text) if part.strip()]


def _paragraphs_to_html(paragraphs: list[str]) -> str:
    blocks = []
    for paragraph in paragraphs:
        lines = [line.strip() for line in paragraph.split("\n")]
        blocks.append("<p>" + "<br />".join(lines) + "</p>")
    return "\n".join(blocks)


def text_to_html(text: str) -> str:
    """Plain text as sanitized HTML paragraphs: everything in the text is shown, nothing runs."""
    paragraphs = [html.escape(p, quote=False) for p in split_paragraphs(text)]
    return sanitize_html(_paragraphs_to_html(paragraphs))


def html_to_html(fragment: str) -> str:
    """User HTML, sanitized; bare HTML without block elements gets AO3's paragraph rules."""
    fragment = normalise_newlines(fragment)
    if not _BLOCK_TAG.search(fragment):
        fragment = _paragraphs_to_html(split_paragraphs(fragment))
    return sanitize_html(fragment)


def format_body(text: str, text_format: str) -> str:
    """The stored HTML of a body typed in one of the posting form's formats."""
    if text_format == "html":
        return html_to_html(text)
    return text_to_html(text)
