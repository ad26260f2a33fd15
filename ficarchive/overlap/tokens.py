"""Words for the overlap check: how a text is cut into words, the stop words and the stemmer.

Three cuts into words, each fixed by what is stored or calibrated with it (a changed cut
changes every fingerprint in the index):

- `WORD`: a word with its inner apostrophes (`didn't`, `Rory’s`) — passages and fingerprints;
- `WORD_PIECE`: a run of word characters, split at apostrophes (`didn`, `t`) — the alignment,
  whose stop words hold those pieces;
- `LETTERS`: a run of lower-case letters, in lower-cased text — the retelling check's events.
"""

from __future__ import annotations

import re

import Stemmer  # type: ignore[import-not-found]  # PyStemmer: a C extension without stubs

WORD = re.compile(r"\w+(?:['’]\w+)*")
WORD_PIECE = re.compile(r"\w+")
LETTERS = re.compile(r"[a-z]+")

# A plain English stop-word list: function words that carry no topic.
STOP_WORDS = frozenset(
    """
    a about above after again against all also am an and any are aren as at be because been
    before being below between both but by can cannot could couldn did didn do does doesn doing
    don down during each few for from further had hadn has hasn have haven having he her here
    hers herself him himself his how however i if in into is isn it its itself just let ll me
    might more most must mustn my myself no nor not now of off on once only or other ought our
    ours ourselves out over own re same shall shan she should shouldn so some such than that the
    their theirs them themselves then there these they this those through thus to too under
    until up upon us very ve was wasn we were weren what when where which while who whom whose
    why will with won would wouldn yet you your yours yourself yourselves s t d m o y
    """.split()
)

# The English Snowball stemmer; `STEMMER.stemWords(words)` stems a list at once.
STEMMER = Stemmer.Stemmer("english")


def words(text: str) -> list[re.Match[str]]:
    """The words of a text (`WORD`), with their offsets."""
    return list(WORD.finditer(text))
