"""Search at AO3 scale: load an archive shaped like AO3's public data dump, then time searches.

    python bench/search.py [--works 100000] [--database-url URL | --both] [--runs 20]
        [--text-dir DIR] [--seed 1] [--explain] [--keep-data] [--reuse DIR] [--out FILE]

1. Generates, in a fresh temporary folder, the two files of AO3's 2021 public data dump:
   `works.csv` (`creation date,language,restricted,complete,word_count,tags`, tags as `+`-joined
   tag ids) and `tags.csv` (`id,type,name,canonical,cached_count,merger_id`), plus
   `tag_parents.csv` (`id,parent_id,kind`), which the dump does not have: a character's and a
   relationship's fandom, a fandom's media, a relationship's characters. Fandoms are Zipf-like (a
   few huge ones, a long tail), and so are characters within a fandom and additional tags;
   about 20 tags a work; some tags are synonyms of canonical ones; 5 % of works are restricted.
2. Loads them into a migrated archive (SQLite in the temporary folder, or a scratch PostgreSQL
   database `ficarchive_bench` made on the server of `--database-url` and dropped at the end)
   with `bulk_create`: tags with parents, a few thousand writers' pseuds, works, creatorships,
   work tags, and one chapter a work of 300-1,000 words of prose made of sentences from the books
   in `--text-dir` (Gutenberg plain text) or of a built-in word list.
3. Fills the filter table with `tags.filters.refilter_works` in batches, timed, and indexes the
   text: `search.services.index_work` for a sample (timed, words/s), the rest straight through
   the search backend (`backend().index(Document)`, a transaction per batch), also timed.
4. Times each query `--runs` times after one untimed run, as a logged-out and a logged-in
   reader, reading what the search page reads: the first page of 20 blurbs
   (`works.queries.with_blurb_data`) with the number of works (`search.paging`), and where said
   the tag counts as its sidebar shows them (each type's first 15 and its number of tags):
     filtered   the biggest fandom with 3 more included tags and 5 excluded ones, with facets
     phrase     a quoted phrase of two common-ish words over story text (best match)
     muted      the biggest fandom excluding 10 (muted) tags, with facets
     word       a plain word with best-match sort
     tag page   a big tag's page (`/tags/<tag>/works`, 13,000 works at 100,000): its works
                newest first, with the Sort and Filter form's tag counts over all of them, as
                read within a minute of another reader (the counts kept)
     tag first  the same, as its first reader in a minute reads it (the counts worked out)
     tag form   the same page filtered by the form: 3 included tags, 5 excluded ones, words
                500-900, sorted by kudos, with the form's tag counts
   and prints p50/p95/max in ms with PASS/FAIL against the targets (p95 <= 150 ms for filtered
   listings, <= 300 ms for full-text queries over story text) and the machine.
   `--explain` adds the slowest SQL statement of each query with its plan (EXPLAIN QUERY PLAN on
   SQLite, EXPLAIN ANALYZE on PostgreSQL).

Each database runs in its own process (Django is set up once per process); with `--both` SQLite
runs first, then PostgreSQL on `--database-url` (default the local server). JSON goes to `--out`
(default bench/out/search-<timestamp>.json). `--keep-data` keeps the temporary folder (the
SQLite file is in `data-sqlite/`) and the scratch database; a later run drops and remakes it.
`--reuse DIR` times the queries again on such a kept folder (and scratch database) without
generating or loading anything: for trying a change to the search code at scale in a minute.
See bench/README.md.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import html
import itertools
import json
import os
import platform
import random
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit, urlunsplit

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
OUT = BENCH / "out"
sys.path.insert(0, str(ROOT))

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from ficarchive.accounts.models import User

DEFAULT_PG = "postgresql://postgres@127.0.0.1:5432/postgres"
SCRATCH_DB = "ficarchive_bench"
PAGE = 20
FILTER_TARGET_MS = 150.0
TEXT_TARGET_MS = 300.0
WRITERS = 3000
LOAD_BATCH = 2000
REFILTER_BATCH = 5000
INDEX_BATCH = 1000

# AO3's dump names tag types like its Ruby classes.
DUMP_TYPES = {
    "Rating": "rating",
    "ArchiveWarning": "warning",
    "Category": "category",
    "Media": "media",
    "Fandom": "fandom",
    "Relationship": "relationship",
    "Character": "character",
    "Freeform": "freeform",
}
OFFICIAL_TYPES = ("Rating", "ArchiveWarning", "Category", "Media")

# -- words -----------------------------------------------------------------------------------

_BUILTIN = (
    "the a of and to in was he she it that his her with as had for at on by not but from they "
    "all were be this which have one you an so said there would their been when if no out up "
    "into could more then what them some time about only over very little after back before "
    "down upon long never himself herself other through good where must again well much night "
    "still eyes hand face house door room light dark rain wind river road city harbor window "
    "letter map lantern ship tower bridge market station library kitchen fire smoke ash snow "
    "morning evening silence voice shoulder breath heart memory promise garden forest sword "
    "dragon castle village king queen prince captain soldier doctor stranger mother father "
    "brother sister friend quiet bright cold warm heavy soft sharp slow careful tired familiar "
    "strange distant small old new empty golden broken hollow steady gentle restless endless "
    "sudden faint bitter something nothing everything somewhere always perhaps slowly softly "
    "finally quietly suddenly carefully nearly barely first whole same own watched looked "
    "turned whispered waited reached laughed walked remembered listened wondered pulled "
    "followed noticed carried opened closed held answered crossed touched lingered hesitated "
    "breathed smiled frowned sighed kissed argued promised forgot dreamed burned healed fought "
    "coffee tea bread wine letterbox storm ocean island mountain valley meadow winter summer "
    "autumn spring moonlight starlight candle mirror secret curse spell potion magic ghost"
)
_FIRST = (
    "Ada Iris Tobias Mira Jonah Elena Caspian Wren Soren Imogen Felix Nadia Theo Lark Rosalind "
    "Dorian Hazel Ezra Maren Silas Juniper Arthur Beatrice Cyrus Delia Edmund Flora Gideon "
    "Harriet Ivo Jasper Kit Leona Magnus Nell Otto Petra Quentin Rhea Simon Tamsin Ulric Vera "
    "Walter Xenia Yusuf Zara Aurelio Bianca Cosmo Dagny Emeric Freya Gus Hollis Ines Jules"
).split()
_LAST = (
    "Marlowe Fenwick Quill Solberg Vance Rask Holt Adair Blackwood Vale Orme Corvin Ashgrove "
    "Winslow Pike Ferris Kestrel Lindqvist Thorne Grey Oakes Abernathy Bellweather Crane Dunmore "
    "Everly Fairbairn Galloway Hawthorne Ingram Jessop Kingsley Lockhart Merriweather Northcott "
    "Pembroke Ravensworth Sterling Thistlewood Underhill Wexley Yardley Zabini Ambrose Brightwater"
).split()
_FANDOM_SUFFIXES = (" (TV)", " (Video Game)", " - All Media Types", " (Anime)", " (Books)", "")
_FREEFORM_HEAD = (
    "Fluff",
    "Angst",
    "Hurt/Comfort",
    "Romance",
    "Humor",
    "Slow Burn",
    "Friends to Lovers",
    "Found Family",
    "Smut",
    "Alternate Universe - Canon Divergence",
    "Alternate Universe - Modern Setting",
    "Established Relationship",
    "Angst with a Happy Ending",
    "Canon Compliant",
    "Pining",
    "Mutual Pining",
    "Enemies to Lovers",
    "Fluff and Angst",
    "Drabble",
    "Post-Canon",
)
_STOP = frozenset(_BUILTIN.split()[:60]) | set(
    "said which would could should there their about these those being other".split()
)


def _zipf(count: int, exponent: float) -> list[float]:
    """Cumulative Zipf weights for `count` ranked items, for random.choices(cum_weights=...)."""
    return list(itertools.accumulate(1.0 / (rank**exponent) for rank in range(1, count + 1)))


def _pick(rng: random.Random, items: Sequence[int], cum: Sequence[float], k: int) -> list[int]:
    """Up to k distinct items drawn by weight."""
    return list(dict.fromkeys(rng.choices(items, cum_weights=cum, k=k)))


# -- prose -----------------------------------------------------------------------------------


def _book_sentences(text_dir: Path) -> list[str]:
    """Sentences of 5-60 words from every plain-text book under text_dir (Gutenberg headers and
    licence cut off)."""
    sentences: list[str] = []
    for path in sorted(text_dir.rglob("*.txt")):
        if path.name.startswith("LICENSE"):
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        start = re.search(r"\*\*\* ?START OF.*?\*\*\*", text)
        end = re.search(r"\*\*\* ?END OF", text)
        body = text[start.end() if start else 0 : end.start() if end else len(text)]
        flat = " ".join(body.split())
        for sentence in re.split(r"(?<=[.!?])\s+(?=[A-Z\"“‘_])", flat):
            words = sentence.split()
            if 5 <= len(words) <= 60:
                sentences.append(sentence.replace("_", ""))
    return sentences


def _made_sentences(rng: random.Random, count: int) -> list[str]:
    """Sentences of Zipf-drawn words from the built-in list, when no books are given."""
    words = _BUILTIN.split()
    cum = _zipf(len(words), 1.0)
    made = []
    for _ in range(count):
        chosen = rng.choices(words, cum_weights=cum, k=rng.randint(5, 22))
        made.append(" ".join(chosen).capitalize() + rng.choice(".....!?"))
    return made


@dataclass
class Prose:
    """A pool of HTML-escaped sentences with their word counts, combined into chapter bodies."""

    sentences: list[str]
    counts: list[int] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.sentences = [html.escape(s, quote=False) for s in self.sentences]
        self.counts = [len(s.split()) for s in self.sentences]

    def body(self, rng: random.Random, words: int) -> tuple[str, int, list[int]]:
        """`<p>` paragraphs of about `words` words; their count and the sentences used."""
        paragraphs: list[str] = []
        used: list[int] = []
        total = 0
        while total < words:
            chosen = [rng.randrange(len(self.sentences)) for _ in range(rng.randint(2, 7))]
            paragraphs.append("<p>" + " ".join(self.sentences[i] for i in chosen) + "</p>")
            total += sum(self.counts[i] for i in chosen)
            used += chosen
        return "\n".join(paragraphs), total, used

    def sentences_per_work(self, words: int = 650) -> float:
        return words / (sum(self.counts) / len(self.counts))


def _tokens(sentence: str) -> list[str]:
    return re.findall(r"[a-z]+", html.unescape(sentence).lower())


def choose_terms(
    prose: Prose, phrase_share: float = 0.02, word_share: float = 0.05
) -> dict[str, str]:
    """A two-word phrase of content words found in about `phrase_share` of works, and a content
    word found in about `word_share` of them (estimated from the sentence pool)."""
    per_work = prose.sentences_per_work()
    words: Counter[str] = Counter()
    pairs: Counter[tuple[str, str]] = Counter()
    for sentence in prose.sentences:
        tokens = _tokens(sentence)
        words.update(set(tokens))
        pairs.update(set(itertools.pairwise(tokens)))

    def share(sentences_with: int) -> float:
        return float(1.0 - (1.0 - sentences_with / len(prose.sentences)) ** per_work)

    def content(word: str) -> bool:
        return len(word) >= 4 and word not in _STOP

    pair = min(
        (p for p in pairs if content(p[0]) and content(p[1]) and p[0] != p[1]),
        key=lambda p: (abs(share(pairs[p]) - phrase_share), p),
    )
    word = min(
        (w for w in words if content(w) and len(w) >= 5),
        key=lambda w: (abs(share(words[w]) - word_share), w),
    )
    return {"phrase": f"{pair[0]} {pair[1]}", "word": word}


# -- the dump --------------------------------------------------------------------------------


@dataclass
class DumpTag:
    id: int
    type: str  # as the dump spells it: Fandom, Character, ...
    name: str
    canonical: bool
    merger_id: int | None = None
    parents: list[int] = field(default_factory=list)
    characters: list[int] = field(default_factory=list)
    synonym: int | None = None  # the id of a synonym works sometimes use instead


@dataclass
class DumpWork:
    created: datetime
    language: str
    restricted: bool
    complete: bool
    word_count: int
    tags: list[int]


class _Names:
    """Tag names unique ignoring case, across all types, as the archive requires."""

    def __init__(self) -> None:
        self.taken: set[str] = set()

    def claim(self, *candidates: str) -> str:
        for name in candidates:
            if name.lower() not in self.taken:
                self.taken.add(name.lower())
                return name
        number = 2
        while f"{candidates[-1]} {number}".lower() in self.taken:
            number += 1
        return self.claim(f"{candidates[-1]} {number}")


class DumpMaker:
    """Invents an archive's tags and works in the dump's shape."""

    def __init__(self, works: int, rng: random.Random) -> None:
        self.rng = rng
        self.works = works
        self.tags: list[DumpTag] = []
        self.names = _Names()
        self.by_name: dict[str, int] = {}
        from_official = {
            "Rating": (
                "Not Rated",
                "General Audiences",
                "Teen And Up Audiences",
                "Mature",
                "Explicit",
            ),
            "ArchiveWarning": (
                "Creator Chose Not To Use Archive Warnings",
                "No Archive Warnings Apply",
                "Graphic Depictions Of Violence",
                "Major Character Death",
                "Rape/Non-Con",
                "Underage Sex",
            ),
            "Category": ("F/F", "F/M", "Gen", "M/M", "Multi", "Other"),
            "Media": ("TV Shows", "Anime & Manga", "Books & Literature", "Movies", "Video Games"),
        }
        for dump_type, names in from_official.items():
            for name in names:
                self.by_name[name] = self._add(dump_type, name, canonical=True).id
        self.fandoms: list[int] = []
        self.fandom_characters: dict[int, list[int]] = {}
        self.fandom_relationships: dict[int, list[int]] = {}
        self.freeforms: list[int] = []

    def _add(self, dump_type: str, name: str, *, canonical: bool, **extra: Any) -> DumpTag:
        tag = DumpTag(len(self.tags) + 1, dump_type, self.names.claim(name), canonical, **extra)
        self.tags.append(tag)
        return tag

    def _synonym(self, tag: DumpTag, name: str) -> None:
        """Makes a non-canonical synonym that some works carry instead of the canonical tag."""
        synonym = self._add(tag.type, name, canonical=False, merger_id=tag.id)
        tag.synonym = synonym.id

    def make_tags(self) -> None:
        rng = self.rng
        words = [w for w in _BUILTIN.split() if len(w) > 3]
        fandom_count = max(30, self.works // 20)
        fandom_cum = _zipf(fandom_count, 0.9)
        total = fandom_cum[-1]
        media = [self.by_name[n] for n in ("TV Shows", "Anime & Manga", "Books & Literature")]
        media += [self.by_name[n] for n in ("Movies", "Video Games")]
        for rank in range(fandom_count):
            base = " ".join(rng.choices(words, k=rng.randint(1, 3))).title()
            fandom = self._add(
                "Fandom",
                f"{base}{rng.choice(_FANDOM_SUFFIXES)}",
                canonical=True,
                parents=[rng.choice(media)],
            )
            self.fandoms.append(fandom.id)
            if rng.random() < 0.2:
                self._synonym(fandom, f"{base} (Fandom)")
            expected = self.works * (fandom_cum[rank] - (fandom_cum[rank - 1] if rank else 0))
            expected /= total
            self._fandom_people(fandom, int(expected))
        self._freeforms(max(200, self.works // 5))

    def _fandom_people(self, fandom: DumpTag, expected_works: int) -> None:
        rng = self.rng
        characters: list[DumpTag] = []
        for _ in range(min(300, max(3, expected_works // 12))):
            first, last = rng.choice(_FIRST), rng.choice(_LAST)
            character = self._add(
                "Character",
                f"{first} {last}",
                canonical=True,
                parents=[fandom.id],
            )
            characters.append(character)
            if rng.random() < 0.15:
                self._synonym(character, f"{first} ({fandom.name})")
        self.fandom_characters[fandom.id] = [c.id for c in characters]
        cum = _zipf(len(characters), 1.0)
        relationships: list[int] = []
        seen: set[tuple[int, int]] = set()
        for _ in range(min(500, max(2, expected_works // 8))):
            one, two = rng.choices(characters, cum_weights=cum, k=2)
            key = (min(one.id, two.id), max(one.id, two.id))
            if one.id == two.id or key in seen:
                continue
            seen.add(key)
            mark = "/" if rng.random() < 0.7 else " & "
            relationship = self._add(
                "Relationship",
                f"{one.name}{mark}{two.name}",
                canonical=True,
                parents=[fandom.id],
                characters=[one.id, two.id],
            )
            relationships.append(relationship.id)
            if rng.random() < 0.15:
                self._synonym(relationship, f"{two.name}{mark}{one.name}")
        self.fandom_relationships[fandom.id] = relationships

    def _freeforms(self, count: int) -> None:
        rng = self.rng
        words = [w for w in _BUILTIN.split() if len(w) > 3]
        for rank in range(count):
            if rank < len(_FREEFORM_HEAD):
                name = _FREEFORM_HEAD[rank]
            else:
                prefix = rng.choice(("", "", "Alternate Universe - ", "Mentions of ", "Lots of "))
                name = prefix + " ".join(rng.choices(words, k=rng.randint(1, 3))).capitalize()
            # AO3 wrangles the popular additional tags; most of the long tail stays unwrangled.
            tag = self._add("Freeform", name, canonical=rank < 3000)
            self.freeforms.append(tag.id)
            if rank < 3000 and rng.random() < 0.1:
                self._synonym(tag, f"{name} (synonym)")

    def make_works(self) -> list[DumpWork]:
        rng = self.rng
        by_id = {tag.id: tag for tag in self.tags}
        ratings = [self.by_name[n] for n in ("General Audiences", "Teen And Up Audiences")]
        ratings += [self.by_name[n] for n in ("Mature", "Explicit", "Not Rated")]
        rating_cum = list(itertools.accumulate((30, 32, 15, 13, 10)))
        warnings = [
            self.by_name[n]
            for n in (
                "No Archive Warnings Apply",
                "Creator Chose Not To Use Archive Warnings",
                "Graphic Depictions Of Violence",
                "Major Character Death",
                "Rape/Non-Con",
                "Underage Sex",
            )
        ]
        warning_cum = list(itertools.accumulate((45, 30, 12, 8, 3, 2)))
        categories = [self.by_name[n] for n in ("M/M", "F/M", "Gen", "F/F", "Multi", "Other")]
        category_cum = list(itertools.accumulate((40, 25, 20, 8, 4, 3)))
        fandom_cum = _zipf(len(self.fandoms), 0.9)
        freeform_cum = _zipf(len(self.freeforms), 0.7)
        start = datetime(2008, 11, 1, tzinfo=UTC)
        span = (datetime(2021, 2, 26, tzinfo=UTC) - start).total_seconds()

        def stand_in(tag_id: int) -> int:
            """A synonym now and then, as writers type their own spelling."""
            synonym = by_id[tag_id].synonym
            return synonym if synonym and rng.random() < 0.2 else tag_id

        works: list[DumpWork] = []
        for _ in range(self.works):
            tags = _pick(rng, ratings, rating_cum, 1)
            tags += _pick(rng, warnings, warning_cum, rng.choice((1, 1, 1, 2)))
            tags += _pick(rng, categories, category_cum, rng.choice((1, 1, 1, 2)))
            fandoms = _pick(rng, self.fandoms, fandom_cum, 2 if rng.random() < 0.15 else 1)
            for fandom in fandoms:
                tags.append(stand_in(fandom))
                characters = self.fandom_characters[fandom]
                tags += map(
                    stand_in,
                    _pick(rng, characters, _zipf(len(characters), 1.0), rng.randint(2, 8)),
                )
                relationships = self.fandom_relationships[fandom]
                if relationships:
                    picked = _pick(
                        rng,
                        relationships,
                        _zipf(len(relationships), 1.0),
                        rng.choice((0, 1, 1, 2, 3, 4)),
                    )
                    tags += map(stand_in, picked)
            tags += map(stand_in, _pick(rng, self.freeforms, freeform_cum, rng.randint(3, 16)))
            created = start + timedelta(seconds=span * rng.random() ** 0.5)
            works.append(
                DumpWork(
                    created=created,
                    language="en" if rng.random() < 0.9 else rng.choice(("es", "fr", "de", "zh")),
                    restricted=rng.random() < 0.05,
                    complete=rng.random() < 0.6,
                    word_count=rng.randint(300, 1000),
                    tags=list(dict.fromkeys(tags)),
                )
            )
        works.sort(key=lambda work: work.created)
        return works


def write_dump(folder: Path, works: int, seed: int) -> dict[str, Any]:
    """Writes works.csv, tags.csv and tag_parents.csv; returns what the queries need to know."""
    maker = DumpMaker(works, random.Random(seed))
    maker.make_tags()
    made = maker.make_works()
    counts: Counter[int] = Counter(tag for work in made for tag in work.tags)
    with (folder / "works.csv").open("w", newline="") as handle:
        out = csv.writer(handle)
        out.writerow(["creation date", "language", "restricted", "complete", "word_count", "tags"])
        for work in made:
            out.writerow(
                [
                    work.created.strftime("%Y-%m-%d %H:%M:%S"),
                    work.language,
                    str(work.restricted).lower(),
                    str(work.complete).lower(),
                    work.word_count,
                    "+".join(map(str, work.tags)),
                ]
            )
    with (folder / "tags.csv").open("w", newline="") as handle:
        out = csv.writer(handle)
        out.writerow(["id", "type", "name", "canonical", "cached_count", "merger_id"])
        for tag in maker.tags:
            merger = "" if tag.merger_id is None else tag.merger_id
            canonical = str(tag.canonical).lower()
            out.writerow([tag.id, tag.type, tag.name, canonical, counts[tag.id], merger])
    with (folder / "tag_parents.csv").open("w", newline="") as handle:
        out = csv.writer(handle)
        out.writerow(["id", "parent_id", "kind"])
        for tag in maker.tags:
            out.writerows([tag.id, parent, "parent"] for parent in tag.parents)
            out.writerows([tag.id, character, "character"] for character in tag.characters)
    return _query_tags(maker, counts)


def _query_tags(maker: DumpMaker, counts: Counter[int]) -> dict[str, Any]:
    """Dump ids of the tags the queries use: the biggest fandom, its most used character and
    relationship, the most used additional tags."""
    fandom = max(maker.fandoms, key=lambda t: counts[t])
    freeforms = sorted(maker.freeforms, key=lambda t: -counts[t])
    character = max(maker.fandom_characters[fandom], key=lambda t: counts[t])
    names = maker.by_name
    return {
        "fandom": fandom,
        "include": [character, names["Teen And Up Audiences"], freeforms[1]],
        "exclude": [
            names["Explicit"],
            names["Major Character Death"],
            names["Graphic Depictions Of Violence"],
            freeforms[0],
            freeforms[2],
        ],
        "mute": [
            names["Explicit"],
            names["Mature"],
            names["Major Character Death"],
            names["Graphic Depictions Of Violence"],
            names["Rape/Non-Con"],
            names["Underage Sex"],
            *freeforms[3:7],
        ],
        "tag_page": freeforms[0],
        "tag_counts": {str(t): counts[t] for t in [fandom, character, *freeforms[:7]]},
    }


# -- loading ---------------------------------------------------------------------------------


def setup_django(data: Path, database_url: str | None) -> None:
    os.environ["FICARCHIVE_DATA"] = str(data)
    os.environ.pop("DATABASE_URL", None)
    os.environ.pop("DEBUG", None)  # DEBUG keeps every query in memory
    if database_url:
        os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ficarchive.settings")
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)


def _rows(path: Path) -> Iterator[dict[str, str]]:
    with path.open(newline="") as handle:
        yield from csv.DictReader(handle)


def load_tags(folder: Path) -> dict[int, int]:
    """Creates the dump's tags (official ones exist already) with mergers, parents and a
    relationship's characters; returns dump id -> database id."""
    from ficarchive.tags.models import Tag

    rows = list(_rows(folder / "tags.csv"))
    existing = {name.lower(): pk for pk, name in Tag.objects.values_list("pk", "name")}
    ids: dict[int, int] = {}
    for pass_ in ("canonical", "synonym"):
        batch: list[tuple[int, Tag]] = []
        for row in rows:
            dump_id, merger = int(row["id"]), row["merger_id"]
            if row["type"] in OFFICIAL_TYPES:
                ids[dump_id] = existing[row["name"].lower()]
                continue
            if bool(merger) != (pass_ == "synonym"):
                continue
            tag = Tag(
                name=row["name"],
                type=DUMP_TYPES[row["type"]],
                canonical=row["canonical"] == "true",
                merger_id=ids[int(merger)] if merger else None,
            )
            batch.append((dump_id, tag))
        made = Tag.objects.bulk_create([tag for _, tag in batch], batch_size=2000)
        ids.update({dump_id: tag.pk for (dump_id, _), tag in zip(batch, made, strict=True)})
    parents, characters = [], []
    for row in _rows(folder / "tag_parents.csv"):
        child, parent = ids[int(row["id"])], ids[int(row["parent_id"])]
        if row["kind"] == "parent":
            parents.append(Tag.parents.through(from_tag_id=child, to_tag_id=parent))
        else:
            characters.append(Tag.characters.through(from_tag_id=child, to_tag_id=parent))
    Tag.parents.through.objects.bulk_create(parents, batch_size=5000)
    Tag.characters.through.objects.bulk_create(characters, batch_size=5000)
    return ids


