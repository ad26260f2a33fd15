"""Fill an empty, migrated archive with realistic data, fast, for the load benchmark.

    python bench/generate.py [--works 10000] [--big-work-chapters 20] [--seed 1] [--json]

Writes with bulk_create in one transaction (the posting services run sanitizers and one query
per tag, far too slow for ten thousand works) and sets every denormalised field the services
would: word and chapter counts, publication and update dates, completion. Makes:

- 500 users (unusable passwords; Argon2 ten thousand times would take minutes), each with a
  default pseud named like the account, and a second pseud for one user in ten;
- `works` posted works spread over them, each with 1 to 3 chapters of a few hundred words of
  generated prose as `<p>` paragraphs, typed tags (official ratings, warnings and categories
  plus invented fandoms, relationships, characters and additional tags), one in ten restricted,
  some in series, some co-created, a few in other languages;
- one draft per hundred works;
- one posted, unrestricted, General Audiences work of `big_work_chapters` chapters of 2,000 to
  3,000 words each: the work page the benchmark reads. `generate` returns its id;
- the filter rows of every work (`tags.filters`), which the tag pages list works by.

`--reader` also makes the signed-in reader of the benchmarks (`signed_in_reader`): history on,
kudos left on the big work, a bookmark of it and a subscription to it, a muted additional tag and
a muted user; and a session for them, whose cookie the JSON line carries (`reader_cookie`), with
the address of the busiest fandom's tag page (`tag_path`).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ficarchive.accounts.models import Pseud
    from ficarchive.works.models import Work

USERS = 500
BATCH = 1000  # works written per round of bulk inserts

# -- prose -----------------------------------------------------------------------------------


def _split(text: str) -> tuple[str, ...]:
    return tuple(text.split())


_NAMES = _split(
    "Ada Marlowe Iris Fenwick Tobias Quill Mira Solberg Jonah Vance Elena Rask Caspian Holt "
    "Wren Adair Soren Blackwood Imogen Vale Felix Orme Nadia Corvin Theo Ashgrove Lark Winslow "
    "Rosalind Pike Dorian Ferris Hazel Kestrel Ezra Lindqvist Maren Thorne Silas Grey Juniper Oakes"
)
_SUBJECTS = ("she", "he", "they", "the captain", "the stranger", "her brother", "the old man")
_VERBS = _split(
    "watched looked turned whispered waited reached laughed walked remembered listened "
    "wondered pulled followed noticed carried opened closed held answered crossed touched "
    "lingered hesitated breathed smiled frowned sighed"
)
_WORDS = _split(
    "the a an of to in on at by with from over under through across behind beyond before after "
    "and but or so yet because while when though until since as if then still almost only "
    "light dark rain wind river road city harbor window door room hallway staircase garden "
    "letter map lantern ship tower bridge market station library kitchen fire smoke ash snow "
    "morning evening night silence voice hand shoulder face eyes breath heart memory promise "
    "quiet bright cold warm heavy soft sharp slow careful tired familiar strange distant small "
    "old new empty golden broken hollow steady gentle restless endless sudden faint bitter "
    "something nothing everything somewhere again always never already perhaps slowly softly "
    "finally quietly suddenly carefully nearly barely long last first whole other same own"
)
_CONTENT = _WORDS[_WORDS.index("light") :]  # nouns, adjectives, adverbs: for titles
_SAID = ("she said", "he said", "they said", "she whispered", "he muttered", "someone called")


def _sentence(rng: random.Random) -> str:
    """One sentence of plausible-looking prose (sanitized HTML, so safe to store as it is)."""
    roll = rng.random()
    if roll < 0.2:
        words = rng.choices(_WORDS, k=rng.randint(3, 10))
        line = " ".join(words).capitalize()
        return f"“{line}{rng.choice(('?', '!', ',', '.'))}” {rng.choice(_SAID)}."
    subject = rng.choice(_NAMES) if roll < 0.6 else rng.choice(_SUBJECTS)
    words = rng.choices(_WORDS, k=rng.randint(4, 20))
    if len(words) > 8 and rng.random() < 0.5:
        words[rng.randrange(3, len(words) - 2)] += ","
    if rng.random() < 0.08:
        position = rng.randrange(len(words))
        words[position] = f"<em>{words[position]}</em>"
    text = f"{subject} {rng.choice(_VERBS)} {' '.join(words)}"
    return text[0].upper() + text[1:] + rng.choice((".", ".", ".", ".", "!", "?", "…"))


@dataclass
class Prose:
    """A pool of sentences with their AO3 word counts, combined into chapter bodies."""

    rng: random.Random
    pool_size: int = 4000
    sentences: list[tuple[str, int]] = field(default_factory=list)

    def __post_init__(self) -> None:
        from ficarchive.texts.counting import count_words

        for _ in range(self.pool_size):
            text = _sentence(self.rng)
            self.sentences.append((text, count_words(text)))

    def body(self, words: int) -> tuple[str, int]:
        """About `words` words as `<p>` paragraphs, and their exact count as AO3 counts."""
        paragraphs: list[str] = []
        total = 0
        while total < words:
            chosen = self.rng.choices(self.sentences, k=self.rng.randint(2, 7))
            paragraphs.append("<p>" + " ".join(text for text, _ in chosen) + "</p>")
            total += sum(count for _, count in chosen)
        return "\n".join(paragraphs), total

    def line(self, words: int) -> str:
        text, _ = self.body(words)
        return text.split("\n", 1)[0]


def _title(rng: random.Random) -> str:
    words = rng.choices(_CONTENT, k=rng.randint(1, 4))
    shapes = (
        " ".join(words).title(),
        f"The {' '.join(words).title()}",
        f"{rng.choice(_NAMES)} and the {rng.choice(_CONTENT).title()}",
        f"What the {rng.choice(_CONTENT).title()} Remembers",
    )
    return rng.choice(shapes)


# -- tags ------------------------------------------------------------------------------------

_FANDOM_SUFFIXES = (" (TV)", " (Video Game)", " - All Media Types", " (Anime)", " (Books)", "")
_FREEFORMS = (
    "Angst",
    "Fluff",
    "Hurt/Comfort",
    "Slow Burn",
    "Found Family",
    "Friends to Lovers",
    "Enemies to Lovers",
    "Canon Divergence",
    "Post-Canon",
    "Pre-Canon",
    "Missing Scene",
    "Character Study",
    "Established Relationship",
    "Pining",
    "Mutual Pining",
    "Happy Ending",
    "Open Ending",
    "Whump",
    "Domestic Fluff",
    "Road Trips",
    "Time Travel",
    "Fix-It",
    "Banter",
    "Humor",
    "Drama",
    "Mystery",
    "Minor Character Death",
    "Nightmares",
    "Alternate Universe - Modern Setting",
    "Alternate Universe - Coffee Shops & Cafés",
    "Alternate Universe - College/University",
    "Alternate Universe - Fantasy",
    "Alternate Universe - Soulmates",
    "Alternate Universe - Space",
    "POV Outsider",
    "Epistolary",
    "Fake Dating",
    "Secret Identity",
    "Hand Holding",
    "Holidays",
)


@dataclass
class TagSet:
    """Invented tags, by type, and which characters and relationships belong to which fandom."""

    fandoms: list[str] = field(default_factory=list)
    characters: dict[str, list[str]] = field(default_factory=dict)
    relationships: dict[str, list[str]] = field(default_factory=dict)
    freeforms: list[str] = field(default_factory=list)

    def by_type(self) -> Iterator[tuple[str, str]]:
        for name in self.fandoms:
            yield "fandom", name
        for names in self.characters.values():
            for name in names:
                yield "character", name
        for names in self.relationships.values():
            for name in names:
                yield "relationship", name
        for name in self.freeforms:
            yield "freeform", name


def _invent_tags(rng: random.Random, taken: set[str]) -> TagSet:
    """Tag names unique ignoring case, across types and against the official tags in `taken`."""
    tags = TagSet()

    def unique(name: str) -> bool:
        if name.lower() in taken:
            return False
        taken.add(name.lower())
        return True

    while len(tags.fandoms) < 40:
        base = " ".join(rng.choices(_CONTENT, k=rng.randint(1, 3))).title()
        name = f"{rng.choice(('The ', ''))}{base}{rng.choice(_FANDOM_SUFFIXES)}"
        if unique(name):
            tags.fandoms.append(name)
    first_names = _NAMES[0::2]
    last_names = _NAMES[1::2]
    for fandom in tags.fandoms:
        characters: list[str] = []
        while len(characters) < 12:
            name = f"{rng.choice(first_names)} {rng.choice(last_names)}"
            if rng.random() < 0.3:
                name += f" {rng.choice(('the Younger', 'II', 'of the North', 'Jr.'))}"
            if unique(name):
                characters.append(name)
        tags.characters[fandom] = characters
        pairs: list[str] = []
        for _ in range(15):
            one, two = rng.sample(characters, 2)
            name = f"{one}{rng.choice(('/', '/', ' & '))}{two}"
            if unique(name):
                pairs.append(name)
        tags.relationships[fandom] = pairs
    for name in _FREEFORMS:
        if unique(name):
            tags.freeforms.append(name)
    while len(tags.freeforms) < 400:
        words = rng.choices(_CONTENT, k=rng.randint(1, 3))
        name = (
            rng.choice(("", "Not Beta Read - ", "Mentions of ", "Lots of "))
            + " ".join(words).capitalize()
        )
        if unique(name):
            tags.freeforms.append(name)
    return tags


# -- the archive -----------------------------------------------------------------------------

_RATING_WEIGHTS = {
    "General Audiences": 30,
    "Teen And Up Audiences": 32,
    "Mature": 15,
    "Explicit": 13,
    "Not Rated": 10,
}
_OTHER_LANGUAGES = ("de", "es", "fr", "it", "pt-BR", "ru", "zh", "ja")


def _ensure_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ficarchive.settings")
    from django.apps import apps

    if not apps.ready:
        import django

        django.setup()


@dataclass
class _Context:
    rng: random.Random
    prose: Prose
    now: datetime
    tag_ids: dict[str, int]
    tags: TagSet
    pseuds: list[Pseud]
    extra_pseuds: dict[int, Pseud]


def _tag_ids_for(ctx: _Context, rating: str | None = None) -> list[int]:
    rng = ctx.rng
    rating = rating or rng.choices(list(_RATING_WEIGHTS), weights=list(_RATING_WEIGHTS.values()))[0]
    names = [rating]
    roll = rng.random()
    if roll < 0.45:
        names.append("No Archive Warnings Apply")
    elif roll < 0.8:
        names.append("Creator Chose Not To Use Archive Warnings")
    else:
        names += rng.sample(
            ["Graphic Depictions Of Violence", "Major Character Death", "Rape/Non-Con"],
            rng.randint(1, 2),
        )
    names += rng.sample(["F/F", "F/M", "Gen", "M/M", "Multi", "Other"], rng.choice((1, 1, 1, 2)))
    fandoms = rng.sample(ctx.tags.fandoms, 2 if rng.random() < 0.1 else 1)
    for fandom in fandoms:
        names.append(fandom)
        names += rng.sample(ctx.tags.characters[fandom], rng.randint(1, 5))
        names += rng.sample(ctx.tags.relationships[fandom], rng.randint(0, 2))
    names += rng.sample(ctx.tags.freeforms, rng.randint(0, 8))
    return sorted({ctx.tag_ids[name.lower()] for name in names})


def _chapter_dates(ctx: _Context, count: int) -> list[datetime]:
    rng = ctx.rng
    first = ctx.now - timedelta(
        days=rng.uniform(count * 30, 3 * 365), seconds=rng.randint(0, 86399)
    )
    dates = [first]
    for _ in range(count - 1):
        dates.append(min(ctx.now, dates[-1] + timedelta(days=rng.uniform(1, 30))))
    return dates


def _write_batch(ctx: _Context, specs: list[dict[str, Any]]) -> list[Work]:
    """Bulk-insert works with their creatorships, tags, chapters and nothing else."""
    from ficarchive.works.models import Chapter, Creatorship, Work

    works = Work.objects.bulk_create([spec["work"] for spec in specs])
    creatorships: list[Creatorship] = []
    work_tags: list[Any] = []
    chapters: list[Chapter] = []
    tag_through = Work.tags.through
    for work, spec in zip(works, specs, strict=True):
        for position, pseud in enumerate(spec["pseuds"]):
            creatorships.append(Creatorship(work=work, pseud=pseud, position=position))
        work_tags += [tag_through(work_id=work.pk, tag_id=tag_id) for tag_id in spec["tag_ids"]]
        for chapter in spec["chapters"]:
            chapter.work = work
            chapters.append(chapter)
    Creatorship.objects.bulk_create(creatorships)
    tag_through.objects.bulk_create(work_tags)
    Chapter.objects.bulk_create(chapters, batch_size=200)
    return works


def _work_spec(ctx: _Context, *, posted: bool) -> dict[str, Any]:
    """An unsaved work of 1 to 3 chapters with what its rows need."""
    from ficarchive.works.models import Chapter, Work

    rng = ctx.rng
    count = rng.choices((1, 2, 3), weights=(60, 25, 15))[0]
    dates = _chapter_dates(ctx, count)
    chapters: list[Chapter] = []
    for position in range(1, count + 1):
        body, words = ctx.prose.body(rng.randint(200, 900))
        chapters.append(
            Chapter(
                position=position,
                title=_title(rng) if count > 1 and rng.random() < 0.6 else "",
                notes=ctx.prose.line(20) if rng.random() < 0.2 else "",
                body=body,
                word_count=words,
                published_at=dates[position - 1] if posted else None,
            )
        )
    complete = count == 1 or rng.random() < 0.6
    expected: int | None = count if complete else rng.choice((None, count + 1, count + 3))
    work = Work(
        title=_title(rng),
        summary=ctx.prose.line(rng.randint(20, 60)),
        notes=ctx.prose.line(15) if rng.random() < 0.25 else "",
        end_notes=ctx.prose.line(15) if rng.random() < 0.15 else "",
        language="en" if rng.random() < 0.93 else rng.choice(_OTHER_LANGUAGES),
        restricted=rng.random() < 0.1,
        complete=complete,
        expected_chapters=expected,
        posted=posted,
        published_at=dates[0] if posted else None,
        updated_at=dates[-1] if posted else None,
        word_count=sum(chapter.word_count for chapter in chapters),
        chapter_count=count,
        revision=count,
    )
    pseud = rng.choice(ctx.pseuds)
    pseud = ctx.extra_pseuds.get(pseud.user_id, pseud) if rng.random() < 0.3 else pseud
    pseuds = [pseud]
    if rng.random() < 0.04:
        other = rng.choice(ctx.pseuds)
        if other.user_id != pseud.user_id:
            pseuds.append(other)
    return {"work": work, "pseuds": pseuds, "tag_ids": _tag_ids_for(ctx), "chapters": chapters}


def _big_work_spec(ctx: _Context, chapters_wanted: int) -> dict[str, Any]:
    from ficarchive.works.models import Chapter, Work

    rng = ctx.rng
    dates = [ctx.now - timedelta(days=7 * (chapters_wanted - i)) for i in range(chapters_wanted)]
    chapters: list[Chapter] = []
    for position in range(1, chapters_wanted + 1):
        body, words = ctx.prose.body(rng.randint(2000, 3000))
        chapters.append(
            Chapter(
                position=position,
                title=_title(rng),
                summary=ctx.prose.line(25) if position % 3 == 1 else "",
                notes=ctx.prose.line(30) if position % 4 == 1 else "",
                end_notes=ctx.prose.line(20) if position % 5 == 0 else "",
                body=body,
                word_count=words,
                published_at=dates[position - 1],
            )
        )
    work = Work(
        title="The Long Road to Harbor Light",
        summary=ctx.prose.line(60),
        notes=ctx.prose.line(40),
        end_notes=ctx.prose.line(30),
        language="en",
        restricted=False,
        complete=True,
        expected_chapters=chapters_wanted,
        posted=True,
        published_at=dates[0],
        updated_at=dates[-1],
        word_count=sum(chapter.word_count for chapter in chapters),
        chapter_count=chapters_wanted,
        revision=chapters_wanted,
    )
    fandom = ctx.tags.fandoms[0]
    names = [
        "General Audiences",
        "No Archive Warnings Apply",
        "Gen",
        fandom,
        *ctx.tags.characters[fandom][:4],
        ctx.tags.relationships[fandom][0],
        *ctx.tags.freeforms[:6],
    ]
    tag_ids = sorted({ctx.tag_ids[name.lower()] for name in names})
    return {"work": work, "pseuds": [ctx.pseuds[0]], "tag_ids": tag_ids, "chapters": chapters}


def _make_people(rng: random.Random) -> tuple[list[Pseud], dict[int, Pseud]]:
    from ficarchive.accounts.models import Pseud, User

    users: list[User] = []
    for index in range(USERS):
        name = f"{rng.choice(_CONTENT)}{rng.choice(_NAMES).lower()}_{index}"
        user = User(username=name, email=f"{name}@example.org")
        user.set_unusable_password()
        users.append(user)
    users = User.objects.bulk_create(users)
    pseuds = Pseud.objects.bulk_create(
        [Pseud(user=user, name=user.username, is_default=True) for user in users]
    )
    extra = Pseud.objects.bulk_create(
        [
            Pseud(user=user, name=f"{rng.choice(_NAMES)} {rng.choice(_CONTENT).title()}")
            for user in users[::10]
        ]
    )
    return pseuds, {pseud.user_id: pseud for pseud in extra}


def _make_series(rng: random.Random, works: list[Work], creators: dict[int, Pseud]) -> int:
    """Series of 2 to 5 works by one pseud each; returns how many."""
    from ficarchive.works.models import Series, SeriesWork

    by_pseud: dict[int, list[Work]] = {}
    for work in works:
        by_pseud.setdefault(creators[work.pk].pk, []).append(work)
    candidates = [group for group in by_pseud.values() if len(group) >= 2]
    rng.shuffle(candidates)
    chosen = candidates[: max(1, len(works) // 100)]
    series = Series.objects.bulk_create(
        [Series(title=_title(rng), complete=rng.random() < 0.5) for _ in chosen]
    )
    parts: list[SeriesWork] = []
    owners: list[Any] = []
    for one, group in zip(series, chosen, strict=True):
        members = sorted(rng.sample(group, min(len(group), rng.randint(2, 5))), key=_published)
        parts += [SeriesWork(series=one, work=w, position=i) for i, w in enumerate(members, 1)]
        owners.append(Series.pseuds.through(series_id=one.pk, pseud_id=creators[group[0].pk].pk))
    SeriesWork.objects.bulk_create(parts)
    Series.pseuds.through.objects.bulk_create(owners)
    return len(series)


def _published(work: Work) -> datetime:
    assert work.published_at is not None
    return work.published_at


def generate(works: int = 10_000, big_work_chapters: int = 20, seed: int = 1) -> int:
    """Fill the (migrated, empty) archive; returns the id of the big General Audiences work."""
    _ensure_django()
    from django.db import transaction
    from django.utils import timezone

    from ficarchive.tags.models import Tag
    from ficarchive.works.models import Work

    if Work.objects.exists():
        raise RuntimeError("generate() fills an empty archive, and this one has works already")
    rng = random.Random(seed)
    with transaction.atomic():
        official = {tag.name.lower(): tag.pk for tag in Tag.objects.all()}
        tags = _invent_tags(rng, set(official))
        Tag.objects.bulk_create([Tag(name=name, type=kind) for kind, name in tags.by_type()])
        pseuds, extra_pseuds = _make_people(rng)
        ctx = _Context(
            rng=rng,
            prose=Prose(rng),
            now=timezone.now(),
            tag_ids={tag.name.lower(): tag.pk for tag in Tag.objects.all()},
            tags=tags,
            pseuds=pseuds,
            extra_pseuds=extra_pseuds,
        )
        posted: list[Work] = []
        creators: dict[int, Pseud] = {}
        drafts = max(1, works // 100)
        todo = [True] * works + [False] * drafts
        for start in range(0, len(todo), BATCH):
            specs = [_work_spec(ctx, posted=flag) for flag in todo[start : start + BATCH]]
            for work, spec in zip(_write_batch(ctx, specs), specs, strict=True):
                if work.posted:
                    posted.append(work)
                    creators[work.pk] = spec["pseuds"][0]
        _make_series(rng, posted, creators)
        (big,) = _write_batch(ctx, [_big_work_spec(ctx, big_work_chapters)])
    # The tag pages and Sort and Filter find works by their filter tags, as posting makes them.
    from ficarchive.tags.filters import refilter_works

    ids = list(Work.objects.order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(ids), BATCH):
        refilter_works(ids[start : start + BATCH])
    return big.pk


def signed_in_reader(big_work_id: int) -> Any:
    """The benchmarks' signed-in reader (see the module's docstring); returns the user."""
    _ensure_django()
    from ficarchive.accounts.services import create_user
    from ficarchive.community.bookmarks import BookmarkData, create_bookmark
    from ficarchive.community.kudos import leave_kudos
    from ficarchive.community.subscriptions import subscribe_to_work
    from ficarchive.search.saved import mute_tag, mute_user
    from ficarchive.tags.models import Tag, TagType
    from ficarchive.works.models import Work

    work = Work.objects.get(pk=big_work_id)
    reader = create_user("benchreader", "correct horse battery staple", "reader@example.org")
    assert reader.keep_history
    leave_kudos(work, reader)
    create_bookmark(reader, BookmarkData(notes="Loved it.", tags="comfort read"), work=work)
    subscribe_to_work(reader, work)
    freeform = Tag.objects.filter(type=TagType.FREEFORM).order_by("pk").first()
    assert freeform is not None
    mute_tag(reader, freeform.name)
    other = Work.objects.exclude(pk=big_work_id).filter(posted=True).order_by("pk").first()
    assert other is not None
    other_creator = other.pseuds.first()
    assert other_creator is not None
    mute_user(reader, other_creator.user.username)
    return reader


def session_cookie(user: Any) -> str:
    """A `Cookie:` header value that signs a client in as `user` (a new session)."""
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY

    session = import_module(settings.SESSION_ENGINE).SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.save()
    return f"{settings.SESSION_COOKIE_NAME}={session.session_key}"


def busiest_fandom_path() -> str:
    """The works page of the fandom tag with the most works."""
    from django.db.models import Count

    from ficarchive.tags.models import Tag, TagType

    fandom = (
        Tag.objects.filter(type=TagType.FANDOM)
        .annotate(uses=Count("works"))
        .order_by("-uses", "pk")
        .first()
    )
    assert fandom is not None
    return fandom.get_absolute_url()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--works", type=int, default=10_000, help="posted works (default 10000)")
    parser.add_argument("--big-work-chapters", type=int, default=20)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--json", action="store_true", help="print one JSON line of results")
    parser.add_argument(
        "--reader", action="store_true", help="also make the signed-in reader and a session"
    )
    args = parser.parse_args(argv)
    started = time.perf_counter()
    big = generate(args.works, args.big_work_chapters, args.seed)
    seconds = time.perf_counter() - started

    from django.db.models import Sum

    from ficarchive.accounts.models import User
    from ficarchive.tags.models import Tag
    from ficarchive.works.models import Chapter, Series, Work

    big_work = Work.objects.get(pk=big)
    result = {
        "big_work_id": big,
        "big_work_words": big_work.word_count,
        "big_work_chapters": big_work.chapter_count,
        "users": User.objects.count(),
        "works_posted": Work.objects.filter(posted=True).count(),
        "works_restricted": Work.objects.filter(posted=True, restricted=True).count(),
        "drafts": Work.objects.filter(posted=False).count(),
        "chapters": Chapter.objects.count(),
        "words": Chapter.objects.aggregate(total=Sum("word_count"))["total"] or 0,
        "tags": Tag.objects.count(),
        "series": Series.objects.count(),
        "seconds": round(seconds, 2),
        "tag_path": busiest_fandom_path(),
    }
    if args.reader:
        result["reader_cookie"] = session_cookie(signed_in_reader(big))
    if args.json:
        print(json.dumps(result))
    else:
        for key, value in result.items():
            print(f"{key:>18}: {value}")


if __name__ == "__main__":
    main()
