"""What readers and writers leave on works: kudos, comments, bookmarks, subscriptions, readings,
hits, inbox items, updates and reports.

The counts a blurb shows (kudos, comments, public bookmarks, hits) are kept on the work itself
(`Work.kudos_count` …) and moved with `F()` increments in the same transaction as the row they
count, so concurrent kudos never lose one and sorting by a count is an index scan.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from ficarchive.accounts.models import Pseud
from ficarchive.tags.models import Tag
from ficarchive.texts.fields import SanitizedHTMLField
from ficarchive.texts.sanitize import sanitize_basic_html
from ficarchive.works.models import Chapter, Series, Work

USER = settings.AUTH_USER_MODEL


class Kudos(models.Model):
    """One kudos on a work: from a user, or from a guest known only by a keyed hash."""

    work = models.ForeignKey(Work, on_delete=models.CASCADE, related_name="kudos")
    user = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    # HMAC of the guest's address with the secret key and the work id: a guest cannot leave two
    # kudos on one work, and the table holds no address nor a key that links works together.
    guest_key = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        verbose_name_plural = "kudos"
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["work", "user"], condition=Q(user__isnull=False), name="kudos_once_per_user"
            ),
            models.UniqueConstraint(
                fields=["work", "guest_key"],
                condition=Q(user__isnull=True),
                name="kudos_once_per_guest",
            ),
            models.CheckConstraint(
                condition=Q(user__isnull=False) | ~Q(guest_key=""), name="kudos_has_giver"
            ),
        ]

    def __str__(self) -> str:
        return f"kudos on {self.work_id}"


class Comment(models.Model):
    """A comment on a chapter (or the whole work when `chapter` is empty), threaded by `parent`.

    `thread` is the top comment of the thread (itself for a top comment), so a page's threads
    load in one query and a freeze or a deletion finds its thread without walking up.
    """

    work = models.ForeignKey(Work, on_delete=models.CASCADE, related_name="comments")
    chapter = models.ForeignKey(
        Chapter, null=True, blank=True, on_delete=models.CASCADE, related_name="comments"
    )
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="replies"
    )
    thread = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    depth = models.PositiveSmallIntegerField(default=0)
    user = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="comments"
    )
    pseud = models.ForeignKey(
        Pseud, null=True, blank=True, on_delete=models.SET_NULL, related_name="comments"
    )
    guest_name = models.CharField(max_length=100, blank=True)
    guest_email = models.EmailField(blank=True)
    # Keyed hash of a guest's address, for the rate limit; never the address itself.
    guest_key = models.CharField(max_length=64, blank=True, db_index=True)
    body = SanitizedHTMLField(help_text="Sanitized HTML.", sanitizer=sanitize_basic_html)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    edited_at = models.DateTimeField(null=True, blank=True)
    # Moderated works hold new comments until a creator approves them.
    approved = models.BooleanField(default=True)
    # A deleted comment with replies stays as a placeholder so the thread keeps its shape.
    deleted = models.BooleanField(default=False)
    frozen = models.BooleanField(default=False)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["work", "thread", "created_at"], name="comment_threads")]

    def __str__(self) -> str:
        return f"comment {self.pk} on work {self.work_id}"

    @property
    def by_guest(self) -> bool:
        return self.user_id is None


class CommentSettings(models.Model):
    """How a work takes comments; a work without a row takes them the default way."""

    class Who(models.TextChoices):
        EVERYONE = "everyone", "Registered users and guests"
        USERS = "users", "Registered users only"
        NOBODY = "nobody", "No one (comments off)"

    work = models.OneToOneField(Work, on_delete=models.CASCADE, related_name="comment_settings")
    who = models.CharField(max_length=10, choices=Who.choices, default=Who.EVERYONE)
    moderated = models.BooleanField(
        default=False, help_text="New comments show only after a creator approves them."
    )

    def __str__(self) -> str:
        return f"comment settings of {self.work_id}"


class Bookmark(models.Model):
    """A reader's bookmark of a work or a series, with their own notes and tags."""

    user = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="bookmarks")
    pseud = models.ForeignKey(
        Pseud, null=True, blank=True, on_delete=models.SET_NULL, related_name="bookmarks"
    )
    work = models.ForeignKey(
        Work, null=True, blank=True, on_delete=models.CASCADE, related_name="bookmarks"
    )
    series = models.ForeignKey(
        Series, null=True, blank=True, on_delete=models.CASCADE, related_name="bookmarks"
    )
    notes = SanitizedHTMLField(
        blank=True, help_text="Sanitized HTML.", sanitizer=sanitize_basic_html
    )
    tags = models.ManyToManyField(Tag, blank=True, related_name="bookmarks")
    private = models.BooleanField(default=False)
    rec = models.BooleanField("recommendation", default=False)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "work"], condition=Q(work__isnull=False), name="bookmark_work_once"
            ),
            models.UniqueConstraint(
                fields=["user", "series"],
                condition=Q(series__isnull=False),
                name="bookmark_series_once",
            ),
            models.CheckConstraint(
                condition=Q(work__isnull=False, series__isnull=True)
                | Q(work__isnull=True, series__isnull=False),
                name="bookmark_one_target",
            ),
        ]

    def __str__(self) -> str:
        return f"bookmark {self.pk} of {self.user_id}"


