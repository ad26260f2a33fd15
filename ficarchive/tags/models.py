from __future__ import annotations

from functools import lru_cache

from django.db import models
from django.db.models.functions import Lower
from django.urls import reverse


class TagType(models.TextChoices):
    """AO3's tag types, in the order a work's tag list shows them."""

    RATING = "rating", "Rating"
    WARNING = "warning", "Archive Warning"
    CATEGORY = "category", "Category"
    FANDOM = "fandom", "Fandom"
    RELATIONSHIP = "relationship", "Relationship"
    CHARACTER = "character", "Character"
    FREEFORM = "freeform", "Additional Tags"
    # Last, so the order of the types a work shows is unchanged: works are never tagged with a
    # media tag; media tags are the parents of fandoms.
    MEDIA = "media", "Media"


# The official tags every archive starts with, exactly as AO3 spells them.
RATINGS = (
    "Not Rated",
    "General Audiences",
    "Teen And Up Audiences",
    "Mature",
    "Explicit",
)
ADULT_RATINGS = frozenset({"Not Rated", "Mature", "Explicit"})
WARNINGS = (
    "Creator Chose Not To Use Archive Warnings",
    "No Archive Warnings Apply",
    "Graphic Depictions Of Violence",
    "Major Character Death",
    "Rape/Non-Con",
    "Underage Sex",
)
CATEGORIES = ("F/F", "F/M", "Gen", "M/M", "Multi", "Other")
OFFICIAL_TAGS: dict[str, tuple[str, ...]] = {
    TagType.RATING: RATINGS,
    TagType.WARNING: WARNINGS,
    TagType.CATEGORY: CATEGORIES,
}
# AO3's media, the top of the fandom tree; created canonical by a migration.
MEDIA = (
    "Anime & Manga",
    "Books & Literature",
    "Cartoons & Comics & Graphic Novels",
    "Celebrities & Real People",
    "Movies",
    "Music & Bands",
    "Other Media",
    "Theater",
    "TV Shows",
    "Video Games",
    "Uncategorized Fandoms",
)
TAG_ORDER = {value: index for index, value in enumerate(TagType.values)}

# AO3's escapes for characters a tag name may hold but a URL path segment may not.
_URL_ESCAPES = [("/", "*s*"), ("&", "*a*"), (".", "*d*"), ("?", "*q*"), ("#", "*h*")]


def tag_to_url(name: str) -> str:
    for char, escape in _URL_ESCAPES:
        name = name.replace(char, escape)
    return name


@lru_cache(maxsize=20_000)
def tag_works_url(name: str) -> str:
    # A list page links hundreds of tags; reversing each URL anew is a measurable cost.
    return reverse("search:tag_works", args=[tag_to_url(name)])


def tag_from_url(segment: str) -> str:
    for char, escape in _URL_ESCAPES:
        segment = segment.replace(escape, char)
    return segment


class Tag(models.Model):
    """A tag of one type. Names are unique across types, ignoring case, as on AO3."""

    name = models.CharField(max_length=150)
    type = models.CharField(max_length=20, choices=TagType.choices, db_index=True)
    canonical = models.BooleanField(default=False)
    merger = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="synonyms",
        help_text="The canonical tag this one is a synonym of.",
    )
    parents = models.ManyToManyField(
        "self",
        symmetrical=False,
        related_name="children",
        blank=True,
        help_text="Meta tags: a fandom's media, a character's fandom, a broader tag of its type.",
    )
    characters = models.ManyToManyField(
        "self",
        symmetrical=False,
        related_name="relationships",
        blank=True,
        help_text="For a relationship: the characters in it.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(Lower("name"), name="tag_name_ci_unique")]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return tag_works_url(self.name)

    @property
    def sort_key(self) -> tuple[int, str]:
        return (TAG_ORDER.get(self.type, 99), self.name.lower())

    @property
    def url_segment(self) -> str:
        """The name as it goes in a URL path: `{% url 'tags:edit' tag.url_segment %}`."""
        return tag_to_url(self.name)

    @property
    def is_unwrangled(self) -> bool:
        return not self.canonical and self.merger_id is None


class FilterTagging(models.Model):
    """A work is found under this tag: the tags a work carries stand for their canonical tags
    (a synonym for its merger, any other tag for itself), and each of those for its ancestors.

    Denormalised so that a tag page or a search filter is one indexed join, however deep the
    tag tree; `ficarchive.tags.filters` keeps it in step with works and wrangling.
    """

    work = models.ForeignKey("works.Work", on_delete=models.CASCADE, related_name="filter_taggings")
    filter_tag = models.ForeignKey(
        Tag, on_delete=models.CASCADE, related_name="filter_taggings", db_index=False
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["work", "filter_tag"], name="filter_tagging_unique")
        ]
        indexes = [models.Index(fields=["filter_tag", "work"], name="filter_tagging_by_tag")]

    def __str__(self) -> str:
        return f"work {self.work_id} under tag {self.filter_tag_id}"