def make_writers() -> list[int]:
    """A few thousand writers, one default pseud each, and the logged-in reader."""
    from ficarchive.accounts.models import Pseud, User

    users = []
    for number in range(WRITERS + 1):
        name = "reader" if number == WRITERS else f"writer_{number}"
        user = User(username=name, email=f"{name}@example.org")
        user.set_unusable_password()
        users.append(user)
    made = User.objects.bulk_create(users, batch_size=1000)
    pseuds = Pseud.objects.bulk_create(
        [Pseud(user=user, name=user.username, is_default=True) for user in made[:-1]],
        batch_size=1000,
    )
    return [pseud.pk for pseud in pseuds]


def _title(rng: random.Random, words: list[str]) -> str:
    return " ".join(rng.choices(words, k=rng.randint(1, 4))).title()


def load_works(folder: Path, tag_ids: dict[int, int], prose: Prose, seed: int) -> dict[str, Any]:
    """Works, creatorships, work tags and one chapter a work, in batches; returns counts."""
    from django.db import transaction

    from ficarchive.works.models import Chapter, Creatorship, Work

    pseuds = make_writers()
    pseud_cum = _zipf(len(pseuds), 0.8)  # a few prolific writers, many with one work
    title_words = [w for w in _BUILTIN.split() if len(w) > 3]
    work_tags = Work.tags.through
    stats = {"works": 0, "work_tags": 0, "words": 0}
    rows = _rows(folder / "works.csv")
    while batch := list(itertools.islice(rows, LOAD_BATCH)):
        works, chapters, tags, writers = [], [], [], []
        for row in batch:
            number = stats["works"] = stats["works"] + 1
            rng = random.Random(seed * 1_000_003 + number)
            body, words, _ = prose.body(rng, int(row["word_count"]))
            when = datetime.strptime(row["creation date"], "%Y-%m-%d %H:%M:%S").replace(tzinfo=UTC)
            complete = row["complete"] == "true"
            works.append(
                Work(
                    title=_title(rng, title_words),
                    summary=f"<p>{prose.sentences[rng.randrange(len(prose.sentences))]}</p>",
                    language=row["language"],
                    restricted=row["restricted"] == "true",
                    complete=complete,
                    expected_chapters=1 if complete else None,
                    posted=True,
                    published_at=when,
                    updated_at=when,
                    word_count=words,
                    chapter_count=1,
                )
            )
            chapters.append(Chapter(position=1, body=body, word_count=words, published_at=when))
            tags.append([tag_ids[int(t)] for t in row["tags"].split("+")])
            writers.append(rng.choices(pseuds, cum_weights=pseud_cum, k=1)[0])
            stats["words"] += words
        with transaction.atomic():
            made = Work.objects.bulk_create(works)
            for work, chapter in zip(made, chapters, strict=True):
                chapter.work_id = work.pk
            Chapter.objects.bulk_create(chapters, batch_size=500)
            Creatorship.objects.bulk_create(
                [
                    Creatorship(work_id=work.pk, pseud_id=pseud)
                    for work, pseud in zip(made, writers, strict=True)
                ]
            )
            through = [
                work_tags(work_id=work.pk, tag_id=tag)
                for work, its_tags in zip(made, tags, strict=True)
                for tag in its_tags
            ]
            work_tags.objects.bulk_create(through, batch_size=5000)
            stats["work_tags"] += len(through)
    return stats


