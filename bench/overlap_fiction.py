"""The overlap check on fiction: planted passages edited the way writers rework their own prose.

    python bench/overlap_fiction.py [SOURCE_DIR] [--cases 20] [--negatives N] [--styles a,b]
        [--seed 1] [--book-words N] [--threshold T] [--examples 3] [--json PATH]

SOURCE_DIR (default: the repo's `tests/fixtures/gutenberg`) holds novels as Project Gutenberg
plain text (`*.txt`, `*.txt.gz`) or HTML (`*.htm`, `*.html`, `*.htm.gz`), directly or one folder a
book (`../shared/corpus/gutenberg`); one file is read per book, plain text first. Every book is
read with the archive's own parser (`texts.formats.parse_bytes`), so its Project Gutenberg header
and licence are dropped.

**The archive.** A fresh one in a temporary data folder (SQLite, migrated). Every fourth chapter
of each book is held out; the other chapters' paragraphs become posted works of three
~1,500-word chapters, two in three by the writer "wren" and the others by "ash", imported as
`ficarchive import --post` imports (`parse_bytes` then `works.imports.store_parsed`) and indexed
(`overlap.services.index_work`). The held-out chapters are in no work: text made of them is new
prose, other scenes than any work's.

**The drafts.** Each holds one or two planted passages (40-300 words of whole paragraphs, cut at
sentence ends when longer) from source works, edited in one style, in new prose: held-out
paragraphs of a *different* book, with that book's character and place names swapped for the
source book's (so the new prose shares no passage with any work but names the same people — the
hard negatives of fan fiction). Styles (`STYLES`; each function is in this file):

- `verbatim`: the passage as it is;
- `light`: 5-10 % of the words changed: synonyms from a small table, adverbs added or removed,
  contractions made or undone;
- `names`: the book's character and place names swapped consistently for others;
- `pov`: point of view switched: the main character from third person to first (she/her/Alice ->
  I/me/my) outside dialogue, or, in a book narrated in the first person (Sherlock Holmes), the
  narrator from first to third;
- `tense`: narration from past to present (a table of irregular verbs, -ed rules), not dialogue;
- `reorder`: sentences shuffled within paragraphs (adjacent one-sentence paragraphs swapped) and
  one new sentence inserted;
- `dialogue`: speech tags changed ("said" -> "whispered"), added to untagged lines, or removed.

Plus negative drafts with no reuse, half of each kind: `negative-same-book`, held-out scenes of
the source book itself (the same characters and setting, other events), and `negative-other-book`,
held-out paragraphs of another book with the source book's names and places swapped in.

**The check.** Each draft is written as a plain-text file's bytes and read as `ficarchive check
FILE --author wren` reads it (`parse_bytes`, then `overlap.services.check_texts` with scope "all"
at the default threshold). Truth spans are character offsets into the chapter text the check sees
and into the source chapter's stored text.

**The measures** (per style, with `ficarchive.overlap.plagdet`): a case is *found* when at least
half its characters (both sides) are covered by findings pointing at its source work and chapter;
character recall, precision and granularity (findings per found case) as PAN computes them over
all cases and findings of the style (a finding in the new prose, or pointing at another source,
counts with precision 0); false findings per draft (findings that detect no planted case: every
finding of a negative draft and any other in the new prose of drafts with reuse). Prints the
machine, a table, the kinds of finding per style, examples of misses and false findings, and the
issue 16 targets with PASS/MISS; `--json PATH` writes everything, with one row per case. Seeded:
the same arguments build the same archive and drafts. Exits 0 whether or not the targets are met.
"""

from __future__ import annotations

import argparse
import contextlib
import difflib
import gzip
import json
import os
import random
import re
import shutil
import sqlite3
import sys
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(BENCH))  # parse_accuracy, for the machine

from ficarchive.overlap.plagdet import PlagdetAccumulator, Span, evaluate  # noqa: E402

if TYPE_CHECKING:
    from ficarchive.accounts.models import Pseud, User
    from ficarchive.overlap.findings import Finding

DEFAULT_SOURCE = ROOT / "tests" / "fixtures" / "gutenberg"
STYLES = ("verbatim", "light", "names", "pov", "tense", "reorder", "dialogue")
NEGATIVES = ("negative-same-book", "negative-other-book")

# issue 16's targets
TARGET_DETECTION = {
    "verbatim": 0.95,
    "light": 0.95,
    "names": 0.95,
    "dialogue": 0.95,
    "pov": 0.85,
    "tense": 0.85,
    "reorder": 0.80,
}
TARGET_RECALL = 0.90  # character recall, every edited style
TARGET_PRECISION = 0.95
TARGET_FALSE_PER_DRAFT = 0.1
TARGET_GRANULARITY = 1.1

HELD_OUT_EVERY = 4  # every fourth chapter of a book is held out of the archive
CHAPTER_WORDS = 1500
CHAPTERS_PER_WORK = 3
PASSAGE_WORDS = (40, 300)
PROSE_WORDS = (80, 250)  # new prose before, between and after the planted passages
LIGHT_SHARE = (0.05, 0.10)


def say(line: str = "") -> None:
    print(line, flush=True)


# -- the books' people and places ---------------------------------------------------------------


@dataclass(frozen=True)
class Cast:
    """A book's main character and the names a rename swaps. Kinds: f, m (given names),
    surname, place, title (a creature or office used as a name: "the Hatter")."""

    main: tuple[str, ...]  # the main character's names, the first the usual one
    pronoun: str  # "she" or "he"
    narrator: bool  # the main character tells the story in the first person
    names: dict[str, str]


CASTS: dict[str, Cast] = {
    "alice": Cast(
        ("Alice",),
        "she",
        False,
        {
            "Alice": "f",
            "Dinah": "f",
            "Mary Ann": "f",
            "Bill": "m",
            "Queen": "title",
            "King": "title",
            "Hatter": "title",
            "Duchess": "title",
            "Gryphon": "title",
            "Mock Turtle": "title",
            "Caterpillar": "title",
            "Dormouse": "title",
            "March Hare": "title",
            "White Rabbit": "title",
            "Rabbit": "title",
            "Cheshire Cat": "title",
            "Dodo": "title",
            "Wonderland": "place",
        },
    ),
    "pride": Cast(
        ("Elizabeth", "Lizzy", "Eliza"),
        "she",
        False,
        {
            "Elizabeth": "f",
            "Lizzy": "f",
            "Eliza": "f",
            "Jane": "f",
            "Lydia": "f",
            "Kitty": "f",
            "Mary": "f",
            "Charlotte": "f",
            "Caroline": "f",
            "Georgiana": "f",
            "Catherine": "f",
            "Maria": "f",
            "Fitzwilliam": "m",
            "William": "m",
            "Darcy": "surname",
            "Bingley": "surname",
            "Wickham": "surname",
            "Collins": "surname",
            "Bennet": "surname",
            "Lucas": "surname",
            "Gardiner": "surname",
            "Hurst": "surname",
            "Phillips": "surname",
            "Forster": "surname",
            "Bourgh": "surname",
            "Longbourn": "place",
            "Netherfield": "place",
            "Pemberley": "place",
            "Meryton": "place",
            "Rosings": "place",
            "Hunsford": "place",
            "Hertfordshire": "place",
            "Derbyshire": "place",
            "Brighton": "place",
        },
    ),
    "sherlock": Cast(
        ("Watson",),
        "he",
        True,
        {
            "Sherlock": "m",
            "John": "m",
            "Irene": "f",
            "Mary": "f",
            "Holmes": "surname",
            "Watson": "surname",
            "Lestrade": "surname",
            "Adler": "surname",
            "Hudson": "surname",
            "Openshaw": "surname",
            "Stoner": "surname",
            "Baker Street": "place",
            "Bohemia": "place",
            "Boscombe": "place",
        },
    ),
}

