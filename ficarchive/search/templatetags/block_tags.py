"""What a user's page needs to show Block/Unblock and Mute/Unmute buttons to its viewer."""

from __future__ import annotations

from typing import Any

from django import template

from ficarchive.accounts import blocks
from ficarchive.accounts.models import User
from ficarchive.search import saved

register = template.Library()


@register.simple_tag(takes_context=True)
def block_state(context: template.Context, owner: User) -> dict[str, bool]:
    """`{% block_state owner as state %}`: whether the viewer blocked and muted `owner`."""
    request: Any = context.get("request")
    viewer = getattr(request, "user", None)
    if viewer is None or not viewer.is_authenticated or viewer.pk == owner.pk:
        return {"blocked": False, "muted": False}
    return {"blocked": blocks.is_blocking(viewer, owner), "muted": saved.is_muting(viewer, owner)}
