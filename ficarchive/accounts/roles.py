"""Who may manage whose account.

Roles, highest first: admin (`is_superuser`), moderator (`is_moderator`), wrangler
(`is_wrangler`), none. Only admins grant roles, set passwords or manage accounts that hold any
role or permission; a moderator manages accounts that hold none (suspends them, edits their
ordinary fields). Anything less would let a moderator take over a stronger account: change its
email or name, then its password, and log in as it. The admin applies this rule to every view
and action on accounts (accounts/admin.py).
"""

from __future__ import annotations

from typing import Any

from ficarchive.accounts.models import User


def is_admin(user: Any) -> bool:
    return isinstance(user, User) and user.is_active and user.is_superuser


def holds_a_role(user: User) -> bool:
    """Any role or permission: what makes an account worth taking over."""
    return (
        user.is_superuser
        or user.is_moderator
        or user.is_wrangler
        or user.is_staff
        or user.groups.exists()
        or user.user_permissions.exists()
    )


def may_manage(actor: Any, account: User) -> bool:
    """Whether `actor` may change `account` (its names, email, active flag, pseuds)."""
    if is_admin(actor):
        return True
    if not (isinstance(actor, User) and actor.can_moderate):
        return False
    # A moderator's own account holds a role, so it is refused here too: their own details
    # are changed on their Preferences page, like everyone's.
    return actor.pk != account.pk and not holds_a_role(account)
