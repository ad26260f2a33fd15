"""Writing through the API (a write token, or a logged-in session with its CSRF token): works
and chapters made, changed, posted, ordered and deleted, and kudos and comments left, through
the same services and rules as the web's forms, with their messages."""

from __future__ import annotations

from typing import Any, Literal

from django.db import transaction
from django.http import Http404, HttpRequest
from ninja import File, Form, Schema, Status
from ninja.files import UploadedFile

from ficarchive.accounts.models import Pseud, User
from ficarchive.accounts.services import default_pseud
from ficarchive.api import schemas, works
from ficarchive.api.auth import writer
from ficarchive.api.problems import Problem
from ficarchive.api.works import chapter_answer, work_answer
from ficarchive.community import comments
from ficarchive.community.kudos import AlreadyLeft, KudosError, leave_kudos
from ficarchive.texts.formats import too_big
from ficarchive.texts.formats.markdown import render_markdown
from ficarchive.texts.limits import from_settings
from ficarchive.works import services
from ficarchive.works.imports import FAILED, IMPORTED, import_bytes
from ficarchive.works.models import Chapter, Work
from ficarchive.works.queries import can_edit, with_blurb_data, work_chapter
from ficarchive.works.services import ChapterData, WorkData, WorkError, body_too_long
from ficarchive.works.web import visible_work

# The reading operations' router: a path read and written is one URL pattern, so both go here.
router = works.router
ERRORS: dict[int, type[Schema]] = dict.fromkeys(
    (400, 401, 403, 404, 409, 422, 429), schemas.Problem
)


class ChapterIn(Schema):
    """A chapter's text and notes. `format`: `text` (paragraphs by blank lines, as the posting
    form's plain text), `html` (sanitized) or `markdown`."""

    title: str = ""
    body: str
    format: Literal["text", "html", "markdown"] = "text"
    summary: str = ""
    notes: str = ""
    end_notes: str = ""


class NewChapter(ChapterIn):
    draft: bool = False


class WorkFields(Schema):
    """A work's fields; on a change, the fields left out keep their values."""

    title: str | None = None
    summary: str | None = None
    notes: str | None = None
    end_notes: str | None = None
    rating: str | None = None
    warnings: list[str] | None = None
    categories: list[str] | None = None
    fandoms: list[str] | None = None
    relationships: list[str] | None = None
    characters: list[str] | None = None
    additional_tags: list[str] | None = None
    language: str | None = None
    restricted: bool | None = None
    complete: bool | None = None
    expected_chapters: int | None = None
    pseuds: list[str] | None = None  # the caller's pseuds to credit; their default one if none


class NewWork(WorkFields):
    title: str
    chapter: ChapterIn
    post: bool = False


class ChapterOrder(Schema):
    chapter_ids: list[int]


class CommentIn(Schema):
    text: str
    chapter_id: int | None = None
    parent_id: int | None = None


class Done(Schema):
    detail: str


class Imported(Schema):
    """What an upload became: `imported` (a new work) or `skipped` (the same file was imported
    before: that work), with the importer's note."""

    status: Literal["imported", "skipped"]
    message: str
    work: schemas.Work


def _chapter_data(chapter: ChapterIn) -> ChapterData:
    body, text_format = chapter.body, chapter.format
    too_long = body_too_long(body, advice="Split it into chapters.")
    if too_long:
        raise Problem(400, too_long, "body")
    if text_format == "markdown":
        body, text_format = render_markdown(body), "html"
    return ChapterData(
        body=body,
        text_format=text_format,
        title=chapter.title,
        summary=chapter.summary,
        notes=chapter.notes,
        end_notes=chapter.end_notes,
    )


def _work_data(fields: WorkFields, work: Work | None) -> WorkData:
    """The fields given, over the work's own (or the posting form's defaults)."""
    base = WorkData(title="")
    if work is not None:
        base = WorkData(
            title=work.title,
            summary=work.summary,
            notes=work.notes,
            end_notes=work.end_notes,
            rating=work.rating,
            warnings=work.warnings,
            categories=work.categories,
            fandoms=[tag.name for tag in work.fandoms],
            relationships=[tag.name for tag in work.relationships],
            characters=[tag.name for tag in work.characters],
            freeforms=[tag.name for tag in work.freeforms],
            language=work.language,
            restricted=work.restricted,
            complete=work.complete,
            expected_chapters=work.expected_chapters,
        )
    given = fields.dict(exclude_unset=True, exclude={"pseuds", "chapter", "post"})
    if "additional_tags" in given:
        given["freeforms"] = given.pop("additional_tags")
    for name, value in given.items():
        if value is not None or name in ("complete", "expected_chapters"):
            setattr(base, name, value)
    return base


