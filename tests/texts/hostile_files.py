"""The hostile files of issue 14's battery, made by small builders so no fixture weighs megabytes.

Each builder returns a file's name and bytes. `battery()` is the whole set, used by the tests
(`tests/texts/test_hostile_files.py`) and by `bench/hostile_files.py`, which times them. The
zips are written by hand (`raw_zip`), because the point of some of them is a header that lies,
which `zipfile` will not write.
"""

from __future__ import annotations

import functools
import struct
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from tests.texts.docx_builder import Docx
from tests.texts.epub_builder import Book, Doc, epub_files, xhtml

MB = 1024 * 1024
PARAGRAPH = (
    "Rory set the book down and looked out at the rain over Stars Hollow, and for once she did "
    "not reach for another coffee; the diner was quiet, the bridge was quiet, the town was quiet."
)


@dataclass(frozen=True)
class Member:
    """One member of a hand-written zip: its deflated bytes and the sizes its headers claim."""

    name: str
    deflated: bytes
    crc: int
    declared_size: int


def _deflate(chunks: Iterable[bytes]) -> tuple[bytes, int, int]:
    """Raw deflate of the chunks, with their CRC and real size, without holding them all."""
    compressor = zlib.compressobj(6, zlib.DEFLATED, -15)
    out: list[bytes] = []
    crc = size = 0
    for chunk in chunks:
        crc = zlib.crc32(chunk, crc)
        size += len(chunk)
        out.append(compressor.compress(chunk))
    out.append(compressor.flush())
    return b"".join(out), crc, size


def member(name: str, content: bytes | str) -> Member:
    data = content.encode() if isinstance(content, str) else content
    deflated, crc, size = _deflate([data])
    return Member(name, deflated, crc, size)


def streamed_member(name: str, chunks: Iterable[bytes], declared_size: int | None = None) -> Member:
    """A member made of many chunks; `declared_size` makes its headers lie about what it holds."""
    deflated, crc, size = _deflate(chunks)
    return Member(name, deflated, crc, size if declared_size is None else declared_size)


def raw_zip(members: list[Member]) -> bytes:
    """A zip archive written field by field, every member deflated, sizes as the member says."""
    body = bytearray()
    central = bytearray()
    for entry in members:
        name = entry.name.encode()
        offset = len(body)
        sizes = (entry.crc, len(entry.deflated), entry.declared_size)
        body += struct.pack("<4s5H3L2H", b"PK\x03\x04", 20, 0, 8, 0, 33, *sizes, len(name), 0)
        body += name + entry.deflated
        central += struct.pack(
            "<4s6H3L5H2L",
            b"PK\x01\x02",
            20,
            20,
            0,
            8,
            0,
            33,
            *sizes,
            len(name),
            0,
            0,
            0,
            0,
            0,
            offset,
        )
        central += name
    end = struct.pack(
        "<4s4H2LH", b"PK\x05\x06", 0, 0, len(members), len(members), len(central), len(body), 0
    )
    return bytes(body + central + end)


def _epub_members(book: Book, override: dict[str, Member] | None = None) -> list[Member]:
    override = override or {}
    files = epub_files(book)
    members = [override.get(name) or member(name, content) for name, content in files.items()]
    return members + [entry for name, entry in override.items() if name not in files]


def _chapter_head(title: str) -> bytes:
    head, _, _ = xhtml("\0", title=title).partition("\0")
    return head.encode()


def _chapter_tail() -> bytes:
    return xhtml("\0").partition("\0")[2].encode()


def _paragraph_chunks(size: int, head: bytes, tail: bytes) -> Iterator[bytes]:
    block = (f"<p>{PARAGRAPH}</p>\n" * 400).encode()
    yield head
    written = 0
    while written < size:
        yield block
        written += len(block)
    yield tail


# -- the battery ----------------------------------------------------------------------------------


