"""Each HTML field of works, chapters and series gets the allow-list AO3 gives it: notes keep
`class` but take no media embeds, summaries and series lose `class` too (chapter text keeps the
whole list). Only the migration state changes (no SQL); what rows already hold is sanitized once
under the new allow-list, and works whose HTML changed get a new revision, so cached blurbs and
download files are remade."""

from __future__ import annotations

from typing import Any

from django.db import migrations
from django.db.models import F

import ficarchive.texts.fields
import ficarchive.texts.sanitize
from ficarchive.texts.fields import sanitize_stored


def sanitize_rows(apps: Any, schema_editor: Any) -> None:
    Work = apps.get_model("works", "Work")
    Chapter = apps.get_model("works", "Chapter")
    works = set(sanitize_stored(Work, ["summary", "notes", "end_notes"]))
    chapters = sanitize_stored(Chapter, ["summary", "notes", "end_notes"])
    works.update(Chapter.objects.filter(pk__in=chapters).values_list("work_id", flat=True))
    Work.objects.filter(pk__in=works).update(revision=F("revision") + 1)
    sanitize_stored(apps.get_model("works", "Series"), ["summary", "notes"])


class Migration(migrations.Migration):
    dependencies = [
        ("works", "0005_creator_invitations"),
    ]

    operations = [
        migrations.AlterField(
            model_name="chapter",
            name="end_notes",
            field=ficarchive.texts.fields.SanitizedHTMLField(
                blank=True, sanitizer=ficarchive.texts.sanitize.sanitize_notes_html
            ),
        ),
        migrations.AlterField(
            model_name="chapter",
            name="notes",
            field=ficarchive.texts.fields.SanitizedHTMLField(
                blank=True, sanitizer=ficarchive.texts.sanitize.sanitize_notes_html
            ),
        ),
        migrations.AlterField(
            model_name="chapter",
            name="summary",
            field=ficarchive.texts.fields.SanitizedHTMLField(
                blank=True, sanitizer=ficarchive.texts.sanitize.sanitize_basic_html
            ),
        ),
        migrations.AlterField(
            model_name="series",
            name="notes",
            field=ficarchive.texts.fields.SanitizedHTMLField(
                blank=True, sanitizer=ficarchive.texts.sanitize.sanitize_basic_html
            ),
        ),
        migrations.AlterField(
            model_name="series",
            name="summary",
            field=ficarchive.texts.fields.SanitizedHTMLField(
                blank=True,
                help_text="Sanitized HTML: the description.",
                sanitizer=ficarchive.texts.sanitize.sanitize_basic_html,
            ),
        ),
        migrations.AlterField(
            model_name="work",
            name="end_notes",
            field=ficarchive.texts.fields.SanitizedHTMLField(
                blank=True,
                help_text="Sanitized HTML, shown after the work.",
                sanitizer=ficarchive.texts.sanitize.sanitize_notes_html,
            ),
        ),
        migrations.AlterField(
            model_name="work",
            name="notes",
            field=ficarchive.texts.fields.SanitizedHTMLField(
                blank=True,
                help_text="Sanitized HTML, shown before the work.",
                sanitizer=ficarchive.texts.sanitize.sanitize_notes_html,
            ),
        ),
        migrations.AlterField(
            model_name="work",
            name="summary",
            field=ficarchive.texts.fields.SanitizedHTMLField(
                blank=True,
                help_text="Sanitized HTML.",
                sanitizer=ficarchive.texts.sanitize.sanitize_basic_html,
            ),
        ),
        migrations.RunPython(sanitize_rows, migrations.RunPython.noop),
    ]