def refilter_all() -> dict[str, Any]:
    """The filter table for every work, REFILTER_BATCH works per call (a transaction each)."""
    from ficarchive.tags.filters import refilter_works
    from ficarchive.tags.models import FilterTagging
    from ficarchive.works.models import Work

    ids = list(Work.objects.order_by("pk").values_list("pk", flat=True))
    started = time.perf_counter()
    for start in range(0, len(ids), REFILTER_BATCH):
        refilter_works(ids[start : start + REFILTER_BATCH])
    seconds = time.perf_counter() - started
    rows = FilterTagging.objects.count()
    return {
        "seconds": round(seconds, 2),
        "rows": rows,
        "works_per_s": round(len(ids) / seconds),
        "rows_per_s": round(rows / seconds),
    }


def _documents(ids: list[int]) -> list[Any]:
    """What `services.document` builds, for a batch of works in five queries."""
    from ficarchive.search.backends import Document
    from ficarchive.texts.structure import html_to_text
    from ficarchive.works.models import Chapter, Creatorship, Work

    tags: dict[int, list[str]] = {}
    for work_id, name in Work.tags.through.objects.filter(work_id__in=ids).values_list(
        "work_id", "tag__name"
    ):
        tags.setdefault(work_id, []).append(name)
    creators: dict[int, list[str]] = {}
    for work_id, name in Creatorship.objects.filter(work_id__in=ids).values_list(
        "work_id", "pseud__name"
    ):
        creators.setdefault(work_id, []).append(name)
    chapters: dict[int, list[tuple[str, str]]] = {}
    for work_id, notes, body in (
        Chapter.objects.filter(work_id__in=ids)
        .order_by("work_id", "position")
        .values_list("work_id", "notes", "body")
    ):
        chapters.setdefault(work_id, []).append((notes, body))
    documents = []
    for work in Work.objects.filter(pk__in=ids).only(
        "pk", "title", "summary", "notes", "end_notes"
    ):
        its = chapters.get(work.pk, [])
        notes = "\n".join([work.notes, work.end_notes, *(n for n, _ in its)])
        documents.append(
            Document(
                work_id=work.pk,
                title=work.title,
                tags=" ; ".join(tags.get(work.pk, [])),
                summary=html_to_text(work.summary),
                notes=html_to_text(notes),
                creators=" ; ".join(creators.get(work.pk, [])),
                text="\n\n".join(html_to_text(body) for _, body in its),
            )
        )
    return documents