# Names no book of the corpus uses, for renames.
NEW_NAMES: dict[str, tuple[str, ...]] = {
    "f": ("Harriet", "Maud", "Edith", "Clara", "Agnes", "Rosa", "Beatrice", "Flora", "Hester",
          "Nell", "Violet", "Winifred", "Ottilie", "Phoebe", "Ada", "Isobel"),
    "m": ("Edmund", "Walter", "Hugh", "Ralph", "Cedric", "Oswald", "Percy", "Rupert", "Silas",
          "Tobias", "Jasper", "Felix", "Gideon", "Ambrose", "Lionel", "Basil"),
    "surname": ("Ashby", "Fairfax", "Thornton", "Marlowe", "Hale", "Crane", "Dunmore",
                "Whitlock", "Pryce", "Vane", "Lyle", "Morland", "Radley", "Kettering",
                "Oakes", "Sheldrake", "Penrose", "Talbot"),
    "place": ("Ashcombe", "Thornfield", "Larkhall", "Brierley", "Kingsmead", "Elmsworth",
              "Fairholme", "Hollins", "Redgate", "Cold Norton", "Wyvern", "Stanbury"),
    "title": ("Tinker", "Countess", "Empress", "Weasel", "Beetle", "Shrew", "Basilisk",
              "Tortoise", "Marquis", "Heron", "Badger", "Abbess", "Emperor", "Magpie",
              "Bishop", "Otter", "Peacock", "Ferret"),
}  # fmt: skip


def cast_for(title: str, paragraphs: Sequence[str]) -> Cast:
    """The built-in cast of a known book, or one guessed from its most frequent names."""
    lowered = title.lower()
    for key, cast in CASTS.items():
        if key in lowered:
            return cast
    text = "\n".join(paragraphs)
    counts = Counter(re.findall(r"(?<=[a-z,;] )([A-Z][a-z]{2,})\b", text))
    names = [name for name, n in counts.most_common(20) if n >= 5 and name not in _NOT_NAMES]
    if not names:
        return Cast(("",), "she", False, {})
    main = names[0]
    near = " ".join(s for s in re.split(r"(?<=[.!?])\s+", text) if main in s).lower()
    pronoun = "she" if near.count(" she ") >= near.count(" he ") else "he"
    return Cast((main,), pronoun, False, dict.fromkeys(names[:12], "surname"))


_NOT_NAMES = frozenset(
    "The And But Mr Mrs Miss Sir Lady Lord Project Gutenberg Foundation Archive License United "
    "States English Monday Tuesday Wednesday Thursday Friday Saturday Sunday God Street".split()
)


def _name_pattern(names: Sequence[str]) -> re.Pattern[str]:
    ordered = sorted(names, key=len, reverse=True)
    return re.compile(r"\b(" + "|".join(re.escape(n) for n in ordered) + r")\b")


def rename_map(cast: Cast, rng: random.Random, avoid: Sequence[str] = ()) -> dict[str, str]:
    """A new name for every name of the cast, of the same kind; the main character's other
    names (Lizzy, Eliza) take the same new name as the first."""
    pools = {kind: [n for n in names if n not in avoid] for kind, names in NEW_NAMES.items()}
    for pool in pools.values():
        rng.shuffle(pool)
    mapping: dict[str, str] = {}
    for name, kind in cast.names.items():
        if name in cast.main[1:] and cast.main[0] in mapping:
            mapping[name] = mapping[cast.main[0]]
        else:
            mapping[name] = pools[kind].pop() if pools[kind] else name
    return mapping


def rename(text: str, mapping: dict[str, str]) -> str:
    """Every name in `mapping` swapped for its new name, in one pass (no chains)."""
    if not mapping:
        return text
    return _name_pattern(list(mapping)).sub(lambda m: mapping[m.group(1)], text)


def cross_map(from_cast: Cast, to_cast: Cast) -> dict[str, str]:
    """Another book's names mapped onto this book's, kind by kind and by rank (its main
    character onto this one's), so prose from that book names this book's people."""
    by_kind: dict[str, list[str]] = defaultdict(list)
    for name, kind in to_cast.names.items():
        if name not in to_cast.main[1:]:
            by_kind[kind].append(name)
    if to_cast.main[0] in to_cast.names:
        kind = to_cast.names[to_cast.main[0]]
        by_kind[kind].remove(to_cast.main[0])
        by_kind[kind].insert(0, to_cast.main[0])
    mapping: dict[str, str] = {}
    taken: Counter[str] = Counter()
    ordered = [*from_cast.main, *(n for n in from_cast.names if n not in from_cast.main)]
    for name in ordered:
        kind = from_cast.names.get(name, "f" if from_cast.pronoun == "she" else "m")
        if name in from_cast.main[1:]:
            mapping[name] = mapping.get(from_cast.main[0], name)
            continue
        choices = by_kind.get(kind) or [n for names in by_kind.values() for n in names]
        if choices:
            mapping[name] = choices[taken[kind] % len(choices)]
            taken[kind] += 1
    return mapping


# -- words and quotes ---------------------------------------------------------------------------

_WORD = re.compile(r"[A-Za-z]+(?:['’][A-Za-z]+)*")
_OPEN_QUOTES = "“‘"
_CLOSE_QUOTES = "”’"


def tokens(text: str) -> list[str]:
    """Words and what lies between them, alternately; joined they give the text back."""
    parts: list[str] = []
    last = 0
    for match in _WORD.finditer(text):
        parts.append(text[last : match.start()])
        parts.append(match.group())
        last = match.end()
    parts.append(text[last:])
    return parts  # even indexes: separators (maybe empty), odd indexes: words


def quoted(parts: Sequence[str]) -> list[bool]:
    """For each token, whether it lies inside quotation marks (dialogue). A paragraph break
    closes any quote (a speech that goes on reopens its quote in the next paragraph)."""
    inside = False
    flags = []
    for index, part in enumerate(parts):
        if index % 2 == 0:
            for char in part:
                if char == "\n":
                    inside = False
                elif char in _OPEN_QUOTES:
                    inside = True
                elif char in _CLOSE_QUOTES:
                    inside = False
                elif char == '"':
                    inside = not inside
        flags.append(inside)
    return flags


def _cased(word: str, like: str) -> str:
    """`word` with the capital of `like` (the word it replaces)."""
    if like[:1].isupper() and word[:1].islower():
        return word[:1].upper() + word[1:]
    if like[:1].islower() and word[:1].isupper() and word != "I":
        return word[:1].lower() + word[1:]
    return word


def _apostrophe(text: str) -> str:
    return "’" if "’" in text else "'"


def word_count(text: str) -> int:
    return len(text.split())


def changed_share(before: str, after: str) -> float:
    """The share of `before`'s words changed in `after`: words of the longer side outside the
    longest matching blocks, over the words of `before`."""
    a, b = before.split(), after.split()
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    matched = sum(block.size for block in matcher.get_matching_blocks())
    return (max(len(a), len(b)) - matched) / max(1, len(a))


# -- style: light edits -------------------------------------------------------------------------

SYNONYMS: dict[str, str] = {
    "little": "small", "small": "little", "large": "big", "big": "large", "began": "started",
    "begin": "start", "quite": "rather", "rather": "quite", "answered": "replied",
    "replied": "answered", "looked": "glanced", "happy": "glad", "glad": "happy",
    "afraid": "frightened", "frightened": "afraid", "perhaps": "maybe", "nearly": "almost",
    "almost": "nearly", "lady": "woman", "suddenly": "abruptly", "moment": "instant",
    "asked": "enquired", "walked": "strolled", "ran": "hurried", "angry": "cross",
    "pleased": "delighted", "sure": "certain", "certain": "sure", "certainly": "surely",
    "pretty": "lovely", "beautiful": "lovely", "speak": "talk", "spoke": "talked",
    "till": "until", "until": "till", "very": "really", "whole": "entire", "wish": "want",
    "wished": "wanted", "cried": "exclaimed", "exclaimed": "cried", "quickly": "swiftly",
    "slowly": "gradually", "strange": "odd", "odd": "strange", "curious": "strange",
    "silent": "quiet", "quiet": "silent", "often": "frequently", "house": "home",
    "room": "chamber", "road": "lane", "garden": "yard", "idea": "notion", "notion": "idea",
    "child": "girl", "gentleman": "man", "fancy": "imagine", "returned": "answered",
    "observed": "remarked", "remarked": "observed", "continued": "went on", "reply": "answer",
    "hastily": "hurriedly", "silence": "quiet", "indeed": "truly", "great": "huge",
    "felt": "sensed", "dear": "darling", "anxious": "uneasy", "everybody": "everyone",
    "anything": "aught", "afterwards": "later", "presently": "soon", "directly": "at once",
}  # fmt: skip
ADVERBS = ("slowly", "quietly", "suddenly", "softly", "quickly", "gently", "finally",
           "simply", "certainly", "carefully", "briefly", "eagerly")  # fmt: skip
