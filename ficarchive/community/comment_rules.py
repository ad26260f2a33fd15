"""Who may comment on a work, and who may reply to, edit, delete, approve or freeze a comment.

One place for both sides: the writes in `comments` raise `CommentError` with the `Refusal` a
rule gives, and the reading page (`comment_queries`) shows a button where the same rule says
yes. The per-comment rules read plain facts (`CommentFacts`, `Actor`), so the page asks them of
rows it read as values, without model instances or a query per comment.
"""

from __future__ import annotations

from dataclasses import dataclass

from ficarchive.accounts.models import Block, Pseud
from ficarchive.accounts.types import AnyUser
from ficarchive.community.models import Comment, CommentSettings
from ficarchive.plain_sql import instances, rows, table
from ficarchive.works.models import Work
from ficarchive.works.queries import creator_ids, is_creator


@dataclass(frozen=True, slots=True)
class Refusal:
    """Why a rule says no, as the person asking is told; `status` is the HTTP status."""

    message: str
    status: int = 400


@dataclass(frozen=True, slots=True)
class Actor:
    """Who asks, as the rules read them: their id (None for a guest), and their roles on the
    comment's work."""

    user_id: int | None
    creator: bool
    moderator: bool


@dataclass(frozen=True, slots=True)
class CommentFacts:
    """What the rules read of a comment."""

    author_id: int | None
    approved: bool
    deleted: bool
    frozen: bool

    @classmethod
    def of(cls, comment: Comment) -> CommentFacts:
        return cls(comment.user_id, comment.approved, comment.deleted, comment.frozen)


def is_moderator(user: AnyUser) -> bool:
    return bool(getattr(user, "can_moderate", False))


def actor(user: AnyUser, work: Work) -> Actor:
    """The user as the rules see them on this work (`work` with its creatorships prefetched)."""
    user_id = user.pk if user.is_authenticated else None
    return Actor(user_id, is_creator(user, work), is_moderator(user))


def is_own(comment: CommentFacts, who: Actor) -> bool:
    return who.user_id is not None and comment.author_id == who.user_id


# -- commenting on the work at all ---------------------------------------------------------


def settings_of(work: Work) -> CommentSettings:
    """The work's comment settings; a work without a row takes comments the default way."""
    found = instances(
        CommentSettings,
        f"SELECT * FROM {table(CommentSettings)} WHERE work_id = %s ORDER BY id LIMIT 1",
        [work.pk],
    )
    return found[0] if found else CommentSettings(work=work)


def blocking_creator(work: Work, user: AnyUser) -> Pseud | None:
    """The creator's pseud of the first creator of the work who blocked this user, if any."""
    if not user.is_authenticated:
        return None
    creators = sorted(creator_ids(work))
    if not creators:
        return None
    marks = ", ".join(["%s"] * len(creators))
    statement = (
        f"SELECT blocker_id FROM {table(Block)} WHERE blocked_id = %s AND blocker_id IN ({marks})"
    )
    blockers = {blocker for (blocker,) in rows(statement, [user.pk, *creators])}
    return next((pseud for pseud in work.creators if pseud.user_id in blockers), None)


def refusal(work: Work, user: AnyUser, who: str, blocker: Pseud | None) -> str | None:
    """Why this user may not comment on the work at all, or None when they may."""
    if not work.posted:
        return "Drafts take no comments; post the work first."
    if who == CommentSettings.Who.NOBODY:
        return "Comments on this work are turned off."
    if who == CommentSettings.Who.USERS and not user.is_authenticated:
        return "Only registered users can comment on this work. Log in to comment."
    if blocker is not None:
        return f"{blocker.byline} has blocked you: you can't comment on their works."
    return None


def refusal_on(work: Work, user: AnyUser) -> str | None:
    """`refusal` with the work's own settings and blocks read for it."""
    return refusal(work, user, settings_of(work).who, blocking_creator(work, user))


# -- one comment ---------------------------------------------------------------------------


def reply_refusal(
    parent: CommentFacts,
    who: Actor,
    *,
    blocked: bool = False,
    author: str = "The comment's author",
) -> Refusal | None:
    """Why `who` may not reply to `parent` (whose `author` blocked them when `blocked`).

    A held comment takes replies from the work's creators and from its own commenter only.
    """
    if parent.deleted:
        return Refusal("Reply: that comment was deleted; it takes no replies.")
    if parent.frozen:
        return Refusal("This thread is frozen: it takes no new replies.", 403)
    if not parent.approved and not who.creator and not is_own(parent, who):
        return Refusal("Reply: that comment is waiting for the creator's approval.")
    if blocked:
        return Refusal(f"{author} has blocked you: you can't reply to their comments.", 403)
    return None


def may_reply(
    parent: CommentFacts, who: Actor, *, work_refusal: str | None = None, blocked: bool = False
) -> bool:
    """Whether `who` may reply to `parent`; `work_refusal` is why they may not comment on the
    work at all (`refusal`), if they may not."""
    return work_refusal is None and reply_refusal(parent, who, blocked=blocked) is None


def edit_refusal(comment: CommentFacts, who: Actor) -> Refusal | None:
    """Only a comment's author edits it, and not once it is deleted or its thread frozen."""
    if not is_own(comment, who):
        return Refusal("Only the comment's author can edit it.", 403)
    if comment.deleted:
        return Refusal("That comment was deleted; it can't be edited.")
    if comment.frozen:
        return Refusal("This thread is frozen: its comments can't be edited.", 403)
    return None


def may_edit(comment: CommentFacts, who: Actor) -> bool:
    return edit_refusal(comment, who) is None


def delete_refusal(comment: CommentFacts, who: Actor) -> Refusal | None:
    """Its author, the work's creators and moderators delete a comment (once)."""
    if comment.deleted or not (is_own(comment, who) or who.creator or who.moderator):
        return Refusal(
            "Only the comment's author, the work's creators or a moderator can delete it.", 403
        )
    return None


def may_delete(comment: CommentFacts, who: Actor) -> bool:
    return delete_refusal(comment, who) is None


def approve_refusal(comment: CommentFacts, who: Actor) -> Refusal | None:
    """Only the work's creators approve its comments; a deleted one has nothing to approve.

    Approving an approved comment is no refusal: it changes nothing (see `may_approve`).
    """
    if not who.creator:
        return Refusal("Only the work's creators can approve its comments.", 403)
    if comment.deleted and not comment.approved:
        return Refusal("That comment was deleted; there is nothing to approve.")
    return None


def may_approve(comment: CommentFacts, who: Actor) -> bool:
    """Whether `who` may approve the comment, and it is held (so approving changes something)."""
    return approve_refusal(comment, who) is None and not comment.approved


def freeze_refusal(who: Actor) -> Refusal | None:
    """The work's creators and moderators freeze (and unfreeze) a whole thread."""
    if not (who.creator or who.moderator):
        return Refusal("Only the work's creators or a moderator can freeze a thread.", 403)
    return None


def may_freeze(who: Actor) -> bool:
    return freeze_refusal(who) is None
