"""The EPUB's package: the container, DRM, the OPF's metadata, manifest, spine and guide."""

from __future__ import annotations

import posixpath
from dataclasses import dataclass, field

from lxml import etree

from ficarchive.texts.markup import all_text, text_of
from ficarchive.texts.structure import ParseError
from ficarchive.texts.ziparchive import ZipArchive, local_name, parse_xml, resolve

_FONT_EXTENSIONS = (".ttf", ".otf", ".woff", ".woff2", ".eot")
# Font obfuscation (IDPF and Adobe) hides fonts, not text: such a book is not DRM-protected.
_OBFUSCATION = {"http://www.idpf.org/2008/embedding", "http://ns.adobe.com/pdf/enc#RC"}
SKIP_TYPES = {"cover", "title-page", "titlepage", "toc", "loi", "lot", "copyright-page"}


# -- the package ------------------------------------------------------------------------------


@dataclass
class Item:
    id: str
    path: str
    media_type: str
    properties: set[str]


@dataclass
class Package:
    path: str
    title: str = ""
    creators: list[tuple[str, str]] = field(default_factory=list)  # (name, role)
    description: str = ""
    language: str = ""
    subjects: list[str] = field(default_factory=list)
    publisher: str = ""
    contributors: list[str] = field(default_factory=list)
    identifiers: list[str] = field(default_factory=list)
    items: dict[str, Item] = field(default_factory=dict)
    spine: list[Item] = field(default_factory=list)
    toc_id: str = ""
    skip_paths: set[str] = field(default_factory=set)

    @property
    def authors(self) -> list[str]:
        named = [name for name, role in self.creators if role in ("", "aut")]
        return named or [name for name, _ in self.creators]


def container_path(archive: ZipArchive) -> str:
    if not archive.has("META-INF/container.xml"):
        if archive.has("word/document.xml"):
            raise ParseError("the file is a Word document (DOCX), not an EPUB: name it .docx")
        packages = [name for name in archive.names if name.lower().endswith(".opf")]
        if len(packages) == 1:
            return packages[0]  # a hand-zipped book: the one package there is
        raise ParseError(
            "the file is not a valid EPUB: META-INF/container.xml is missing "
            "(every EPUB has one, naming the book's package file)"
        )
    root = archive.xml("META-INF/container.xml")
    paths = []
    for element in root.iter():
        if local_name(element) == "rootfile" and element.get("full-path"):
            media_type = (element.get("media-type") or "").lower()
            paths.append((media_type != "application/oebps-package+xml", element.get("full-path")))
    if not paths:
        raise ParseError("META-INF/container.xml inside the EPUB names no package (.opf) file")
    path = str(sorted(paths, key=lambda pair: pair[0])[0][1]).lstrip("/")
    if not archive.has(path):
        raise ParseError(
            f"the package file {path} that META-INF/container.xml names is missing from the EPUB"
        )
    return path


def check_drm(archive: ZipArchive) -> set[str]:
    """Refuses a book a DRM scheme protects (Adobe's `rights.xml`, Apple's `sinf.xml`, an
    `encryption.xml` that cannot be read); else the members `encryption.xml` lists as encrypted
    ('' for an entry that names none), for `refuse_encrypted` to weigh once the spine is known.
    Font obfuscation (IDPF, Adobe) hides fonts, not text, and is never counted."""
    for name, maker in (("META-INF/rights.xml", "Adobe"), ("META-INF/sinf.xml", "Apple")):
        if archive.has(name) and archive.read(name).strip():
            raise ParseError(
                f"the EPUB is protected by DRM ({maker}, {name}); ficarchive reads only "
                "DRM-free EPUBs"
            )
    if not archive.has("META-INF/encryption.xml"):
        return set()
    data = archive.read("META-INF/encryption.xml")
    if not data.strip():
        return set()
    try:
        root = parse_xml(data, "META-INF/encryption.xml")
    except ParseError as error:
        raise ParseError(
            "the EPUB is encrypted (DRM): META-INF/encryption.xml is there but cannot be read; "
            "ficarchive reads only DRM-free EPUBs"
        ) from error
    encrypted = set()
    for element in root.iter():
        if local_name(element) != "encrypteddata":
            continue
        algorithm = uri = ""
        for part in element.iter():
            if local_name(part) == "encryptionmethod":
                algorithm = (part.get("Algorithm") or "").strip()
            elif local_name(part) == "cipherreference":
                uri = part.get("URI") or ""
        if algorithm in _OBFUSCATION or uri.lower().endswith(_FONT_EXTENSIONS):
            continue
        encrypted.add(resolve("", uri))  # URIs are relative to the container's root
    return encrypted


