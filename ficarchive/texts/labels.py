"""Every "Label:" that names a kind of tag, and the tag type it names: one map per maker, built
from AO3's, so every reader agrees on AO3's labels.

AO3 shows its tags under `Rating:`, `Archive Warning:`, `Category:`, `Fandom:`, `Relationship:`,
`Character:` and `Additional Tags:` (one or several); writers copy those labels atop their files
and add the older archives' (`Pairing:`, `Genre:`), and FanFicFare's title page has its own.
"""

from __future__ import annotations

# AO3's labels, singular and plural, as its downloads and work pages show them.
TAG_LABELS: dict[str, str] = {
    "rating": "rating",
    "ratings": "rating",
    "archive warning": "warning",
    "archive warnings": "warning",
    "warning": "warning",
    "warnings": "warning",
    "category": "category",
    "categories": "category",
    "fandom": "fandom",
    "fandoms": "fandom",
    "relationship": "relationship",
    "relationships": "relationship",
    "character": "character",
    "characters": "character",
    "additional tag": "freeform",
    "additional tags": "freeform",
    "freeform": "freeform",
    "freeforms": "freeform",
}
# Labels AO3 shows among its tags that are not tags.
AO3_OTHER_LABELS = frozenset({"language", "series", "collections", "stats"})

# The older archives' words for the same tags (FanFiction.net, LiveJournal headers).
_OLDER_LABELS = {
    "pairing": "relationship",
    "pairings": "relationship",
    "ship": "relationship",
    "ships": "relationship",
    "tags": "freeform",
    "genre": "freeform",
    "genres": "freeform",
}

# Header lines atop a writer's file (`Title: …`, `Rating: …`): tags, and the fields that are not
# tags (`ignore`: a count the parser makes itself).
HEADER_LABELS: dict[str, str] = {
    **TAG_LABELS,
    **_OLDER_LABELS,
    "title": "title",
    "author": "author",
    "authors": "author",
    "by": "author",
    "summary": "summary",
    "status": "status",
    "word count": "ignore",
    "wordcount": "ignore",
    "words": "ignore",
    "chapters": "ignore",
}

# FanFicFare's title page: its `Category` is the site's category, the fandom; AO3's categories
# come as `AO3 Categories`.
FANFICFARE_TAG_LABELS: dict[str, str] = {
    **TAG_LABELS,
    **_OLDER_LABELS,
    "category": "fandom",
    "freeform tags": "freeform",
    "extra tags": "freeform",
    "ao3 categories": "category",
}

# A Markdown file's YAML front matter: the header lines' labels, and the keys static-site
# generators use (`description`, `lang`) for the fields a header line cannot hold.
FRONT_MATTER_LABELS: dict[str, str] = {
    **HEADER_LABELS,
    "description": "summary",
    "complete": "complete",
    "language": "language",
    "lang": "language",
    "notes": "notes",
    "end notes": "end_notes",
}
