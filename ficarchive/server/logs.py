"""Log filters the settings name (LOGGING); this module imports no models, as logging is set up
before the apps are."""

from __future__ import annotations

import logging


class WithoutTraceback(logging.Filter):
    """Keep the line, drop the traceback: a refused request (a form too large to read) is the
    client's doing, answered with a page that says so (`guards.bad_request`), not a fault of the
    archive's to debug."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.exc_info = None
        record.exc_text = None
        return True
