"""Keep the overlap index in step with the works, and check texts against it.

Indexing: every changed work (the `work_changed` event) queues an `overlap.index` job; the job
cuts the work's chapters into passages and hands them to every detector, unless the chapter
texts are the ones already indexed (a change of title or tags costs nothing). Deleting a work
deletes its passages by cascade.

Checking: a text (a file being considered, or a stored work) is cut the same way; each detector
names candidate passages among the works the writer may use; `findings` turns them into spans.
From the web and the API a check is a `Check` row run by an `overlap.check` job, of a work or
of a file's chapter texts kept with it.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.db import transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone

from ficarchive.accounts.models import User
from ficarchive.accounts.types import AnyUser
from ficarchive.jobs import services as jobs
from ficarchive.overlap import detectors
from ficarchive.overlap.calibration import DEFAULT_THRESHOLD
from ficarchive.overlap.findings import Finding, SourceChapter, from_candidates
from ficarchive.overlap.models import Check, IndexedWork, Passage
from ficarchive.overlap.passages import cut
from ficarchive.texts.structure import html_to_text
from ficarchive.works.models import Chapter, Work
from ficarchive.works.queries import chapter_texts, notes_text, work_notes

log = logging.getLogger(__name__)

Progress = Callable[[int, str], None]

SCOPES = ("mine", "archive", "all")


class OverlapError(Exception):
    """A check cannot run as asked (an unknown scope, a missing work)."""


class TooManyChecks(OverlapError):
    """The writer has as many file checks waiting or running as one may (`MAX_FILE_CHECKS`)."""


# File checks a writer may have queued or running at once: each is a job on the shared workers,
# and a client sending files in a loop should not fill their queue.
MAX_FILE_CHECKS = 3
# A file check still queued or running this long after it was started no longer counts against
# the writer: its job has failed with its worker, and it would hold her place for ever.
FILE_CHECK_ABANDONED_AFTER = timedelta(hours=1)


# ---------------------------------------------------------------------------------------------
# the index


def schedule_index(work_id: int) -> None:
    jobs.enqueue("overlap.index", {"work_id": work_id}, key=f"overlap-index-{work_id}")


@jobs.handler("overlap.index")
def _index_job(payload: dict[str, Any]) -> None:
    index_work(int(payload["work_id"]))


def _digest(texts: list[str]) -> str:
    digest = hashlib.sha256()
    for text in texts:
        digest.update(text.encode())
        digest.update(b"\0")
    return digest.hexdigest()


def text_digest(work: Work) -> str:
    """The digest of the work's text as a check reads it: a report compares it with the
    digest its check stored, to tell the writer the work has changed since."""
    return _digest([text for _, text in chapter_texts(work, drafts=True)])


def index_work(work_id: int, *, force: bool = False) -> bool:
    """Bring one work's passages up to date; returns whether anything was (re)indexed."""
    # The work (its revision) is read before its chapters, so the revision stamped on the index
    # is never newer than the text indexed: an edit in between leaves the index marked stale.
    work = Work.objects.filter(pk=work_id).first()
    if work is None:
        return False  # deleted since the job was queued: its passages went with it
    chapters = chapter_texts(work)
    digest = _digest([f"{chapter.pk}:{text}" for chapter, text in chapters])
    # Skipped only when the index holds this very text: its stamp (IndexedWork) is written last,
    # in the one transaction with the passages, so a job killed in the middle leaves no stamp and
    # the next run indexes the work (tests/jobs/test_worker.py).
    if not force and _holds(work, digest):
        return False
    with transaction.atomic():
        # One writer per work: a check bringing the index up to date in its own process may meet
        # a worker running the work's queued job. The second waits here (SQLite: the write lock,
        # taken when the transaction begins; PostgreSQL: the work's row), then finds the text
        # already indexed.
        list(Work.objects.select_for_update().filter(pk=work.pk).values_list("pk"))
        if not force and _holds(work, digest):
            return False
        Passage.objects.filter(work=work).delete()
        rows: list[tuple[Passage, str]] = []
        for chapter, text in chapters:
            for piece in cut(text):
                rows.append(
                    (
                        Passage(
                            work=work,
                            chapter=chapter,
                            position=piece.position,
                            start=piece.start,
                            end=piece.end,
                            word_count=piece.word_count,
                            vector=b"",
                        ),
                        text[piece.start : piece.end],
                    )
                )
        Passage.objects.bulk_create([passage for passage, _ in rows], batch_size=1000)
        if rows and rows[0][0].pk is None:  # a database that returns no ids from bulk inserts
            saved = Passage.objects.filter(work=work).order_by("chapter__position", "position")
            rows = [(p, text) for p, (_, text) in zip(saved, rows, strict=True)]
        for detector in detectors.detectors():
            detector.index(rows)
        IndexedWork.objects.update_or_create(
            work=work, defaults={"digest": digest, "revision": work.revision}
        )
    return True