REMOVABLE = frozenset("very quite rather really just suddenly indeed certainly only".split())
CONTRACTIONS: dict[tuple[str, str], str] = {
    ("do", "not"): "don’t", ("did", "not"): "didn’t", ("does", "not"): "doesn’t",
    ("is", "not"): "isn’t", ("was", "not"): "wasn’t", ("were", "not"): "weren’t",
    ("could", "not"): "couldn’t", ("would", "not"): "wouldn’t", ("should", "not"): "shouldn’t",
    ("will", "not"): "won’t", ("have", "not"): "haven’t", ("had", "not"): "hadn’t",
    ("it", "is"): "it’s", ("that", "is"): "that’s", ("i", "am"): "I’m", ("i", "have"): "I’ve",
    ("i", "will"): "I’ll", ("you", "are"): "you’re", ("we", "are"): "we’re",
    ("they", "are"): "they’re", ("there", "is"): "there’s", ("i", "would"): "I’d",
    ("you", "will"): "you’ll", ("he", "is"): "he’s", ("she", "is"): "she’s",
}  # fmt: skip
EXPANSIONS = {v.lower().replace("’", "'"): " ".join(k) for k, v in CONTRACTIONS.items()}
EXPANSIONS["can't"] = "cannot"


def _contracted(pair: tuple[str, str], like: str, apostrophe: str) -> str:
    return _cased(CONTRACTIONS[pair].replace("’", apostrophe), like)


def light_edit(text: str, rng: random.Random, share: float | None = None) -> str:
    """About `share` (default 5-10 %, drawn) of the words changed, one small edit at a time at
    untouched places: a synonym, an adverb added before a verb or removed, a contraction made
    or undone. Stops at the share; returns the text with fewer edits if it runs out of places."""
    goal = share if share is not None else rng.uniform(*LIGHT_SHARE)
    parts = tokens(text)
    apostrophe = _apostrophe(text)
    words = list(range(1, len(parts), 2))
    edits: list[Callable[[list[str]], None]] = []
    for i in words:
        word = parts[i]
        lower = word.lower()
        if lower in SYNONYMS:
            edits.append(partial(_put, at=i, text=_cased(SYNONYMS[lower], word)))
        if lower in REMOVABLE and parts[i + 1] == " " and i + 2 < len(parts):
            edits.append(partial(_remove_word, i=i))
        if (lower.endswith("ed") or lower in IRREGULAR) and _after_subject(parts, i):
            adverb = rng.choice(ADVERBS)
            edits.append(partial(_prefix, at=i, text=adverb))
        if i + 2 < len(parts) and parts[i + 1] == " ":
            pair = (lower, parts[i + 2].lower())
            if pair in CONTRACTIONS:
                edits.append(partial(_contract, i=i, pair=pair, like=word, apostrophe=apostrophe))
        if lower.replace("’", "'") in EXPANSIONS:
            long = EXPANSIONS[lower.replace("’", "'")]
            edits.append(partial(_put, at=i, text=_cased(long, word)))
    rng.shuffle(edits)
    done = text
    touched = list(parts)
    for edit in edits:
        trial = list(touched)
        edit(trial)
        if "".join(trial) == "".join(touched):
            continue
        after = "".join(trial)
        measured = changed_share(text, after)
        if measured > LIGHT_SHARE[1] and share is None:
            continue
        touched, done = trial, after
        if measured >= goal:
            break
    return done


def _after_subject(parts: Sequence[str], i: int) -> bool:
    """Whether word token `i` follows its subject (a pronoun or a name) directly."""
    if i < 3 or parts[i - 1] != " ":
        return False
    subject = parts[i - 2]
    return subject.lower() in ("i", "she", "he", "they", "we", "you") or subject[:1].isupper()


def _put(parts: list[str], at: int, text: str) -> None:
    parts[at] = text


def _prefix(parts: list[str], at: int, text: str) -> None:
    parts[at] = f"{text} {parts[at]}"


def _remove_word(parts: list[str], i: int) -> None:
    if parts[i] and parts[i + 1] == " ":
        following = parts[i + 2]
        parts[i], parts[i + 1] = "", ""
        if parts[i - 1].endswith((". ", "‘", "“", '"')) or i == 1:
            parts[i + 2] = following[:1].upper() + following[1:]


def _contract(parts: list[str], i: int, pair: tuple[str, str], like: str, apostrophe: str) -> None:
    if parts[i + 1] == " " and (parts[i].lower(), parts[i + 2].lower()) == pair:
        parts[i], parts[i + 1], parts[i + 2] = _contracted(pair, like, apostrophe), "", ""


# -- style: tense -------------------------------------------------------------------------------

# past -> base form
IRREGULAR: dict[str, str] = {
    "was": "be", "were": "be", "had": "have", "did": "do", "said": "say", "went": "go",
    "came": "come", "saw": "see", "thought": "think", "took": "take", "made": "make",
    "knew": "know", "got": "get", "gave": "give", "found": "find", "told": "tell",
    "felt": "feel", "left": "leave", "began": "begin", "stood": "stand", "ran": "run",
    "sat": "sit", "heard": "hear", "spoke": "speak", "kept": "keep", "brought": "bring",
    "became": "become", "held": "hold", "wrote": "write", "meant": "mean", "could": "can",
    "would": "will", "fell": "fall", "grew": "grow", "drew": "draw", "threw": "throw",
    "caught": "catch", "taught": "teach", "bought": "buy", "sought": "seek", "fought": "fight",
    "led": "lead", "lost": "lose", "sent": "send", "spent": "spend", "built": "build",
    "struck": "strike", "woke": "wake", "wore": "wear", "broke": "break", "chose": "choose",
    "forgot": "forget", "understood": "understand", "ate": "eat", "drank": "drink",
    "sang": "sing", "swam": "swim", "shook": "shake", "hung": "hang", "met": "meet",
    "paid": "pay", "laid": "lay", "slept": "sleep", "swept": "sweep", "crept": "creep",
    "wept": "weep", "sank": "sink", "sprang": "spring", "rang": "ring", "flew": "fly",
    "hid": "hide", "rode": "ride", "drove": "drive", "stole": "steal", "tore": "tear",
    "swore": "swear", "shone": "shine", "won": "win", "sold": "sell", "stuck": "stick",
    "lay": "lie", "rose": "rise", "bore": "bear", "beheld": "behold", "bade": "bid",
    "arose": "arise", "overtook": "overtake", "undertook": "undertake", "withdrew": "withdraw",
}  # fmt: skip
MODALS = frozenset({"can", "will"})
_BE_HAVE = frozenset(
    "was were had been be is are has have being am get got having seemed looked felt".split()
)
_DETERMINERS = frozenset(
    "the a an his her my their its this that these those our your very so too more most "
    "much some any no each every one".split()
)
_NOT_VERBS = frozenset(
    "need indeed hundred bed red shed speed seed feed breed creed deed greed weed sacred naked "
    "wicked kindred wretched ragged rugged beloved aged crooked dogged jagged blessed learned "
    "fred alfred mildred ted winifred bred led fled sped wed".split()
)
_NO_FINAL_E = frozenset(
    "visit limit exhibit inherit credit profit deposit edit merit open listen happen order "
    "answer wonder consider enter remember offer travel quarrel model label cancel develop "
    "gallop gossip worship discover recover suffer gather bother murmur utter differ".split()
)
_PLURAL_SUBJECTS = frozenset("i you we they".split())
_VOWELS = "aeiou"


