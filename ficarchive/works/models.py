from __future__ import annotations

from datetime import datetime

from django.db import models
from django.urls import reverse

from ficarchive.accounts.models import Pseud
from ficarchive.tags.models import ADULT_RATINGS, TAG_ORDER, Tag, TagType
from ficarchive.texts.fields import SanitizedHTMLField
from ficarchive.texts.sanitize import sanitize_basic_html, sanitize_notes_html


def content_stamp(revision: int, edited_at: datetime | None) -> str:
    """`<revision>-<edit time in ms>`: changes with any edit of a work or its chapters, so it
    keys everything kept of a work (cached pages and blurbs, download files)."""
    edited = int(edited_at.timestamp() * 1000) if edited_at else 0
    return f"{revision}-{edited}"


LANGUAGES = [
    ("en", "English"),
    ("ar", "العربية"),
    ("de", "Deutsch"),
    ("es", "Español"),
    ("fr", "Français"),
    ("id", "Bahasa Indonesia"),
    ("it", "Italiano"),
    ("ja", "日本語"),
    ("ko", "한국어"),
    ("nl", "Nederlands"),
    ("pl", "Polski"),
    ("pt-BR", "Português brasileiro"),
    ("ru", "Русский"),
    ("sv", "Svenska"),
    ("tr", "Türkçe"),
    ("uk", "Українська"),
    ("vi", "Tiếng Việt"),
    ("zh", "中文"),
]
RIGHT_TO_LEFT = frozenset({"ar", "fa", "he", "ur"})


class Work(models.Model):
    title = models.CharField(max_length=255)
    summary = SanitizedHTMLField(
        blank=True, help_text="Sanitized HTML.", sanitizer=sanitize_basic_html
    )
    notes = SanitizedHTMLField(
        blank=True,
        help_text="Sanitized HTML, shown before the work.",
        sanitizer=sanitize_notes_html,
    )
    end_notes = SanitizedHTMLField(
        blank=True,
        help_text="Sanitized HTML, shown after the work.",
        sanitizer=sanitize_notes_html,
    )
    language = models.CharField(max_length=10, choices=LANGUAGES, default="en")
    restricted = models.BooleanField(default=False, help_text="Only logged-in readers may see it.")
    complete = models.BooleanField(default=False)
    expected_chapters = models.PositiveIntegerField(
        null=True, blank=True, help_text="Empty when the writer does not know yet ('?')."
    )
    posted = models.BooleanField(default=False, db_index=True)
    published_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(null=True, blank=True, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)
    edited_at = models.DateTimeField(auto_now=True)
    word_count = models.PositiveIntegerField(default=0)
    chapter_count = models.PositiveIntegerField(default=0)
    # Kept by the community app with F() increments beside the rows they count: kudos, approved
    # and not deleted comments, public bookmarks, hits (once per reader per day).
    kudos_count = models.PositiveIntegerField(default=0)
    comments_count = models.PositiveIntegerField(default=0)
    bookmarks_count = models.PositiveIntegerField(default=0)
    hits = models.PositiveIntegerField(default=0)
    # Bumped on every change to the work or its chapters; caches of rendered files key on it.
    revision = models.PositiveIntegerField(default=1)
    # SHA-256 of the file a work was imported from, so importing it again finds it.
    import_hash = models.CharField(max_length=64, blank=True, db_index=True)
    pseuds: models.ManyToManyField[Pseud, Creatorship] = models.ManyToManyField(
        Pseud, through="Creatorship", related_name="works"
    )
    tags: models.ManyToManyField[Tag, WorkTag] = models.ManyToManyField(
        Tag, through="WorkTag", related_name="works", blank=True
    )

    class Meta:
        indexes = [models.Index(fields=["posted", "restricted", "-updated_at"])]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("works:work", args=[self.pk])

    @property
    def content_stamp(self) -> str:
        return content_stamp(self.revision, self.edited_at)

    @property
    def chapters_label(self) -> str:
        """AO3's `2/?` or `3/3`. A work its writer marked complete has all its chapters: `n/n`.

        Readers and tools (FanFicFare among them) tell complete from in-progress by this label.
        """
        if self.complete:
            expected = f"{self.chapter_count:,}"
        elif self.expected_chapters is None:
            expected = "?"
        else:
            expected = f"{self.expected_chapters:,}"
        # Grouped with commas as every count readers see (`1,024/?`), whatever the locale.
        return f"{self.chapter_count:,}/{expected}"

    @property
    def is_rtl(self) -> bool:
        return self.language in RIGHT_TO_LEFT

    # The helpers below read the tags `works.queries.tags_in_order` prefetched, without new
    # queries; within a type they keep the order the writer typed them in (the first
    # relationship is the main one, as on AO3).
    def _tags_in_order(self) -> list[Tag]:
        if "tags" in getattr(self, "_prefetched_objects_cache", {}):
            return list(self.tags.all())
        return list(self.tags.order_by(*TAG_POSITION))

    def tags_of(self, tag_type: str) -> list[Tag]:
        return [tag for tag in self._tags_in_order() if tag.type == tag_type]

    @property
    def sorted_tags(self) -> list[Tag]:
        """Every tag, by type in AO3's order (rating, warnings, categories, fandoms,
        relationships, characters, additional tags), each type in the writer's order."""
        return sorted(self._tags_in_order(), key=lambda t: TAG_ORDER.get(t.type, 99))

    @property
    def rating(self) -> str:
        ratings = self.tags_of(TagType.RATING)
        return ratings[0].name if ratings else "Not Rated"

    @property
    def is_adult(self) -> bool:
        return self.rating in ADULT_RATINGS

    @property
    def warnings(self) -> list[str]:
        return [tag.name for tag in self.tags_of(TagType.WARNING)]

    @property
    def categories(self) -> list[str]:
        return [tag.name for tag in self.tags_of(TagType.CATEGORY)]

    @property
    def ratings_tags(self) -> list[Tag]:
        return self.tags_of(TagType.RATING)

    @property
    def warning_tags(self) -> list[Tag]:
        return self.tags_of(TagType.WARNING)

    @property
    def category_tags(self) -> list[Tag]:
        return self.tags_of(TagType.CATEGORY)

    @property
    def fandoms(self) -> list[Tag]:
        return self.tags_of(TagType.FANDOM)

    @property
    def relationships(self) -> list[Tag]:
        return self.tags_of(TagType.RELATIONSHIP)

    @property
    def characters(self) -> list[Tag]:
        return self.tags_of(TagType.CHARACTER)

    @property
    def freeforms(self) -> list[Tag]:
        return self.tags_of(TagType.FREEFORM)

    @property
    def creators(self) -> list[Pseud]:
        return [creatorship.pseud for creatorship in self.creatorships.all()]


