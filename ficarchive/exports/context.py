"""What every export shows about a work, read once: tags by type, creators, dates, chapters."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.conf import settings
from django.db.models import Prefetch

from ficarchive.accounts.models import Pseud
from ficarchive.tags.models import Tag
from ficarchive.works.models import Chapter, Work
from ficarchive.works.queries import Part, numbered_parts, series_parts, tags_in_order
from ficarchive.works.related import Relations, audience, related_of

# The labels of AO3's download preface, in its order, with the tags each shows.
TAG_LABELS = [
    ("Rating", "ratings_tags"),
    ("Archive Warning", "warning_tags"),
    ("Category", "category_tags"),
    ("Fandom", "fandoms"),
    ("Relationship", "relationships"),
    ("Character", "characters"),
    ("Additional Tags", "freeforms"),
]


@dataclass
class ExportContext:
    work: Work
    creators: list[Pseud]
    tag_groups: list[tuple[str, list[Tag]]]
    chapters: list[Chapter]
    # Numbered as the readers who may download the file see the series: one file serves them
    # all, so an unrestricted work counts the parts logged-out readers see, a restricted one
    # (downloaded only by logged-in readers) every posted part.
    series: list[Part]
    site_name: str
    published: datetime | None
    updated: datetime | None
    url: str  # the work's page, absolute: downloaded files link back to it
    # Related works as the file's readers may see them, like the series above.
    related: Relations = field(default_factory=lambda: Relations([], []))

    @property
    def byline(self) -> str:
        return ", ".join(pseud.byline for pseud in self.creators)

    @property
    def site_url(self) -> str:
        return str(settings.SITE_URL)

    @property
    def subjects(self) -> list[str]:
        return [tag.name for _, tags in self.tag_groups for tag in tags]


def export_context(work: Work, *, drafts: bool = False) -> ExportContext:
    """What a download of the work shows: its posted chapters, and its draft chapters too when
    `drafts` (its creator's own copy, in their account export)."""
    work = (
        Work.objects.prefetch_related(
            "creatorships__pseud__user",
            tags_in_order(),
            Prefetch("serial_works", numbered_parts()),
        )
        .filter(pk=work.pk)
        .get()
    )
    groups = [(label, list(getattr(work, attribute))) for label, attribute in TAG_LABELS]
    chapters = work.chapters.all() if drafts else work.chapters.filter(draft=False)
    return ExportContext(
        work=work,
        creators=work.creators,
        tag_groups=[(label, tags) for label, tags in groups if tags],
        chapters=list(chapters.order_by("position")),
        series=series_parts(work, signed_in=work.restricted),
        site_name=settings.SITE_NAME,
        published=work.published_at,
        updated=work.updated_at,
        url=settings.SITE_URL + work.get_absolute_url(),
        related=related_of(work, audience(signed_in=work.restricted)),
    )