def base_form(past: str) -> str:
    """The base form of a regular verb's past tense ("hoped" -> "hope", "stopped" -> "stop")."""
    word = past.lower()
    stem = word[:-2]
    if word.endswith("ied"):
        return word[:-1] if len(word) <= 4 else word[:-3] + "y"
    if word.endswith(("eed", "ued", "oed")):
        return word[:-1]
    if stem.endswith("y"):
        return stem
    if (
        len(stem) >= 3
        and stem[-1] == stem[-2]
        and stem[-1] in "bdgmnprt"
        and stem[-3] in _VOWELS
        and (len(stem) < 4 or stem[-4] not in _VOWELS)
        and (len(stem) > 3)
    ):
        return stem[:-1]  # stopped, nodded, admitted (but not added)
    if stem.endswith("ll") and stem[:-2].count("e") and _syllables(stem) > 1:
        return stem[:-1]  # travelled, quarrelled
    if stem in _NO_FINAL_E or stem.endswith(("er", "en", "ow", "ew")):
        return stem
    if stem.endswith(("c", "v", "z", "dg", "rs", "ns", "ps", "ls", "rg", "ang", "ulg", "rc")):
        return stem + "e"
    if len(stem) >= 2 and stem[-2] in _VOWELS and stem[-1] == "s" and not stem.endswith("ss"):
        return stem + "e"  # raised, caused, used
    if (
        len(stem) >= 2
        and stem[-1] in "bdgklmnprstz"
        and stem[-2] in _VOWELS
        and (len(stem) < 3 or stem[-3] not in _VOWELS)
        and (
            _syllables(stem) == 1
            or stem.endswith(
                (
                    "at",
                    "ut",
                    "ot",
                    "ir",
                    "ur",
                    "ar",
                    "or",
                    "in",
                    "id",
                    "ud",
                    "um",
                    "ol",
                    "il",
                    "ul",
                    "ib",
                    "ok",
                    "ak",
                    "iz",
                    "it",
                )
            )
        )
    ):
        return stem + "e"  # hoped, smiled, hesitated, decided, declined, ignored, invited
    return stem


def _syllables(word: str) -> int:
    return len(re.findall(r"[aeiouy]+", word))


def third_singular(base: str) -> str:
    special = {"be": "is", "have": "has", "do": "does", "go": "goes", "can": "can", "will": "will"}
    if base in special:
        return special[base]
    if base.endswith(("s", "sh", "ch", "x", "z", "o")):
        return base + "es"
    if base.endswith("y") and len(base) > 1 and base[-2] not in _VOWELS:
        return base[:-1] + "ies"
    return base + "s"


def switch_tense(text: str) -> str:
    """Narration from the past to the present tense ("she walked" -> "she walks", "they were"
    -> "they are"); dialogue is left as it is, and so are participles after a form of be or
    have ("she was pleased" -> "she is pleased") and -ed words after a determiner ("the
    tired girl")."""
    parts = tokens(text)
    inside = quoted(parts)
    for i in range(1, len(parts), 2):
        word = parts[i]
        lower = word.lower()
        if inside[i] or (word[:1].isupper() and i > 1 and not parts[i - 1].endswith(". ")):
            continue  # dialogue, or a name in the middle of a sentence
        previous = parts[i - 2].lower() if i >= 3 and parts[i - 1] == " " else ""
        if previous in _DETERMINERS:
            continue
        if lower in IRREGULAR:
            base = IRREGULAR[lower]
            if lower in ("lay", "rose", "bore", "found", "left", "felt") and previous in _BE_HAVE:
                continue
        elif (
            lower.endswith("ed")
            and len(lower) > 4
            and lower not in _NOT_VERBS
            and previous not in _BE_HAVE
        ):
            base = base_form(lower)
        else:
            continue
        parts[i] = _cased(_present(base, lower, previous), word)
    return "".join(parts)


def _present(base: str, past: str, subject: str) -> str:
    if past == "was":
        return "am" if subject == "i" else "are" if subject in _PLURAL_SUBJECTS else "is"
    if past == "were":
        return "is" if subject in ("he", "she", "it") else "are"
    if base in MODALS:
        return base
    if subject in _PLURAL_SUBJECTS:
        return base
    return third_singular(base)


# -- style: point of view -----------------------------------------------------------------------

_PREPOSITIONS = frozenset(
    "to at with for of from by on in upon about towards toward into after before behind near "
    "like than against beside round over under through without and told asked gave made let "
    "saw heard thanked followed watched".split()
)
_FUNCTION = frozenset(
    "and or but to the a an of in on at as that which who with for from by if so then than "
    "was were is had has not no nor own".split()
)


def switch_pov(text: str, cast: Cast) -> str:
    """The main character told in the first person (third to first: "Alice thought she" ->
    "I thought I"), or, for a narrator, in the third (first to third: "I" -> "he"); outside
    dialogue, and for pronouns only in paragraphs that name the main character (elsewhere a
    "she" is as likely someone else)."""
    if cast.narrator:
        return "\n\n".join(_first_to_third(p, cast) for p in text.split("\n\n"))
    return "\n\n".join(_third_to_first(p, cast) for p in text.split("\n\n"))


def _third_to_first(paragraph: str, cast: Cast) -> str:
    parts = tokens(paragraph)
    inside = quoted(parts)
    names = {n for n in cast.main if n}
    about_main = any(parts[i] in names for i in range(1, len(parts), 2))
    he = cast.pronoun == "he"
    for i in range(1, len(parts), 2):
        if inside[i]:
            continue
        word, lower = parts[i], parts[i].lower()
        nxt = parts[i + 2].lower() if i + 2 < len(parts) and parts[i + 1] == " " else ""
        previous = parts[i - 2].lower() if i >= 3 and parts[i - 1] == " " else ""
        content_next = bool(nxt) and nxt not in _FUNCTION
        new = ""
        if word in names:
            new = "me" if previous in _PREPOSITIONS else "I"
        elif word[-2:] in ("’s", "'s") and word[:-2] in names:
            new = "my"
        elif not about_main:
            continue
        elif lower == cast.pronoun:
            new = "I"
        elif lower in ("himself", "herself"):
            new = "myself"
        elif he and lower == "him":
            new = "me"
        elif he and lower == "his":
            new = "my" if content_next else "mine"
        elif not he and lower == "her":
            new = "my" if content_next else "me"
        elif not he and lower == "hers":
            new = "mine"
        if not new:
            continue
        parts[i] = new if new == "I" else _capital(new, _at_start(parts, i))
        if new == "I" and nxt in _FIRST_PERSON_VERB:
            parts[i + 2] = _FIRST_PERSON_VERB[nxt]
    return "".join(parts)


_FIRST_PERSON_VERB = {
    "is": "am",
    "has": "have",
    "does": "do",
    "doesn't": "don't",
    "doesn’t": "don’t",
    "was": "was",
    "wants": "want",
    "thinks": "think",
    "says": "say",
    "knows": "know",
    "feels": "feel",
    "goes": "go",
}
_THIRD_PERSON_VERB = {first: third for third, first in _FIRST_PERSON_VERB.items()}


def _at_start(parts: Sequence[str], i: int) -> bool:
    """Whether word token `i` begins a sentence (or a quotation)."""
    between = parts[i - 1]
    if i == 1 or "\n" in between:
        return not between.strip(' “‘"\n') or between.rstrip().endswith(("“", "‘", '"'))
    return between.rstrip().endswith((".", "!", "?", "“", '"', "‘"))


def _capital(word: str, capital: bool) -> str:
    return word[:1].upper() + word[1:] if capital else word


