"""AO3's paragraph rules: plain text and bare HTML become paragraphs the same way AO3 makes them.

One newline is a line break inside a paragraph; a blank line (two or more newlines, with any
spaces between them) starts a new paragraph. HTML that already has block elements is kept as it
is written; HTML without any (a few <em>s and line breaks) gets the same rules as plain text.
HTML is sanitized before it is cut into paragraphs, and an empty paragraph is dropped (as AO3
drops them), so markup the sanitizer removes leaves no `<p></p>` behind.

Each function takes the sanitizer of the field the HTML is for (`ficarchive.texts.sanitize`);
chapter text's is the default.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable

from ficarchive.texts.sanitize import sanitize_html, strip_tags

Sanitizer = Callable[[str], str]

_BLANK_LINE = re.compile(r"\n[ \t\u00a0]*\n\s*")
_BLOCK_TAG = re.compile(
    r"<\s*(p|div|blockquote|h[1-6]|ul|ol|li|table|pre|hr|center|dl|address|details|figure)\b",
    re.IGNORECASE,
)
# What the sanitizer writes for an empty paragraph; `<p>&nbsp;</p>` is a blank line, kept.
_EMPTY_PARAGRAPH = re.compile(r"[ \t\n]*<p>[ \t\n]*</p>")
# Elements that show something without any text.
_SHOWS_WITHOUT_TEXT = re.compile(r"<(img|iframe|audio|video)\b")


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


def text_to_html(text: str, sanitizer: Sanitizer = sanitize_html) -> str:
    """Plain text as sanitized HTML paragraphs: everything in the text is shown, nothing runs."""
    paragraphs = [html.escape(p, quote=False) for p in split_paragraphs(text)]
    return sanitizer(_paragraphs_to_html(paragraphs))


def html_to_html(fragment: str, sanitizer: Sanitizer = sanitize_html) -> str:
    """User HTML, sanitized; bare HTML without block elements gets AO3's paragraph rules."""
    clean = sanitizer(normalise_newlines(fragment))
    if not _BLOCK_TAG.search(clean):
        paragraphs = [p for p in split_paragraphs(clean) if _shows_something(p)]
        clean = sanitizer(_paragraphs_to_html(paragraphs))
    without_empty = _EMPTY_PARAGRAPH.sub("", clean).strip()
    # Sanitized once more only when a paragraph went, so the result stays a fixed point.
    return clean if without_empty == clean else sanitizer(without_empty)


def _shows_something(paragraph: str) -> bool:
    return bool(strip_tags(paragraph).strip() or _SHOWS_WITHOUT_TEXT.search(paragraph))


def format_body(text: str, text_format: str, sanitizer: Sanitizer = sanitize_html) -> str:
    """The stored HTML of a body typed in one of the posting form's formats."""
    if text_format == "html":
        return html_to_html(text, sanitizer)
    return text_to_html(text, sanitizer)
