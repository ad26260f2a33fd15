"""The overlap check through the API: started on a work or an uploaded file, polled until done,
and the caller's own reports read.

A work's check is the web's (`overlap.views`): the same rules (only the work's creators start
one; a check already queued or running for the work and scope is answered again, not queued
twice), the same service (`overlap.services.start_check`, a job), and its report read through
the web's own `report_rows`, so a finding whose source the caller can no longer see is left
out here as it is on the report page. A check is its runner's alone: anyone else gets 404.

The web has no page that checks a file; `ficarchive check FILE` does, and so does
`startFileCheck`: the file is read as the upload form reads it (`texts.isolation`, the import's
limits and messages), checked at once by `overlap.services.check_texts` and not stored — a
check is a row of one stored work, and a file is none — so its answer is the report itself.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any, Literal

from django.core.cache import cache
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
from ficarchive.overlap.explain import Explained, explain
from ficarchive.overlap.findings import FindingJSON
from ficarchive.overlap.models import Check
from ficarchive.overlap.views import KIND_NOTES, CheckForm, report_rows
from ficarchive.plain_sql import ID_RANGE
from ficarchive.texts.formats import too_big
from ficarchive.texts.isolation import ParserProcess
from ficarchive.texts.limits import from_settings
from ficarchive.texts.structure import ParseError
from ficarchive.works.models import Chapter, Work
from ficarchive.works.queries import can_view, is_creator

router = Router(tags=["overlap"])
log = logging.getLogger(__name__)

# A file is checked in the request: one at a time per writer, so parallel calls cannot pile
# checks onto the server's workers. The lock outlives a killed request by at most this long.
FILE_CHECK_SECONDS = 600


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
    """A check as a list shows it: its state and where to read it."""

    id: int
    state: Literal["queued", "running", "done", "failed"]
    progress: int  # percent done
    stage: str  # what it is doing now, while it runs
    scope: str
    work: CheckedWork
    created_at: datetime
    finished_at: datetime | None
    api_url: str  # this check in the API: poll it until `state` is done or failed
    url: str  # its report on the web


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
    longer visible to the caller; `changed`: the work changed since the check."""

    error: str | None = None
    freshness: str | None = None
    changed: bool | None = None
    findings: list[Finding] | None = None
    hidden: int | None = None


class CheckPage(Schema):
    checks: list[CheckSummary]
    next: str | None


class FileReport(Schema):
    """The report of a file, checked at once and not stored."""

    file: str
    scope: str
    words: int
    freshness: str
    findings: list[Finding]
    hidden: int


# -- loading and access --------------------------------------------------------------------


def _own_work(user: User, work_id: int) -> Work:
    """The work if the user is one of its creators; 404 otherwise, as on the web."""
    work = None
    if work_id in ID_RANGE:
        work = Work.objects.prefetch_related("creatorships__pseud").filter(pk=work_id).first()
    if work is None or not is_creator(user, work):
        raise Http404("No work found.")
    return work