def _first_to_third(paragraph: str, cast: Cast) -> str:
    parts = tokens(paragraph)
    inside = quoted(parts)
    named = False
    he = cast.pronoun == "he"
    forms = {
        "i": cast.main[0],
        "me": "him" if he else "her",
        "my": "his" if he else "her",
        "mine": "his" if he else "hers",
        "myself": "himself" if he else "herself",
    }
    for i in range(1, len(parts), 2):
        if inside[i]:
            continue
        word = parts[i]
        lower = word.lower().replace("’", "'")
        if lower.startswith("i'") and len(lower) in (3, 4):  # I'm, I've, I'd, I'll
            rest = {"i'm": "’s", "i've": "’s", "i'd": "’d", "i'll": "’ll"}.get(lower)
            if rest is None:
                continue
            subject = cast.main[0] if not named else ("he" if he else "she")
            named = True
            parts[i] = _cased(subject, word) + rest.replace("’", _apostrophe(paragraph))
            continue
        if lower not in forms:
            continue
        new = forms[lower]
        if lower == "i":
            new = cast.main[0] if not named else ("he" if he else "she")
            named = True
            nxt = parts[i + 2].lower() if i + 2 < len(parts) and parts[i + 1] == " " else ""
            if nxt in _THIRD_PERSON_VERB:
                parts[i + 2] = _cased(_THIRD_PERSON_VERB[nxt], parts[i + 2])
        parts[i] = _capital(new, _at_start(parts, i) or new[:1].isupper())
    return "".join(parts)


# -- style: reordering --------------------------------------------------------------------------

_SENTENCE_END = re.compile(r"(?<=[.!?])([”’\"]?)\s+(?=[“‘\"(]?[A-Z])")


def sentences(paragraph: str) -> list[str]:
    """A paragraph's sentences (closing quotes stay with the sentence they end)."""
    pieces = _SENTENCE_END.split(paragraph)
    found = [pieces[0]]
    for index in range(1, len(pieces), 2):
        found[-1] += pieces[index]
        found.append(pieces[index + 1])
    return [s for s in found if s.strip()]


def reorder(text: str, rng: random.Random, new_sentence: str) -> str:
    """Sentences shuffled within each paragraph of two or more (one-sentence paragraphs are
    swapped with a neighbour instead), and `new_sentence` inserted between two sentences."""
    paragraphs = [sentences(p) for p in text.split("\n\n")]
    for sentence_list in paragraphs:
        if len(sentence_list) >= 2:
            original = list(sentence_list)
            for _ in range(5):
                rng.shuffle(sentence_list)
                if sentence_list != original:
                    break
    for index in range(0, len(paragraphs) - 1, 2):
        if len(paragraphs[index]) == 1 and len(paragraphs[index + 1]) == 1:
            paragraphs[index], paragraphs[index + 1] = paragraphs[index + 1], paragraphs[index]
    flat = [(p, s) for p, sentence_list in enumerate(paragraphs) for s in range(len(sentence_list))]
    p, s = rng.choice(flat[1:]) if len(flat) > 1 else flat[0]
    paragraphs[p].insert(s, new_sentence.strip())
    return "\n\n".join(" ".join(sentence_list) for sentence_list in paragraphs)


# -- style: dialogue tags -----------------------------------------------------------------------

TAG_VERBS = (
    "said",
    "cried",
    "replied",
    "answered",
    "asked",
    "returned",
    "observed",
    "continued",
    "exclaimed",
    "added",
    "remarked",
    "whispered",
    "repeated",
    "shouted",
    "muttered",
    "murmured",
    "called",
    "thought",
    "went on",
)
_TAG_VERB = "|".join(re.escape(v) for v in TAG_VERBS)
_SPEAKER = r"(?:(?:the|Mr\.|Mrs\.|Miss|Lady|Sir|Dr\.|Colonel) )?[A-Z][a-z]+|he|she|I|they"
_QUOTE_END = r"[”’\"]"
# ,” said Elizabeth  /  ,” she said  /  ?’ said the Hatter
_TAG = re.compile(
    rf"(?P<end>[,!?.—-]){_QUOTE_END}(?P<space> )"
    rf"(?:(?P<verb>{_TAG_VERB}) (?P<speaker>{_SPEAKER})"
    rf"|(?P<speaker2>{_SPEAKER}) (?P<verb2>{_TAG_VERB}))"
    r"(?P<after>[.,;:]?)"
)
# “Quite true.”  at the end of a paragraph or before the next quote: no tag
_UNTAGGED = re.compile(rf"(?P<end>[.!?]){_QUOTE_END}(?=$|\s+[“‘\"])")


def retag_dialogue(text: str, rng: random.Random, speaker: str) -> str:
    """Speech tags changed ("said" -> "whispered"), removed at the end of a sentence
    ('“Yes,” said Jane.' -> '“Yes.”') or added to untagged lines ('“Yes.”' -> '“Yes,” said
    Jane.', with `speaker`). Every tag is touched; untagged lines get one half the time."""

    def tagged(match: re.Match[str]) -> str:
        verb = match.group("verb") or match.group("verb2")
        who = match.group("speaker") or match.group("speaker2")
        close = match.group(0)[1]
        after = match.group("after")
        if after == "." and match.group("end") == "," and rng.random() < 0.35:
            return "." + close  # removed
        new_verb = rng.choice([v for v in TAG_VERBS if v != verb])
        if match.group("verb"):
            return f"{match.group('end')}{close} {new_verb} {who}{after}"
        return f"{match.group('end')}{close} {who} {new_verb}{after}"

    def untagged(match: re.Match[str]) -> str:
        if rng.random() < 0.5:
            return match.group(0)
        close = match.group(0)[1]
        end = match.group("end")
        verb = "asked" if end == "?" else "cried" if end == "!" else rng.choice(TAG_VERBS[:4])
        return f"{',' if end == '.' else end}{close} {verb} {speaker}."

    return "\n\n".join(
        _UNTAGGED.sub(untagged, _TAG.sub(tagged, paragraph)) for paragraph in text.split("\n\n")
    )


def dialogue_lines(text: str) -> int:
    """How many tagged or untagged speeches the retagging can work on."""
    return len(_TAG.findall(text)) + len(_UNTAGGED.findall(text))


# -- the books ----------------------------------------------------------------------------------


@dataclass
class Book:
    name: str
    title: str
    cast: Cast
    archive: list[list[str]]  # the paragraphs of the chapters that go into works
    held_out: list[list[str]]  # the paragraphs of the chapters in no work


def book_files(folder: Path, prefer: str = "txt") -> list[Path]:
    """One file a book: plain text first (or HTML first with `prefer="html"`)."""
    suffixes = {"txt": (".txt", ".txt.gz"), "html": (".htm", ".html", ".htm.gz", ".html.gz")}
    order = ["txt", "html"] if prefer == "txt" else ["html", "txt"]
    chosen: dict[str, Path] = {}
    for kind in reversed(order):  # the preferred kind is written last and wins
        for path in sorted(folder.rglob("*")):
            if path.is_file() and path.name.lower().endswith(suffixes[kind]):
                if path.name.startswith("LICENSE") or path.stem.split(".")[0].endswith("-short"):
                    continue  # a licence, or a cut-down copy of a book made for a parser test
                key = path.parent.name if path.parent != folder else path.name.split(".")[0]
                chosen[key] = path
    return [chosen[key] for key in sorted(chosen)]


def read_books(folder: Path, words: int | None, prefer: str = "txt") -> list[Book]:
    """The books of the folder through the archive's parser, cut into paragraph runs."""
    from ficarchive.texts.formats import parse_bytes

    books = []
    for path in book_files(folder, prefer):
        data = path.read_bytes()
        name = path.name
        if name.endswith(".gz"):
            data, name = gzip.decompress(data), name[:-3]
        parsed = parse_bytes(data, name)
        chapters = [
            [" ".join(p.split()) for p in chapter.text.split("\n\n") if p.strip()]
            for chapter in parsed.chapters
        ]
        if words is not None:
            chapters = _first_words(chapters, words)
        if len(chapters) < 2:  # one long chapter: its halves stand for two
            half = len(chapters[0]) // 2
            chapters = [chapters[0][:half], chapters[0][half:]]
        # Whole chapters are held out, so that new prose is another scene, never the rest of
        # a scene whose beginning is in a work (and the writer's repeats within a scene stay
        # on one side).
        held = {n for n in range(len(chapters)) if n % HELD_OUT_EVERY == HELD_OUT_EVERY - 1}
        held = held or {len(chapters) - 1}
        archive = [c for n, c in enumerate(chapters) if n not in held and c]
        held_out = [c for n, c in enumerate(chapters) if n in held and c]
        paragraphs = [p for chapter in chapters for p in chapter]
        key = path.parent.name if path.parent != folder else name.split(".")[0]
        books.append(
            Book(key, parsed.title or key, cast_for(parsed.title, paragraphs), archive, held_out)
        )
    if len(books) < 2:
        raise SystemExit(f"{folder}: need two books or more (new prose comes from another book)")
    return books