def index_all(sample: int) -> dict[str, Any]:
    """`index_work` for the first `sample` works, then the rest through the backend in bulk."""
    from django.db import transaction
    from django.db.models import Sum

    from ficarchive.search import services
    from ficarchive.search.backends import backend
    from ficarchive.works.models import Work

    ids = list(Work.objects.order_by("pk").values_list("pk", flat=True))
    sampled, rest = ids[:sample], ids[sample:]

    def words(some: list[int]) -> int:
        total = 0
        for start in range(0, len(some), 5000):
            chunk = some[start : start + 5000]
            total += Work.objects.filter(pk__in=chunk).aggregate(n=Sum("word_count"))["n"] or 0
        return total

    started = time.perf_counter()
    with transaction.atomic():
        for work_id in sampled:
            services.index_work(work_id)
    one_by_one = time.perf_counter() - started
    started = time.perf_counter()
    for start in range(0, len(rest), INDEX_BATCH):
        documents = _documents(rest[start : start + INDEX_BATCH])
        with transaction.atomic():
            for document in documents:
                backend().index(document)
    bulk = time.perf_counter() - started
    sample_words, rest_words = words(sampled), words(rest)
    return {
        "index_work": {
            "works": len(sampled),
            "seconds": round(one_by_one, 2),
            "works_per_s": round(len(sampled) / one_by_one) if sampled else None,
            "words_per_s": round(sample_words / one_by_one) if sampled else None,
        },
        "bulk_backend": {
            "works": len(rest),
            "seconds": round(bulk, 2),
            "works_per_s": round(len(rest) / bulk) if rest else None,
            "words_per_s": round(rest_words / bulk) if rest else None,
        },
    }