def _pseuds(user: User, names: list[str] | None) -> list[Pseud]:
    if not names:
        return [default_pseud(user)]
    own = {pseud.name.lower(): pseud for pseud in Pseud.objects.filter(user=user)}
    found = []
    for name in names:
        pseud = own.get(name.strip().lower())
        if pseud is None:
            raise Problem(400, f"{name!r} is not one of your pseuds.", "pseuds")
        found.append(pseud)
    return found


def _refused(error: WorkError) -> Problem:
    field = {"freeforms": "additional_tags"}.get(error.field or "", error.field)
    return Problem(400, error.message, field)


def _own_work(request: HttpRequest, work_id: int) -> tuple[User, Work]:
    user = writer(request)
    work = visible_work(request, work_id)
    if not can_edit(user, work):
        raise Problem(403, "Only the work's creators can change it.")
    return user, work


def _own_chapter(work: Work, chapter_id: int) -> Chapter:
    chapter = work_chapter(work, chapter_id)
    if chapter is None:
        raise Http404("No such chapter in this work.")
    return chapter


@router.post(
    "/works",
    response={201: schemas.Work, **ERRORS},
    summary="Post or save a new work",
    operation_id="createWork",
)
def create_work(request: HttpRequest, payload: NewWork) -> Status[dict[str, Any]]:
    """A new work with its first chapter, saved as a draft unless `post` (which needs a
    fandom, as on the web)."""
    user = writer(request)
    try:
        saved = services.start_work(
            user,
            _pseuds(user, payload.pseuds),
            _work_data(payload, None),
            _chapter_data(payload.chapter),
            post=payload.post,
        )
    except WorkError as error:
        raise _refused(error) from None
    return Status(201, work_answer(request, saved.work.pk))


@router.post(
    "/imports",
    response={200: Imported, 201: Imported, 413: schemas.Problem, **ERRORS},
    summary="Import a story file as a new work",
    operation_id="importWork",
)
def import_work(
    request: HttpRequest,
    file: File[UploadedFile],
    post: Form[bool] = False,
    fandom: Form[str] = "",
    pseud: Form[str] = "",
) -> Status[dict[str, Any]]:
    """One story file (multipart `file`: the formats `ficarchive import` reads) into a new
    work, read as the import page and `ficarchive import` read it, with the same messages.
    A draft unless `post` (a file that names no fandom stays a draft; `fandom` gives one).
    The same file imported again answers `200` with the work it became (`skipped`)."""
    user = writer(request)
    credit = _pseuds(user, [pseud] if pseud else None)
    limits = from_settings()
    name = file.name or "upload"
    if file.size is not None and file.size > limits.max_file_bytes:
        raise Problem(413, f"{name}: {too_big(file.size, limits)}.", "file")
    if len(fandom) > 150:
        raise Problem(400, "A tag can be at most 150 characters long.", "fandom")
    result = import_bytes(file.read(), name, credit, post=post, fandom=fandom)
    if result.status == FAILED or result.work_id is None:
        raise Problem(400, f"{name}: {result.message}", "file")
    answer = {
        "status": result.status,
        "message": result.message,
        "work": work_answer(request, result.work_id),
    }
    return Status(201 if result.status == IMPORTED else 200, answer)


@router.patch(
    "/works/{work_id}",
    response={200: schemas.Work, **ERRORS},
    summary="Change a work",
    operation_id="updateWork",
)
def update_work(request: HttpRequest, work_id: int, payload: WorkFields) -> dict[str, Any]:
    """Change the fields given; the others keep their values. `pseuds` replaces the caller's
    pseuds on the byline (co-creators stay)."""
    user, work = _own_work(request, work_id)
    work = with_blurb_data(Work.objects.all()).get(pk=work.pk)
    own = (
        _pseuds(user, payload.pseuds)
        if payload.pseuds
        else [pseud for pseud in work.creators if pseud.user_id == user.pk]
    )
    try:
        services.edit_work(user, work, own, _work_data(payload, work))
    except WorkError as error:
        raise _refused(error) from None
    return work_answer(request, work.pk)


@router.post(
    "/works/{work_id}/post",
    response={200: schemas.Work, **ERRORS},
    summary="Post a draft",
    operation_id="postWork",
)
def post_work(request: HttpRequest, work_id: int) -> dict[str, Any]:
    """Post a draft work as it is (it needs a fandom); a posted work stays as it is."""
    _, work = _own_work(request, work_id)
    try:
        services.post_draft(work)
    except WorkError as error:
        raise _refused(error) from None
    return work_answer(request, work.pk)