def _first_words(chapters: list[list[str]], words: int) -> list[list[str]]:
    kept: list[list[str]] = []
    total = 0
    for chapter in chapters:
        if total >= words:
            break
        kept.append([])
        for paragraph in chapter:
            if total >= words:
                break
            kept[-1].append(paragraph)
            total += word_count(paragraph)
    return kept


# -- the archive --------------------------------------------------------------------------------


@dataclass
class SourceChapter:
    book: int
    work_id: int
    title: str
    position: int  # 1-based
    text: str  # as the check reads it
    paragraphs: list[str]


def setup_django(data: Path) -> None:
    os.environ["FICARCHIVE_DATA"] = str(data)
    os.environ.pop("DATABASE_URL", None)
    os.environ.pop("DEBUG", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ficarchive.settings")
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)


def make_writers() -> tuple[User, list[Pseud]]:
    from ficarchive.accounts.services import create_user, default_pseud

    wren = create_user("wren", "correct horse battery staple", "wren@example.org")
    ash = create_user("ash", "correct horse battery staple", "ash@example.org")
    return wren, [default_pseud(wren), default_pseud(ash)]


def build_archive(books: list[Book], pseuds: list[Pseud]) -> list[SourceChapter]:
    """Posted works from the archive paragraphs of every book, imported and indexed."""
    from ficarchive.overlap.services import index_work
    from ficarchive.texts.formats import parse_bytes
    from ficarchive.texts.structure import html_to_text
    from ficarchive.works.imports import store_parsed

    chapters: list[SourceChapter] = []
    number = 0
    for b, book in enumerate(books):
        paragraphs = [p for run in book.archive for p in run]
        planned: list[list[str]] = [[]]
        words = 0
        for paragraph in paragraphs:
            if words >= CHAPTER_WORDS:
                planned.append([])
                words = 0
            planned[-1].append(paragraph)
            words += word_count(paragraph)
        for first in range(0, len(planned), CHAPTERS_PER_WORK):
            its = planned[first : first + CHAPTERS_PER_WORK]
            number += 1
            title = f"{book.title}, remembered ({number})"
            text = f"{title}\n\n" + "\n\n".join(
                f"Chapter {n}\n\n" + "\n\n".join(chapter) for n, chapter in enumerate(its, 1)
            )
            parsed = parse_bytes(text.encode(), f"work-{number}.txt")
            parsed.title = title
            work = store_parsed(
                parsed, [pseuds[0 if number % 3 else 1]], post=True, fandom="Original Work"
            )
            index_work(work.pk)
            for chapter in work.chapters.order_by("position"):
                body = html_to_text(chapter.body)
                chapters.append(
                    SourceChapter(b, work.pk, title, chapter.position, body, body.split("\n\n"))
                )
    return chapters


# -- the drafts ---------------------------------------------------------------------------------


@dataclass
class Case:
    style: str
    book: str
    work_id: int
    source_chapter: int
    source_start: int
    source_end: int
    words: int
    planted: str  # the edited passage as it is in the draft
    original: str
    draft_chapter: int = 0
    draft_start: int = 0
    draft_end: int = 0

    def span(self) -> Span:
        return (self.draft_start, self.draft_end, self.source_start, self.source_end)


@dataclass
class Draft:
    style: str
    paragraphs: list[str]
    cases: list[Case] = field(default_factory=list)
    chapters: list[str] = field(default_factory=list)  # as the check reads the file


class DraftMaker:
    def __init__(self, books: list[Book], sources: list[SourceChapter], rng: random.Random):
        self.books = books
        self.sources = [s for s in sources if word_count(s.text) >= PASSAGE_WORDS[0] * 2]
        self.rng = rng

    def prose(self, source_book: int, words: int, *, same_book: bool = False) -> list[str]:
        """About `words` words of held-out paragraphs: from another book, names swapped for the
        source book's (or, `same_book`, from the source book itself, as they are)."""
        others = [b for b in range(len(self.books)) if b != source_book]
        b = source_book if same_book else self.rng.choice(others)
        book = self.books[b]
        run = list(self.rng.choice(book.held_out))
        start = self.rng.randrange(len(run))
        made: list[str] = []
        total = 0
        for paragraph in run[start:] + run[:start]:
            if word_count(paragraph) < 8:
                continue
            made.append(paragraph)
            total += word_count(paragraph)
            if total >= words:
                break
        if not made:
            return self.prose(source_book, words, same_book=same_book)
        if not same_book:
            mapping = cross_map(book.cast, self.books[source_book].cast)
            made = [rename(p, mapping) for p in made]
        return made

    def passage(self, source: SourceChapter, taken: list[tuple[int, int]]) -> tuple[str, int]:
        """40-300 words of whole paragraphs of the source chapter (cut at a sentence end when
        longer), away from passages already taken; returns the text and its offset."""
        target = self.rng.randint(*PASSAGE_WORDS)
        paragraphs = source.paragraphs
        for _ in range(50):
            first = self.rng.randrange(len(paragraphs))
            if word_count(paragraphs[first]) < 8:
                continue
            chosen: list[str] = []
            total = 0
            for paragraph in paragraphs[first:]:
                chosen.append(paragraph)
                total += word_count(paragraph)
                if total >= target:
                    break
            if total > PASSAGE_WORDS[1]:
                chosen = _trimmed(chosen, PASSAGE_WORDS[1])
            text = "\n\n".join(chosen)
            if not PASSAGE_WORDS[0] <= word_count(text) <= PASSAGE_WORDS[1]:
                continue
            start = source.text.find(text, sum(len(p) + 2 for p in paragraphs[:first]))
            end = start + len(text)
            if start < 0 or any(start < e and s < end for s, e in taken):
                continue
            return text, start
        raise LookupError("no passage")

    def case(self, style: str, source: SourceChapter, taken: list[tuple[int, int]]) -> Case:
        """A passage of the source edited in the style, tried on other passages until the style
        has something to change (a name to swap, a tag to change, 5-10 % of words, ...)."""
        book = self.books[source.book]
        for _ in range(40):
            try:
                original, start = self.passage(source, taken)
            except LookupError:
                break
            planted = self.edit(style, original, book)
            if planted is None:
                continue
            taken.append((start, start + len(original)))
            return Case(
                style=style,
                book=book.name,
                work_id=source.work_id,
                source_chapter=source.position,
                source_start=start,
                source_end=start + len(original),
                words=word_count(original),
                planted=planted,
                original=original,
            )
        raise LookupError(f"no passage for {style} in {source.title} chapter {source.position}")

    def edit(self, style: str, text: str, book: Book) -> str | None:
        """The passage edited in the style, or None when the style finds too little to do."""
        rng = self.rng
        if style == "verbatim":
            return text
        if style == "light":
            edited = light_edit(text, rng)
            share = changed_share(text, edited)
            return edited if LIGHT_SHARE[0] <= share <= LIGHT_SHARE[1] else None
        if style == "names":
            mapping = rename_map(book.cast, rng)
            edited = rename(text, mapping)
            return edited if changed_share(text, edited) > 0 else None
        if style == "pov":
            edited = switch_pov(text, book.cast)
            return edited if changed_share(text, edited) >= 0.02 else None
        if style == "tense":
            edited = switch_tense(text)
            return edited if changed_share(text, edited) >= 0.03 else None
        if style == "reorder":
            if len(sentences(text.replace("\n\n", " "))) < 3:
                return None
            new = rng.choice(sentences(rng.choice(self.prose(self._index(book), 40))))
            return reorder(text, rng, new)
        if style == "dialogue":
            if dialogue_lines(text) < 2:
                return None
            speaker = book.cast.main[0] or "she"
            for _ in range(5):
                edited = retag_dialogue(text, rng, speaker)
                if edited != text:
                    return edited
            return None
        raise ValueError(f"unknown style {style!r}")

    def _index(self, book: Book) -> int:
        return self.books.index(book)

    def draft(self, style: str, most: int = 2) -> Draft:
        """New prose around one or two planted passages (no more than `most`; the second, half
        the time, from the same source chapter as the first)."""
        count = min(most, self.rng.choice((1, 2)))
        taken: list[tuple[int, int]] = []
        for _ in range(50):  # some chapters have nothing for a style (no dialogue, say)
            first = self.rng.choice(self.sources)
            try:
                cases = [self.case(style, first, taken)]
                break
            except LookupError:
                continue
        else:
            raise LookupError(f"no source chapter has a passage for {style}")
        if count == 2:
            same = self.rng.random() < 0.5
            second = first if same else self.rng.choice(self.sources)
            with contextlib.suppress(LookupError):  # one case is a draft too
                cases.append(self.case(style, second, taken if same else []))
        paragraphs = self.prose(first.book, self.rng.randint(*PROSE_WORDS))
        for case in cases:
            paragraphs.append(case.planted)
            paragraphs += self.prose(first.book, self.rng.randint(*PROSE_WORDS))
        return Draft(style, paragraphs, cases)

    def negative(self, kind: str) -> Draft:
        source = self.rng.choice(self.sources)
        words = self.rng.randint(3 * PROSE_WORDS[0], 3 * PROSE_WORDS[1])
        paragraphs = self.prose(source.book, words, same_book=kind == "negative-same-book")
        return Draft(kind, paragraphs)