# -- queries ---------------------------------------------------------------------------------


@dataclass
class QuerySpec:
    key: str
    label: str
    kind: str  # "filter" or "text": which target applies
    run: Callable[[Any], int]  # materialises the page (and facets); returns the match count


def _search_page(
    user: Any, text: str, *, sort: str, include: list[int], exclude: list[int], facets: bool
) -> int:
    """What the search page reads: the first page of blurbs, the match count, facet counts."""
    from django.core.paginator import Paginator

    from ficarchive.search import services
    from ficarchive.search.paging import Matches

    results = services.search(user, text, sort=sort, include=include, exclude=exclude)
    matches = Matches(results.works)
    page = Paginator(matches, PAGE).get_page(1)
    for work in page.object_list:
        work.sorted_tags, work.creators  # noqa: B018 - reads the prefetched blurb data
    if facets:
        chosen = [*include, *exclude]
        services.facets(matches.facet_source, per_page=services.FACET_PAGE_SIZE, leave_out=chosen)
    return page.paginator.count


def _tag_page(user: Any, name: str, params: dict[str, Any], *, first: bool) -> int:
    """What `/tags/<name>/works` reads with the Sort and Filter form's `params` (none for the
    plain tag page): the tag, then a page of its works that pass the filter with their number,
    and the form's tag counts over all of them (`search.filters.apply`). The counts of a list
    of 2,000 works or more are kept a minute: `first` times the page as its first reader in
    that minute sees it (the counts worked out), else as the next ones do."""
    from django.core.cache import cache

    from ficarchive.search import filters
    from ficarchive.tags.models import Tag

    if first:
        cache.clear()
    tag = Tag.objects.select_related("merger").get(name__iexact=name)
    work_filter = filters.read_filter(params, default_sort="updated")
    listing = filters.apply(user, work_filter, page_number="1", tag=tag)
    assert listing.page is not None
    for work in listing.page.object_list:
        work.sorted_tags, work.creators  # noqa: B018 - reads the prefetched blurb data
    return listing.page.paginator.count