@router.delete(
    "/works/{work_id}",
    response={204: None, **ERRORS},
    summary="Delete a work",
    operation_id="deleteWork",
)
def delete_work(request: HttpRequest, work_id: int) -> Status[None]:
    _, work = _own_work(request, work_id)
    services.delete_work(work)
    return Status(204, None)


@router.post(
    "/works/{work_id}/chapters",
    response={201: schemas.Chapter, **ERRORS},
    summary="Add a chapter",
    operation_id="addChapter",
)
def add_chapter(request: HttpRequest, work_id: int, payload: NewChapter) -> Status[dict[str, Any]]:
    """A chapter after the posted ones, or a draft chapter at the end (`draft`)."""
    _, work = _own_work(request, work_id)
    try:
        chapter = services.add_chapter(work, _chapter_data(payload), draft=payload.draft)
    except WorkError as error:
        raise _refused(error) from None
    return Status(201, chapter_answer(request, work.pk, chapter.pk))


@router.patch(
    "/works/{work_id}/chapters/{chapter_id}",
    response={200: schemas.Chapter, **ERRORS},
    summary="Change a chapter",
    operation_id="updateChapter",
)
def update_chapter(
    request: HttpRequest, work_id: int, chapter_id: int, payload: ChapterIn
) -> dict[str, Any]:
    _, work = _own_work(request, work_id)
    chapter = _own_chapter(work, chapter_id)
    try:
        services.update_chapter(chapter, _chapter_data(payload))
    except WorkError as error:
        raise _refused(error) from None
    return chapter_answer(request, work.pk, chapter.pk)


@router.post(
    "/works/{work_id}/chapters/{chapter_id}/post",
    response={200: schemas.Chapter, **ERRORS},
    summary="Post a draft chapter",
    operation_id="postChapter",
)
def post_chapter(request: HttpRequest, work_id: int, chapter_id: int) -> dict[str, Any]:
    _, work = _own_work(request, work_id)
    chapter = _own_chapter(work, chapter_id)
    try:
        services.post_chapter(chapter)
    except WorkError as error:
        raise _refused(error) from None
    return chapter_answer(request, work.pk, chapter.pk)


@router.delete(
    "/works/{work_id}/chapters/{chapter_id}",
    response={204: None, **ERRORS},
    summary="Delete a chapter",
    operation_id="deleteChapter",
)
def delete_chapter(request: HttpRequest, work_id: int, chapter_id: int) -> Status[None]:
    _, work = _own_work(request, work_id)
    try:
        services.delete_chapter(_own_chapter(work, chapter_id))
    except WorkError as error:
        raise _refused(error) from None
    return Status(204, None)


@router.put(
    "/works/{work_id}/chapter-order",
    response={200: schemas.Work, **ERRORS},
    summary="Reorder the chapters",
    operation_id="reorderChapters",
)
def reorder_chapters(request: HttpRequest, work_id: int, payload: ChapterOrder) -> dict[str, Any]:
    """The chapters in the order given: every chapter once, drafts after the posted ones."""
    _, work = _own_work(request, work_id)
    try:
        services.reorder_chapters(work, payload.chapter_ids)
    except WorkError as error:
        raise Problem(400, error.message, "chapter_ids") from None
    return work_answer(request, work.pk)


@router.post(
    "/works/{work_id}/kudos",
    response={201: Done, **ERRORS},
    summary="Leave kudos",
    operation_id="leaveKudos",
)
def kudos(request: HttpRequest, work_id: int) -> Status[dict[str, str]]:
    user = writer(request)
    work = visible_work(request, work_id)  # with its creators, for the rules
    try:
        leave_kudos(work, user)
    except AlreadyLeft as error:
        raise Problem(409, str(error)) from None
    except KudosError as error:
        raise Problem(403, str(error)) from None
    return Status(201, {"detail": "You left kudos."})


@router.post(
    "/works/{work_id}/comments",
    response={201: Done, **ERRORS},
    summary="Comment on a work, a chapter, or reply",
    operation_id="postComment",
)
def comment(request: HttpRequest, work_id: int, payload: CommentIn) -> Status[dict[str, str]]:
    """A comment on the work (or on `chapter_id`), or a reply to `parent_id`, as the caller's
    default pseud; the work's comment settings and blocks apply as on the web."""
    user = writer(request)
    work = visible_work(request, work_id)
    data = comments.CommentInput(
        body=payload.text, chapter_id=payload.chapter_id, parent_id=payload.parent_id
    )
    try:
        with transaction.atomic():
            made = comments.post_comment(work, user, data)
    except comments.CommentError as error:
        field = {"body": "text"}.get(error.field or "", error.field)
        raise Problem(error.status, error.message, field) from None
    held = " It waits for the creator's approval." if not made.approved else ""
    return Status(201, {"detail": f"Your comment was posted.{held}"})
