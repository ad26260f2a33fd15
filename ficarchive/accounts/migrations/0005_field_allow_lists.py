"""Pseud descriptions get the allow-list AO3 gives them: no `class`, no media embeds. Only the
migration state changes (no SQL); what rows already hold is sanitized once under it."""

from __future__ import annotations

from typing import Any

from django.db import migrations

import ficarchive.texts.fields
import ficarchive.texts.sanitize
from ficarchive.texts.fields import sanitize_stored


def sanitize_rows(apps: Any, schema_editor: Any) -> None:
    sanitize_stored(apps.get_model("accounts", "Pseud"), ["description"])


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0004_throttle"),
    ]

    operations = [
        migrations.AlterField(
            model_name="pseud",
            name="description",
            field=ficarchive.texts.fields.SanitizedHTMLField(
                blank=True,
                help_text="Sanitized HTML.",
                sanitizer=ficarchive.texts.sanitize.sanitize_basic_html,
            ),
        ),
        migrations.RunPython(sanitize_rows, migrations.RunPython.noop),
    ]
