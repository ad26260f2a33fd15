"""Telling guests apart without keeping who they are.

Rate limits, guest kudos and hits need to know that two requests came from the same guest, and
must never store an address. `guest_key` is an HMAC with the archive's secret key over a purpose
and the address (and, where wanted, a work id or a day), so keys made for one purpose do not
match keys made for another and cannot be turned back into the address.
"""

from __future__ import annotations

import hashlib
import hmac

from django.conf import settings
from django.http import HttpRequest


def client_address(request: HttpRequest) -> str:
    """The address the request came from (the proxy's, behind a proxy)."""
    return str(request.META.get("REMOTE_ADDR", ""))


def guest_key(purpose: str, *parts: object) -> str:
    """A keyed hash naming a guest for one purpose: `guest_key("kudos", work_id, address)`."""
    message = ":".join([purpose, *(str(part) for part in parts)]).encode()
    return hmac.new(settings.SECRET_KEY.encode(), message, hashlib.sha256).hexdigest()
