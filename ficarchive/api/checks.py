"""The overlap check through the API: started on a work or an uploaded file, polled until done,
and the caller's own reports read.

A work's check is the web's (`overlap.views`): the same rules (only the work's creators start
one; a check already queued or running for the work and scope is answered again, not queued
twice), the same service (`overlap.services.start_check`, a job), and its report read through
the web's own `report_rows`, so a finding whose source the caller can no longer see is left
out here as it is on the report page. A check is its runner's alone: anyone else gets 404.

A file's check (`startFileCheck`; the web has no page for one, `ficarchive check FILE` checks a
file at the command line) reads the file as the upload form does (`texts.isolation`, the import's
limits and messages) and is then a stored check like a work's: a job polled through `getCheck`,
its chapter texts kept with it for its report (`overlap.services.start_file_check`), not a
work. A writer has at most `MAX_FILE_CHECKS` of them queued or running at once.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from django.db.models import Q
from django.http import Http404, HttpRequest
from django.urls import reverse
from ninja import Body, Field, File, Form, Query, Router, Schema, Status, UploadedFile

from ficarchive.accounts.models import User
from ficarchive.api.auth import reader, writer
from ficarchive.api.paging import DEFAULT_LIMIT, MAX_LIMIT, next_link, page_by
from ficarchive.api.problems import Problem
from ficarchive.api.works import absolute
from ficarchive.api.writing import ERRORS
from ficarchive.overlap import services
from ficarchive.overlap.explain import Explained
from ficarchive.overlap.findings import FindingJSON
from ficarchive.overlap.models import Check
from ficarchive.overlap.views import KIND_NOTES, CheckForm, report_rows
from ficarchive.texts.formats import too_big
from ficarchive.texts.isolation import ParserProcess
from ficarchive.texts.limits import from_settings
from ficarchive.texts.structure import ParseError
from ficarchive.works.models import Work
from ficarchive.works.queries import is_creator

router = Router(tags=["overlap"])


class CheckStart(Schema):
    """What to compare with, as the web's form offers: `mine` (your works, drafts included),
    `archive` (everyone's posted works) or `all` (both; the default)."""

    scope: str = Field("all", max_length=20)


class CheckListParams(Schema):
    cursor: str | None = Field(None, max_length=500)
    limit: int = Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT)


class CheckedWork(Schema):
    id: int
    title: str
    url: str


class CheckSummary(Schema):
    """A check as a list shows it: its state, what it checked (a work, or a file by its name)
    and where to read it."""

    id: int
    state: Literal["queued", "running", "done", "failed"]
    progress: int  # percent done
    stage: str  # what it is doing now, while it runs
    scope: str
    work: CheckedWork | None  # the work checked; none for a file
    file_name: str | None  # the file checked; none for a work
    created_at: datetime
    finished_at: datetime | None
    api_url: str  # this check in the API: poll it until `state` is done or failed
    url: str | None  # its report on the web; none for a file (the web has no page for one)


class DraftPassage(Schema):
    chapter: int  # 1-based chapter position
    start: int  # character offsets into the chapter's plain text
    end: int
    text: str
    edit_url: str | None  # the chapter editor at this passage (none for a file)


class SourcePassage(Schema):
    work_id: int
    title: str
    url: str
    chapter: int
    start: int
    end: int
    text: str
    own: bool  # the source is the caller's own work


class Finding(Schema):
    """One finding as the report shows it: its kind (`verbatim`, `near-verbatim`,
    `paraphrase`, `retold`), its score (how likely the likeness is reuse rather than chance,
    0 to 1) in words, and the two passages."""

    number: int
    kind: str
    note: str
    score: float
    percent: int
    verdict: str
    coverage: str
    acknowledged: bool  # the two works are related works: the writer marked it as intended
    intended: str
    draft: DraftPassage
    source: SourcePassage


class CheckAnswer(CheckSummary):
    """A check; once done, its report. `hidden`: findings left out because their source is no
    longer visible to the caller; `changed`: the work changed since the check (none for a
    file)."""

    error: str | None = None
    freshness: str | None = None
    changed: bool | None = None
    findings: list[Finding] | None = None
    hidden: int | None = None


