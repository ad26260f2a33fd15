"""The overlap index (passages, their fingerprints and vectors) and the checks writers run."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from ficarchive.works.models import Chapter, Work


class Passage(models.Model):
    """A run of whole paragraphs of one scene of a chapter, about 200 words."""

    work = models.ForeignKey(Work, on_delete=models.CASCADE, related_name="passages")
    chapter = models.ForeignKey(Chapter, on_delete=models.CASCADE, related_name="passages")
    position = models.PositiveIntegerField(help_text="Order within the chapter, from 0.")
    start = models.PositiveIntegerField(help_text="Character offset in the chapter's plain text.")
    end = models.PositiveIntegerField()
    word_count = models.PositiveIntegerField()
    vector = models.BinaryField(help_text="Static embedding, float16, L2-normalised.")

    class Meta:
        indexes = [models.Index(fields=["chapter", "position"], name="overlap_passage_chapter")]

    def __str__(self) -> str:
        return f"passage {self.position} of chapter {self.chapter_id} of work {self.work_id}"


class Fingerprint(models.Model):
    """The inverted index: a winnowed word 5-gram hash and the passage it occurs in."""

    pk = models.CompositePrimaryKey("hash", "passage")
    hash = models.BigIntegerField()
    passage = models.ForeignKey(Passage, on_delete=models.CASCADE, related_name="+")

    def __str__(self) -> str:
        return f"{self.hash} in passage {self.passage_id}"


class IndexedWork(models.Model):
    """What of a work is in the index: the digest of the chapter texts it was built from, and
    the work's revision they were read at (a revision newer than this one: the index may be
    out of date)."""

    work = models.OneToOneField(
        Work, on_delete=models.CASCADE, primary_key=True, related_name="overlap_index"
    )
    digest = models.CharField(max_length=64)
    revision = models.PositiveIntegerField(
        default=0, help_text="The work's revision when its text was read for the index."
    )
    indexed_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"index of work {self.work_id}"


class Check(models.Model):
    """One run of the overlap check for a writer: its progress, then its findings.

    It checks either a stored work (`work`) or an uploaded file (`file_name`, with the chapter
    texts read from it in `texts`: a file is not stored as a work, and its report shows the
    draft's passages from them). Exactly one of the two is set."""

    class State(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    class Scope(models.TextChoices):
        MINE = "mine", "My works"
        ARCHIVE = "archive", "Everyone's posted works"
        ALL = "all", "My works and everyone's posted works"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="overlap_checks"
    )
    work = models.ForeignKey(
        Work, on_delete=models.CASCADE, related_name="overlap_checks", null=True, blank=True
    )
    file_name = models.CharField(
        max_length=255, blank=True, help_text="The file checked, when the check is of a file."
    )
    # A file's chapters as plain text, as the import read them: read by its owner alone.
    texts = models.JSONField(default=list, blank=True)
    scope = models.CharField(max_length=10, choices=Scope.choices, default=Scope.ALL)
    state = models.CharField(max_length=10, choices=State.choices, default=State.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0, help_text="Percent done.")
    stage = models.CharField(max_length=100, blank=True)
    digest = models.CharField(max_length=64, blank=True, help_text="Of the text checked.")
    findings = models.JSONField(default=list, blank=True)
    error = models.TextField(blank=True)
    # How many works the check searched, how many of those had an index as new as the work
    # when the search ended, and how many it indexed first; empty for checks older than these.
    works_searched = models.PositiveIntegerField(null=True, blank=True)
    works_current = models.PositiveIntegerField(null=True, blank=True)
    works_reindexed = models.PositiveIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(work__isnull=False, file_name="")
                    | (models.Q(work__isnull=True) & ~models.Q(file_name=""))
                ),
                name="overlap_check_of_a_work_or_a_file",
                violation_error_message="A check is of either a work or a file.",
            )
        ]

    def __str__(self) -> str:
        if self.work_id is None:
            return f"overlap check {self.pk} of file {self.file_name!r} ({self.state})"
        return f"overlap check {self.pk} of work {self.work_id} ({self.state})"
