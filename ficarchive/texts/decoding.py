"""Bytes to text: UTF-8 first, then what a BOM or the bytes themselves say.

Writers' files come from Word on Windows (cp1252), old Macs, Notepad's "Unicode" (UTF-16 with a
BOM) and everything in between. A wrong guess garbles quotes and accents, so each step checks.
"""

from __future__ import annotations

import codecs

_BOMS = [
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
]
# Bytes cp1252 leaves undefined; text containing them is latin-1 (or not text at all).
_CP1252_UNDEFINED = {0x81, 0x8D, 0x8F, 0x90, 0x9D}


class DecodeError(ValueError):
    pass


def decode_text(data: bytes) -> str:
    """The text in `data`, or DecodeError when it is not text in any encoding we know."""
    text = _decode(data)
    sample = text[:20000]
    controls = sum(1 for char in sample if char < " " and char not in "\t\n\r\f\v")
    if sample and controls / len(sample) > 0.01:
        raise DecodeError("it looks like a binary file, not text")
    return text


def _decode(data: bytes) -> str:
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return data[len(bom) :].decode(encoding)
            except UnicodeDecodeError as error:
                raise DecodeError(
                    f"it starts with a {encoding} mark but is not {encoding}"
                ) from error
    utf16 = _utf16_without_bom(data)
    if utf16 is not None:
        return utf16
    if b"\x00" in data[:4096]:
        raise DecodeError("it looks like a binary file, not text")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    if not any(byte in _CP1252_UNDEFINED for byte in data):
        return data.decode("cp1252")
    return data.decode("latin-1")


def _utf16_without_bom(data: bytes) -> str | None:
    """UTF-16 without a BOM shows as every other byte zero in ASCII-heavy text."""
    sample = data[:4096]
    if len(sample) < 4:
        return None
    even_zeros = sample[0::2].count(0) / len(sample[0::2])
    odd_zeros = sample[1::2].count(0) / len(sample[1::2])
    encoding = None
    if odd_zeros > 0.4 and even_zeros < 0.05:
        encoding = "utf-16-le"
    elif even_zeros > 0.4 and odd_zeros < 0.05:
        encoding = "utf-16-be"
    if encoding is None:
        return None
    try:
        return data.decode(encoding)
    except UnicodeDecodeError:
        return None