def _holds(work: Work, digest: str) -> bool:
    """Whether the index holds this text of the work; if so, it is stamped with the revision
    read (a change that left the text alone, of tags say, moved the revision on)."""
    stamp = IndexedWork.objects.filter(work=work).values_list("digest", "revision").first()
    if stamp is None or stamp[0] != digest:
        return False
    if stamp[1] < work.revision:
        IndexedWork.objects.filter(work=work, revision__lt=work.revision).update(
            revision=work.revision
        )
    return True


def reindex_all(progress: Callable[[int, int], None] | None = None) -> int:
    """Rebuild the index of every work from scratch; returns the number of works."""
    ids = list(Work.objects.order_by("pk").values_list("pk", flat=True))
    for done, work_id in enumerate(ids, start=1):
        index_work(work_id, force=True)
        if progress:
            progress(done, len(ids))
    IndexedWork.objects.exclude(work_id__in=ids).delete()
    return len(ids)


# ---------------------------------------------------------------------------------------------
# freshness: a check searches the works as they are now
#
# Saving a work queues its index job, and until a worker runs it the index lags behind the work.
# A check must never answer from such an index ("nothing resembles your work", when the work
# just imported is simply not in it yet): before it searches, it indexes in its own process
# every work in its scope whose index is missing or older than the work (issue 16). Every change
# of a work's text moves its revision on (works.services), and the index is stamped with the
# revision it read, so one query finds them.


def stale_works(works: QuerySet[Work]) -> list[int]:
    """The ids of these works whose index is missing or older than the work."""
    behind = Q(overlap_index__isnull=True) | Q(overlap_index__revision__lt=F("revision"))
    return list(works.filter(behind).order_by("pk").values_list("pk", flat=True).distinct())


