"""Django's model backend, but the signed-in user is read with one plain statement.

Every request of a signed-in reader loads their user row; building that query with the ORM
each time took longer than a page from the page cache spends on its own parts. Log-in,
permissions and the session's checks are Django's (`AUTHENTICATION_BACKENDS` in settings).
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import backends
from django.core.exceptions import ValidationError
from django.db import connections, router

from ficarchive.accounts.models import User


class ModelBackend(backends.ModelBackend):
    def get_user(self, user_id: Any) -> User | None:
        try:
            pk = User._meta.pk.to_python(user_id)
        except ValidationError:
            return None
        connection = connections[router.db_for_read(User)]
        table = connection.ops.quote_name(User._meta.db_table)
        found = list(User._default_manager.raw(f"SELECT * FROM {table} WHERE id = %s", [pk]))
        if not found or not self.user_can_authenticate(found[0]):
            return None
        return found[0]
