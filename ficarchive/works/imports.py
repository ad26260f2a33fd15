"""Importing story files as works: one file, one transaction, one result.

The `ficarchive import` command, the upload on the posting form and the folder import page all
call `import_bytes`/`import_paths`. A file is parsed by `texts.formats` in a child process with
memory and time limits (`texts.isolation`), outside any transaction; its tags are mapped onto the
archive's (ratings, warnings and categories onto AO3's official ones), and it is stored as a
draft unless posting was asked for, in one short transaction. The SHA-256 of the file's bytes
finds an earlier import of the same file by the same account, so importing a folder twice (or
again after an import was killed half-way) creates nothing new.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from django.db import transaction

from ficarchive.accounts.models import Pseud
from ficarchive.tags.models import CATEGORIES, WARNINGS, Tag, TagType
from ficarchive.texts.formats import format_for, read_file
from ficarchive.texts.isolation import ParserProcess
from ficarchive.texts.limits import from_settings
from ficarchive.texts.structure import ParsedChapter, ParsedWork, ParseError
from ficarchive.works import events
from ficarchive.works.models import LANGUAGES, Work
from ficarchive.works.services import (
    ChapterData,
    WorkData,
    WorkError,
    add_chapter,
    create_work,
    post_work,
)

IMPORTED, SKIPPED, FAILED = "imported", "skipped", "failed"


@dataclass(frozen=True)
class ImportResult:
    path: str
    status: str
    message: str = ""
    work_id: int | None = None
    title: str = ""

    def as_json(self) -> dict[str, object]:
        return {
            "path": self.path,
            "status": self.status,
            "message": self.message,
            "work_id": self.work_id,
            "title": self.title,
        }


NOT_POSTED = (
    "kept as a draft: the file names no fandom, and a work needs one to be posted; "
    "add it on the work's Edit page, then post"
)


# -- mapping a file's tags onto the archive's ----------------------------------------------------

_RATING_WORDS = [
    (r"^(e|explicit|nc-?17|ma|x|xxx)$", "Explicit"),
    (r"^(m|mature|r|18\+?)$", "Mature"),
    (r"^(t|teen.*|pg-?13|t\+|13\+?)$", "Teen And Up Audiences"),
    (r"^(g|k\+?|general.*|pg|all ages|everyone)$", "General Audiences"),
    (r"^(not rated|unrated|nr)$", "Not Rated"),
]
_CATEGORY_WORDS = {"het": "F/M", "slash": "M/M", "femslash": "F/F", "yuri": "F/F", "yaoi": "M/M"}
_NO_WARNINGS = {"none", "no warnings", "no archive warnings apply", "n/a"}
_FORBIDDEN_IN_TAGS = re.compile(r"[,^*<>{}=`\\%]")
_LANGUAGE_CODES = {code.lower(): code for code, _ in LANGUAGES}
_LANGUAGE_NAMES = {name.lower(): code for code, name in LANGUAGES}
_LANGUAGE_NAMES["english"] = "en"


def map_rating(names: list[str]) -> str:
    for name in names:
        lowered = " ".join(name.lower().split())
        for pattern, rating in _RATING_WORDS:
            if re.match(pattern, lowered):
                return rating
    return "Not Rated"


def _official(names: list[str], official: tuple[str, ...]) -> tuple[list[str], list[str]]:
    by_lower = {name.lower(): name for name in official}
    found: list[str] = []
    others: list[str] = []
    for name in names:
        match = by_lower.get(name.strip().lower())
        (found if match else others).append(match or name)
    return found, others


def map_language(language: str) -> str:
    lowered = language.strip().lower()
    if lowered in _LANGUAGE_CODES:
        return _LANGUAGE_CODES[lowered]
    if lowered in _LANGUAGE_NAMES:
        return _LANGUAGE_NAMES[lowered]
    base = lowered.split("-")[0].split("_")[0]
    return _LANGUAGE_CODES.get(base, "en")


def _clean_tag(name: str) -> str:
    return " ".join(_FORBIDDEN_IN_TAGS.sub(" ", name).split())[:150]


def work_data(parsed: ParsedWork) -> WorkData:
    """What the file says about the work, as the posting form would have said it."""
    tags = parsed.tags
    warnings, other_warnings = _official(tags.get("warning", []), WARNINGS)
    if not warnings:
        said_none = any(w.strip().lower() in _NO_WARNINGS for w in other_warnings)
        warnings = [WARNINGS[1] if said_none else WARNINGS[0]]
        other_warnings = [w for w in other_warnings if w.strip().lower() not in _NO_WARNINGS]
    categories, _ = _official(
        [_CATEGORY_WORDS.get(c.strip().lower(), c) for c in tags.get("category", [])], CATEGORIES
    )
    by_type: dict[str, list[str]] = {
        kind: [_clean_tag(n) for n in tags.get(kind, []) if _clean_tag(n)]
        for kind in ("fandom", "relationship", "character", "freeform")
    }
    by_type["freeform"] += [_clean_tag(w) for w in other_warnings if _clean_tag(w)]
    _respect_existing_types(by_type)
    return WorkData(
        title=parsed.title or "Untitled",
        summary=parsed.summary,
        notes=parsed.notes,
        end_notes=parsed.end_notes,
        rating=map_rating(tags.get("rating", [])),
        warnings=warnings,
        categories=sorted(set(categories)),
        fandoms=by_type["fandom"],
        relationships=by_type["relationship"],
        characters=by_type["character"],
        freeforms=by_type["freeform"],
        language=map_language(parsed.language) if parsed.language else "en",
        complete=parsed.complete,
        expected_chapters=len(parsed.chapters) if parsed.complete else None,
    )


def _respect_existing_types(by_type: dict[str, list[str]]) -> None:
    """A name the archive already has as another type of tag is filed under that type.

    Files mix types up (a pairing under Characters, a fandom under Tags); the archive's own tag
    is the better guess, and refusing the whole work over it would help nobody.
    """
    existing: dict[str, Tag] = {}
    for name in {n for names in by_type.values() for n in names}:
        tag = Tag.objects.filter(name__iexact=name).first()
        if tag is not None:
            existing[name.lower()] = tag
    kinds = {
        TagType.FANDOM: "fandom",
        TagType.RELATIONSHIP: "relationship",
        TagType.CHARACTER: "character",
        TagType.FREEFORM: "freeform",
    }
    moved: dict[str, list[str]] = {kind: [] for kind in by_type}
    for kind, names_of_kind in by_type.items():
        for name in names_of_kind:
            tag = existing.get(name.lower())
            target = kinds.get(TagType(tag.type)) if tag is not None else kind
            if target is None:
                continue  # an official tag (a rating, say) typed as a fandom: leave it out
            moved[target].append(tag.name if tag is not None else name)
    for kind in by_type:
        by_type[kind] = list(dict.fromkeys(moved[kind]))


# -- storing ---------------------------------------------------------------------------------


def file_hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _chapter_data(chapter: ParsedChapter) -> ChapterData:
    return ChapterData(
        body=chapter.html,
        text_format="html",
        title=chapter.title,
        summary=chapter.summary,
        notes=chapter.notes,
        end_notes=chapter.end_notes,
    )


def store_parsed(
    parsed: ParsedWork,
    pseuds: list[Pseud],
    *,
    post: bool = False,
    import_hash: str = "",
    fandom: str = "",
) -> Work:
    """A work from a parsed file: all its chapters, or nothing if any part is refused. With
    `post`, it is posted only if it has a fandom (AO3's rule): the file's, else `fandom` (the
    importer's "--fandom"); one with neither is kept as a draft for its writer (`NOT_POSTED`).

    One short transaction: what needs no lock (the file's tags looked up, its chapters shaped)
    is done before it, so a long work holds SQLite's one write lock only while it is written.
    """
    if not parsed.chapters:
        raise WorkError("The file has no chapters.", "body")
    data = work_data(parsed)
    if not data.fandoms and fandom.strip():
        data.fandoms = [fandom.strip()]
    first, *rest = [_chapter_data(chapter) for chapter in parsed.chapters]
    with transaction.atomic():
        work = create_work(pseuds, data, first)
        for chapter in rest:
            add_chapter(work, chapter)
        work.complete = bool(parsed.complete)
        work.expected_chapters = len(parsed.chapters) if parsed.complete else None
        work.import_hash = import_hash
        work.save(update_fields=["complete", "expected_chapters", "import_hash"])
        events.send(events.work_changed, work_id=work.pk)
        if post and data.fandoms:
            post_work(work)
    return work


def already_imported(import_hash: str, pseuds: list[Pseud]) -> Work | None:
    users = {pseud.user_id for pseud in pseuds}
    return (
        Work.objects.filter(import_hash=import_hash, creatorships__pseud__user_id__in=users)
        .order_by("pk")
        .first()
    )


def import_bytes(
    data: bytes,
    name: str,
    pseuds: list[Pseud],
    *,
    post: bool = False,
    parser: ParserProcess | None = None,
    fandom: str = "",
) -> ImportResult:
    """One file into one work. The file is read in `parser`'s child process (a new one when
    None) under the archive's limits, outside any transaction; only the work's writing is one.
    """
    digest = file_hash(data)
    earlier = already_imported(digest, pseuds)
    if earlier is not None:
        return ImportResult(
            name, SKIPPED, "already imported", work_id=earlier.pk, title=earlier.title
        )
    try:
        if parser is None:
            with ParserProcess(from_settings()) as own:
                parsed = own.parse(data, name)
        else:
            parsed = parser.parse(data, name)
        work = store_parsed(parsed, pseuds, post=post, import_hash=digest, fandom=fandom)
    except ParseError as error:
        return ImportResult(name, FAILED, error.message)
    except WorkError as error:
        field = f"{error.field}: " if error.field else ""
        return ImportResult(name, FAILED, f"{field}{error.message}")
    note = NOT_POSTED if post and not work.posted else ""
    return ImportResult(name, IMPORTED, note, work_id=work.pk, title=work.title)


def import_file(
    path: Path,
    pseuds: list[Pseud],
    *,
    post: bool = False,
    parser: ParserProcess | None = None,
    fandom: str = "",
) -> ImportResult:
    limits = parser.limits if parser is not None else from_settings()
    try:
        data = read_file(path, limits)
    except ParseError as error:
        return ImportResult(str(path), FAILED, error.message)
    return import_bytes(data, str(path), pseuds, post=post, parser=parser, fandom=fandom)


def story_files(paths: Iterable[Path]) -> Iterator[Path]:
    """The files to import: named files as they are, folders searched for supported formats."""
    for path in paths:
        if path.is_dir():
            for root, dirs, files in os.walk(path):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                for name in sorted(files):
                    if not name.startswith(".") and format_for(name) is not None:
                        yield Path(root) / name
        else:
            yield path


def import_paths(
    paths: Iterable[Path],
    pseuds: list[Pseud],
    *,
    post: bool = False,
    progress: Callable[[int, int, ImportResult], None] | None = None,
    fandom: str = "",
) -> list[ImportResult]:
    """Files and folders, one work a file, each written in its own transaction as soon as it is
    read: a run that is stopped (even by kill -9) leaves whole works, and a rerun skips them."""
    files = list(story_files(paths))
    results = []
    with ParserProcess(from_settings()) as parser:
        for number, path in enumerate(files, start=1):
            result = import_file(path, pseuds, post=post, parser=parser, fandom=fandom)
            results.append(result)
            if progress is not None:
                progress(number, len(files), result)
    return results
