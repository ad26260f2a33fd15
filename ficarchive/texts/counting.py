"""Word counts as AO3 makes them: words of the text, not of markup; each CJK character one word."""

from __future__ import annotations

import html as html_lib
import re

from ficarchive.texts.sanitize import strip_tags

# Han, Hiragana, Katakana, Hangul syllables and Thai are written without spaces between words;
# AO3 counts each such character as a word. Everything else is split on whitespace.
_CJK = r"\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af\u0e00-\u0e7f"
_WORD = re.compile(rf"[{_CJK}]|[^\s{_CJK}]+")
_PUNCTUATION_ONLY = re.compile(r"^[\W_]+$")
# The same count made by one regex, with no Python loop over a million tokens (a long work is
# counted inside its import's transaction): a match starts at the first letter or digit of a
# token and takes the rest of it (possessive, so nothing is tried twice); a CJK character counts
# when it is a word character (not the katakana middle dot).
_COUNTED = re.compile(rf"(?=\w)[{_CJK}]|[^\W_{_CJK}][^\s{_CJK}]*+")
# Block boundaries separate words even where the markup has no space around them.
_BLOCK_EDGE = re.compile(r"<(/?(?:p|div|br|li|h[1-6]|blockquote|td|th|tr|hr|pre|dd|dt)\b)", re.I)


def count_words_in_text(text: str) -> int:
    return _COUNTED.subn("", text)[1]  # the number of matches, without a list of them


def count_words_slowly(text: str) -> int:
    """The rule written out token by token: what `count_words_in_text` must agree with."""
    return sum(1 for token in _WORD.findall(text) if not _PUNCTUATION_ONLY.match(token))


def count_words(html: str) -> int:
    return count_words_in_text(html_lib.unescape(strip_tags(_BLOCK_EDGE.sub(r" <\1", html))))