def _own_check(user: User, check_id: int) -> Check:
    """The user's check of a work they are still a creator of; 404 for anyone else's."""
    check = None
    if check_id in ID_RANGE:
        check = (
            Check.objects.select_related("work")
            .prefetch_related("work__creatorships__pseud")
            .filter(pk=check_id, user=user)
            .first()
        )
    if check is None or not is_creator(user, check.work):
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
    return {
        "id": check.pk,
        "state": check.state,
        "progress": check.progress,
        "stage": check.stage,
        "scope": check.scope,
        "work": {
            "id": check.work.pk,
            "title": check.work.title,
            "url": absolute(request, check.work.get_absolute_url()),
        },
        "created_at": check.created_at,
        "finished_at": check.finished_at,
        "api_url": absolute(request, reverse("api:overlap_check", args=[check.pk])),
        "url": absolute(request, reverse("overlap:report", args=[check.work_id, check.pk])),
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
    rows, hidden = report_rows(user, check.work, check.findings)
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
    answer["changed"] = bool(check.digest) and services.text_digest(check.work) != check.digest
    if check.works_searched is not None:
        answer["freshness"] = services.freshness_note(
            check.works_searched, check.works_current or 0, check.works_reindexed or 0
        )
    return answer


def _file_findings(
    request: HttpRequest, user: User, findings: list[FindingJSON], parts: list[str]
) -> tuple[list[dict[str, Any]], int]:
    """The findings of a file whose source the user may see, as `report_rows` keeps them."""
    ids = {int(f["source"]["work_id"]) for f in findings}
    works = Work.objects.filter(pk__in=ids).prefetch_related("creatorships__pseud")
    visible = {work.pk: work for work in works if can_view(user, work)}
    chapters = {
        (work_id, position): chapter_id
        for work_id, position, chapter_id in Chapter.objects.filter(
            work_id__in=visible
        ).values_list("work_id", "position", "pk")
    }
    shown: list[dict[str, Any]] = []
    for finding in findings:
        work = visible.get(int(finding["source"]["work_id"]))
        if work is None:
            continue
        chapter_id = chapters.get((work.pk, int(finding["source"]["chapter"])))
        url = (
            reverse("works:chapter", args=[work.pk, chapter_id])
            if chapter_id is not None
            else work.get_absolute_url()
        )
        meaning = explain(finding, work, user, parts, {})
        shown.append(
            _finding(request, len(shown) + 1, finding, (work.pk, work.title), url, meaning, None)
        )
    return shown, len(findings) - len(shown)


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
    response={200: FileReport, **ERRORS},
    summary="Check a story file for overlap",
    operation_id="startFileCheck",
)
def start_file_check(
    request: HttpRequest,
    file: File[UploadedFile],
    fields: Form[CheckStart],
) -> dict[str, Any]:
    """Check a story file (any format the import reads; not stored) against your works and
    everyone's posted works, as `ficarchive check FILE` does. The check runs while you wait
    and the answer is its report; one file at a time per writer."""
    user = writer(request)
    scope = _scope(fields.scope)
    limits = from_settings()
    name = file.name or "upload"
    lock = f"overlap-file-check:{user.pk}"
    if not cache.add(lock, 1, timeout=FILE_CHECK_SECONDS):
        raise Problem(429, "A file of yours is being checked; send the next when it is done.")
    try:
        try:
            if file.size is not None and file.size > limits.max_file_bytes:
                raise ParseError(too_big(file.size, limits), name)
            with ParserProcess(limits) as parser:
                parsed = parser.parse(file.read(), name)
        except ParseError as error:
            raise Problem(400, str(error), "file") from None
        if not parsed.chapters:
            raise Problem(400, f"{name}: The file has no chapters.", "file")
        parts = [chapter.text for chapter in parsed.chapters]
        try:
            report = services.check_texts(parts, user, scope=scope)
        except Exception as error:
            # As a work's check job does (`services.run_check`): say it, don't retry.
            log.exception("overlap check of a file of user %s failed", user.pk)
            raise Problem(422, f"The check could not finish: {error}", "file") from None
    finally:
        cache.delete(lock)
    findings, hidden = _file_findings(request, user, [f.as_json() for f in report.findings], parts)
    return {
        "file": name,
        "scope": scope,
        "words": report.checked_words,
        "freshness": report.freshness,
        "findings": findings,
        "hidden": hidden,
    }


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
    """The checks you started, of the works you are a creator of, newest first, without their
    reports (read one with `api_url`). `next` is the address of the next page."""
    user = reader(request)
    own = Check.objects.filter(
        user=user, work__in=Work.objects.filter(creatorships__pseud__user=user)
    ).select_related("work")
    checks, cursor = page_by(own, "checks", "-created_at", params.cursor, params.limit)
    return {
        "checks": [_summary(request, check) for check in checks],
        "next": next_link(request, cursor),
    }