class Creatorship(models.Model):
    """A pseud credited on a work, in the order the byline shows them."""

    work = models.ForeignKey(Work, on_delete=models.CASCADE, related_name="creatorships")
    pseud = models.ForeignKey(Pseud, on_delete=models.CASCADE, related_name="creatorships")
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["work", "pseud"], name="one_creatorship_per_pseud")
        ]

    def __str__(self) -> str:
        return f"{self.pseud} on {self.work}"


# Orders a work's tags (`Tag` rows reached through `Work.tags`) as the writer typed them.
TAG_POSITION = ("work_tags__position", "work_tags__id")


class WorkTag(models.Model):
    """A tag on a work, at the place its writer gave it: tags keep the writer's order within
    each type, as on AO3. The table is the one the plain many-to-many field had."""

    work = models.ForeignKey(Work, on_delete=models.CASCADE, related_name="work_tags")
    tag = models.ForeignKey(Tag, on_delete=models.CASCADE, related_name="work_tags")
    position = models.PositiveIntegerField(default=0)

    class Meta:
        db_table = "works_work_tags"
        # No default ordering: the through table is also read in UNIONs (`tags.filters`);
        # those that show tags order by `TAG_POSITION`.
        # The constraint the table was made with (as Django's own many-to-many tables are).
        unique_together = [("work", "tag")]

    def __str__(self) -> str:
        return f"{self.tag} on {self.work}"