class Subscription(models.Model):
    """A reader follows a work (new chapters), a user (new works) or a series (new parts)."""

    user = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="subscriptions")
    work = models.ForeignKey(
        Work, null=True, blank=True, on_delete=models.CASCADE, related_name="subscriptions"
    )
    creator = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.CASCADE, related_name="subscribers"
    )
    series = models.ForeignKey(
        Series, null=True, blank=True, on_delete=models.CASCADE, related_name="subscriptions"
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "work"], condition=Q(work__isnull=False), name="subscribe_work_once"
            ),
            models.UniqueConstraint(
                fields=["user", "creator"],
                condition=Q(creator__isnull=False),
                name="subscribe_creator_once",
            ),
            models.UniqueConstraint(
                fields=["user", "series"],
                condition=Q(series__isnull=False),
                name="subscribe_series_once",
            ),
            models.CheckConstraint(
                condition=Q(work__isnull=False, creator__isnull=True, series__isnull=True)
                | Q(work__isnull=True, creator__isnull=False, series__isnull=True)
                | Q(work__isnull=True, creator__isnull=True, series__isnull=False),
                name="subscription_one_target",
            ),
        ]

    def __str__(self) -> str:
        return f"subscription {self.pk} of {self.user_id}"


class Update(models.Model):
    """One thing a subscriber is told about: a new chapter, work or series part.

    `event` names it (`chapter:12`, `work:7`, `series:3:work:7`); with the unique constraint a
    retried delivery job cannot tell anyone twice.
    """

    user = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="updates")
    event = models.CharField(max_length=100)
    work = models.ForeignKey(Work, on_delete=models.CASCADE, related_name="+")
    chapter = models.ForeignKey(
        Chapter, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    text = models.CharField(max_length=500)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    read = models.BooleanField(default=False)
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["user", "event"], name="update_once_per_user")
        ]

    def __str__(self) -> str:
        return self.text


class InboxComment(models.Model):
    """A comment in someone's inbox: on one of their works, or a reply to their comment."""

    user = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="inbox")
    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="inbox_items")
    read = models.BooleanField(default=False)
    replied = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["user", "comment"], name="inbox_comment_once")
        ]

    def __str__(self) -> str:
        return f"inbox item {self.pk} of {self.user_id}"


class Reading(models.Model):
    """A user's history of a work, and whether they marked it for later."""

    user = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="readings")
    work = models.ForeignKey(Work, on_delete=models.CASCADE, related_name="readings")
    chapter = models.ForeignKey(
        Chapter, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    first_read_at = models.DateTimeField(auto_now_add=True)
    last_read_at = models.DateTimeField(db_index=True)
    views = models.PositiveIntegerField(default=0)
    later = models.BooleanField("marked for later", default=False)

    class Meta:
        ordering = ["-last_read_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["user", "work"], name="reading_once")]

    def __str__(self) -> str:
        return f"{self.user_id} read {self.work_id}"


class Hit(models.Model):
    """One reader's visit to a work on one day: hits count once per reader per day.

    `reader` is the user id for users and a keyed hash of the address for guests.
    """

    work = models.ForeignKey(Work, on_delete=models.CASCADE, related_name="hit_days")
    day = models.DateField()
    reader = models.CharField(max_length=64)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["work", "day", "reader"], name="hit_once_per_day")
        ]
        indexes = [models.Index(fields=["work", "day"], name="hits_by_day")]

    def __str__(self) -> str:
        return f"hit on {self.work_id} {self.day}"


class Report(models.Model):
    """A "report abuse" about a work or a comment: an item in the moderators' queue."""

    class Reason(models.TextChoices):
        HARASSMENT = "harassment", "Harassment or threats"
        SPAM = "spam", "Spam or commercial"
        PLAGIARISM = "plagiarism", "Plagiarism"
        RATING = "rating", "Wrong rating or missing warnings"
        ILLEGAL = "illegal", "Illegal content"
        OTHER = "other", "Something else"

    class State(models.TextChoices):
        OPEN = "open", "Open"
        RESOLVED = "resolved", "Resolved"
        DISMISSED = "dismissed", "Dismissed"

    reporter = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="reports_made"
    )
    reporter_email = models.EmailField(blank=True)
    # Keyed hash of a guest reporter's address, for the rate limit; never the address itself.
    guest_key = models.CharField(max_length=64, blank=True, db_index=True)
    work = models.ForeignKey(
        Work, null=True, blank=True, on_delete=models.SET_NULL, related_name="reports"
    )
    comment = models.ForeignKey(
        Comment, null=True, blank=True, on_delete=models.SET_NULL, related_name="reports"
    )
    # What was reported, kept even when the work or comment is deleted later.
    url = models.CharField(max_length=500)
    reason = models.CharField(max_length=20, choices=Reason.choices)
    details = models.TextField()
    state = models.CharField(max_length=10, choices=State.choices, default=State.OPEN)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    handled_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="reports_handled"
    )
    handled_at = models.DateTimeField(null=True, blank=True)
    resolution = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"report {self.pk} ({self.state})"
