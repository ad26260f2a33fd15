"""Comment bodies and bookmark notes become SanitizedHTMLField (sanitized on every write), and
what rows already hold is sanitized once. The columns stay `text`: only the migration state
changes."""

from __future__ import annotations

from typing import Any

from django.db import migrations

import ficarchive.texts.fields
from ficarchive.texts.fields import sanitize_stored


def sanitize_rows(apps: Any, schema_editor: Any) -> None:
    sanitize_stored(apps.get_model("community", "Comment"), ["body"])
    sanitize_stored(apps.get_model("community", "Bookmark"), ["notes"])


class Migration(migrations.Migration):
    dependencies = [
        ("community", "0002_report_guest_key"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="bookmark",
                    name="notes",
                    field=ficarchive.texts.fields.SanitizedHTMLField(
                        blank=True, help_text="Sanitized HTML."
                    ),
                ),
                migrations.AlterField(
                    model_name="comment",
                    name="body",
                    field=ficarchive.texts.fields.SanitizedHTMLField(help_text="Sanitized HTML."),
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(sanitize_rows, migrations.RunPython.noop),
    ]