class Chapter(models.Model):
    work = models.ForeignKey(Work, on_delete=models.CASCADE, related_name="chapters")
    position = models.PositiveIntegerField()
    title = models.CharField(max_length=255, blank=True)
    summary = SanitizedHTMLField(blank=True, sanitizer=sanitize_basic_html)
    notes = SanitizedHTMLField(blank=True, sanitizer=sanitize_notes_html)
    end_notes = SanitizedHTMLField(blank=True, sanitizer=sanitize_notes_html)
    # Chapter text takes the whole allow-list: classes and media embeds.
    body = SanitizedHTMLField(help_text="Sanitized HTML.")
    word_count = models.PositiveIntegerField(default=0)
    # A chapter saved as a draft (AO3's "Save As Draft"): only the work's creators see it, and
    # the work's counts, feeds, downloads and indexes leave it out until it is posted. Drafts
    # come after the posted chapters (works.services keeps them there), so readers never see
    # a gap in the numbering.
    draft = models.BooleanField(default=False)
    # When readers first could see it: null for a draft chapter and for the chapters of a
    # draft work.
    published_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(fields=["work", "position"], name="one_chapter_per_position")
        ]

    def __str__(self) -> str:
        return self.heading

    def get_absolute_url(self) -> str:
        return reverse("works:chapter", args=[self.work_id, self.pk])

    @property
    def heading(self) -> str:
        """AO3's `Chapter 2: The Bridge`, or just `Chapter 2`."""
        label = f"Chapter {self.position}"
        return f"{label}: {self.title}" if self.title else label


class Series(models.Model):
    title = models.CharField(max_length=255)
    summary = SanitizedHTMLField(
        blank=True, help_text="Sanitized HTML: the description.", sanitizer=sanitize_basic_html
    )
    notes = SanitizedHTMLField(blank=True, sanitizer=sanitize_basic_html)
    complete = models.BooleanField(default=False)
    pseuds = models.ManyToManyField(Pseud, related_name="series")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "series"

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("works:series", args=[self.pk])


class SeriesWork(models.Model):
    """A work's place in a series: `Part 2 of …`."""

    series = models.ForeignKey(Series, on_delete=models.CASCADE, related_name="serial_works")
    work = models.ForeignKey(Work, on_delete=models.CASCADE, related_name="serial_works")
    position = models.PositiveIntegerField()

    class Meta:
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(fields=["series", "work"], name="work_once_per_series")
        ]

    def __str__(self) -> str:
        return f"Part {self.position} of {self.series}"


class CreatorInvitation(models.Model):
    """A co-creator credit that waits for its user's consent, as on AO3: until they accept it,
    the invited pseud is not credited, shown or allowed to edit; accepting makes it a
    `Creatorship`, declining deletes it."""

    work = models.ForeignKey(Work, on_delete=models.CASCADE, related_name="creator_invitations")
    pseud = models.ForeignKey(Pseud, on_delete=models.CASCADE, related_name="creator_invitations")
    invited_by = models.ForeignKey(
        "accounts.User", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["work", "pseud"], name="one_invitation_per_pseud")
        ]

    def __str__(self) -> str:
        return f"{self.pseud} invited to {self.work}"


class RelatedWork(models.Model):
    """A work (`child`) that says it builds on another (`parent`): AO3's "Inspired by" and
    "Works inspired by this one".

    The child's creators say so, and the child's page credits its parent at once: attribution
    is theirs to give. The parent's page lists the child only once a creator of the parent
    approves (as on AO3); a link between two works of the same writer is approved when made.
    A declined link stays declined, so that it is not asked again.
    """

    class Kind(models.TextChoices):
        # The label reads "this work <label> that work".
        CONTINUES = "continues", "continues"
        RETELLS = "retells", "retells"
        SEQUEL = "sequel", "is a sequel to"
        INSPIRED = "inspired", "is inspired by"
        TRANSLATION = "translation", "is a translation of"

    class State(models.TextChoices):
        PENDING = "pending", "Waiting for approval"
        APPROVED = "approved", "Approved"
        DECLINED = "declined", "Declined"

    parent = models.ForeignKey(Work, on_delete=models.CASCADE, related_name="child_links")
    child = models.ForeignKey(Work, on_delete=models.CASCADE, related_name="parent_links")
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.INSPIRED)
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    linked_by = models.ForeignKey(
        "accounts.User", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["parent", "child"], name="one_link_per_pair"),
            models.CheckConstraint(
                condition=~models.Q(parent=models.F("child")), name="no_link_to_itself"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.child} {self.get_kind_display()} {self.parent}"

    @property
    def credit(self) -> str:
        """AO3's words before the parent on the child's page: `Inspired by <title> by <name>`."""
        return CREDITS[self.kind]


CREDITS: dict[str, str] = {
    RelatedWork.Kind.CONTINUES: "A continuation of",
    RelatedWork.Kind.RETELLS: "A retelling of",
    RelatedWork.Kind.SEQUEL: "A sequel to",
    RelatedWork.Kind.INSPIRED: "Inspired by",
    RelatedWork.Kind.TRANSLATION: "A translation of",
}