class CheckPage(Schema):
    checks: list[CheckSummary]
    next: str | None


# -- loading and access --------------------------------------------------------------------


def _own_work(user: User, work_id: int) -> Work:
    """The work if the user is one of its creators; 404 otherwise, as on the web."""
    work = Work.objects.prefetch_related("creatorships__pseud").filter(pk=work_id).first()
    if work is None or not is_creator(user, work):
        raise Http404("No work found.")
    return work


def _own_check(user: User, check_id: int) -> Check:
    """The user's check of a file, or of a work they are still a creator of; 404 for anyone
    else's."""
    check = (
        Check.objects.select_related("work")
        .prefetch_related("work__creatorships__pseud")
        .filter(pk=check_id, user=user)
        .first()
    )
    if check is None or (check.work is not None and not is_creator(user, check.work)):
        raise Http404("No overlap check found.")
    return check


def _scope(scope: str) -> str:
    """The scope as the web's form reads it (blank: all), refused with its message."""
    form = CheckForm({"scope": scope})
    if not form.is_valid():
        raise Problem(400, " ".join(str(message) for message in form.errors["scope"]), "scope")
    return str(form.cleaned_data["scope"])


# -- answers -------------------------------------------------------------------------------


def _summary(request: HttpRequest, check: Check) -> dict[str, Any]:
    work = check.work
    return {
        "id": check.pk,
        "state": check.state,
        "progress": check.progress,
        "stage": check.stage,
        "scope": check.scope,
        "work": (
            None
            if work is None
            else {
                "id": work.pk,
                "title": work.title,
                "url": absolute(request, work.get_absolute_url()),
            }
        ),
        "file_name": check.file_name if work is None else None,
        "created_at": check.created_at,
        "finished_at": check.finished_at,
        "api_url": absolute(request, reverse("api:overlap_check", args=[check.pk])),
        "url": (
            None
            if work is None
            else absolute(request, reverse("overlap:report", args=[work.pk, check.pk]))
        ),
    }


def _finding(
    request: HttpRequest,
    number: int,
    stored: FindingJSON,
    source: tuple[int, str],
    source_url: str,
    meaning: Explained,
    edit_url: str | None,
) -> dict[str, Any]:
    draft, quoted = stored["draft"], stored["source"]
    return {
        "number": number,
        "kind": stored["kind"],
        "note": KIND_NOTES.get(stored["kind"], ""),
        "score": float(stored["score"]),
        "percent": round(float(stored["score"]) * 100),
        "verdict": meaning.verdict,
        "coverage": meaning.coverage(stored),
        "acknowledged": meaning.acknowledged,
        "intended": meaning.intended,
        "draft": {
            "chapter": int(draft["chapter"] or 0),
            "start": draft["start"],
            "end": draft["end"],
            "text": draft["text"],
            "edit_url": absolute(request, edit_url) if edit_url else None,
        },
        "source": {
            "work_id": source[0],
            "title": source[1],  # as it is now, as the report shows it
            "url": absolute(request, source_url),
            "chapter": int(quoted["chapter"]),
            "start": quoted["start"],
            "end": quoted["end"],
            "text": quoted["text"],
            "own": meaning.own,
        },
    }


def check_answer(request: HttpRequest, user: User, check: Check) -> dict[str, Any]:
    """A check as its report page shows it: progress while it runs, the error if it failed,
    and once done the findings the caller may still see (`report_rows`)."""
    answer = _summary(request, check)
    if check.state == Check.State.FAILED:
        answer["error"] = check.error
    if check.state != Check.State.DONE:
        return answer
    rows, hidden = report_rows(user, check.work or check.texts, check.findings)
    answer["findings"] = [
        _finding(
            request,
            row.number,
            check.findings[row.index],
            (row.source_id, row.source_title),
            row.source_url,
            row.meaning,
            row.edit_url,
        )
        for row in rows
    ]
    answer["hidden"] = hidden
    if check.work is not None:  # a file's text cannot change: it was kept with the check
        answer["changed"] = bool(check.digest) and services.text_digest(check.work) != check.digest
    if check.works_searched is not None:
        answer["freshness"] = services.freshness_note(
            check.works_searched, check.works_current or 0, check.works_reindexed or 0
        )
    return answer


