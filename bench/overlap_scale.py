"""The overlap check at archive scale: indexing speed, check latency, recall and precision.

    python bench/overlap_scale.py GUTENBERG_DIR PAN13_DIR [--words 10000000]
        [--steps 1000000,3000000,10000000] [--drafts 40] [--threshold 0.5] [--seed 1]
        [--database-url URL] [--keep-data] [--out FILE]

Builds a fresh archive in a temporary data folder (SQLite unless `--database-url`), migrates it,
and fills it step by step up to `--words` words of posted works of about 5,000 words each. The
works are made from the public-domain novels in GUTENBERG_DIR, cut into paragraphs and remixed so
that no two works share long runs of text: runs of paragraphs from random places, a share of
their sentences swapped for sentences from elsewhere, sentence order shuffled within paragraphs,
words shuffled in groups of four, and a third of the content words replaced by other words of the
same length from the three books' vocabulary. Works are written with `bulk_create` (the rows
`works.services.create_work` makes: Work, Creatorship, Chapter with sanitized `<p>` HTML and its
word count, the default rating and warning tags), so no index job is queued: every work is
indexed here with `overlap.services.index_work`, timed, with the time of each detector's stage.

Planted reuse: real (source passage, obfuscated passage) pairs from the PAN 2013 answer keys in
PAN13_DIR, one kind per obfuscation type (none -> verbatim, random -> near-verbatim, translation
-> paraphrase, summary -> retold). Each source passage is inserted as paragraphs into a random
work of the first step; each obfuscated passage into a draft. `--drafts` drafts of about 5,000
words (0 to 3 planted passages each, a quarter with none) are made like the works but only from
paragraphs held out of every work, so a draft shares no book text with the archive except what
was planted: any other finding is a false one.

At each step (words indexed) every draft is checked with `check_texts` (scope "all", after one
untimed check that loads the vector cache), giving the latency p50/p95, recall (a planted case
is found when a finding overlaps its draft span and its source span in the right work and
chapter), precision (findings that overlap no planted case are false) and the index size from
SQLite's `dbstat` (or PostgreSQL's relation sizes). Prints the machine, the settings, a table per
step, the kind confusion, some false findings and PASS/FAIL against the targets; writes JSON to
`--out` (default bench/out/overlap-scale-<timestamp>.json). See bench/README.md.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import random
import re
import shutil
import statistics
import sys
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
OUT = BENCH / "out"
sys.path.insert(0, str(ROOT))

if TYPE_CHECKING:
    from ficarchive.accounts.models import Pseud, User
    from ficarchive.overlap.findings import Finding

TARGET_WORDS_PER_S = 20_000.0
TARGET_P50_MS = 1000.0
TARGET_RECALL = 0.9
TARGET_PRECISION = 0.9

WORK_WORDS = 5000  # about this many words a work and a draft
USERS = 300
BATCH_WORDS = 500_000  # words of works generated and inserted per round
SWAP_SENTENCES = 0.3  # share of sentences taken from elsewhere in the books
REPLACE_WORDS = 0.33  # share of content words replaced by other words of the same length
SHUFFLE_GROUP = 4  # words are shuffled within groups of this many
HELD_OUT_BLOCK = 12  # paragraphs per block; every HELD_OUT_EVERY-th block is for drafts only
HELD_OUT_EVERY = 6

# PAN folder -> the kind of finding expected for it.
KINDS = {
    "02-no-obfuscation": "verbatim",
    "03-random-obfuscation": "near-verbatim",
    "04-translation-obfuscation": "paraphrase",
    "05-summary-obfuscation": "retold",
}
FINDING_KINDS = ("verbatim", "near-verbatim", "paraphrase", "retold")


def say(line: str = "") -> None:
    print(line, flush=True)


# -- the books -------------------------------------------------------------------------------

_PG_START = re.compile(r"^\*\*\* ?START OF (THIS|THE) PROJECT GUTENBERG.*$", re.MULTILINE)
_PG_END = re.compile(r"^\*\*\* ?END OF (THIS|THE) PROJECT GUTENBERG.*$", re.MULTILINE)
_SENTENCE_END = re.compile(r"(?<=[.!?])[\"”’']?\s+(?=[\"“‘'(]?[A-Z])")
_WORD_CORE = re.compile(r"^([^A-Za-z]*)([A-Za-z]+)([^A-Za-z]*)$")
_STOPWORDS = frozenset(
    "that this with from have were been they them their there then than what when which while "
    "would could should shall will said your yours mine into upon very much more most some such "
    "only also even ever just like well here where whom whose those these after before again "
    "about above below other each every both being does done doing over under once".split()
)


@dataclass
class Book:
    name: str
    paragraphs: list[list[str]]  # sentences of each paragraph


def read_book(path: Path) -> str:
    """A Project Gutenberg plain-text book without its header and licence."""
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("latin-1")  # the older Gutenberg files are ISO-8859-1
    text = text.replace("\r\n", "\n")
    start, end = _PG_START.search(text), _PG_END.search(text)
    return text[start.end() if start else 0 : end.start() if end else len(text)]


def load_books(folder: Path) -> list[Book]:
    """Every book under the folder, cut into paragraphs of sentences; headings dropped."""
    books = []
    for path in sorted(folder.glob("*/*.txt")):
        paragraphs = []
        for block in re.split(r"\n\s*\n", read_book(path)):
            paragraph = " ".join(block.split())
            # Headings, tables of contents and ornaments: too short, or shouting.
            if len(paragraph.split()) < 8 or paragraph.upper() == paragraph:
                continue
            paragraphs.append([s for s in _SENTENCE_END.split(paragraph) if s])
        books.append(Book(path.parent.name, paragraphs))
    if not books:
        raise SystemExit(f"{folder}: no */*.txt books found")
    return books


@dataclass
class Vocabulary:
    """The books' content words by length bucket, for swapping in words of about the same size."""

    buckets: dict[int, list[str]]

    @classmethod
    def of(cls, books: Sequence[Book]) -> Vocabulary:
        words: set[str] = set()
        for book in books:
            for paragraph in book.paragraphs:
                for sentence in paragraph:
                    words.update(w.lower() for w in re.findall(r"[A-Za-z]{4,}", sentence))
        buckets: dict[int, list[str]] = defaultdict(list)
        for word in sorted(words - _STOPWORDS):
            buckets[_bucket(word)].append(word)
        return cls(dict(buckets))