def _tag_form(chosen: dict[str, Any], tag_ids: dict[int, int]) -> dict[str, Any]:
    """The Sort and Filter form on the tag page: 3 included tags, 5 excluded ones, a word
    count range, sorted by kudos (issue 18)."""
    from ficarchive.tags.models import Tag

    def named(name: str) -> int:
        return Tag.objects.get(name=name).pk

    return {
        "include": [
            named("Teen And Up Audiences"),
            named("No Archive Warnings Apply"),
            named("M/M"),
        ],
        "exclude": [
            named("Major Character Death"),
            named("Graphic Depictions Of Violence"),
            named("Underage Sex"),
            tag_ids[chosen["exclude"][4]],  # the third most used additional tag
            tag_ids[chosen["mute"][6]],  # the fourth
        ],
        "words_from": "500",
        "words_to": "900",
        "sort": "kudos",
    }


def query_specs(
    chosen: dict[str, Any], tag_ids: dict[int, int], terms: dict[str, str]
) -> list[QuerySpec]:
    from ficarchive.tags.models import Tag

    fandom = tag_ids[chosen["fandom"]]
    include = [fandom, *(tag_ids[t] for t in chosen["include"])]
    exclude = [tag_ids[t] for t in chosen["exclude"]]
    mute = [tag_ids[t] for t in chosen["mute"]]
    tag_name = Tag.objects.get(pk=tag_ids[chosen["tag_page"]]).name
    phrase, word = f'"{terms["phrase"]}"', terms["word"]
    form = _tag_form(chosen, tag_ids)
    return [
        QuerySpec(
            "filtered",
            "biggest fandom +3 included -5 excluded, facets",
            "filter",
            lambda u: _search_page(
                u, "", sort="best", include=include, exclude=exclude, facets=True
            ),
        ),
        QuerySpec(
            "phrase",
            f"phrase {phrase} over story text",
            "text",
            lambda u: _search_page(u, phrase, sort="best", include=[], exclude=[], facets=False),
        ),
        QuerySpec(
            "muted",
            "biggest fandom, 10 muted tags, facets",
            "filter",
            lambda u: _search_page(u, "", sort="best", include=[fandom], exclude=mute, facets=True),
        ),
        QuerySpec(
            "word",
            f"word {word!r}, best match",
            "text",
            lambda u: _search_page(u, word, sort="best", include=[], exclude=[], facets=False),
        ),
        QuerySpec(
            "tag_page",
            f"tag page {tag_name!r}, newest first, the form's tag counts kept",
            "filter",
            lambda u: _tag_page(u, tag_name, {}, first=False),
        ),
        QuerySpec(
            "tag_first",
            f"tag page {tag_name!r}, newest first, the form's tag counts worked out",
            "filter",
            lambda u: _tag_page(u, tag_name, {}, first=True),
        ),
        QuerySpec(
            "tag_form",
            f"tag page {tag_name!r}, Sort and Filter: +3 -5, words 500-900, by kudos",
            "filter",
            lambda u: _tag_page(u, tag_name, form, first=True),
        ),
    ]


