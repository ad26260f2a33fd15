"""The labelled set of "describe a story": a small archive of fixture stories and descriptions
of them, for `tests/search/test_describe.py` and `bench/describe_floor.py`.

The archive is one work per story or chapter of what tests/fixtures already carries: the twelve
chapters of Alice in Wonderland, the twelve Adventures of Sherlock Holmes, fifteen chapters of
Pride and Prejudice, the two fan works (raspberries.md, everything-back-but-you.txt) and the
three short stories written for the describe tests: 44 works. The descriptions
(tests/fixtures/describe/descriptions.json) are written the way a reader who half-remembers a
story would put it; half name a work of this archive, half a story it does not hold.
"""

from __future__ import annotations

import gzip
import json
import re
from dataclasses import dataclass
from pathlib import Path

from ficarchive.accounts.models import User
from ficarchive.overlap import services as overlap
from ficarchive.search import services as search
from ficarchive.works.models import Work
from tests.cast import make_work

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
DESCRIPTIONS = FIXTURES / "describe" / "descriptions.json"
# The Pride and Prejudice chapters in the archive: the ones a reader remembers a scene of.
PRIDE_CHAPTERS = (1, 3, 7, 16, 18, 19, 22, 34, 35, 43, 46, 55, 56, 58, 59)

BREAKUP = """\
Mara ended it with Tobias on a Tuesday, in the parking lot behind the pharmacy, because there \
was never going to be a good place to do it. He had been a kind boyfriend, steady and patient, \
and she had spent a year trying to love him the way he deserved. It had not worked. He cried a \
little, and so did she, and then he drove away and she sat in her car until the streetlights \
came on.

She did not call Elliot that night, or the next. They had been together once, years ago, \
before college and his leaving and her pride had pulled them apart. Everyone in town said they \
were finished. But on Friday he was at the counter of the diner, older and quieter, reading a \
paperback with a cracked spine, and when he looked up at her she forgot every speech she had \
practised.

"I heard you broke up with him," he said.

"News travels."

"It does here." He closed the book. "Are you okay?"

She was not, and she said so, and he listened the way he always used to, without trying to \
fix anything. They talked until the diner closed. They walked the long way home, past the \
bridge where they had first kissed, and neither of them mentioned it. At her door he hesitated.

"I still love you," she said, before she could stop herself. "I never stopped. I tried."

He laughed, helplessly, and kissed her, and it felt like coming home after a long time away. \
They were not the same people they had been at seventeen, and that was the point. This time \
they knew what they were choosing. In the morning he made terrible coffee in her kitchen and \
she drank all of it, and when her mother called to ask about the rumours, Mara told her the \
truth: they were back together, and this time they meant to stay."""

LIGHTHOUSE = """\
The storm came in faster than the forecast had promised. By four in the afternoon the sky over \
the headland was the colour of slate, and the sea had begun to throw itself against the rocks \
below the lighthouse with a sound like artillery. Agnes climbed the spiral stairs with the \
lantern oil, counting the steps as her grandfather had taught her, one hundred and twelve.

The wind screamed through the gallery rail. Rain came sideways, then upward, then in sheets \
that blotted out the world. She trimmed the wick and checked the great lens, turning slowly on \
its bed of mercury, throwing its beam out into the dark where the fishing boats would be \
running for the harbour.

At nine the radio crackled. A trawler had lost its engine off the northern reef, drifting \
toward the shoals. Agnes watched the beam sweep across the water and thought of the men on \
deck, soaked and frightened, searching for the light that meant the channel. She wound the \
clockwork again, her arms aching, and did not let herself sleep.

Near midnight a window on the landing burst inward, scattering glass across the stairs. She \
boarded it with a tabletop and rope, her hands bleeding, the gale tearing at her coat. The \
tower shook with every wave. Salt spray reached even the lantern room, streaking the glass, \
and she wiped it again and again with a rag until her fingers were numb.

By dawn the storm had worn itself out. The sea lay grey and exhausted, heaving slowly, littered \
with broken timber and kelp. On the horizon she saw the trawler, towed by the lifeboat, \
limping into the harbour with every man aboard alive. Agnes sat down on the top step, put her \
head against the cold iron rail, and finally closed her eyes while the gulls returned."""

