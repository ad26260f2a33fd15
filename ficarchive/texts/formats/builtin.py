"""The built-in formats: importing this module registers them.

The texts app's `ready()` imports it; a script that parses without `django.setup()` imports it
itself.
"""

from __future__ import annotations

from ficarchive.texts.formats import docx, epub, html, markdown, plaintext  # noqa: F401
