"""The full-text index: an FTS5 table on SQLite, a weighted tsvector table on PostgreSQL."""

from __future__ import annotations

from typing import Any

from django.db import migrations

SQLITE = [
    "CREATE VIRTUAL TABLE search_work USING fts5("
    "title, tags, summary, notes, creators, text, "
    "tokenize = 'porter unicode61 remove_diacritics 2')",
]
POSTGRESQL = [
    # No foreign key: Django's flush truncates the tables it knows, and a table outside them
    # that references works_work would make that fail. A work's row goes with the work through
    # the works app's `work_deleted` event (ficarchive/search/apps.py), as the FTS5 table's does
    # on SQLite.
    "CREATE TABLE search_work (work_id integer PRIMARY KEY, document tsvector NOT NULL)",
    "CREATE INDEX search_work_document ON search_work USING gin (document)",
]


def create(apps: Any, schema_editor: Any) -> None:
    statements = POSTGRESQL if schema_editor.connection.vendor == "postgresql" else SQLITE
    for statement in statements:
        schema_editor.execute(statement)


def drop(apps: Any, schema_editor: Any) -> None:
    schema_editor.execute("DROP TABLE IF EXISTS search_work")


class Migration(migrations.Migration):
    dependencies = [("works", "0002_import_hash")]
    operations = [migrations.RunPython(create, drop)]
