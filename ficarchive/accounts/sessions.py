"""Sessions as Django keeps them in the database, each read with one plain statement.

A signed-in reader's page from the page cache takes a few milliseconds, and reading the session
through the ORM (building the query each time) was a tenth of them; the rows, the expiry and
everything else are Django's (`SESSION_ENGINE` in settings).
"""

from __future__ import annotations

from typing import Any

from django.contrib.sessions.backends import db
from django.db import connections, router
from django.utils import timezone


class SessionStore(db.SessionStore):
    def load(self) -> dict[str, Any]:
        key = self.session_key  # None when the cookie's key is not a valid one
        if key is None:
            return {}
        connection = connections[router.db_for_read(self.model)]
        table = connection.ops.quote_name(self.model._meta.db_table)
        now = connection.ops.adapt_datetimefield_value(timezone.now())
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT session_data FROM {table} WHERE session_key = %s AND expire_date > %s",
                [key, now],
            )
            row = cursor.fetchone()
        if row is None:
            self._session_key = None  # as Django does: a new session is made on save
            return {}
        data: dict[str, Any] = self.decode(row[0])
        return data