def yaml_alias_bomb() -> tuple[str, bytes]:
    """Markdown whose front matter is the YAML billion laughs: nine levels of nine aliases."""
    lines = ["---", 'a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    previous = "a"
    for letter in "bcdefghi":
        lines.append(f"{letter}: &{letter} [{', '.join([f'*{previous}'] * 9)}]")
        previous = letter
    lines += ["title: Laughs", f"tags: *{previous}", "---", "", "The story itself is short."]
    return "yaml-alias-bomb.md", "\n".join(lines).encode()


def lying_zip_epub(inflated: int = 512 * MB) -> tuple[str, bytes]:
    """An EPUB whose chapter says it unpacks to 10 KB and unpacks to half a gigabyte."""
    book = Book(title="Small Print", docs=[Doc("chapter1.xhtml", "<p>Hello.</p>", "One")])
    name = "OEBPS/chapter1.xhtml"
    head = _chapter_head("One")
    spaces = b" " * MB
    chunks = [head, *([spaces] * (inflated // MB)), _chapter_tail()]
    liar = streamed_member(name, chunks, declared_size=10 * 1024)
    return "lying-sizes.epub", raw_zip(_epub_members(book, {name: liar}))


def huge_epub(total: int = 190 * MB, chapters: int = 19) -> tuple[str, bytes]:
    """An honest EPUB of 190 MB of paragraphs, under the unpack limit: millions of words."""
    docs = [Doc(f"chapter{n}.xhtml", "<p>x</p>", f"Chapter {n}") for n in range(1, chapters + 1)]
    book = Book(title="The Long Tide", docs=docs)
    # Every chapter holds the same bytes, so one deflated stream serves them all.
    chunks = list(_paragraph_chunks(total // chapters, _chapter_head("Chapter"), _chapter_tail()))
    deflated, crc, size = _deflate(chunks)
    override = {
        f"OEBPS/{doc.href}": Member(f"OEBPS/{doc.href}", deflated, crc, size) for doc in docs
    }
    return "huge-paragraphs.epub", raw_zip(_epub_members(book, override))


def deep_nesting_html(depth: int = 1_000_000) -> tuple[str, bytes]:
    """HTML a million elements deep."""
    data = b"<html><body>" + b"<div>" * depth + b"deep" + b"</div>" * depth + b"</body></html>"
    return "deep-nesting.html", data


def huge_paragraph_txt(size: int = 25 * MB) -> tuple[str, bytes]:
    """One paragraph of 25 MB: a single line of words, no blank line anywhere."""
    sentence = (PARAGRAPH + " ").encode()
    return "huge-paragraph.txt", sentence * (size // len(sentence))


def one_word_txt(size: int = 25 * MB) -> tuple[str, bytes]:
    """25 MB of one letter: one 'word', one paragraph, nothing for a word count to stop at."""
    return "one-long-word.txt", b"a" * size


def docx_bomb(total: int = 190 * MB) -> tuple[str, bytes]:
    """A DOCX whose document.xml is 190 MB of paragraphs (an honest size, under the limit)."""
    files = Docx(paragraphs=["<w:p/>"]).files()
    head, _, tail = files["word/document.xml"].partition("<w:p/>")
    paragraph = f"<w:p><w:r><w:t>{PARAGRAPH}</w:t></w:r></w:p>\n".encode() * 200

    def chunks() -> Iterator[bytes]:
        yield head.encode()
        for _ in range(total // len(paragraph)):
            yield paragraph
        yield tail.encode()

    members = [
        streamed_member(name, chunks()) if name == "word/document.xml" else member(name, content)
        for name, content in files.items()
    ]
    return "bomb.docx", raw_zip(members)


def giant_txt(size: int = 29 * MB) -> tuple[str, bytes]:
    """A plain-text file just under the file size limit: short paragraphs, millions of words."""
    paragraph = (PARAGRAPH + "\n\n").encode()
    return "giant.txt", paragraph * (size // len(paragraph))


BUILDERS: dict[str, Callable[[], tuple[str, bytes]]] = {
    "yaml-alias-bomb": yaml_alias_bomb,
    "lying-sizes": lying_zip_epub,
    "huge-epub": huge_epub,
    "deep-nesting": deep_nesting_html,
    "huge-paragraph": huge_paragraph_txt,
    "one-long-word": one_word_txt,
    "docx-bomb": docx_bomb,
    "giant-txt": giant_txt,
}


@functools.cache
def hostile_file(key: str) -> tuple[str, bytes]:
    return BUILDERS[key]()


def battery() -> list[tuple[str, bytes]]:
    return [hostile_file(key) for key in BUILDERS]
