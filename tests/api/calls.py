"""What the API's tests share: the `bearer` fixture's type and a JSON call."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from django.test import Client

from ficarchive.accounts.models import User

Bearer = Callable[[User, str], Client]


def send(client: Client, method: str, path: str, body: Any = None) -> Any:
    """A call with `body` as JSON (none when None)."""
    call = getattr(client, method)
    if body is None:
        return call(path)
    return call(path, data=json.dumps(body), content_type="application/json")
