"""Blocks between users, read by every part that lets one user act on another's work; and the
services of the account pages that list a user's blocks and mutes.

A block works one way: the blocker's works take no comments or kudos from the blocked
user, and the blocked user's comments on those works are hidden. A mute (kept by search, in
`search.saved`) only hides the muted user's works and comments from the muter's own lists.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from ficarchive.accounts.models import Block, User
from ficarchive.accounts.services import AccountError, other_user
from ficarchive.accounts.types import AnyUser


class BlockError(Exception):
    """A block or mute that cannot be made, with a message for the user."""


def blocked_by_any(blocker_ids: set[int], user: AnyUser) -> bool:
    """Whether any of these users blocked this user."""
    if not user.is_authenticated:
        return False
    return Block.objects.filter(blocker_id__in=blocker_ids, blocked_id=user.pk).exists()


def blocked_ids(blocker_ids: set[int]) -> QuerySet[Block, Any]:
    """The ids of the users these users blocked, as a subquery (`blocked_id`)."""
    return Block.objects.filter(blocker_id__in=blocker_ids).values("blocked_id")


def block(blocker: User, username: str) -> Block:
    """Block the user named `username` (any case); blocking twice keeps the first block."""
    try:
        other = other_user(blocker, username, "block")
    except AccountError as error:
        raise BlockError(error.message) from error
    # get_or_create reads the row again when another request made the same block meanwhile.
    found, _ = Block.objects.get_or_create(blocker=blocker, blocked=other)
    return found


def unblock(blocker: User, blocked_id: int) -> User | None:
    """Lift the block; returns the user who was blocked, or None when there was no block."""
    found = Block.objects.filter(blocker=blocker, blocked_id=blocked_id).select_related("blocked")
    block_row = found.first()
    if block_row is None:
        return None
    block_row.delete()
    return block_row.blocked


def blocks_of(blocker: User) -> QuerySet[Block]:
    """The blocks this user made, by the blocked user's name."""
    return (
        Block.objects.filter(blocker=blocker)
        .select_related("blocked")
        .order_by("blocked__username")
    )


def is_blocking(blocker: AnyUser, other: User) -> bool:
    return (
        blocker.is_authenticated
        and Block.objects.filter(blocker_id=blocker.pk, blocked=other).exists()
    )