BAKERY = """\
The county fair baking contest had been won by Mrs Pennywhistle's lemon drizzle cake for \
eleven years running, and Henrik intended to end that streak. He had been practising since \
March. His tiny apartment smelled permanently of butter and burnt sugar, and his neighbours \
had stopped accepting free samples of his failed experiments.

His entry was a cardamom and orange layer cake, four tiers, with a mirror glaze that took \
three days to perfect. The first attempt slid off the sponge like a landslide. The second \
cracked in the refrigerator. The third was perfect, glossy as a lake at dawn, and he carried \
it to the fairground in the back seat of his car at eleven miles an hour.

The judging tent was hot and crowded. Twelve bakers stood beside their tables: pies with \
lattice crusts, towers of macarons, a gingerbread replica of the town hall complete with \
sugar glass windows. Mrs Pennywhistle arranged her lemon drizzle on a doily and smiled at him \
with the serene confidence of a champion.

The three judges moved slowly down the line, tasting, frowning, writing notes on clipboards. \
One of them took a second forkful of the gingerbread roof. Another pronounced a custard tart \
slightly underbaked, and its baker went pale. When they reached Henrik's cake, the oldest \
judge cut a careful slice, examined the crumb, and tasted it with her eyes closed.

The ribbons were announced at four. Third place went to the macarons, second to the lemon \
drizzle, to gasps from the crowd. First place, the judge said, went to the cardamom and \
orange layer cake, for flavour, technique and nerve. Henrik accepted the blue ribbon with \
flour still on his sleeves, and Mrs Pennywhistle shook his hand and asked for the recipe."""


@dataclass(frozen=True)
class Story:
    key: str  # what descriptions.json names it by
    title: str
    text: str


@dataclass(frozen=True)
class Description:
    text: str
    story: str | None  # the key of the story it describes; None for one the archive lacks
    half: str  # "fit" (the floor is fitted on these) or "held out"


def _gutenberg(name: str) -> str:
    raw = gzip.decompress((FIXTURES / "gutenberg" / name).read_bytes()).decode(
        "utf-8-sig", errors="replace"
    )
    raw = raw.replace("\r\n", "\n")
    return raw.split("*** START", 1)[-1].split("\n", 1)[-1].split("*** END", 1)[0]


def _chapters(text: str, heading: str) -> list[tuple[str, str]]:
    """(heading, body) for each chapter, its paragraphs on one line each."""
    parts = re.split(f"^({heading})$", text, flags=re.MULTILINE)
    found = []
    for head, body in zip(parts[1::2], parts[2::2], strict=True):
        paragraphs = [" ".join(p.split()) for p in body.split("\n\n")]
        found.append((head.strip(), "\n\n".join(p for p in paragraphs if p)))
    return found


def stories() -> list[Story]:
    """The archive's stories, in a fixed order."""
    found: list[Story] = []
    alice = _chapters(_gutenberg("alice-in-wonderland.txt.gz"), r"CHAPTER [IVXL]+\. .+")
    for number, (head, body) in enumerate(alice, start=1):
        found.append(Story(f"alice-{number}", head.split(". ", 1)[1], body))
    holmes = _chapters(
        _gutenberg("sherlock-holmes.txt.gz"),
        r"ADVENTURE [IVXL]+\. [A-Z' -]+|[IVXL]+\. THE ADVENTURE OF [A-Z' -]+",
    )
    for number, (head, body) in enumerate(holmes, start=1):
        title = head.split(". ", 1)[1].title().replace("'S", "'s")
        found.append(Story(f"holmes-{number}", title, body))
    pride = _chapters(_gutenberg("pride-and-prejudice.txt.gz"), r"Chapter \d+")
    for number, (_, body) in enumerate(pride, start=1):
        if number in PRIDE_CHAPTERS:
            found.append(Story(f"pride-{number}", f"Pride and Prejudice, chapter {number}", body))
    raspberries = (FIXTURES / "raspberries.md").read_text().split("---\n", 2)[2]
    found.append(Story("raspberries", "Raspberries", raspberries.strip()))
    back = (FIXTURES / "everything-back-but-you.txt").read_text()
    found.append(Story("everything-back", "Everything Back But You", back.strip()))
    found.append(Story("back-together", "Back Together", BREAKUP))
    found.append(Story("keeper", "The Keeper", LIGHTHOUSE))
    found.append(Story("blue-ribbon", "Blue Ribbon", BAKERY))
    return found


def descriptions() -> list[Description]:
    rows = json.loads(DESCRIPTIONS.read_text())["descriptions"]
    return [Description(row["text"], row["story"], row["half"]) for row in rows]


def load(author: User) -> dict[str, Work]:
    """The stories as posted works of `author`, indexed for both halves of the describe search;
    by key."""
    works: dict[str, Work] = {}
    for story in stories():
        work = make_work(author, title=story.title, body=story.text)
        overlap.index_work(work.pk)
        search.index_work(work.pk)
        works[story.key] = work
    return works


@dataclass(frozen=True)
class Score:
    precision: float  # of the descriptions that returned any work, the share that returned theirs
    recall: float  # of the descriptions of a story in the archive, the share that returned it
    returned: int  # descriptions that returned any work above the floor
    right: int  # descriptions of a story that returned it


def score(outcomes: list[tuple[Description, set[str]]]) -> Score:
    """Precision and recall of the floor over (description, keys of the works above it)."""
    returned = [(d, keys) for d, keys in outcomes if keys]
    right = sum(1 for d, keys in returned if d.story in keys)
    stories = sum(1 for d, _ in outcomes if d.story)
    return Score(
        precision=right / len(returned) if returned else 1.0,
        recall=right / stories if stories else 1.0,
        returned=len(returned),
        right=right,
    )
