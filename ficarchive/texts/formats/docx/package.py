"""The DOCX package around the text: relationships, the main part, and docProps/core.xml."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ficarchive.texts.structure import ParseError
from ficarchive.texts.ziparchive import ZipArchive, local_name, resolve

_OFFICE_DOCUMENT = "/officeDocument"
# Names Word and other programs fill in for whoever made the file: not a writer's name.
_GENERIC_CREATORS = frozenset(
    {"", "user", "admin", "administrator", "author", "owner", "unknown", "windows user"}
    | {"microsoft office user", "microsoft account", "python-docx", "apache poi", "default"}
)
_PLACEHOLDER_TITLE = re.compile(r"^(?:document|untitled|doc)\s*\d*$", re.IGNORECASE)


def relationships(archive: ZipArchive, name: str) -> list[tuple[str, str, str, str]]:
    """(id, type, target, mode) of a .rels part; [] when it is missing or unreadable."""
    if not archive.has(name):
        return []
    try:
        root = archive.xml(name)
    except ParseError:
        return []
    found = []
    for element in root.iter():
        if local_name(element) == "relationship":
            found.append(
                (
                    element.get("Id") or "",
                    element.get("Type") or "",
                    element.get("Target") or "",
                    element.get("TargetMode") or "",
                )
            )
    return found


def main_part(archive: ZipArchive) -> str:
    for _, kind, target, _ in relationships(archive, "_rels/.rels"):
        if kind.endswith(_OFFICE_DOCUMENT):
            path = resolve("", target)
            if path and archive.has(path):
                return path
    if archive.has("word/document.xml"):
        return "word/document.xml"
    if archive.has("META-INF/container.xml"):
        raise ParseError("the file is an EPUB, not a Word document: name it .epub")
    if archive.has("content.xml"):
        raise ParseError(
            "the file is an OpenDocument text (.odt), not a Word document: save it as .docx"
        )
    raise ParseError(
        "the file is not a valid DOCX: word/document.xml, the document's text, is missing"
    )


@dataclass
class Core:
    """docProps/core.xml: what Word's File → Properties says, '' where it says nothing useful."""

    title: str = ""
    creator: str = ""
    description: str = ""
    language: str = ""
    keywords: list[str] = field(default_factory=list)


def core_properties(archive: ZipArchive) -> Core:
    core = Core()
    if not archive.has("docProps/core.xml"):
        return core
    try:
        root = archive.xml("docProps/core.xml")
    except ParseError:
        return core
    for element in root.iter():
        raw = "".join(str(part) for part in element.itertext()).strip()
        value = " ".join(raw.split())
        name = local_name(element)
        if name in ("title", "creator", "language") and not getattr(core, name):
            setattr(core, name, value)
        elif name == "description" and not core.description:
            core.description = raw
        elif name == "keywords" and not core.keywords:
            core.keywords = [word.strip() for word in re.split(r"[,;]", value) if word.strip()]
    core.title = re.sub(r"^Microsoft Word\s*-\s*", "", core.title)
    core.title = re.sub(r"\.(?:docx?|rtf|odt|txt)$", "", core.title, flags=re.IGNORECASE).strip()
    if _PLACEHOLDER_TITLE.match(core.title):
        core.title = ""
    if core.creator.casefold() in _GENERIC_CREATORS:
        core.creator = ""
    core.language = core.language[:10]
    return core
