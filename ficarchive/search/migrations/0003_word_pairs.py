"""PostgreSQL: each document's pairs of adjacent words, indexed, so a phrase is looked up.

A phrase is otherwise found by the GIN index's candidates — every work with all of its words,
28,500 of 100,000 for two common words in bench/search.py — each of whose documents is read
back and decompressed to check the words' positions (160 ms of the query's 180). `pairs` holds
every two lexemes at neighbouring positions of the document as one lexeme ("away without"),
computed from the document by `search_word_pairs` so the two never disagree; a phrase's pairs
must all be among them, and only the works that have them (2,300) are checked. SQLite's FTS5
keeps positions in its own index: nothing to do there.

The pairs of a short work (a few hundred bytes compressed) would stay in the table's rows and
make the table ten times bigger (5 MB to 48 MB at 100,000 works), and every search that ranks
its matches reads a row per match: a word's search went from 64 to 85 ms. With
`toast_tuple_target` at its least (128 bytes) both columns move to TOAST storage, the rows stay
small (7 MB) and that search took 61 ms again.
"""

from __future__ import annotations

from typing import Any

from django.db import migrations

FORWARDS = [
    # The document's lexemes at each position, joined to those one position on. Hyphenated words
    # put several lexemes at neighbouring positions; both sides of a search see the same ones.
    "CREATE FUNCTION search_word_pairs(doc tsvector) RETURNS tsvector "
    "LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$ "
    "WITH at (lexeme, position) AS ("
    "  SELECT u.lexeme, p FROM unnest(doc) AS u, unnest(u.positions) AS p) "
    "SELECT coalesce(array_to_tsvector(array_agg(DISTINCT a.lexeme || ' ' || b.lexeme)), "
    "  ''::tsvector) "
    "FROM at AS a JOIN at AS b ON b.position = a.position + 1 $$",
    "ALTER TABLE search_work SET (toast_tuple_target = 128)",
    "ALTER TABLE search_work ADD COLUMN pairs tsvector NOT NULL DEFAULT ''",
    "UPDATE search_work SET pairs = search_word_pairs(document)",
    "CREATE INDEX search_work_pairs ON search_work USING gin (pairs)",
]
BACKWARDS = [
    "DROP INDEX IF EXISTS search_work_pairs",
    "ALTER TABLE search_work DROP COLUMN IF EXISTS pairs",
    "DROP FUNCTION IF EXISTS search_word_pairs(tsvector)",
    "ALTER TABLE search_work RESET (toast_tuple_target)",
]


def _run(statements: list[str]) -> Any:
    def run(apps: Any, schema_editor: Any) -> None:
        if schema_editor.connection.vendor == "postgresql":
            for statement in statements:
                schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("search", "0002_saved_searches_and_mutes")]
    operations = [migrations.RunPython(_run(FORWARDS), _run(BACKWARDS))]
