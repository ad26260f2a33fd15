"""Tag suggestions for a draft: the characters a story mentions and the pairs it romances.

The posting form offers these; it never applies them. Everything here is pure text work over
the chapters and the fandom's tags, passed in as plain values, so the algorithm is tested
without a database and the form, the importer or an API call can share it.

Characters are found by their canonical name, their synonyms and, when unambiguous, the parts
of their name ("Jess" for Jess Mariano, but "Gilmore" for neither Rory nor Lorelai). Matching
is case-sensitive, because names are capitalised and "will" is not Will.

Relationships come from scenes: a scene where a romance cue ("kissed", "boyfriend", "in his
arms") falls within a few sentences of both characters is a romantic scene for that pair. The
heuristic cannot tell a lover's "I love you" from a mother's; that is why these are
suggestions, shown with their reason, and never tags.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import combinations

from ficarchive.texts.conventions import is_scene_break

# A character needs this many mentions to be suggested, or one in a text shorter than
# SHORT_TEXT_WORDS: a drabble may name a character once and still be about them.
MIN_MENTIONS = 2
SHORT_TEXT_WORDS = 1000
# A chapter without scene breaks is cut into windows of this many paragraphs.
SCENE_PARAGRAPHS = 8
# A cue counts for characters named this many words before or after it (a sentence or two),
# since the sentence with the kiss often says "him", not the name.
CUE_REACH_WORDS = 25
# Cues a scene needs for a pair when no single sentence names both with the cue: one "love"
# a sentence away from two names is as often about someone else.
ROMANTIC_CUES_PER_SCENE = 2
# A platonic tag needs the pair together in this many scenes, none of them romantic.
PLATONIC_MIN_SCENES = 3

# Name parts that say nothing about who is meant.
_NAME_PARTICLES = frozenset(
    "The Mr Mrs Ms Miss Dr Jr Sr II III IV Sir Lady Lord Uncle Aunt Saint St".split()
)

# Romance cues, matched ignoring case. A list, not a model: it is easy to read and to extend.
_ROMANCE_CUES = (
    r"kiss(?:es|ed|ing)?",
    r"lips",
    r"lov(?:e|es|ed|er|ers|ing)",
    r"boyfriends?",
    r"girlfriends?",
    r"dat(?:e|es|ed|ing)",
    r"embrac(?:e|es|ed|ing)",
    r"(?:hold|holds|held|holding)\s+hands",
    r"(?:in|into)\s+(?:his|her|their|my|your)\s+arms",
    r"(?:make|makes|made|making)\s+out",
    r"romance",
    r"romantic(?:ally)?",
    r"sweetheart",
    r"darling",
    r"cuddl(?:e|es|ed|ing)",
    r"snuggl(?:e|es|ed|ing)",
    r"caress(?:es|ed|ing)?",
    r"marr(?:y|ies|ied|ying)",
    r"wedding",
    r"honeymoon",
    r"husband",
    r"wife",
    r"crush",
    r"flirt(?:s|ed|ing)?",
    r"fell\s+for",
)
_CUE_PATTERN = re.compile(r"(?<!\w)(?:" + "|".join(_ROMANCE_CUES) + r")(?!\w)", re.IGNORECASE)
_WORD = re.compile(r"\S+")
# A word that ends a sentence: a full stop, question or exclamation mark, or ellipsis, with
# any closing quotes; or the last word of a paragraph.
_SENTENCE_END = re.compile(r"[.!?…][\"'”’)]*$")
_BLANK_LINE = re.compile(r"\n\s*\n")
_DISAMBIGUATION = re.compile(r"\s*\([^)]*\)\s*$")


@dataclass(frozen=True)
class CharacterTag:
    name: str  # the canonical character tag, e.g. "Rory Gilmore"
    synonyms: tuple[str, ...] = ()  # e.g. ("Rory", "Lorelai 'Rory' Gilmore")


@dataclass(frozen=True)
class RelationshipTag:
    name: str  # "Rory Gilmore/Jess Mariano" (romantic) or "Rory Gilmore & Paris Geller"
    characters: tuple[str, ...]

    @property
    def platonic(self) -> bool:
        """AO3's convention: `/` joins a romantic or sexual pairing, `&` a friendship."""
        return "/" not in self.name and "&" in self.name


@dataclass(frozen=True)
class Suggestion:
    name: str
    type: str  # "character" | "relationship"
    mentions: int  # mentions of a character, shared scenes of a relationship
    reason: str  # for the writer: "mentioned 41 times", "together in 3 romantic scenes"
    new: bool = False  # True when the relationship tag does not exist yet