def _trimmed(paragraphs: list[str], most: int) -> list[str]:
    """The paragraphs cut at a sentence end to at most `most` words (from the front when the
    first alone is too long)."""
    kept: list[str] = []
    total = 0
    for paragraph in paragraphs:
        if total + word_count(paragraph) <= most:
            kept.append(paragraph)
            total += word_count(paragraph)
            continue
        part: list[str] = []
        for sentence in sentences(paragraph):
            if total + word_count(sentence) > most:
                break
            part.append(sentence)
            total += word_count(sentence)
        if part:
            kept.append(" ".join(part))
        break
    return kept


def read_draft(draft: Draft) -> None:
    """Read the draft as `ficarchive check FILE` reads it, and find its planted passages."""
    from ficarchive.texts.formats import parse_bytes

    data = ("\n\n".join(draft.paragraphs) + "\n").encode()
    draft.chapters = [chapter.text for chapter in parse_bytes(data, "draft.txt").chapters]
    for case in draft.cases:
        for number, text in enumerate(draft.chapters, start=1):
            start = text.find(case.planted)
            if start >= 0:
                case.draft_chapter, case.draft_start = number, start
                case.draft_end = start + len(case.planted)
                break
        else:
            raise RuntimeError(f"planted passage not found in the parsed draft: {case.planted!r}")


# -- scoring ------------------------------------------------------------------------------------


def _key(chapter: int, work_id: int, source_chapter: int) -> tuple[int, int, int]:
    return (chapter, work_id, source_chapter)


def _finding_key(finding: Finding) -> tuple[int, int, int]:
    return _key(finding.draft.chapter, finding.source.work_id, finding.source.chapter)


def _finding_span(finding: Finding) -> Span:
    return (finding.draft.start, finding.draft.end, finding.source.start, finding.source.end)


def _detects(span: Span, case: Span) -> bool:
    return span[0] < case[1] and case[0] < span[1] and span[2] < case[3] and case[2] < span[3]


@dataclass
class StyleScore:
    drafts: int = 0
    cases: int = 0
    found: int = 0
    findings: int = 0
    false_findings: int = 0
    accumulator: PlagdetAccumulator = field(default_factory=PlagdetAccumulator)
    kinds: Counter[str] = field(default_factory=Counter)

    def row(self) -> dict[str, Any]:
        scores = self.accumulator.scores()
        return {
            "drafts": self.drafts,
            "cases": self.cases,
            "found": self.found,
            "detection": round(self.found / self.cases, 4) if self.cases else None,
            "recall": round(scores.recall, 4) if self.cases else None,
            "precision": round(scores.precision, 4) if self.cases else None,
            "granularity": round(scores.granularity, 4) if self.cases else None,
            "findings": self.findings,
            "false_findings": self.false_findings,
            "false_per_draft": round(self.false_findings / self.drafts, 4) if self.drafts else 0,
            "kinds": dict(self.kinds),
        }


def score_draft(
    draft: Draft, findings: list[Finding], score: StyleScore
) -> tuple[list[dict[str, Any]], list[Finding]]:
    """Add one draft to its style's score; returns its case rows and its false findings."""
    score.drafts += 1
    score.findings += len(findings)
    by_key: dict[tuple[int, int, int], tuple[list[Span], list[Span]]] = defaultdict(
        lambda: ([], [])
    )
    for case in draft.cases:
        by_key[_key(case.draft_chapter, case.work_id, case.source_chapter)][0].append(case.span())
    for finding in findings:
        by_key[_finding_key(finding)][1].append(_finding_span(finding))
    for truth, detections in by_key.values():
        score.accumulator.add(truth, detections)
    false = [
        f
        for f in findings
        if not any(
            _finding_key(f) == _key(c.draft_chapter, c.work_id, c.source_chapter)
            and _detects(_finding_span(f), c.span())
            for c in draft.cases
        )
    ]
    score.false_findings += len(false)
    rows = []
    for case in draft.cases:
        key = _key(case.draft_chapter, case.work_id, case.source_chapter)
        right = [f for f in findings if _finding_key(f) == key]
        covered = evaluate([case.span()], [_finding_span(f) for f in right]).recall
        hits = [f for f in right if _detects(_finding_span(f), case.span())]
        score.cases += 1
        score.found += covered >= 0.5
        best = max(hits, key=lambda f: f.score).kind if hits else "missed"
        score.kinds[best] += 1
        rows.append(
            {
                "style": case.style,
                "book": case.book,
                "words": case.words,
                "covered": round(covered, 3),
                "found": covered >= 0.5,
                "findings": [f"{f.kind} {f.score:.2f}" for f in hits],
                "planted": case.planted,
                "original": case.original,
            }
        )
    return rows, false


# -- the run ------------------------------------------------------------------------------------


def machine_info() -> dict[str, Any]:
    """parse_accuracy's machine (CPU, OS, Python, commit, date) with the load and SQLite."""
    from parse_accuracy import machine

    return {
        **machine(),
        "load": round(os.getloadavg()[0], 2) if hasattr(os, "getloadavg") else None,
        "sqlite": sqlite3.sqlite_version,
    }


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "source",
        nargs="?",
        type=Path,
        default=DEFAULT_SOURCE,
        help="folder of Project Gutenberg novels (default: the test fixtures)",
    )
    parser.add_argument("--cases", type=int, default=20, help="planted cases per style")
    parser.add_argument("--negatives", type=int, help="negative drafts (default: --cases)")
    parser.add_argument(
        "--styles", default=",".join(STYLES), help=f"comma-separated, of {', '.join(STYLES)}"
    )
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--book-words", type=int, help="read only this many words of each book")
    parser.add_argument(
        "--prefer",
        choices=("txt", "html"),
        default="txt",
        help="which file of a book to read when both are there",
    )
    parser.add_argument(
        "--threshold", type=float, help="findings at or above (default: the check's)"
    )
    parser.add_argument("--examples", type=int, default=3, help="misses and false findings shown")
    parser.add_argument("--json", type=Path, help="write the results here")
    args = parser.parse_args(argv)
    args.styles = [s.strip() for s in args.styles.split(",") if s.strip()]
    unknown = set(args.styles) - set(STYLES)
    if unknown:
        parser.error(f"unknown style(s): {', '.join(sorted(unknown))}")
    if args.negatives is None:
        args.negatives = args.cases
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    data = Path(tempfile.mkdtemp(prefix="overlap-fiction-"))
    try:
        return run(args, data)
    finally:
        shutil.rmtree(data, ignore_errors=True)