def bring_up_to_date(works: QuerySet[Work], progress: Progress | None = None) -> int:
    """Index the works whose index is missing or older than the work; returns how many there
    were. Progress goes from 0 to 100 over them, under "Bringing N works up to date"."""
    stale = stale_works(works)
    stage = f"Bringing {_works(len(stale))} up to date"
    for done, work_id in enumerate(stale):
        if progress:
            progress(100 * done // len(stale), stage)
        index_work(work_id)
    if stale and progress:
        progress(100, stage)
    return len(stale)


def freshness_note(searched: int, current: int, reindexed: int) -> str:
    """What a report says of the works it searched: how many, and that they were current."""
    if searched == 0:
        return "There were no works to search."
    first = f" ({reindexed} brought up to date first)" if reindexed else ""
    if current >= searched:
        every = "it was" if searched == 1 else "all of them were"
        return f"Searched {_works(searched)}; {every} current{first}."
    changed = searched - current
    return (
        f"Searched {_works(searched)}; {current} were current, but {_works(changed)} changed "
        f"while the check ran and {'was' if changed == 1 else 'were'} searched as before: "
        "run the check again."
    )


def _works(count: int) -> str:
    return f"{count} work{'' if count == 1 else 's'}"


# ---------------------------------------------------------------------------------------------
# checks


@dataclass
class Report:
    findings: list[Finding]
    scope: str
    threshold: float
    checked_words: int
    sources_searched: int
    # Of the works searched: how many had an index as new as the work when the search ended
    # (all of them, unless one was edited while the check ran), and how many the check
    # brought up to date before searching.
    sources_current: int = 0
    sources_reindexed: int = 0
    notes: str | None = None  # the notes text checked, when asked

    @property
    def freshness(self) -> str:
        return freshness_note(self.sources_searched, self.sources_current, self.sources_reindexed)

    def as_json(self) -> dict[str, Any]:
        found: dict[str, Any] = {
            "findings": [f.as_json() for f in self.findings],
            "scope": self.scope,
            "threshold": self.threshold,
            "checked_words": self.checked_words,
            "works_searched": self.sources_searched,
            "works_current": self.sources_current,
            "works_reindexed": self.sources_reindexed,
        }
        if self.notes is not None:
            found["notes_text"] = self.notes
        return found


def works_in_scope(user: AnyUser, scope: str, *, exclude: int | None = None) -> QuerySet[Work]:
    """The works a check may quote from: the writer's own (drafts included) and/or everyone's
    posted, unrestricted works. Another writer's drafts and restricted works are never among
    them — not even as "a match exists somewhere": a restricted work is kept off the open web
    by its writer's choice, and a report can be pasted anywhere."""
    if scope not in SCOPES:
        raise OverlapError(f"Unknown scope {scope!r}: use one of {', '.join(SCOPES)}.")
    mine = Q(creatorships__pseud__user_id=user.pk) if user.is_authenticated else Q(pk__in=[])
    posted = Q(posted=True, restricted=False)
    wanted = {"mine": mine, "archive": posted, "all": mine | posted}[scope]
    works = Work.objects.filter(wanted)
    if exclude is not None:
        works = works.exclude(pk=exclude)
    return works


def allowed_works(user: AnyUser, scope: str, *, exclude: int | None = None) -> set[int]:
    """The ids of `works_in_scope`."""
    return set(works_in_scope(user, scope, exclude=exclude).values_list("pk", flat=True).distinct())


def check_texts(
    chapters: list[str],
    user: AnyUser,
    *,
    scope: str = "all",
    exclude_work: int | None = None,
    threshold: float = DEFAULT_THRESHOLD,
    progress: Progress | None = None,
    notes: str = "",
) -> Report:
    """Check chapter texts against the index: the findings at or above `threshold`.

    Notes (the writer's own words around the story: notes, end notes, summaries) are left out
    unless given as `notes`; findings in them have `part` "notes" and offsets into `notes`.
    """
    step = progress or (lambda percent, stage: None)
    searched = works_in_scope(user, scope, exclude=exclude_work)
    reindexed = bring_up_to_date(searched, step)
    # What the detectors count over (how common a phrase is, which scenes are nearest): every
    # work this writer could be shown whatever the scope, and no other, so that nothing hidden
    # shapes the report (issue 14).
    visible = allowed_works(user, "all")
    if scope == "all":  # the usual check: the same works, less the one checked
        allowed = visible - {exclude_work} if exclude_work is not None else set(visible)
    else:
        allowed = set(searched.values_list("pk", flat=True).distinct())
    texts = [*chapters, notes] if notes.strip() else list(chapters)
    draft = [
        detectors.DraftPassage(number, piece.start, piece.end, text[piece.start : piece.end])
        for number, text in enumerate(texts, start=1)
        for piece in cut(text)
    ]
    candidates: list[detectors.Candidate] = []
    found = detectors.detectors()
    for done, detector in enumerate(found):
        step(10 + 50 * done // len(found), f"Looking for candidates ({detector.name})")
        candidates += detector.candidates(draft, allowed, visible)
    step(60, "Comparing passages")
    passages = {
        p.pk: p
        for p in Passage.objects.filter(pk__in={c.passage_id for c in candidates}).only(
            "id", "work_id", "chapter_id", "start", "end"
        )
    }
    sources = _source_lookup(p.chapter_id for p in passages.values())
    findings = from_candidates(candidates, texts, sources, passages)
    for finding in findings:
        if finding.draft.chapter > len(chapters):
            finding.draft.part, finding.draft.chapter = "notes", 0
    step(100, "Done")
    return Report(
        findings=[f for f in findings if f.score >= threshold],
        scope=scope,
        threshold=threshold,
        checked_words=sum(len(text.split()) for text in texts),
        sources_searched=len(allowed),
        # Counted after the search: a work edited while the check ran is not called current.
        sources_current=len(allowed - set(stale_works(searched))),
        sources_reindexed=reindexed,
        notes=notes if notes.strip() else None,
    )


def _source_lookup(wanted: Iterable[int] = ()) -> Callable[[int], SourceChapter]:
    """Chapter texts by id, read once per check: the `wanted` ones in one query, up front (a
    check at archive scale has candidates in some eighty chapters), any other when asked."""
    seen: dict[int, SourceChapter] = {}

    def read(chapters: QuerySet[Chapter]) -> None:
        for chapter in chapters.select_related("work").only(
            "id", "work_id", "work__title", "position", "body"
        ):
            seen[chapter.pk] = SourceChapter(
                chapter.work_id, chapter.work.title, chapter.position, html_to_text(chapter.body)
            )

    def lookup(chapter_id: int) -> SourceChapter:
        if chapter_id not in seen:
            read(Chapter.objects.filter(pk=chapter_id))
        return seen[chapter_id]

    ids = sorted(set(wanted))
    for start in range(0, len(ids), 500):  # well under SQLite's limit on query parameters
        read(Chapter.objects.filter(pk__in=ids[start : start + 500]))
    return lookup


def check_work(
    work: Work,
    user: AnyUser,
    *,
    scope: str = "all",
    threshold: float = DEFAULT_THRESHOLD,
    progress: Progress | None = None,
    with_notes: bool = False,
) -> Report:
    """Check a stored work (its chapters' text, and its notes if asked) against every other
    work in scope."""
    # Its own passages count among the visible works (how common a phrase is).
    index_work(work.pk)
    # Its draft chapters are checked too; only the posted ones are indexed for others' checks.
    texts = [text for _, text in chapter_texts(work, drafts=True)]
    return check_texts(
        texts,
        user,
        scope=scope,
        exclude_work=work.pk,
        threshold=threshold,
        progress=progress,
        notes=notes_text(work_notes(work, drafts=True)) if with_notes else "",
    )


# ---------------------------------------------------------------------------------------------
# checks from the web, as jobs


PENDING = (Check.State.QUEUED, Check.State.RUNNING)


def start_check(work: Work, user: User, scope: str = "all") -> Check:
    """Queue a check of the writer's work, or return the one already queued or running."""
    if scope not in SCOPES:
        raise OverlapError(f"Unknown scope {scope!r}: use one of {', '.join(SCOPES)}.")
    pending = Check.objects.filter(work=work, user=user, scope=scope, state__in=PENDING).first()
    if pending is not None:
        return pending
    check = Check.objects.create(work=work, user=user, scope=scope)
    transaction.on_commit(lambda: jobs.enqueue("overlap.check", {"check_id": check.pk}))
    return check


def start_file_check(user: User, name: str, texts: list[str], scope: str = "all") -> Check:
    """Queue a check of a file's chapter texts (read by the import's parser), kept with the
    check under the file's name; refused (`TooManyChecks`) while the writer has
    `MAX_FILE_CHECKS` file checks queued or running. Unlike a work's, every call queues a new
    check: the same name may hold another text."""
    if scope not in SCOPES:
        raise OverlapError(f"Unknown scope {scope!r}: use one of {', '.join(SCOPES)}.")
    with transaction.atomic():
        # One start at a time per writer, so two parallel calls cannot both find room: on
        # PostgreSQL the user's row is locked; SQLite's IMMEDIATE transaction holds the database.
        list(User.objects.select_for_update().filter(pk=user.pk).values_list("pk"))
        pending = Check.objects.filter(
            user=user,
            work__isnull=True,
            state__in=PENDING,
            created_at__gte=timezone.now() - FILE_CHECK_ABANDONED_AFTER,
        ).count()
        if pending >= MAX_FILE_CHECKS:
            raise TooManyChecks(
                f"You have {pending} files being checked; send the next when one is done "
                f"(at most {MAX_FILE_CHECKS} at a time)."
            )
        check = Check.objects.create(
            user=user, file_name=name[:255] or "upload", texts=list(texts), scope=scope
        )
    transaction.on_commit(lambda: jobs.enqueue("overlap.check", {"check_id": check.pk}))
    return check


@jobs.handler("overlap.check")
def _check_job(payload: dict[str, Any]) -> None:
    check = Check.objects.select_related("work", "user").filter(pk=payload["check_id"]).first()
    if check is None:
        return  # its work, or its writer, was deleted
    run_check(check)


def run_check(check: Check) -> Check:
    """Run a queued check, saving its progress as it goes and its findings at the end."""

    def progress(percent: int, stage: str) -> None:
        Check.objects.filter(pk=check.pk).update(progress=percent, stage=stage)

    check.state = Check.State.RUNNING
    check.save(update_fields=["state"])
    try:
        if check.work is None:  # a file's: its texts were kept with the check
            report = check_texts(check.texts, check.user, scope=check.scope, progress=progress)
        else:
            report = check_work(check.work, check.user, scope=check.scope, progress=progress)
    except Exception as error:
        # A check that failed once would fail again on the same text: say so, don't retry.
        log.exception("overlap check %s failed", check.pk)
        check.state = Check.State.FAILED
        check.error = f"The check could not finish: {error}"
        check.finished_at = timezone.now()
        check.save(update_fields=["state", "error", "finished_at"])
        return check
    check.findings = [f.as_json() for f in report.findings]
    check.digest = _digest(check.texts) if check.work is None else text_digest(check.work)
    check.works_searched = report.sources_searched
    check.works_current = report.sources_current
    check.works_reindexed = report.sources_reindexed
    check.state = Check.State.DONE
    check.progress = 100
    check.finished_at = timezone.now()
    check.save(
        update_fields=[
            *("findings", "digest", "state", "progress", "finished_at"),
            *("works_searched", "works_current", "works_reindexed"),
        ]
    )
    return check