@dataclass(frozen=True)
class _Place:
    """Where a word is in its scene: the word's index and its sentence's index."""

    word: int
    sentence: int


@dataclass(frozen=True)
class _Scene:
    """One scene's mentions and romance cues, in text order."""

    mentions: tuple[tuple[_Place, str], ...]  # (place, canonical name)
    cues: tuple[_Place, ...]

    def present(self) -> set[str]:
        return {name for _, name in self.mentions}

    def romantic_pairs(self) -> set[frozenset[str]]:
        """Pairs this scene romances: a cue in a sentence naming both, or two cues for them.

        Each cue belongs to the two different characters named nearest to it, because a
        three-person scene ("Dean knew Rory loved Jess") is about one couple, not three.
        """
        cues_for: Counter[frozenset[str]] = Counter()
        pairs: set[frozenset[str]] = set()
        for cue in self.cues:
            nearest = self._nearest_two(cue)
            if nearest is None:
                continue
            pair = frozenset(name for _, name in nearest)
            cues_for[pair] += 1
            same_sentence = all(place.sentence == cue.sentence for place, _ in nearest)
            if same_sentence or cues_for[pair] >= ROMANTIC_CUES_PER_SCENE:
                pairs.add(pair)
        return pairs

    def _nearest_two(self, cue: _Place) -> list[tuple[_Place, str]] | None:
        """The closest mentions of two different characters within reach of the cue."""
        near = sorted(
            (
                mention
                for mention in self.mentions
                if abs(mention[0].word - cue.word) <= CUE_REACH_WORDS
            ),
            key=lambda mention: (abs(mention[0].word - cue.word), mention[0].word),
        )
        chosen: list[tuple[_Place, str]] = []
        for place, name in near:
            if all(name != other for _, other in chosen):
                chosen.append((place, name))
            if len(chosen) == 2:
                return chosen
        return None


def suggest(
    chapters: Sequence[str],
    characters: Sequence[CharacterTag],
    relationships: Sequence[RelationshipTag] = (),
) -> list[Suggestion]:
    """Relationship suggestions, then character suggestions, each most-mentioned first."""
    terms = name_terms(characters)
    if not terms:
        return []
    pattern = _names_pattern(terms)
    scenes = [_read_scene(text, pattern, terms) for text in _scenes(chapters)]

    mentions: Counter[str] = Counter()
    first_seen: dict[str, tuple[int, int]] = {}
    for index, scene in enumerate(scenes):
        for place, name in scene.mentions:
            mentions[name] += 1
            first_seen.setdefault(name, (index, place.word))

    words = sum(len(_WORD.findall(chapter)) for chapter in chapters)
    least = 1 if words < SHORT_TEXT_WORDS else MIN_MENTIONS
    kept = sorted(
        (name for name, count in mentions.items() if count >= least),
        key=lambda name: (-mentions[name], first_seen[name], name),
    )
    by_appearance = sorted(kept, key=lambda name: first_seen[name])
    character_suggestions = [
        Suggestion(name, "character", mentions[name], _times(mentions[name])) for name in kept
    ]
    return _relationships(scenes, by_appearance, relationships) + character_suggestions


def name_terms(characters: Iterable[CharacterTag]) -> dict[str, str]:
    """Every text that names exactly one character, mapped to that character's canonical tag.

    A canonical name or synonym belongs to its tag unless two tags claim it. A part of a
    canonical name ("Jess", "Mariano") counts only when no other character has it as a part
    or a synonym, so a shared surname names nobody.
    """
    explicit: dict[str, set[str]] = {}
    parts: dict[str, set[str]] = {}
    for character in characters:
        full = _DISAMBIGUATION.sub("", character.name).strip()
        for name in (character.name, full, *character.synonyms):
            name = " ".join(name.split())
            if name:
                explicit.setdefault(name, set()).add(character.name)
        for part in full.split():
            part = part.strip("\"'‘’“”(),.")
            if len(part) > 1 and part[0].isupper() and part.rstrip(".") not in _NAME_PARTICLES:
                parts.setdefault(part, set()).add(character.name)

    terms = {term: next(iter(owners)) for term, owners in explicit.items() if len(owners) == 1}
    for part, owners in parts.items():
        if part not in explicit and len(owners) == 1:
            terms[part] = next(iter(owners))
    return terms