def refuse_encrypted(encrypted: set[str], paths: list[str]) -> None:
    """Refuses the book when any of `paths` (its package, its story documents) is encrypted,
    or an entry names no file; encrypted pictures or fonts alone leave the story readable."""
    if not encrypted:
        return
    locked = [path for path in paths if path in encrypted]
    if "" in encrypted:
        locked.append("(unnamed)")
    if locked:
        count = len(locked)
        raise ParseError(
            f"the EPUB is encrypted (DRM): META-INF/encryption.xml lists {count} encrypted "
            f"story file{'s' if count != 1 else ''}, such as {locked[0]}; ficarchive reads only "
            "DRM-free EPUBs"
        )


def read_package(archive: ZipArchive, path: str) -> Package:
    root = archive.xml(path, recover=True)
    if local_name(root) != "package":
        raise ParseError(f"{path} inside the EPUB is not an EPUB package file (no <package>)")
    package = Package(path=path)
    base = posixpath.dirname(path)
    sections = {local_name(child): child for child in root if local_name(child)}
    metadata = sections.get("metadata")
    if metadata is not None:
        _read_metadata(metadata, package)
    manifest = sections.get("manifest")
    if manifest is not None:
        for element in manifest:
            href = element.get("href")
            ident = (element.get("id") or "").strip()  # ` chapter1 ` is read as `chapter1`
            if local_name(element) != "item" or not href or not ident:
                continue
            item = Item(
                id=ident,
                path=resolve(base, href),
                media_type=(element.get("media-type") or "").lower(),
                properties=set((element.get("properties") or "").split()),
            )
            if item.path:
                package.items[item.id] = item
    spine = sections.get("spine")
    if spine is None or manifest is None:
        missing = "spine" if spine is None else "manifest"
        raise ParseError(f"{path} inside the EPUB has no <{missing}>: the book lists no documents")
    package.toc_id = (spine.get("toc") or "").strip()
    seen = set()
    for itemref in spine:
        listed = package.items.get((itemref.get("idref") or "").strip())
        if local_name(itemref) == "itemref" and listed is not None and listed.path not in seen:
            seen.add(listed.path)
            package.spine.append(listed)
    if not package.spine:
        raise ParseError(f"the spine in {path} lists no documents: there is nothing to read")
    guide = sections.get("guide")
    if guide is not None:
        for reference in guide:
            kind = (reference.get("type") or "").lower()
            if kind in SKIP_TYPES and reference.get("href"):
                package.skip_paths.add(resolve(base, reference.get("href") or ""))
    return package


def _read_metadata(metadata: etree._Element, package: Package) -> None:
    roles: dict[str, str] = {}
    creators: list[tuple[str, str, str]] = []  # (id, name, role)
    for element in metadata.iter():
        name = local_name(element)
        if name == "meta" and (element.get("property") or "") == "role":
            roles[(element.get("refines") or "").lstrip("#")] = text_of(element).lower()
            continue
        value = text_of(element)
        if not value:
            continue
        if name == "title" and not package.title:
            package.title = value
        elif name == "creator":
            role = ""
            for key, attribute in element.attrib.items():
                if str(key).endswith("role"):
                    role = str(attribute).lower()
            creators.append((element.get("id") or "", value, role))
        elif name == "description" and not package.description:
            package.description = all_text(element).strip()
        elif name == "language" and not package.language:
            package.language = value[:10]
        elif name == "subject":
            package.subjects.append(value)
        elif name == "publisher":
            package.publisher = value
        elif name == "contributor":
            package.contributors.append(value)
        elif name == "identifier":
            package.identifiers.append(value)
    package.creators = [(name, role or roles.get(ident, "")) for ident, name, role in creators]