def run(args: argparse.Namespace, data: Path) -> int:
    began = time.perf_counter()
    machine = machine_info()
    say(
        f"machine: {machine['cpu']}, load {machine['load']}; "
        f"{machine['python']}, SQLite {machine['sqlite']}; commit {machine['commit']}"
    )
    setup_django(data)
    from ficarchive.overlap.calibration import DEFAULT_THRESHOLD
    from ficarchive.overlap.services import check_texts

    threshold = DEFAULT_THRESHOLD if args.threshold is None else args.threshold
    rng = random.Random(args.seed)
    books = read_books(args.source, args.book_words, args.prefer)
    wren, pseuds = make_writers()
    sources = build_archive(books, pseuds)
    built = time.perf_counter() - began
    words = sum(word_count(s.text) for s in sources)
    works = len({s.work_id for s in sources})
    say(
        f"archive: {works} works, {len(sources)} chapters, {words:,} words from "
        f"{', '.join(b.title for b in books)}; built and indexed in {built:.1f} s"
    )

    maker = DraftMaker(books, sources, rng)
    drafts: list[Draft] = []
    for style in args.styles:
        planted = 0
        while planted < args.cases:
            draft = maker.draft(style, most=args.cases - planted)
            planted += len(draft.cases)
            drafts.append(draft)
    for number in range(args.negatives):
        drafts.append(maker.negative(NEGATIVES[number % 2]))
    for draft in drafts:
        read_draft(draft)

    check_began = time.perf_counter()
    check_texts(drafts[0].chapters, wren, scope="all", threshold=threshold)  # loads the models
    scores: dict[str, StyleScore] = {name: StyleScore() for name in [*args.styles, *NEGATIVES]}
    case_rows: list[dict[str, Any]] = []
    false_rows: list[dict[str, Any]] = []
    for draft in drafts:
        report = check_texts(draft.chapters, wren, scope="all", threshold=threshold)
        rows, false = score_draft(draft, report.findings, scores[draft.style])
        case_rows += rows
        false_rows += [_false_row(draft, f) for f in false]
    checked = time.perf_counter() - check_began
    say(
        f"checked {len(drafts)} drafts ({sum(len(d.cases) for d in drafts)} planted cases) in "
        f"{checked:.1f} s; threshold {threshold}"
    )

    table = {name: score.row() for name, score in scores.items() if score.drafts}
    total = StyleScore()
    for score in scores.values():
        total.drafts += score.drafts
        total.findings += score.findings
        total.false_findings += score.false_findings
    overall_false = total.false_findings / total.drafts if total.drafts else 0.0
    print_table(table, overall_false, total.drafts)
    print_examples(case_rows, false_rows, args.examples)
    verdicts = targets(table, overall_false)
    say("\ntargets (issue 16):")
    for line, passed in verdicts:
        say(f"  {line:60} {'PASS' if passed else 'MISS'}")
    elapsed = time.perf_counter() - began
    say(f"\n{elapsed:.1f} s in all")
    if args.json:
        report_json = {
            "machine": machine,
            "arguments": {
                "source": str(args.source),
                "cases": args.cases,
                "negatives": args.negatives,
                "styles": args.styles,
                "seed": args.seed,
                "book_words": args.book_words,
                "threshold": threshold,
            },
            "archive": {"works": works, "chapters": len(sources), "words": words},
            "styles": table,
            "false_findings_per_draft": round(overall_false, 4),
            "targets": [{"target": line, "pass": passed} for line, passed in verdicts],
            "cases": case_rows,
            "false_findings": false_rows,
            "seconds": {
                "build": round(built, 1),
                "checks": round(checked, 1),
                "total": round(elapsed, 1),
            },
        }
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(report_json, ensure_ascii=False, indent=2) + "\n")
    return 0


def _false_row(draft: Draft, finding: Finding) -> dict[str, Any]:
    return {
        "style": draft.style,
        "kind": finding.kind,
        "score": round(finding.score, 3),
        "detector": finding.detector,
        "draft": finding.draft.text,
        "source_title": finding.source.title,
        "source": finding.source.text,
    }


def _number(value: float | None, width: int = 6) -> str:
    return f"{value:{width}.3f}" if value is not None else f"{'-':>{width}}"


def print_table(table: dict[str, dict[str, Any]], overall_false: float, drafts: int) -> None:
    say()
    say(
        f"{'style':20} {'drafts':>6} {'cases':>5} {'found':>5} {'detect':>6} {'recall':>6} "
        f"{'prec':>6} {'gran':>6} {'false/draft':>11}"
    )
    for name, row in table.items():
        say(
            f"{name:20} {row['drafts']:6d} {row['cases']:5d} {row['found']:5d} "
            f"{_number(row['detection'])} {_number(row['recall'])} {_number(row['precision'])} "
            f"{_number(row['granularity'])} {row['false_per_draft']:11.3f}"
        )
    say(
        f"{'all drafts':20} {drafts:6d} {'':5} {'':5} {'':6} {'':6} {'':6} {'':6} "
        f"{overall_false:11.3f}"
    )
    say("\nkind of the strongest finding on each case:")
    for name, row in table.items():
        if row["cases"]:
            kinds = ", ".join(f"{k} {n}" for k, n in sorted(row["kinds"].items()))
            say(f"  {name:18} {kinds}")


def print_examples(
    case_rows: list[dict[str, Any]], false_rows: list[dict[str, Any]], count: int
) -> None:
    def short(text: str) -> str:
        text = " ".join(text.split())
        return text if len(text) <= 160 else text[:160] + "…"

    missed = [row for row in case_rows if not row["found"]]
    if count and missed:
        say("\nsome missed cases:")
        for row in missed[:count]:
            say(
                f"  {row['style']}, {row['words']} words of {row['book']}, "
                f"{row['covered']:.0%} covered: {short(row['planted'])}"
            )
    if count and false_rows:
        say("\nsome false findings:")
        for row in false_rows[:count]:
            say(
                f"  {row['style']}: {row['kind']} {row['score']:.2f} against "
                f"{row['source_title']!r}: {short(row['draft'])}"
            )


def targets(table: dict[str, dict[str, Any]], overall_false: float) -> list[tuple[str, bool]]:
    """Issue 16's targets: each line and whether it is met."""
    verdicts: list[tuple[str, bool]] = []
    for style, row in table.items():
        if style not in STYLES or not row["cases"]:
            continue
        goal = TARGET_DETECTION[style]
        verdicts.append(
            (f"{style}: detection {row['detection']:.3f} >= {goal}", row["detection"] >= goal)
        )
        if style != "verbatim":
            verdicts.append(
                (
                    f"{style}: character recall {row['recall']:.3f} >= {TARGET_RECALL}",
                    row["recall"] >= TARGET_RECALL,
                )
            )
        verdicts.append(
            (
                f"{style}: character precision {row['precision']:.3f} >= {TARGET_PRECISION}",
                row["precision"] >= TARGET_PRECISION,
            )
        )
        verdicts.append(
            (
                f"{style}: findings per case {row['granularity']:.3f} <= {TARGET_GRANULARITY}",
                row["granularity"] <= TARGET_GRANULARITY,
            )
        )
    verdicts.append(
        (
            f"false findings per draft {overall_false:.3f} <= {TARGET_FALSE_PER_DRAFT}",
            overall_false <= TARGET_FALSE_PER_DRAFT,
        )
    )
    return verdicts


if __name__ == "__main__":
    sys.exit(main())
