"""Comments and bookmark notes get the allow-list AO3 gives them: no `class`, no media embeds.
Only the migration state changes (no SQL); what rows already hold is sanitized once under it."""

from __future__ import annotations

from typing import Any

from django.db import migrations

import ficarchive.texts.fields
import ficarchive.texts.sanitize
from ficarchive.texts.fields import sanitize_stored


def sanitize_rows(apps: Any, schema_editor: Any) -> None:
    sanitize_stored(apps.get_model("community", "Comment"), ["body"])
    sanitize_stored(apps.get_model("community", "Bookmark"), ["notes"])


class Migration(migrations.Migration):
    dependencies = [
        ("community", "0003_sanitized_html"),
    ]

    operations = [
        migrations.AlterField(
            model_name="bookmark",
            name="notes",
            field=ficarchive.texts.fields.SanitizedHTMLField(
                blank=True,
                help_text="Sanitized HTML.",
                sanitizer=ficarchive.texts.sanitize.sanitize_basic_html,
            ),
        ),
        migrations.AlterField(
            model_name="comment",
            name="body",
            field=ficarchive.texts.fields.SanitizedHTMLField(
                help_text="Sanitized HTML.", sanitizer=ficarchive.texts.sanitize.sanitize_basic_html
            ),
        ),
        migrations.RunPython(sanitize_rows, migrations.RunPython.noop),
    ]
