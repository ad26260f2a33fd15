"""Works', chapters' and series' HTML fields become SanitizedHTMLField (sanitized on every write),
and what rows already hold is sanitized once: a moderator's edit in the admin could store raw
HTML. The column stays `text`, so only the migration state changes (no table rebuild on SQLite).
Works whose text changed get a new revision, so cached blurbs and download files are remade."""

from __future__ import annotations

from typing import Any

from django.db import migrations
from django.db.models import F

import ficarchive.texts.fields
from ficarchive.texts.fields import sanitize_stored


def sanitize_rows(apps: Any, schema_editor: Any) -> None:
    Work = apps.get_model("works", "Work")
    Chapter = apps.get_model("works", "Chapter")
    Series = apps.get_model("works", "Series")
    works = set(sanitize_stored(Work, ["summary", "notes", "end_notes"]))
    chapters = sanitize_stored(Chapter, ["summary", "notes", "end_notes", "body"])
    works.update(Chapter.objects.filter(pk__in=chapters).values_list("work_id", flat=True))
    Work.objects.filter(pk__in=works).update(revision=F("revision") + 1)
    sanitize_stored(Series, ["summary", "notes"])


def field(**kwargs: Any) -> ficarchive.texts.fields.SanitizedHTMLField:
    return ficarchive.texts.fields.SanitizedHTMLField(**kwargs)


class Migration(migrations.Migration):
    dependencies = [
        ("works", "0003_community_counts"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="work",
                    name="summary",
                    field=field(blank=True, help_text="Sanitized HTML."),
                ),
                migrations.AlterField(
                    model_name="work",
                    name="notes",
                    field=field(blank=True, help_text="Sanitized HTML, shown before the work."),
                ),
                migrations.AlterField(
                    model_name="work",
                    name="end_notes",
                    field=field(blank=True, help_text="Sanitized HTML, shown after the work."),
                ),
                migrations.AlterField(
                    model_name="chapter", name="summary", field=field(blank=True)
                ),
                migrations.AlterField(model_name="chapter", name="notes", field=field(blank=True)),
                migrations.AlterField(
                    model_name="chapter", name="end_notes", field=field(blank=True)
                ),
                migrations.AlterField(
                    model_name="chapter", name="body", field=field(help_text="Sanitized HTML.")
                ),
                migrations.AlterField(
                    model_name="series",
                    name="summary",
                    field=field(blank=True, help_text="Sanitized HTML: the description."),
                ),
                migrations.AlterField(model_name="series", name="notes", field=field(blank=True)),
            ],
            database_operations=[],
        ),
        migrations.RunPython(sanitize_rows, migrations.RunPython.noop),
    ]
