"""Zip-based formats (EPUB, DOCX), opened safely: every failure is a `ParseError` that says what
is wrong with the file, and nothing is unpacked past a fixed budget (a zip bomb is refused before
a byte of it is inflated).

The sizes a zip's headers declare are a first check only: a member can say 10 KB and inflate to
gigabytes, and `zipfile` asked for a whole member inflates it in one piece before its CRC check
fails (issue 14: 2 GB for a 1 MB file). So members are read as streams, a chunk at a time, with
a running count of what was really inflated, and the story's documents are counted (words, tags;
`texts.limits`) as they stream, so a work over the limits stops being read where it crossed them.
"""

from __future__ import annotations

import io
import posixpath
import re
import struct
import unicodedata
import zipfile
import zlib
from urllib.parse import unquote

from lxml import etree

from ficarchive.texts.limits import MarkupCounter, TextBudget, budget
from ficarchive.texts.structure import ParseError

# What all the members of one archive may unpack to, together. A novel-length EPUB with pictures
# is a few megabytes; this is far past any story and far short of hurting the server.
MAX_UNPACKED_BYTES = 200 * 1024 * 1024
MAX_MEMBERS = 10_000
# What the members ficarchive reads (documents, metadata; never pictures or fonts) may really
# inflate to, for each word a work may have: Word's XML, the most verbose, takes 20-60 bytes.
READ_BYTES_PER_WORD = 64
# A member that is not story text (a package file, styles, a table of contents) is small; the
# members read may always add up to this much, besides what the words allow.
MAX_METADATA_BYTES = 8 * 1024 * 1024
_CHUNK = 64 * 1024
# Stored and deflated are what EPUB and DOCX use; zipfile inflates other methods (bzip2, lzma)
# without a bound on the output of one call.
_METHODS = {zipfile.ZIP_STORED: "stored", zipfile.ZIP_DEFLATED: "deflated"}

# What zipfile raises on a damaged archive: its own error, and whatever the bytes trip over.
_ZIP_ERRORS = (
    zipfile.BadZipFile,
    zlib.error,
    struct.error,
    EOFError,
    NotImplementedError,
    RuntimeError,
    ValueError,
    OSError,
)
_OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # old .doc files and password-protected .docx


# No network, no DTDs, no entity expansion: the file is untrusted.
def _xml_parser(recover: bool) -> etree.XMLParser:
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
        recover=recover,
    )


_XML_PARSER = _xml_parser(recover=False)
_XML_RECOVER = _xml_parser(recover=True)


def _folded(name: str) -> str:
    """A member name as names that differ only in case or Unicode normalisation share it."""
    return unicodedata.normalize("NFC", name).casefold()


def _megabytes(size: int) -> str:
    return f"{size / 1024 / 1024:,.0f} MB"


