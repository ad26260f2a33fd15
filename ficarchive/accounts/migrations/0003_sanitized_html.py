"""Pseud descriptions become SanitizedHTMLField (sanitized on every write), and what rows already
hold is sanitized once. The column stays `text`: only the migration state changes."""

from __future__ import annotations

from typing import Any

from django.db import migrations

import ficarchive.texts.fields
from ficarchive.texts.fields import sanitize_stored


def sanitize_rows(apps: Any, schema_editor: Any) -> None:
    sanitize_stored(apps.get_model("accounts", "Pseud"), ["description"])


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_blocks_and_preferences"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="pseud",
                    name="description",
                    field=ficarchive.texts.fields.SanitizedHTMLField(
                        blank=True, help_text="Sanitized HTML."
                    ),
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(sanitize_rows, migrations.RunPython.noop),
    ]