def _names_pattern(terms: dict[str, str]) -> re.Pattern[str]:
    """One alternation, longest first, so "Rory Gilmore" is one mention and not "Rory" and
    "Gilmore". Word boundaries leave possessives ("Jess's", "Jess'") matching."""
    alternatives = [
        r"\s+".join(re.escape(word) for word in term.split())
        for term in sorted(terms, key=len, reverse=True)
    ]
    return re.compile(r"(?<!\w)(?:" + "|".join(alternatives) + r")(?!\w)")


def _scenes(chapters: Sequence[str]) -> list[str]:
    """Scenes of every chapter: split at scene-break lines, or into paragraph windows."""
    scenes: list[str] = []
    for chapter in chapters:
        paragraphs = _paragraphs(chapter)
        if any(is_scene_break(paragraph) for paragraph in paragraphs):
            current: list[str] = []
            for paragraph in paragraphs:
                if is_scene_break(paragraph):
                    scenes.append("\n\n".join(current))
                    current = []
                else:
                    current.append(paragraph)
            scenes.append("\n\n".join(current))
        else:
            for start in range(0, len(paragraphs), SCENE_PARAGRAPHS):
                scenes.append("\n\n".join(paragraphs[start : start + SCENE_PARAGRAPHS]))
    return [scene for scene in scenes if scene.strip()]


def _paragraphs(text: str) -> list[str]:
    """Paragraphs separated by blank lines; a text without any has one per line."""
    blocks = _BLANK_LINE.split(text) if _BLANK_LINE.search(text) else text.split("\n")
    return [block.strip() for block in blocks if block.strip()]


def _read_scene(text: str, pattern: re.Pattern[str], terms: dict[str, str]) -> _Scene:
    words = list(_WORD.finditer(text))
    starts = [word.start() for word in words]
    sentences: list[int] = []
    sentence = 0
    for word, following in zip(words, [*starts[1:], len(text)], strict=True):
        sentences.append(sentence)
        if _SENTENCE_END.search(word.group()) or "\n" in text[word.end() : following]:
            sentence += 1

    def place(offset: int) -> _Place:
        index = max(bisect_right(starts, offset) - 1, 0)
        return _Place(index, sentences[index] if sentences else 0)

    mentions = tuple(
        (place(match.start()), terms[" ".join(match.group().split())])
        for match in pattern.finditer(text)
    )
    cues = tuple(place(match.start()) for match in _CUE_PATTERN.finditer(text))
    return _Scene(mentions, cues)


def _relationships(
    scenes: Sequence[_Scene],
    characters: Sequence[str],
    relationships: Sequence[RelationshipTag],
) -> list[Suggestion]:
    """A romantic tag for pairs sharing a romantic scene; a platonic one only if it exists."""
    romantic_tags: dict[frozenset[str], RelationshipTag] = {}
    platonic_tags: dict[frozenset[str], RelationshipTag] = {}
    for tag in relationships:
        pair = frozenset(name.casefold() for name in tag.characters)
        if len(pair) == 2:
            (platonic_tags if tag.platonic else romantic_tags).setdefault(pair, tag)

    present = [scene.present() for scene in scenes]
    romantic = [scene.romantic_pairs() for scene in scenes]
    found: list[Suggestion] = []
    # `characters` is in order of first appearance, so each pair is (earlier, later).
    for first, second in combinations(characters, 2):
        pair = frozenset((first, second))
        key = frozenset((first.casefold(), second.casefold()))
        romantic_scenes = sum(1 for pairs in romantic if pair in pairs)
        shared_scenes = sum(1 for names in present if pair <= names)
        if romantic_scenes:
            existing = romantic_tags.get(key)
            name = existing.name if existing else f"{first}/{second}"
            reason = f"together in {_scenes_phrase(romantic_scenes, 'romantic ')}"
            found.append(
                Suggestion(name, "relationship", romantic_scenes, reason, existing is None)
            )
        elif key in platonic_tags and shared_scenes >= PLATONIC_MIN_SCENES:
            reason = f"together in {_scenes_phrase(shared_scenes, '')}, none romantic"
            found.append(Suggestion(platonic_tags[key].name, "relationship", shared_scenes, reason))
    # A stable sort keeps the order of first appearance among equals.
    return sorted(found, key=lambda suggestion: -suggestion.mentions)


def _times(count: int) -> str:
    return "mentioned once" if count == 1 else f"mentioned {count} times"


def _scenes_phrase(count: int, kind: str) -> str:
    return f"1 {kind}scene" if count == 1 else f"{count} {kind}scenes"