class ZipArchive:
    """The members of a zip file, read by name with size limits and clear errors."""

    def __init__(self, data: bytes, kind: str) -> None:
        self.kind = kind
        if not data.startswith(b"PK"):
            raise ParseError(f"the file is not a valid {kind} ({_what_it_is(data)})")
        try:
            self._zip = zipfile.ZipFile(io.BytesIO(data))
            infos = self._zip.infolist()
        except _ZIP_ERRORS as error:
            raise ParseError(
                f"the file is not a valid {kind}: the zip archive is damaged or cut short "
                f"({error}); download it again"
            ) from error
        if not infos:
            raise ParseError(f"the file is not a valid {kind}: the zip archive is empty")
        if len(infos) > MAX_MEMBERS:
            raise ParseError(
                f"the {kind} holds {len(infos):,} files, more than the {MAX_MEMBERS:,} "
                "ficarchive reads"
            )
        total = sum(info.file_size for info in infos)
        if total > MAX_UNPACKED_BYTES:
            raise ParseError(
                f"the {kind} would unpack to {_megabytes(total)}, more than the "
                f"{_megabytes(MAX_UNPACKED_BYTES)} ficarchive reads (a damaged file or a zip bomb)"
            )
        # A member without a name (only a damaged or hand-made zip has one) is nothing to read.
        self._infos = {info.filename: info for info in infos if info.filename and not info.is_dir()}
        self._folded = {_folded(name): name for name in self._infos}
        self._budget: TextBudget = budget()
        words = self._budget.limits.max_words
        self._max_read = min(MAX_UNPACKED_BYTES, words * READ_BYTES_PER_WORD + MAX_METADATA_BYTES)
        self._read_bytes = 0

    @property
    def names(self) -> list[str]:
        return list(self._infos)

    def find(self, name: str) -> str | None:
        """The member's name as stored: matched exactly, then percent-decoded, then in any case
        and any Unicode normalisation (a Mac zips `Ü` as `U` and a combining diaeresis, NFD,
        where the package names it as one character, NFC, or the other way about)."""
        name = name.lstrip("/")
        for candidate in (name, unquote(name)):
            if candidate in self._infos:
                return candidate
            folded = self._folded.get(_folded(candidate))
            if folded is not None:
                return folded
        return None

    def has(self, name: str) -> bool:
        return self.find(name) is not None

    def read(self, name: str, story: bool = False) -> bytes:
        """A member's bytes, inflated a chunk at a time under the archive's running limits.
        A `story` member (a chapter, Word's document) has its words counted as it streams."""
        found = self.find(name)
        if found is None:
            raise ParseError(f"{name} is missing from the {self.kind}")
        info = self._infos[found]
        if info.flag_bits & 0x1:
            raise ParseError(
                f"the {self.kind} is password-protected ({found} is encrypted); "
                "ficarchive can only read files without a password"
            )
        if info.compress_type not in _METHODS:
            raise ParseError(
                f"{found} inside the {self.kind} is compressed in a way {self.kind} files never "
                f"are (method {info.compress_type}); ficarchive reads stored and deflated members"
            )
        counter = MarkupCounter(self._budget, story=story)
        limit = None if story else MAX_METADATA_BYTES
        parts: list[bytes] = []
        size = 0
        try:
            with self._zip.open(info) as stream:
                while chunk := stream.read(_CHUNK):
                    size += len(chunk)
                    self._read_bytes += len(chunk)
                    self._check_size(found, size, limit)
                    counter.feed(chunk)
                    parts.append(chunk)
        except _ZIP_ERRORS as error:
            if "CRC" in str(error):
                # zipfile stops at the declared size, where a member that holds more fails its
                # CRC: a lie about the size (a zip bomb) or damage, and no more is read either way.
                raise ParseError(
                    f"{found} inside the {self.kind} does not hold the {info.file_size:,} bytes "
                    f"its headers declare ({error}); the file is damaged or a zip bomb"
                ) from error
            raise ParseError(
                f"{found} inside the {self.kind} cannot be unpacked ({error}); "
                "the file is damaged or cut short"
            ) from error
        counter.close()
        return b"".join(parts)

    def _check_size(self, member: str, size: int, limit: int | None) -> None:
        if limit is not None and size > limit:
            raise ParseError(
                f"{member} inside the {self.kind} unpacks to more than {_megabytes(limit)}; "
                "a file of that kind is never so big (a damaged file or a zip bomb)"
            )
        if self._read_bytes > self._max_read:
            words = self._budget.limits.max_words
            raise ParseError(
                f"its documents unpack to more than {_megabytes(self._max_read)}, more than a "
                f"work of the {words:,} words ficarchive takes would need "
                "(a damaged file or a zip bomb)"
            )

    def xml(self, name: str, recover: bool = False, story: bool = False) -> etree._Element:
        """A member parsed as XML; a ParseError naming the member and the line when it is not."""
        return parse_xml(
            self.read(name, story), f"{self.find(name) or name} inside the {self.kind}", recover
        )


class NestingError(ParseError):
    """Markup nested deeper than libxml2 reads (256 elements): a hostile file, never a story."""


# libxml2's message when a document passes its depth limit (kept without XML_PARSE_HUGE).
TOO_DEEP = "Excessive depth"


def too_deep(label: str) -> NestingError:
    return NestingError(
        f"{label} has elements nested more than 256 deep; no story needs that, "
        "and ficarchive does not read it"
    )


