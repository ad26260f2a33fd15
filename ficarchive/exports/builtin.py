"""The built-in download formats: importing this module registers them.

The exports app's `ready()` imports it; a script that renders downloads without `django.setup()`
imports it itself.
"""

from __future__ import annotations

from ficarchive.exports import calibre, epub, html, text  # noqa: F401
