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
    return reverse("works:tag_works", args=[tag_to_url(name)])


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
