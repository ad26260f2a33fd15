"""One full-text interface over SQLite FTS5 and PostgreSQL text search.

Both index the same document per posted work — title, tags (names of its tags and of the tags it
is filtered under), summary and notes, creators, and the story text — with English stemming
(FTS5's porter tokenizer, PostgreSQL's `english` configuration), and answer the same leaf
questions: which works match these words, or this phrase, in these fields. The query language
(`query.py`) combines leaves with AND, OR and NOT in SQL, so every backend needs only this.
FTS5 finds a phrase in its own positional index; PostgreSQL's GIN index knows only which works
have each word, so it also keeps each document's pairs of neighbouring words, indexed (migration
0003), and reads for the words' positions only the documents that have all of a phrase's pairs.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from typing import Protocol

from django.db import connection

FIELDS = ("title", "tags", "summary", "notes", "creators", "text")
# PostgreSQL keeps four weights: the fields share them (the README says so).
_PG_WEIGHTS = {
    "title": "A",
    "tags": "B",
    "creators": "B",
    "summary": "C",
    "notes": "C",
    "text": "D",
}


# A leaf of a query as the backends take it: words, and whether they are a phrase.
Leaf = tuple[list[str], bool]


@dataclass
class Document:
    work_id: int
    title: str
    tags: str
    summary: str
    notes: str
    creators: str
    text: str


class Backend(Protocol):
    def index(self, document: Document) -> None: ...

    def remove(self, work_id: int) -> None: ...

    def matching(
        self, words: list[str], phrase: bool, fields: tuple[str, ...]
    ) -> tuple[str, list[object]]:
        """SQL selecting the ids of works matching the words (all of them, or as a phrase)."""
        ...

    def rank(self, words: list[str], required: Sequence[Leaf] = ()) -> tuple[str, list[object]]:
        """SQL for a relevance score (higher is better) of `works_work.id` for these words.
        `required` are leaves every work the search finds matches (words, or a phrase): a
        backend that scores ahead of matching may score only the works that have them."""
        ...


class SQLiteBackend:
    def index(self, document: Document) -> None:
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM search_work WHERE rowid = %s", [document.work_id])
            cursor.execute(
                "INSERT INTO search_work (rowid, title, tags, summary, notes, creators, text) "
                "VALUES (%s, %s, %s, %s, %s, %s, %s)",
                [
                    document.work_id,
                    document.title,
                    document.tags,
                    document.summary,
                    document.notes,
                    document.creators,
                    document.text,
                ],
            )

    def remove(self, work_id: int) -> None:
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM search_work WHERE rowid = %s", [work_id])

    def _expression(self, words: list[str], phrase: bool, fields: tuple[str, ...]) -> str:
        quoted = [_fts_string(word) for word in words]
        body = _fts_string(" ".join(words)) if phrase else " AND ".join(quoted)
        columns = " ".join(fields)
        return f"{{{columns}}} : ({body})" if fields else f"({body})"

    def matching(
        self, words: list[str], phrase: bool, fields: tuple[str, ...]
    ) -> tuple[str, list[object]]:
        return (
            "SELECT rowid FROM search_work WHERE search_work MATCH %s",
            [self._expression(words, phrase, fields)],
        )

    def rank(self, words: list[str], required: Sequence[Leaf] = ()) -> tuple[str, list[object]]:
        expression = " OR ".join(_fts_string(word) for word in words)
        if required:
            # Score only works that have what every match has: the cursor below scores all
            # it finds, and two common words OR-ed match most of the archive where the phrase
            # of them matches a few per cent (bench/search.py has the timings).
            musts = " AND ".join(self._expression(leaf, phrase, ()) for leaf, phrase in required)
            expression = f"({expression}) AND {musts}"
        # bm25 is lower for better matches; title and tags weigh most.
        # One FTS cursor scores every match (a correlated MATCH per row would rescan each word's
        # whole index list per work, dozens of times slower at 100,000 works: bench/search.py);
        # `ORDER BY rowid LIMIT -1` keeps SQLite from folding it back into a per-row lookup.
        return (
            "COALESCE((SELECT ranked.score FROM (SELECT rowid AS work_id, "
            "-bm25(search_work, 10.0, 5.0, 3.0, 2.0, 5.0, 1.0) AS score FROM search_work "
            "WHERE search_work MATCH %s ORDER BY rowid LIMIT -1) AS ranked "
            "WHERE ranked.work_id = works_work.id), 0)",
            [expression],
        )


def _fts_string(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


class PostgreSQLBackend:
    def index(self, document: Document) -> None:
        parts = " || ".join(
            f"setweight(to_tsvector('english', %s), '{_PG_WEIGHTS[name]}')" for name in FIELDS
        )
        values = [getattr(document, name) for name in FIELDS]
        with connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO search_work (work_id, document, pairs) "
                "SELECT %s, d.document, search_word_pairs(d.document) "
                f"FROM (SELECT {parts} AS document) AS d "
                "ON CONFLICT (work_id) DO UPDATE "
                "SET document = EXCLUDED.document, pairs = EXCLUDED.pairs",
                [document.work_id, *values],
            )

    def remove(self, work_id: int) -> None:
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM search_work WHERE work_id = %s", [work_id])

    def matching(
        self, words: list[str], phrase: bool, fields: tuple[str, ...]
    ) -> tuple[str, list[object]]:
        function = "phraseto_tsquery" if phrase else "plainto_tsquery"
        query = f"{function}('english', %s)"
        text = " ".join(words)
        sql = f"SELECT work_id FROM search_work WHERE document @@ {query}"
        params: list[object] = [text]
        pairs = _pairs_query(text) if phrase else None
        if pairs:
            # Only works with every pair of neighbouring words of the phrase can have it: their
            # index finds those, and only their documents are read for the words' positions.
            sql += " AND pairs @@ %s::tsquery"
            params.append(pairs)
        if fields:
            weights = "{" + ",".join(sorted({_PG_WEIGHTS[f].lower() for f in fields})) + "}"
            sql += f" AND ts_filter(document, %s) @@ {query}"
            params += [weights, text]
        return sql, params

    def rank(self, words: list[str], required: Sequence[Leaf] = ()) -> tuple[str, list[object]]:
        # Scored per matching work, looked up by id: `required` would not narrow anything.
        # Words with no letter or digit ("…", "\ufffd") are no lexeme: left out, as when they are
        # matched; none left is the empty query (a notice and a score of 0, not an error).
        lexemes = [lexeme for word in words if (lexeme := _pg_lexeme(word))]
        return (
            "COALESCE((SELECT ts_rank(document, to_tsquery('english', %s)) FROM search_work "
            "WHERE search_work.work_id = works_work.id), 0)",
            [" | ".join(lexemes)],
        )


def _pairs_query(text: str) -> str:
    """The pairs of neighbouring lexemes of a phrase as a tsquery that needs all of them, or ''
    when it has none (one word, or words with stop words between them). The database makes the
    pairs, from the phrase's own document, as it made the indexed ones (migration 0003)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tsvector_to_array(search_word_pairs(to_tsvector('english', %s)))", [text]
        )
        pairs: list[str] = cursor.fetchone()[0] or []
    return " & ".join("'" + pair.replace("\\", "\\\\").replace("'", "''") + "'" for pair in pairs)


def _pg_lexeme(word: str) -> str:
    """The word's letters and digits, which is all a tsquery lexeme may hold unquoted."""
    return "".join(ch for ch in word if ch.isalnum())


@cache
def _backends() -> dict[str, Backend]:
    return {"sqlite": SQLiteBackend(), "postgresql": PostgreSQLBackend()}


def backend() -> Backend:
    return _backends()[connection.vendor]
