"""Downloads as files: made once per revision of a work, kept in the data folder, replaced when
the work changes. Small works in fast formats are made during the request that first asks;
big works, and formats another program converts, are made by a background job while the reader
sees a "being prepared" page.

Files live in `DOWNLOADS_DIR/<work id>/<site>/<revision>-<edit time>.<extension>` (unset:
`FICARCHIVE_DATA/downloads`), a folder that may be a mount every app server and worker shares.
The name holds the work's revision (moved on by every change of text, chapters or data) and its
last edit time, so an edited work never serves an old file; the older files of a work are removed
when a newer one is written, and all of them when the work is deleted.

A file is written under a hidden temporary name in its own folder and renamed to its name once
complete (a rename within one folder is atomic, on a shared mount too): two workers making the
same file at once each rename a whole one, and a reader finds either no file or a whole one.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import uuid
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils import timezone

from ficarchive.exports.formats import ExportFormat, export_format
from ficarchive.jobs.models import Job
from ficarchive.jobs.services import enqueue, handler
from ficarchive.works.models import Work

JOB_KIND = "exports.generate"
# After a failed job, readers see the failure for this long before a new try is queued.
RETRY_AFTER_FAILURE = timedelta(minutes=10)


class ExportError(Exception):
    """A download cannot be made (an unknown format, a work that is gone)."""


def downloads_dir() -> Path:
    configured: Path | None = settings.DOWNLOADS_DIR
    return configured if configured is not None else Path(settings.DATA_DIR) / "downloads"


def _order(name: str) -> tuple[int, int]:
    revision, _, edited = name.partition("-")
    try:
        return int(revision), int(edited)
    except ValueError:
        return (-1, -1)


def _site_key() -> str:
    """A short name for SITE_URL: a file's links point there, so files made for another address
    (an earlier PORT, say) sit in another folder and are not served."""
    return hashlib.sha256(str(settings.SITE_URL).encode()).hexdigest()[:12]


def stored_path(work: Work, extension: str) -> Path:
    return downloads_dir() / str(work.pk) / _site_key() / f"{work.content_stamp}.{extension}"


@dataclass
class Download:
    """A ready file (`path`) or the job making it (`job`)."""

    path: Path | None = None
    job: Job | None = None


def generate(work: Work, export: ExportFormat) -> Path:
    """Make the file for the work's current revision, atomically, and drop older ones."""
    path = stored_path(work, export.extension)
    data = export.render(work)
    write_atomically(path, data)
    current = _order(path.stem)
    # Older revisions, and any revision made for another SITE_URL, are no longer served.
    for old in path.parent.parent.glob(f"*/*.{export.extension}"):
        if old.parent != path.parent or _order(old.stem) < current:
            old.unlink(missing_ok=True)
    return path


def write_atomically(path: Path, data: bytes) -> None:
    """Write `data` to `path` so that no reader ever sees part of it (module docstring)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    # Hidden and not ending in the extension: never served, never taken for an older revision.
    partial = path.with_name(f".{uuid.uuid4().hex}.partial")
    try:
        with partial.open("xb") as out:
            out.write(data)
            out.flush()
            # On disk before it has its name: a crash or another machine never finds the name
            # with less than the whole file behind it.
            os.fsync(out.fileno())
        os.replace(partial, path)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise


def _job_key(work: Work, extension: str) -> str:
    return f"export:{work.pk}:{extension}:{work.content_stamp}:{_site_key()}"


def _made_in_request(work: Work, export: ExportFormat) -> bool:
    return not export.slow and work.word_count <= settings.EXPORT_INLINE_WORDS


def answers_at_once(work: Work, export: ExportFormat) -> bool:
    """Whether a download of this format gives the file now, not a "being prepared" page.
    Catalogs for e-reader apps offer only these: an app cannot wait on a web page."""
    return _made_in_request(work, export) or stored_path(work, export.extension).exists()


def prepare(work: Work, export: ExportFormat) -> Download:
    """The file for this revision if it exists or is quick to make; otherwise its job."""
    path = stored_path(work, export.extension)
    if path.exists():
        return Download(path=path)
    if _made_in_request(work, export):
        return Download(path=generate(work, export))
    key = _job_key(work, export.extension)
    failed = (
        Job.objects.filter(
            key=key,
            state=Job.State.FAILED,
            finished_at__gte=timezone.now() - RETRY_AFTER_FAILURE,
        )
        .order_by("-id")
        .first()
    )
    if failed is not None:
        return Download(job=failed)
    job = enqueue(JOB_KIND, {"work_id": work.pk, "extension": export.extension}, key=key)
    return Download(job=job)


@handler(JOB_KIND)
def _generate_job(payload: dict[str, Any]) -> None:
    work = Work.objects.filter(pk=payload["work_id"]).first()
    if work is None:
        return  # deleted while queued: nothing to make
    export = export_format(str(payload["extension"]))
    if export is None:
        raise ExportError(f"The .{payload['extension']} format cannot be made here.")
    if not stored_path(work, export.extension).exists():
        generate(work, export)


def forget_work(work_id: int) -> None:
    """Remove every stored download of a work."""
    shutil.rmtree(downloads_dir() / str(work_id), ignore_errors=True)