def _bucket(word: str) -> int:
    return min(len(word), 10) // 2


class Remixer:
    """Makes new prose from the books: mixed, shuffled and re-worded paragraph runs.

    Paragraphs are split in blocks between the works' pool and the drafts' pool (held out), so
    that the drafts share no text with the archive but what is planted on purpose.
    """

    def __init__(self, books: Sequence[Book], rng: random.Random) -> None:
        self.books = books
        self.rng = rng
        self.vocabulary = Vocabulary.of(books)
        self.pools: dict[bool, list[tuple[int, int]]] = {True: [], False: []}
        for b, book in enumerate(books):
            for p in range(len(book.paragraphs)):
                self.pools[self._in_pool(p, held_out=True)].append((b, p))

    def paragraphs(self, words: int, *, held_out: bool) -> list[str]:
        """About `words` words of remixed paragraphs from the chosen pool."""
        pool = self.pools[held_out]
        made: list[str] = []
        total = 0
        while total < words:
            b, p = self.rng.choice(pool)
            run = self.rng.randint(2, 6)
            for index in range(p, min(p + run, len(self.books[b].paragraphs))):
                if not self._in_pool(index, held_out=held_out):
                    break  # the run reached the other pool's block
                paragraph = self._remix(self.books[b].paragraphs[index], pool)
                made.append(paragraph)
                total += len(paragraph.split())
        return made

    @staticmethod
    def _in_pool(index: int, *, held_out: bool) -> bool:
        return ((index // HELD_OUT_BLOCK) % HELD_OUT_EVERY == 0) == held_out

    def _remix(self, sentences: list[str], pool: list[tuple[int, int]]) -> str:
        chosen = []
        for sentence in sentences:
            if self.rng.random() < SWAP_SENTENCES:
                b, p = self.rng.choice(pool)
                sentence = self.rng.choice(self.books[b].paragraphs[p])
            chosen.append(self._reword(sentence))
        self.rng.shuffle(chosen)
        return " ".join(chosen)

    def _reword(self, sentence: str) -> str:
        tokens = [self._replace(token) for token in sentence.split()]
        for start in range(0, len(tokens), SHUFFLE_GROUP):
            group = tokens[start : start + SHUFFLE_GROUP]
            self.rng.shuffle(group)
            tokens[start : start + SHUFFLE_GROUP] = group
        if tokens:
            tokens[0] = tokens[0][:1].upper() + tokens[0][1:]
        return " ".join(tokens)

    def _replace(self, token: str) -> str:
        match = _WORD_CORE.match(token)
        if not match or self.rng.random() >= REPLACE_WORDS:
            return token
        before, core, after = match.groups()
        if len(core) < 4 or core.lower() in _STOPWORDS:
            return token
        word = str(self.rng.choice(self.vocabulary.buckets.get(_bucket(core), [core.lower()])))
        if core[0].isupper():
            word = word.capitalize()
        return before + word + after


# -- the planted reuse -----------------------------------------------------------------------


@dataclass
class PanPair:
    """One PAN case: the source passage and its obfuscated version, as paragraphs."""

    folder: str
    kind: str
    xml: str
    source: list[str]
    reused: list[str]


@dataclass
class Plant:
    """Where one PAN pair went: its source in a work, its reused passage in a draft."""

    pair: PanPair
    draft: int = -1
    draft_chapter: int = 0  # 1-based
    draft_start: int = 0
    draft_end: int = 0
    work_id: int = 0
    work_chapter: int = 0  # 1-based chapter position
    source_start: int = 0
    source_end: int = 0


def _pan_paragraphs(text: str) -> list[str]:
    return [" ".join(line.split()) for line in text.split("\n") if line.strip()]


def load_pan_pairs(folder: Path, per_kind: int, rng: random.Random) -> tuple[list[PanPair], int]:
    """`per_kind` random cases of each obfuscation type; returns them and how many were skipped
    for being shorter than the check's smallest finding."""
    from ficarchive.overlap.findings import MIN_WORDS
    from ficarchive.overlap.plagdet import read_pan_xml

    pairs: list[PanPair] = []
    skipped = 0
    for name, kind in KINDS.items():
        files = sorted((folder / name).glob("*.xml"))
        rng.shuffle(files)
        taken = 0
        for xml in files:
            if taken == per_kind:
                break
            annotation = read_pan_xml(xml)
            if not annotation.passages:
                continue
            source_ref, (this_start, this_end, src_start, src_end) = rng.choice(annotation.passages)
            susp = _pan_text(folder / "susp" / annotation.this_reference)
            src = _pan_text(folder / "src" / source_ref)
            source = _pan_paragraphs(src[src_start:src_end])
            reused = _pan_paragraphs(susp[this_start:this_end])
            if min(len(" ".join(source).split()), len(" ".join(reused).split())) < MIN_WORDS:
                skipped += 1
                continue
            pairs.append(PanPair(name, kind, xml.name, source, reused))
            taken += 1
    return pairs, skipped


def _pan_text(path: Path) -> str:
    with open(path, encoding="utf-8", newline="") as handle:  # PAN counts offsets this way
        return handle.read()


def _insert(paragraphs: list[str], block: list[str], rng: random.Random) -> list[str]:
    at = rng.randint(1, max(1, len(paragraphs) - 1))
    return paragraphs[:at] + block + paragraphs[at:]


def _locate(text: str, block: list[str]) -> tuple[int, int]:
    """The character span of planted paragraphs in a chapter's plain text."""
    joined = "\n\n".join(block)
    start = text.find(joined)
    if start < 0:
        raise RuntimeError("a planted passage is not in the chapter's text as stored")
    return start, start + len(joined)


# -- drafts ----------------------------------------------------------------------------------


@dataclass
class Draft:
    chapters: list[str]
    plants: list[Plant]

    @property
    def words(self) -> int:
        return sum(len(text.split()) for text in self.chapters)


def _split_chapters(paragraphs: list[str], rng: random.Random) -> list[list[str]]:
    count = rng.choices((1, 2, 3), weights=(50, 30, 20))[0]
    size = -(-len(paragraphs) // count)
    return [paragraphs[at : at + size] for at in range(0, len(paragraphs), size)]


def make_drafts(
    sizes: list[int], pairs: list[PanPair], remixer: Remixer, rng: random.Random
) -> list[Draft]:
    """Drafts from the held-out paragraphs, each with `sizes[n]` of the pairs planted."""
    plants = [Plant(pair) for pair in pairs]
    rng.shuffle(plants)
    drafts: list[Draft] = []
    for number, wanted in enumerate(sizes):
        chapters = _split_chapters(remixer.paragraphs(WORK_WORDS, held_out=True), rng)
        mine = [plants.pop() for _ in range(min(wanted, len(plants)))]
        blocks: dict[int, list[Plant]] = defaultdict(list)
        for plant in mine:
            chapter = rng.randrange(len(chapters))
            chapters[chapter] = _insert(chapters[chapter], plant.pair.reused, rng)
            blocks[chapter].append(plant)
        texts = ["\n\n".join(paragraphs) for paragraphs in chapters]
        for chapter, planted in blocks.items():
            for plant in planted:
                plant.draft, plant.draft_chapter = number, chapter + 1
                plant.draft_start, plant.draft_end = _locate(texts[chapter], plant.pair.reused)
        drafts.append(Draft(texts, mine))
    return drafts


# -- the archive -----------------------------------------------------------------------------


@dataclass
class Archive:
    """What the benchmark keeps about the archive it writes."""

    pseuds: list[Pseud]
    tag_ids: list[int]
    checker: User
    works: int = 0
    words: int = 0


def setup_django(data: Path, database_url: str | None) -> None:
    os.environ["FICARCHIVE_DATA"] = str(data)
    os.environ.pop("DATABASE_URL", None)
    os.environ.pop("DEBUG", None)  # DEBUG keeps every query in memory
    if database_url:
        os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ficarchive.settings")
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)


def make_people(rng: random.Random) -> Archive:
    """Writers with default pseuds, the reader who runs the checks, and the default tags."""
    from ficarchive.accounts.models import Pseud, User
    from ficarchive.tags.models import TagType
    from ficarchive.tags.services import find_or_create_tags
    from ficarchive.works.services import WorkData

    users = []
    for index in range(USERS):
        user = User(username=f"writer_{index}", email=f"writer_{index}@example.org")
        user.set_unusable_password()
        users.append(user)
    users = User.objects.bulk_create(users)
    pseuds = Pseud.objects.bulk_create(
        [Pseud(user=user, name=user.username, is_default=True) for user in users]
    )
    checker = User(username="checker", email="checker@example.org")
    checker.set_unusable_password()
    checker.save()
    Pseud.objects.create(user=checker, name="checker", is_default=True)
    defaults = WorkData(title="-")
    tags = find_or_create_tags(TagType.RATING, [defaults.rating])
    tags += find_or_create_tags(TagType.WARNING, defaults.warnings)
    rng.shuffle(pseuds)
    return Archive(pseuds, [tag.pk for tag in tags], checker)


@dataclass
class WorkSpec:
    chapters: list[list[str]]
    plants: list[tuple[int, Plant]] = field(default_factory=list)  # (chapter index, plant)


def write_works(archive: Archive, specs: list[WorkSpec], rng: random.Random) -> list[int]:
    """Insert the works in bulk, the rows `create_work` would make; returns their ids."""
    from django.db import transaction
    from django.utils import timezone

    from ficarchive.texts.counting import count_words
    from ficarchive.texts.paragraphs import format_body
    from ficarchive.texts.structure import html_to_text
    from ficarchive.works.models import Chapter, Creatorship, Work

    now = timezone.now()
    works, chapters = [], []
    for spec in specs:
        bodies = [format_body("\n\n".join(paragraphs), "text") for paragraphs in spec.chapters]
        counts = [count_words(body) for body in bodies]
        archive.works += 1
        works.append(
            Work(
                title=f"Remix {archive.works}",
                posted=True,
                complete=True,
                expected_chapters=len(bodies),
                published_at=now,
                updated_at=now,
                word_count=sum(counts),
                chapter_count=len(bodies),
                revision=len(bodies),
            )
        )
        chapters.append(
            [
                Chapter(position=n, body=body, word_count=count, published_at=now)
                for n, (body, count) in enumerate(zip(bodies, counts, strict=True), start=1)
            ]
        )
        archive.words += sum(counts)
    with transaction.atomic():
        saved = Work.objects.bulk_create(works)
        rows = []
        tags = []
        for work, its_chapters in zip(saved, chapters, strict=True):
            for chapter in its_chapters:
                chapter.work = work
                rows.append(chapter)
            tags += [Work.tags.through(work_id=work.pk, tag_id=t) for t in archive.tag_ids]
        Creatorship.objects.bulk_create(
            [Creatorship(work=w, pseud=rng.choice(archive.pseuds), position=0) for w in saved]
        )
        Work.tags.through.objects.bulk_create(tags)
        Chapter.objects.bulk_create(rows, batch_size=200)
    for work, spec, its_chapters in zip(saved, specs, chapters, strict=True):
        for index, plant in spec.plants:
            text = html_to_text(its_chapters[index].body)
            plant.work_id, plant.work_chapter = work.pk, index + 1
            plant.source_start, plant.source_end = _locate(text, plant.pair.source)
    return [work.pk for work in saved]


def work_specs(remixer: Remixer, words: int, rng: random.Random) -> Iterator[WorkSpec]:
    """Unsaved works of about WORK_WORDS words each, until `words` words are made."""
    made = 0
    while made < words:
        paragraphs = remixer.paragraphs(
            rng.randint(WORK_WORDS - 1000, WORK_WORDS + 1000), held_out=False
        )
        made += sum(len(p.split()) for p in paragraphs)
        yield WorkSpec(_split_chapters(paragraphs, rng))


def plant_sources(specs: list[WorkSpec], plants: list[Plant], rng: random.Random) -> None:
    """Insert each planted source passage into a different random work."""
    for spec_index, plant in zip(rng.sample(range(len(specs)), len(plants)), plants, strict=True):
        spec = specs[spec_index]
        chapter = rng.randrange(len(spec.chapters))
        spec.chapters[chapter] = _insert(spec.chapters[chapter], plant.pair.source, rng)
        spec.plants.append((chapter, plant))


def _batches(specs: Iterator[WorkSpec] | list[WorkSpec]) -> Iterator[list[WorkSpec]]:
    batch: list[WorkSpec] = []
    words = 0
    for spec in specs:
        batch.append(spec)
        words += sum(len(p.split()) for chapter in spec.chapters for p in chapter)
        if words >= BATCH_WORDS:
            yield batch
            batch, words = [], 0
    if batch:
        yield batch


# -- indexing --------------------------------------------------------------------------------


@dataclass
class IndexTimes:
    """Seconds spent in `index_work`, and in each detector's `index` within it."""

    works: int = 0
    words: int = 0
    seconds: float = 0.0
    cpu_seconds: float = 0.0  # this process's CPU time, all threads: how much of the wall
    # time the machine gave us (other processes on a shared machine take the rest)
    stages: dict[str, float] = field(default_factory=dict)

    def split(self) -> dict[str, float]:
        """Seconds per stage; 'text prep' is the rest: reading and cutting the chapters, saving
        the passages and the digest, and committing."""
        parts = {"text prep": self.seconds - sum(self.stages.values()), **self.stages}
        return {name: round(seconds, 2) for name, seconds in parts.items()}


def time_stages(times: IndexTimes) -> None:
    """Wrap every detector's `index` so that its time is added to `times.stages`."""
    from ficarchive.overlap import detectors

    for detector in detectors.detectors():
        original = detector.index

        def timed(
            passages: list[Any],
            original: Callable[[list[Any]], None] = original,
            name: str = detector.name,
        ) -> None:
            began = time.perf_counter()
            try:
                original(passages)
            finally:
                times.stages[name] = times.stages.get(name, 0.0) + time.perf_counter() - began

        setattr(detector, "index", timed)  # noqa: B010 - an instance attribute over the method


def index_works(ids: list[int], words: int, times: IndexTimes) -> float:
    """Index the works one by one, as the index job would; returns this round's seconds."""
    from ficarchive.overlap.services import index_work

    began, cpu_began = time.perf_counter(), time.process_time()
    for done, work_id in enumerate(ids, start=1):
        index_work(work_id)
        if done % 200 == 0:
            elapsed = time.perf_counter() - began
            say(f"    indexed {done}/{len(ids)} works, {elapsed:.0f} s")
    elapsed = time.perf_counter() - began
    times.works += len(ids)
    times.words += words
    times.seconds += elapsed
    times.cpu_seconds += time.process_time() - cpu_began
    return elapsed


# -- checks ----------------------------------------------------------------------------------


def _overlap(a_start: int, a_end: int, b_start: int, b_end: int) -> bool:
    return a_start < b_end and b_start < a_end


def finds(finding: Finding, plant: Plant) -> bool:
    """Whether a finding is (part of) a planted case: overlapping on both sides."""
    return (
        finding.draft.chapter == plant.draft_chapter
        and _overlap(finding.draft.start, finding.draft.end, plant.draft_start, plant.draft_end)
        and finding.source.work_id == plant.work_id
        and finding.source.chapter == plant.work_chapter
        and _overlap(finding.source.start, finding.source.end, plant.source_start, plant.source_end)
    )


@dataclass
class StepResult:
    words: int
    works: int
    passages: int
    fingerprints: int
    index_bytes: int
    bytes_per_word: float
    index_words_per_s: float
    step_index_words_per_s: float
    cold_check_ms: float
    check_p50_ms: float
    check_p95_ms: float
    check_max_ms: float
    cases: int
    found: int
    recall: float
    findings: int
    false_findings: int
    precision: float
    recall_by_kind: dict[str, float]
    confusion: dict[str, dict[str, int]]
    false_examples: list[dict[str, Any]]
    missed: list[str]  # the PAN answer keys of the planted cases not found
    check_ms: list[float]
    check_cpu_ms: list[float]
    load_average: tuple[float, float]  # 1-minute load before indexing and after the checks


def _example(finding: Finding) -> dict[str, Any]:
    def cut(text: str) -> str:
        text = " ".join(text.split())
        return text if len(text) <= 240 else text[:240] + "…"

    return {
        "kind": finding.kind,
        "score": round(finding.score, 3),
        "detector": finding.detector,
        "draft": cut(finding.draft.text),
        "source_work": finding.source.work_id,
        "source": cut(finding.source.text),
    }


def run_checks(
    drafts: list[Draft], archive: Archive, threshold: float
) -> tuple[float, list[float], list[float], list[list[Finding]]]:
    """Check every draft (after one untimed check); returns the cold check's milliseconds,
    each draft's wall and CPU milliseconds, and its findings."""
    from ficarchive.overlap.services import check_texts

    began = time.perf_counter()
    check_texts(drafts[0].chapters, archive.checker, scope="all", threshold=threshold)
    cold = 1000 * (time.perf_counter() - began)
    timings, cpu, findings = [], [], []
    for draft in drafts:
        began, cpu_began = time.perf_counter(), time.process_time()
        report = check_texts(draft.chapters, archive.checker, scope="all", threshold=threshold)
        timings.append(1000 * (time.perf_counter() - began))
        cpu.append(1000 * (time.process_time() - cpu_began))
        findings.append(report.findings)
    return cold, timings, cpu, findings


def score_findings(drafts: list[Draft], findings: list[list[Finding]]) -> dict[str, Any]:
    """Recall of the planted cases, precision of the findings, and the kinds reported."""
    plants = [plant for draft in drafts for plant in draft.plants]
    found = 0
    missed: list[str] = []
    per_kind: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    confusion: dict[str, Counter[str]] = {kind: Counter() for kind in KINDS.values()}
    for number, draft in enumerate(drafts):
        for plant in draft.plants:
            hits = [f for f in findings[number] if finds(f, plant)]
            per_kind[plant.pair.kind][1] += 1
            if hits:
                found += 1
                per_kind[plant.pair.kind][0] += 1
            best = max(hits, key=lambda f: f.score).kind if hits else "missed"
            confusion[plant.pair.kind][best] += 1
            if not hits:
                missed.append(f"{plant.pair.folder}/{plant.pair.xml} in draft {number}")
    false = [
        f
        for number, draft in enumerate(drafts)
        for f in findings[number]
        if not any(finds(f, plant) for plant in draft.plants)
    ]
    total = sum(len(f) for f in findings)
    return {
        "cases": len(plants),
        "found": found,
        "recall": found / len(plants) if plants else 1.0,
        "findings": total,
        "false_findings": len(false),
        "precision": (total - len(false)) / total if total else 1.0,
        "recall_by_kind": {k: round(v[0] / v[1], 3) for k, v in per_kind.items() if v[1]},
        "confusion": {k: dict(v) for k, v in confusion.items()},
        "false_examples": [_example(f) for f in false[:10]],
        "missed": missed,
    }


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


# -- index size ------------------------------------------------------------------------------


INDEX_TABLES = ("overlap_passage", "overlap_fingerprint", "overlap_indexedwork")


def index_size() -> int | None:
    """Bytes of the overlap index (tables and their indexes), or None when the database cannot
    say (SQLite built without dbstat)."""
    from django.db import DatabaseError, connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT SUM(pg_total_relation_size(c::regclass)) FROM unnest(%s::text[]) AS c",
                [list(INDEX_TABLES)],
            )
            return int(cursor.fetchone()[0] or 0)
        try:
            marks = ",".join(["%s"] * len(INDEX_TABLES))
            cursor.execute(
                "SELECT SUM(d.pgsize) FROM dbstat d JOIN sqlite_master m ON m.name = d.name "
                f"WHERE m.tbl_name IN ({marks})",
                list(INDEX_TABLES),
            )
        except DatabaseError:
            return None
        return int(cursor.fetchone()[0] or 0)


def database_file_bytes() -> int:
    """The SQLite database with its WAL file (0 on PostgreSQL)."""
    from django.db import connection

    if connection.vendor != "sqlite":
        return 0
    path = Path(str(connection.settings_dict["NAME"]))
    return sum(p.stat().st_size for p in (path, Path(f"{path}-wal")) if p.exists())


def counts() -> tuple[int, int]:
    from ficarchive.overlap.models import Fingerprint, Passage

    return Passage.objects.count(), Fingerprint.objects.count()


# -- the machine -----------------------------------------------------------------------------


def _read(path: str) -> str:
    try:
        return Path(path).read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""


def _usable_cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def source_version() -> str:
    """The checkout measured: commit, and the overlap files changed since (a calibration or a
    detector edited between two runs explains a difference in their numbers)."""
    import subprocess

    try:
        commit = subprocess.run(
            ["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        changed = subprocess.run(
            ["git", "-C", str(ROOT), "status", "--porcelain", "--", "ficarchive/overlap"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.split("\n")
    except (OSError, subprocess.CalledProcessError):
        return "unknown (not a git checkout)"
    files = [line[3:] for line in changed if line.strip()]
    return f"{commit}{f' with changes to {files}' if files else ''}"


def machine_info() -> dict[str, Any]:
    from importlib import metadata

    from django.db import connection

    cpu = re.search(r"^model name\s*:\s*(.+)$", _read("/proc/cpuinfo"), re.MULTILINE)
    mem = re.search(r"^MemTotal:\s*(\d+) kB", _read("/proc/meminfo"), re.MULTILINE)
    usable = _usable_cores()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT version()")
            database = str(cursor.fetchone()[0]).split(",")[0]
        else:
            cursor.execute("SELECT sqlite_version()")
            database = f"SQLite {cursor.fetchone()[0]}"
    return {
        "cpu": cpu.group(1).strip() if cpu else (platform.processor() or "unknown"),
        "cores": os.cpu_count() or 1,
        "usable_cores": usable,
        "ram_gib": round(int(mem.group(1)) / 1024 / 1024, 1) if mem else None,
        "python": f"{platform.python_implementation()} {platform.python_version()}",
        "database": database,
        "source": source_version(),
        **{
            name: metadata.version(name) for name in ("django", "numpy", "wordllama", "onnxruntime")
        },
    }


def settings_info(
    args: argparse.Namespace, steps: list[int], pairs: list[PanPair]
) -> dict[str, Any]:
    from ficarchive.overlap import embeddings, findings, lexical, passages, semantic

    return {
        "words": args.words,
        "steps": steps,
        "drafts": args.drafts,
        "threshold": args.threshold,
        "seed": args.seed,
        "scope": "all",
        "work_words": WORK_WORDS,
        "remix": {
            "swap_sentences": SWAP_SENTENCES,
            "replace_words": REPLACE_WORDS,
            "shuffle_group": SHUFFLE_GROUP,
            "held_out_share": round(1 / HELD_OUT_EVERY, 3),
        },
        "planted": dict(Counter(pair.kind for pair in pairs)),
        "overlap": {
            "passage_words": passages.TARGET_WORDS,
            "common_in_works": lexical.COMMON_IN_WORKS,
            "min_shared": lexical.MIN_SHARED,
            "neighbours": semantic.NEIGHBOURS,
            "static_min": semantic.STATIC_MIN,
            "max_verified": findings.MAX_VERIFIED,
            "exact_limit": embeddings.EXACT_LIMIT,
        },
    }


# -- the run ---------------------------------------------------------------------------------


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=(__doc__ or "").split("\n\n")[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="See the module docstring and bench/README.md for what is measured.",
    )
    parser.add_argument("gutenberg", type=Path, help="folder of books: */*.txt (Gutenberg)")
    parser.add_argument("pan13", type=Path, help="the PAN 2013 text alignment training corpus")
    parser.add_argument("--words", type=int, default=10_000_000, help="archive size, in words")
    parser.add_argument(
        "--steps",
        default="1000000,3000000,10000000",
        help="archive sizes (words) at which the checks run, comma-separated",
    )
    parser.add_argument("--drafts", type=int, default=40, help="drafts checked at each step")
    parser.add_argument("--threshold", type=float, default=None, help="score threshold")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--database-url", help="postgresql://… (default: SQLite)")
    parser.add_argument("--keep-data", action="store_true", help="keep the data folder")
    parser.add_argument("--out", type=Path, help="JSON results (default bench/out/…)")
    args = parser.parse_args(argv)
    if args.drafts < 1:
        parser.error("--drafts must be at least 1")
    return args


def parse_steps(text: str, words: int) -> list[int]:
    steps = sorted({int(part) for part in text.split(",") if part.strip()} | {words})
    return [step for step in steps if 0 < step <= words]


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    steps = parse_steps(args.steps, args.words)
    rng = random.Random(args.seed)
    data = Path(tempfile.mkdtemp(prefix="ficarchive-overlap-scale-"))
    try:
        setup_django(data, args.database_url)
        return run(args, steps, rng, data)
    finally:
        if args.keep_data:
            say(f"data kept in {data}")
        else:
            shutil.rmtree(data, ignore_errors=True)


def run(args: argparse.Namespace, steps: list[int], rng: random.Random, data: Path) -> int:
    from ficarchive.overlap.calibration import DEFAULT_THRESHOLD

    if args.threshold is None:
        args.threshold = DEFAULT_THRESHOLD
    began = time.perf_counter()
    books = load_books(args.gutenberg)
    remixer = Remixer(books, rng)
    sizes = [0 if rng.random() < 0.25 else rng.randint(1, 3) for _ in range(args.drafts)]
    pairs, skipped = load_pan_pairs(args.pan13, -(-sum(sizes) // len(KINDS)), rng)
    rng.shuffle(pairs)
    pairs = pairs[: sum(sizes)]
    drafts = make_drafts(sizes, pairs, remixer, rng)
    plants = [plant for draft in drafts for plant in draft.plants]
    archive = make_people(rng)
    machine, settings = machine_info(), settings_info(args, steps, pairs)
    say("overlap check at archive scale")
    say(f"machine: {json.dumps(machine)}")
    say(f"settings: {json.dumps(settings)}")
    say(
        f"books: {', '.join(f'{b.name} ({len(b.paragraphs)} paragraphs)' for b in books)}; "
        f"{len(plants)} planted cases ({skipped} PAN cases skipped as too short) in "
        f"{sum(1 for d in drafts if d.plants)} of {len(drafts)} drafts "
        f"(median {statistics.median(d.words for d in drafts):.0f} words)"
    )
    out = args.out or OUT / f"overlap-scale-{datetime.now():%Y%m%d-%H%M%S}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    times = IndexTimes()
    time_stages(times)
    results: list[StepResult] = []
    for number, step in enumerate(steps):
        say(f"\n== step {number + 1}/{len(steps)}: to {step:,} words")
        specs: Iterator[WorkSpec] | list[WorkSpec] = work_specs(remixer, step - archive.words, rng)
        if number == 0:
            specs = list(specs)
            plant_sources(specs, plants, rng)
        step_seconds = 0.0
        step_words = 0
        load_before = round(os.getloadavg()[0], 2)
        for batch in _batches(specs):
            words_before = archive.words
            generate_began = time.perf_counter()
            ids = write_works(archive, batch, rng)
            say(
                f"  inserted {len(ids)} works ({archive.words - words_before:,} words) in "
                f"{time.perf_counter() - generate_began:.1f} s; indexing"
            )
            step_seconds += index_works(ids, archive.words - words_before, times)
            step_words += archive.words - words_before
        results.append(
            measure_step(archive, drafts, times, step_words, step_seconds, load_before, args)
        )
        print_step(results[-1], times)
        # Written after every step, so that a long run that is stopped still leaves its numbers.
        write_json(out, machine, settings, time.perf_counter() - began, times, results, plants)
    print_summary(results, times)
    say(f"\n{(time.perf_counter() - began) / 60:.1f} minutes; results in {out}")
    return 0


def write_json(
    out: Path,
    machine: dict[str, Any],
    settings: dict[str, Any],
    elapsed: float,
    times: IndexTimes,
    results: list[StepResult],
    plants: list[Plant],
) -> None:
    data = {
        "machine": machine,
        "settings": settings,
        "elapsed_s": round(elapsed, 1),
        "index": {**asdict(times), "split_s": times.split()},
        "steps": [asdict(result) for result in results],
        "plants": [
            {
                "kind": p.pair.kind,
                "pan": f"{p.pair.folder}/{p.pair.xml}",
                "draft": p.draft,
                "work_id": p.work_id,
            }
            for p in plants
        ],
        "pass": verdicts(results[-1], times),
    }
    out.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")


def measure_step(
    archive: Archive,
    drafts: list[Draft],
    times: IndexTimes,
    step_words: int,
    step_seconds: float,
    load_before: float,
    args: argparse.Namespace,
) -> StepResult:
    passages, fingerprints = counts()
    size = index_size()
    if size is None:
        size = database_file_bytes()  # an upper bound: the works' rows are in it too
    say(f"  checking {len(drafts)} drafts")
    cold, timings, cpu, findings = run_checks(drafts, archive, args.threshold)
    scores = score_findings(drafts, findings)
    return StepResult(
        words=archive.words,
        works=archive.works,
        passages=passages,
        fingerprints=fingerprints,
        index_bytes=size,
        bytes_per_word=round(size / archive.words, 1),
        index_words_per_s=round(times.words / times.seconds, 1),
        step_index_words_per_s=round(step_words / step_seconds, 1) if step_seconds else 0.0,
        cold_check_ms=round(cold, 1),
        check_p50_ms=round(statistics.median(timings), 1),
        check_p95_ms=round(_percentile(timings, 0.95), 1),
        check_max_ms=round(max(timings), 1),
        check_ms=[round(t, 1) for t in timings],
        check_cpu_ms=[round(t, 1) for t in cpu],
        load_average=(load_before, round(os.getloadavg()[0], 2)),
        **scores,
    )


def print_step(result: StepResult, times: IndexTimes) -> None:
    say(
        f"  {result.words:,} words in {result.works} works: index "
        f"{times.words / times.seconds:,.0f} words/s overall "
        f"({result.step_index_words_per_s:,.0f} this step; split "
        f"{times.split()}); cold check {result.cold_check_ms:,.0f} ms; p50 "
        f"{result.check_p50_ms:,.0f} ms, p95 {result.check_p95_ms:,.0f} ms (CPU p50 "
        f"{statistics.median(result.check_cpu_ms):,.0f} ms); recall {result.recall:.3f}, "
        f"precision {result.precision:.3f}; load average {result.load_average}"
    )
    cores = _usable_cores()
    if max(result.load_average) > cores:
        say(
            f"  DISTURBED: the load average passed the {cores} usable cores: other processes "
            "took CPU, so times are longer than on a quiet machine (compare the CPU times)"
        )


def verdicts(result: StepResult, times: IndexTimes) -> dict[str, bool]:
    return {
        "index_words_per_s": times.words / times.seconds >= TARGET_WORDS_PER_S,
        "check_p50_ms": result.check_p50_ms <= TARGET_P50_MS,
        "recall_at_precision": result.recall >= TARGET_RECALL
        and result.precision >= TARGET_PRECISION,
    }


def print_summary(results: list[StepResult], times: IndexTimes) -> None:
    say("")
    header = (
        f"{'words':>11} {'works':>6} {'passages':>8} {'fingerpr':>9} {'index MB':>8} "
        f"{'B/word':>6} {'idx w/s':>8} {'cold ms':>8} {'p50 ms':>7} {'p95 ms':>7} "
        f"{'recall':>6} {'prec':>6} {'found':>7} {'false':>5}"
    )
    say(header)
    for r in results:
        say(
            f"{r.words:>11,} {r.works:>6} {r.passages:>8} {r.fingerprints:>9} "
            f"{r.index_bytes / 2**20:>8.1f} {r.bytes_per_word:>6.1f} "
            f"{r.step_index_words_per_s:>8,.0f} {r.cold_check_ms:>8,.0f} {r.check_p50_ms:>7,.0f} "
            f"{r.check_p95_ms:>7,.0f} {r.recall:>6.3f} {r.precision:>6.3f} "
            f"{r.found:>3}/{r.cases:<3} {r.false_findings:>5}"
        )
    split = times.split()
    say(
        f"\nindexing: {times.words:,} words in {times.seconds:.1f} s = "
        f"{times.words / times.seconds:,.0f} words/s ({times.cpu_seconds:.1f} s of CPU: "
        f"{times.words / times.cpu_seconds:,.0f} words per CPU second); "
        + ", ".join(
            f"{name} {s:.1f} s ({100 * s / times.seconds:.0f} %)" for name, s in split.items()
        )
    )
    last = results[-1]
    say(f"\nkind confusion at {last.words:,} words (planted as -> best finding's kind)")
    columns = (*FINDING_KINDS, "missed")
    say(f"{'planted':>14} " + " ".join(f"{c:>13}" for c in columns) + f" {'recall':>7}")
    for kind, row in last.confusion.items():
        cells = " ".join(f"{row.get(c, 0):>13}" for c in columns)
        say(f"{kind:>14} {cells} {last.recall_by_kind.get(kind, 0.0):>7.3f}")
    if last.false_examples:
        say(f"\nfalse findings at {last.words:,} words: {last.false_findings}; two examples:")
        for example in last.false_examples[:2]:
            say(
                f"- {example['kind']} {example['score']} ({example['detector']}), work "
                f"{example['source_work']}\n  draft:  {example['draft']}\n  source: "
                f"{example['source']}"
            )
    passed = verdicts(last, times)
    say("\ntargets")
    say(
        f"  indexing >= {TARGET_WORDS_PER_S:,.0f} words/s: {times.words / times.seconds:,.0f} "
        f"{'PASS' if passed['index_words_per_s'] else 'FAIL'}"
    )
    say(
        f"  check p50 <= {TARGET_P50_MS:,.0f} ms at {last.words:,} words: "
        f"{last.check_p50_ms:,.0f} {'PASS' if passed['check_p50_ms'] else 'FAIL'}"
    )
    say(
        f"  recall >= {TARGET_RECALL} at precision >= {TARGET_PRECISION}: {last.recall:.3f} at "
        f"{last.precision:.3f} {'PASS' if passed['recall_at_precision'] else 'FAIL'}"
    )


if __name__ == "__main__":
    with contextlib.suppress(KeyboardInterrupt):
        sys.exit(main())
