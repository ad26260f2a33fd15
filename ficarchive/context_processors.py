from __future__ import annotations

from functools import cache
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest

from ficarchive.accounts.skins import skin_of
from ficarchive.community.inbox import unread_counts


def site(request: HttpRequest) -> dict[str, Any]:
    # A request refused before the authentication middleware (a wrong Host header: 400) has no
    # user yet; its error page still shows the header, as to a guest.
    user = request.user if hasattr(request, "user") else AnonymousUser()
    # Counted only when a page shows them, both in one query, and once however often it does.
    counts = cache(lambda: unread_counts(user))
    return {
        "SITE_NAME": settings.SITE_NAME,
        "REGISTRATION": settings.REGISTRATION,
        "skin": skin_of(request),
        "unread_inbox": lambda: counts()[0],
        "unread_updates": lambda: counts()[1],
    }
