"""Telling guests apart without keeping who they are.

Rate limits, guest kudos and hits need to know that two requests came from the same guest, and
must never store an address. `guest_key` is an HMAC with the archive's secret key over a purpose
and the address (and, where wanted, a work id or a day), so keys made for one purpose do not
match keys made for another and cannot be turned back into the address.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress

from django.conf import settings
from django.http import HttpRequest


def client_address(request: HttpRequest) -> str:
    """The address the request came from.

    Behind a proxy (BEHIND_HTTPS_PROXY) every request comes from the proxy's address, so the
    reader's is the one the proxy added to `X-Forwarded-For`: the right-most, since the proxy
    appends what it saw, and whatever the client sent in that header stands to its left, free
    to lie. Without the setting the header is ignored, for anyone could send one.
    """
    remote = str(request.META.get("REMOTE_ADDR", ""))
    if not getattr(settings, "BEHIND_HTTPS_PROXY", False):
        return remote
    forwarded = str(request.META.get("HTTP_X_FORWARDED_FOR", ""))
    last = forwarded.rsplit(",", 1)[-1].strip()
    try:
        return str(ipaddress.ip_address(last))
    except ValueError:
        return remote


def address_block(address: str) -> str:
    """The block an address stands for in rate limits: an IPv6 address's /64, which one
    household or one server holds whole (and can hop around in), else the address itself."""
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return address
    if isinstance(parsed, ipaddress.IPv6Address):
        if parsed.ipv4_mapped is not None:
            return str(parsed.ipv4_mapped)
        return str(ipaddress.ip_network((parsed, 64), strict=False))
    return str(parsed)


def guest_key(purpose: str, *parts: object) -> str:
    """A keyed hash naming a guest for one purpose: `guest_key("kudos", work_id, address)`."""
    message = ":".join([purpose, *(str(part) for part in parts)]).encode()
    return hmac.new(settings.SECRET_KEY.encode(), message, hashlib.sha256).hexdigest()