# -- operations ----------------------------------------------------------------------------


@router.post(
    "/works/{work_id}/overlap-checks",
    response={202: CheckAnswer, **ERRORS},
    summary="Check a work of yours for overlap",
    operation_id="startWorkCheck",
)
def start_work_check(
    request: HttpRequest, work_id: int, payload: Body[CheckStart | None] = None
) -> Status[dict[str, Any]]:
    """Start the overlap check of one of your works (drafts included), as its *Check for
    overlap* button does: which passages resemble passages of your other works and of
    everyone's posted works. It runs as a background job; poll `api_url` until `state` is
    `done` (or `failed`). A check of this work and scope already queued or running is
    answered instead of a new one."""
    user = writer(request)
    work = _own_work(user, work_id)
    check = services.start_check(work, user, _scope(payload.scope if payload else ""))
    check.work = work
    return Status(202, check_answer(request, user, check))


@router.post(
    "/overlap-checks",
    response={202: CheckAnswer, **ERRORS},
    summary="Check a story file for overlap",
    operation_id="startFileCheck",
)
def start_file_check(
    request: HttpRequest,
    file: File[UploadedFile],
    fields: Form[CheckStart],
) -> Status[dict[str, Any]]:
    """Start the overlap check of a story file (any format the import reads; not posted as a
    work) against your works and everyone's posted works, as `ficarchive check FILE` does. A
    file that cannot be read is refused at once; otherwise the check runs as a background job,
    as a work's does: poll `api_url` until `state` is `done` (or `failed`). At most three files
    of yours are checked at a time."""
    user = writer(request)
    scope = _scope(fields.scope)
    limits = from_settings()
    name = file.name or "upload"
    try:
        if file.size is not None and file.size > limits.max_file_bytes:
            raise ParseError(too_big(file.size, limits), name)
        with ParserProcess(limits) as parser:
            parsed = parser.parse(file.read(), name)
    except ParseError as error:
        raise Problem(400, str(error), "file") from None
    if not parsed.chapters:
        raise Problem(400, f"{name}: The file has no chapters.", "file")
    try:
        check = services.start_file_check(
            user, name, [chapter.text for chapter in parsed.chapters], scope
        )
    except services.TooManyChecks as error:
        raise Problem(429, str(error)) from None
    return Status(202, check_answer(request, user, check))


@router.get(
    "/overlap-checks/{check_id}",
    response={200: CheckAnswer, **ERRORS},
    url_name="overlap_check",
    summary="One of your overlap checks",
    operation_id="getCheck",
)
def get_check(request: HttpRequest, check_id: int) -> dict[str, Any]:
    """A check you started: its state and progress while it runs, and once done its report,
    without the findings whose source you can no longer see (counted in `hidden`). Anyone
    else's check is not found."""
    user = reader(request)
    return check_answer(request, user, _own_check(user, check_id))


@router.get(
    "/overlap-checks",
    response={200: CheckPage, **ERRORS},
    summary="Your overlap checks",
    operation_id="listChecks",
)
def list_checks(request: HttpRequest, params: Query[CheckListParams]) -> dict[str, Any]:
    """The checks you started, of your files and of the works you are a creator of, newest
    first, without their reports (read one with `api_url`). `next` is the address of the next
    page."""
    user = reader(request)
    own = (
        Check.objects.filter(user=user)
        .filter(
            Q(work__isnull=True) | Q(work__in=Work.objects.filter(creatorships__pseud__user=user))
        )
        .select_related("work")
        .defer("findings", "texts")
    )
    checks, cursor = page_by(own, "checks", "-created_at", params.cursor, params.limit)
    return {
        "checks": [_summary(request, check) for check in checks],
        "next": next_link(request, cursor),
    }