def _percentile(values: list[float], share: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, int(-(-share * len(ordered) // 1)) - 1))]


def time_queries(
    specs: list[QuerySpec], readers: dict[str, Any], runs: int
) -> list[dict[str, Any]]:
    from django.db import reset_queries

    timings = []
    for spec in specs:
        for reader, user in readers.items():
            matches = spec.run(user)  # warm: caches, the page cache of the database
            times = []
            for _ in range(runs):
                started = time.perf_counter()
                spec.run(user)
                times.append((time.perf_counter() - started) * 1000)
                reset_queries()
            target = FILTER_TARGET_MS if spec.kind == "filter" else TEXT_TARGET_MS
            p95 = _percentile(times, 0.95)
            timings.append(
                {
                    "query": spec.key,
                    "label": spec.label,
                    "reader": reader,
                    "matches": matches,
                    "p50_ms": round(_percentile(times, 0.5), 1),
                    "p95_ms": round(p95, 1),
                    "max_ms": round(max(times), 1),
                    "target_ms": target,
                    "pass": p95 <= target,
                }
            )
            row = timings[-1]
            print(
                f"  {spec.key:9} {reader:10} {matches:7} matches  p50 {row['p50_ms']:7.1f}  "
                f"p95 {row['p95_ms']:7.1f}  max {row['max_ms']:7.1f} ms  "
                f"{'PASS' if row['pass'] else 'FAIL'} (<= {target:.0f})",
                flush=True,
            )
    return timings


def explain(specs: list[QuerySpec], user: Any) -> dict[str, Any]:
    """The slowest SQL statement of each query, its time and the database's plan for it."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    plans: dict[str, Any] = {}
    for spec in specs:
        with CaptureQueriesContext(connection) as captured:
            spec.run(user)
        statements = sorted(captured.captured_queries, key=lambda q: -float(q["time"]))
        slowest = statements[0]
        prefix = "EXPLAIN QUERY PLAN " if connection.vendor == "sqlite" else "EXPLAIN ANALYZE "
        with connection.cursor() as cursor:
            cursor.execute(prefix + slowest["sql"])
            plan = [" ".join(str(c) for c in row) for row in cursor.fetchall()]
        plans[spec.key] = {
            "statements": [
                {"ms": round(float(q["time"]) * 1000, 1), "sql": q["sql"][:300]} for q in statements
            ],
            "slowest_sql": slowest["sql"],
            "plan": plan,
        }
        print(f"\n-- {spec.key}: slowest of {len(statements)} statements")
        for statement in plans[spec.key]["statements"][:4]:
            print(f"   {statement['ms']:7.1f} ms  {statement['sql'][:160]}")
        print("   plan of the slowest:")
        for line in plan[:30]:
            print(f"     {line}")
    return plans


# -- one database, in its own process --------------------------------------------------------


def worker(args: argparse.Namespace) -> None:
    """Loads the dump into a fresh archive and times the queries; writes JSON to --result."""
    folder = Path(args.dump)
    setup_django(folder / _data_name(args.worker_url), args.worker_url or None)
    from django.contrib.auth.models import AnonymousUser
    from django.db import connection

    from ficarchive.accounts.models import User
    from ficarchive.server.warm import settle

    info = json.loads((folder / "dump.json").read_text())
    vendor = connection.vendor
    result: dict[str, Any] = {"database": vendor}
    with connection.cursor() as cursor:
        cursor.execute("SELECT sqlite_version()" if vendor == "sqlite" else "SHOW server_version")
        result["database_version"] = cursor.fetchone()[0]
    if args.reuse:
        print(f"\n== {vendor}: the kept archive in {folder}", flush=True)
        tag_ids = kept_tag_ids(folder)
    else:
        tag_ids = load_all(args, folder, result)
    specs = query_specs(info["query_tags"], {int(k): v for k, v in tag_ids.items()}, info["terms"])
    readers: dict[str, User | AnonymousUser] = {
        "logged-out": AnonymousUser(),
        "logged-in": User.objects.get(username="reader"),
    }
    # What `ficarchive serve` does once the app is loaded (ficarchive/server/warm.py).
    settle()
    print(f"\n   {args.runs} runs each, after one untimed run:", flush=True)
    result["queries"] = time_queries(specs, readers, args.runs)
    result["size_mb"] = _database_size(vendor)
    if args.explain:
        result["explain"] = explain(specs, readers["logged-out"])
    Path(args.result).write_text(json.dumps(result, indent=2, default=str))


def load_all(args: argparse.Namespace, folder: Path, result: dict[str, Any]) -> dict[int, int]:
    """Loads the dump, fills the filter table and the full-text index, timing each step into
    `result`; returns dump tag id -> database id."""
    from django.db import connection

    print(f"\n== {connection.vendor}: loading {args.works:,} works", flush=True)
    prose = Prose(_sentences(args))
    started = time.perf_counter()
    tag_ids = load_tags(folder)
    stats = load_works(folder, tag_ids, prose, args.seed)
    result["load"] = {
        **stats,
        "tags": len(tag_ids),
        "seconds": round(time.perf_counter() - started, 2),
    }
    print(f"   loaded {stats} in {result['load']['seconds']} s", flush=True)
    analyze()
    result["refilter"] = refilter_all()
    print(f"   filter table: {result['refilter']}", flush=True)
    result["index"] = index_all(min(2000, max(1, args.works // 20)))
    print(f"   full-text index: {result['index']}", flush=True)
    analyze()
    return tag_ids


def kept_tag_ids(folder: Path) -> dict[int, int]:
    """Dump tag id -> database id of an archive loaded by an earlier run (tag names are unique
    ignoring case)."""
    from ficarchive.tags.models import Tag

    by_name = {name.lower(): pk for pk, name in Tag.objects.values_list("pk", "name")}
    return {int(row["id"]): by_name[row["name"].lower()] for row in _rows(folder / "tags.csv")}


def analyze() -> None:
    """Statistics for the planner after a bulk load. PostgreSQL's autovacuum gathers them soon
    after one, but until then it plans for near-empty tables (`index_work` ran at 21 works/s in
    a run without this); a SQLite archive has them only from ANALYZE or `PRAGMA optimize`."""
    from django.db import connection

    with connection.cursor() as cursor:
        # VACUUM on PostgreSQL too: it sets the visibility map, without which an index-only
        # scan of the filter table reads the table's rows as well, as a settled archive's does
        # not (autovacuum sets it a while after a bulk load).
        cursor.execute("ANALYZE" if connection.vendor == "sqlite" else "VACUUM ANALYZE")


def _database_size(vendor: str) -> float:
    from django.db import connection

    with connection.cursor() as cursor:
        if vendor == "sqlite":
            cursor.execute("SELECT page_count * page_size FROM pragma_page_count, pragma_page_size")
        else:
            cursor.execute("SELECT pg_database_size(current_database())")
        return float(round(cursor.fetchone()[0] / 2**20, 1))


def _sentences(args: argparse.Namespace) -> list[str]:
    if args.text_dir:
        found = _book_sentences(Path(args.text_dir))
        if found:
            return found
        raise SystemExit(f"no sentences found in {args.text_dir}")
    return _made_sentences(random.Random(args.seed), 20000)


# -- the driver ------------------------------------------------------------------------------


def machine() -> dict[str, Any]:
    cpu = "unknown"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    ram_gb = 0.0
    with contextlib.suppress(OSError, ValueError, IndexError):
        meminfo = Path("/proc/meminfo").read_text().splitlines()
        ram_gb = round(int(meminfo[0].split()[1]) / 2**20, 1)
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "ram_gb": ram_gb,
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "load_average": os.getloadavg(),
    }


def _scratch_url(url: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{SCRATCH_DB}"))


def _admin(url: str, statement: str) -> None:
    import psycopg

    parts = urlsplit(url)
    with psycopg.connect(
        dbname=parts.path.lstrip("/") or "postgres",
        user=parts.username or "postgres",
        password=parts.password or None,
        host=parts.hostname or "127.0.0.1",
        port=parts.port or 5432,
        autocommit=True,
    ) as admin:
        admin.execute(statement.encode())  # a fixed statement of ours, no parameters


def _data_name(url: str | None) -> str:
    """Each database's own data folder, so --keep-data keeps the SQLite file after --both."""
    return "data-postgresql" if url else "data-sqlite"


def run_database(args: argparse.Namespace, folder: Path, url: str | None) -> dict[str, Any]:
    """Runs one database's load and queries in a child process; PostgreSQL in a scratch
    database that is dropped afterwards."""
    result_file = folder / f"result-{'postgresql' if url else 'sqlite'}.json"
    data = folder / _data_name(url)
    if not args.reuse:
        if data.exists():
            shutil.rmtree(data)
        data.mkdir()
    command = [sys.executable, __file__, "--worker-dump", str(folder), "--result", str(result_file)]
    command += ["--works", str(args.works), "--runs", str(args.runs), "--seed", str(args.seed)]
    command += ["--text-dir", args.text_dir] if args.text_dir else []
    command += ["--explain"] if args.explain else []
    command += ["--reuse", args.reuse] if args.reuse else []
    if url:
        if not args.reuse:
            _admin(url, f"DROP DATABASE IF EXISTS {SCRATCH_DB} WITH (FORCE)")
            _admin(url, f"CREATE DATABASE {SCRATCH_DB}")
        command += ["--worker-url", _scratch_url(url)]
    try:
        subprocess.run(command, check=True)
    finally:
        if url and not args.keep_data and not args.reuse:
            _admin(url, f"DROP DATABASE IF EXISTS {SCRATCH_DB} WITH (FORCE)")
    result: dict[str, Any] = json.loads(result_file.read_text())
    return result


def summary(results: list[dict[str, Any]]) -> bool:
    print("\n== summary (ms; targets: p95 <= 150 filtered listings, <= 300 full text)")
    print(f"{'database':11}{'query':10}{'reader':11}{'matches':>8}{'p50':>8}{'p95':>8}{'max':>8}")
    passed = True
    for result in results:
        for row in result["queries"]:
            verdict = "PASS" if row["pass"] else "FAIL"
            passed &= row["pass"]
            print(
                f"{result['database']:11}{row['query']:10}{row['reader']:11}{row['matches']:8}"
                f"{row['p50_ms']:8.1f}{row['p95_ms']:8.1f}{row['max_ms']:8.1f}  {verdict}"
            )
    print("\nall targets met" if passed else "\nsome targets missed (FAIL above)")
    return passed


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--works", type=int, default=100_000, help="works to generate")
    parser.add_argument("--database-url", help="PostgreSQL server to use (a scratch database)")
    parser.add_argument(
        "--both", action="store_true", help=f"SQLite, then PostgreSQL (default {DEFAULT_PG})"
    )
    parser.add_argument("--runs", type=int, default=20, help="timed runs per query and reader")
    parser.add_argument("--text-dir", help="folder of plain-text books for the story text")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--explain", action="store_true", help="print each query's plan")
    parser.add_argument(
        "--keep-data",
        action="store_true",
        help="keep the temporary folder and the scratch database",
    )
    parser.add_argument(
        "--reuse",
        metavar="DIR",
        help="time the queries again on a folder (and scratch database) kept by --keep-data",
    )
    parser.add_argument("--out", help="JSON file (default bench/out/search-<timestamp>.json)")
    parser.add_argument("--worker-dump", help=argparse.SUPPRESS)
    parser.add_argument("--worker-url", help=argparse.SUPPRESS)
    parser.add_argument("--result", help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    if args.worker_dump:
        args.dump = args.worker_dump
        worker(args)
        return 0
    info = machine()
    print(
        f"machine: {info['cpu']}, {info['cores']} cores, {info['ram_gb']} GiB; Python "
        f"{info['python']}, SQLite {info['sqlite']}; load average {info['load_average']}"
    )
    if args.reuse:
        folder = Path(args.reuse)
        kept = json.loads((folder / "dump.json").read_text())
        query_tags, terms, dump_seconds = kept["query_tags"], kept["terms"], 0.0
    else:
        folder = Path(tempfile.mkdtemp(prefix="ficarchive-search-bench-"))
    try:
        if not args.reuse:
            started = time.perf_counter()
            query_tags = write_dump(folder, args.works, args.seed)
            terms = choose_terms(Prose(_sentences(args)))
            dump = {"query_tags": query_tags, "terms": terms}
            (folder / "dump.json").write_text(json.dumps(dump))
            dump_seconds = round(time.perf_counter() - started, 2)
            print(f"dump of {args.works:,} works written to {folder} in {dump_seconds} s; {terms}")
        urls: list[str | None] = (
            [None, args.database_url or DEFAULT_PG] if args.both else [args.database_url]
        )
        results = [run_database(args, folder, url) for url in urls]
    finally:
        if args.keep_data or args.reuse:
            print(f"kept {folder}")
        else:
            shutil.rmtree(folder, ignore_errors=True)
    passed = summary(results)
    info["load_average_after"] = os.getloadavg()
    out = Path(args.out) if args.out else OUT / f"search-{time.strftime('%Y%m%d-%H%M%S')}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    settings = {k: v for k, v in vars(args).items() if not k.startswith(("worker", "result"))}
    report = {"machine": info, "settings": settings, "dump_seconds": dump_seconds, "terms": terms}
    report |= {"query_tags": query_tags, "results": results, "passed": passed}
    out.write_text(json.dumps(report, indent=2, default=str))
    print(f"wrote {out}")
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
