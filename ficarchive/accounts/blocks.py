"""Blocks between users, read by every part that lets one user act on another's work.

A block works one way: the blocker's works take no comments, kudos or gifts from the blocked
user, and the blocked user's comments on those works are hidden.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import QuerySet

from ficarchive.accounts.models import Block, User
from ficarchive.works.models import Work

AnyUser = AbstractBaseUser | AnonymousUser


class BlockError(Exception):
    """A block that cannot be made, with a message for the user."""


def creator_ids(work: Work) -> set[int]:
    """The users credited on the work (reads prefetched creatorships when present)."""
    return {creatorship.pseud.user_id for creatorship in work.creatorships.all()}


def blocked_by_creators(work: Work, user: AnyUser) -> bool:
    """Whether any creator of the work blocked this user."""
    if not user.is_authenticated:
        return False
    return Block.objects.filter(blocker_id__in=creator_ids(work), blocked_id=user.pk).exists()


def blocked_ids(blocker_ids: set[int]) -> QuerySet[Block, Any]:
    """The ids of the users these users blocked, as a subquery (`blocked_id`)."""
    return Block.objects.filter(blocker_id__in=blocker_ids).values("blocked_id")


def block(blocker: User, username: str) -> Block:
    other = User.objects.filter(username__iexact=username.strip()).first()
    if other is None:
        raise BlockError(f"There is no user {username!r} to block.")
    if other.pk == blocker.pk:
        raise BlockError("You cannot block yourself.")
    found, _ = Block.objects.get_or_create(blocker=blocker, blocked=other)
    return found


def unblock(blocker: User, blocked_id: int) -> None:
    Block.objects.filter(blocker=blocker, blocked_id=blocked_id).delete()