def parse_xml(data: bytes, label: str, recover: bool = False) -> etree._Element:
    """XML from untrusted bytes. With `recover`, a broken document is read as far as it goes."""
    try:
        root = etree.fromstring(data, _XML_PARSER)
    except etree.XMLSyntaxError as error:
        if TOO_DEEP in str(error.msg or error):
            raise too_deep(label) from error
        if recover:
            try:
                recovered = etree.fromstring(data, _XML_RECOVER)
            except etree.XMLSyntaxError:
                recovered = None
            if recovered is not None:
                xml_safe(recovered)
                _drop_entity_references(recovered)
                return recovered
        message = error.msg or str(error)
        line = f"line {error.lineno}: " if error.lineno else ""
        raise ParseError(f"{label} is not valid XML ({line}{message})") from error
    except ValueError as error:
        raise ParseError(f"{label} is not valid XML ({error})") from error
    if root is None:
        raise ParseError(f"{label} is not valid XML (it is empty)")
    _drop_entity_references(root)
    return root


def _drop_entity_references(root: etree._Element) -> None:
    """Removes the references to entities the parser did not expand (entities are never
    expanded; a recovered parse keeps undefined ones too), keeping the text after each: they
    are nodes that are not elements, which readers of the tree do not expect."""
    for entity in list(root.iter(etree.Entity)):
        parent = entity.getparent()
        if parent is None:
            continue
        if entity.tail:
            previous = entity.getprevious()
            if previous is not None:
                previous.tail = (previous.tail or "") + entity.tail
            else:
                parent.text = (parent.text or "") + entity.tail
        parent.remove(entity)


# Characters XML 1.0 does not allow. A lenient parser (XML recovering from errors, HTML) keeps
# them when they come as character references (`&#1;`) or in attribute names, and lxml then
# refuses every later assignment of such a string (ValueError), so they go before anything else.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def xml_safe(root: etree._Element) -> None:
    """Drops from a parsed tree the characters XML does not allow: from texts, tails and
    attribute values, and attributes whose names hold one or are no XML name at all (no story
    needs them)."""
    for element in root.iter():
        if element.text and _NOT_XML.search(element.text):
            element.text = _NOT_XML.sub("", element.text)
        if element.tail and _NOT_XML.search(element.tail):
            element.tail = _NOT_XML.sub("", element.tail)
        items = element.items()
        if any(_NOT_XML.search(str(key)) or _NOT_XML.search(str(value)) for key, value in items):
            element.attrib.clear()
            for key, value in items:
                if _NOT_XML.search(str(key)):
                    continue
                try:
                    element.set(key, _NOT_XML.sub("", str(value)))
                except ValueError:
                    continue  # a name lxml read but will not set again ("{", "<"): dropped too


def resolve(base: str, href: str) -> str:
    """A relative URL in a member at `base` (a folder, '' for the root) as a member name, without
    its fragment; '' when it points outside the archive."""
    path = unquote(href.split("#", 1)[0].split("?", 1)[0]).strip()
    if not path or re.match(r"^[a-z][a-z0-9+.-]*:", path, re.IGNORECASE):
        return ""
    joined = posixpath.normpath(posixpath.join(base, path)) if not path.startswith("/") else path
    joined = joined.lstrip("/")
    if joined.startswith("../") or joined in ("", ".", ".."):
        return ""
    # One normalisation for every name the book gives, so that the spine and the table of
    # contents name a file alike whichever form each was written in.
    return unicodedata.normalize("NFC", joined)


def local_name(element: etree._Element) -> str:
    """The tag without its namespace, lower-cased; '' for comments and processing instructions."""
    tag = element.tag
    if not isinstance(tag, str):
        return ""
    return tag.rsplit("}", 1)[-1].lower()


def _what_it_is(data: bytes) -> str:
    head = data[:64].lstrip()
    if data.startswith(_OLE2_MAGIC):
        return "it is an old Word .doc file or a password-protected document, not a zip archive"
    if head.startswith(b"%PDF"):
        return "it is a PDF, not a zip archive"
    if head[:1] == b"<":
        return "it is an HTML or XML file, not a zip archive"
    if head.startswith(b"{\\rtf"):
        return "it is an RTF file, not a zip archive"
    return "not a zip archive"
