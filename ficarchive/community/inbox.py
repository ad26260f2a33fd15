"""The comment inbox: comments on a user's works and replies to their comments, newest first.

A visible comment gives an item to every creator of the work and to the author of the comment
it replies to, never to the commenter themself. A held comment (moderated work) goes only to the
creators, who approve it; the parent's author gets it once it is approved.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import connection
from django.db.models import F, QuerySet

from ficarchive.accounts.models import Block, User
from ficarchive.accounts.types import AnyUser
from ficarchive.community.models import Comment, InboxComment, Update


def _deliver(comment: Comment, user_ids: Iterable[int | None]) -> None:
    recipients = {user_id for user_id in user_ids if user_id is not None}
    recipients.discard(comment.user_id)  # type: ignore[arg-type]
    InboxComment.objects.bulk_create(
        [InboxComment(user_id=user_id, comment=comment) for user_id in sorted(recipients)],
        ignore_conflicts=True,
    )


def deliver_new(comment: Comment, creator_ids: set[int], parent: Comment | None) -> None:
    """Inbox items for a comment just posted (held comments: the creators only)."""
    to = set(creator_ids)
    if comment.approved and parent is not None:
        to.add(parent.user_id)  # type: ignore[arg-type]
    _deliver(comment, to)


def deliver_approved(comment: Comment, creator_ids: set[int]) -> None:
    """The parent's author hears of a reply once a creator approved it."""
    if comment.parent_id is None:
        return
    author = Comment.objects.filter(pk=comment.parent_id).values_list("user_id", flat=True).first()
    if author is not None and author not in creator_ids:
        _deliver(comment, [author])


def forget(comment: Comment) -> None:
    """A deleted comment leaves every inbox."""
    InboxComment.objects.filter(comment=comment).delete()


def unread_counts_sql() -> str:
    """Two columns, the reader's unread inbox comments and unread updates, for a SELECT; each
    takes the reader's id for its %s (also in `reader_parts.reader_facts`' one query)."""
    read = connection.ops.quote_name("read")
    inbox = connection.ops.quote_name(InboxComment._meta.db_table)
    updates = connection.ops.quote_name(Update._meta.db_table)
    return (
        f"(SELECT COUNT(*) FROM {inbox} WHERE user_id = %s AND NOT {read}), "
        f"(SELECT COUNT(*) FROM {updates} WHERE user_id = %s AND NOT {read})"
    )


def unread_counts(user: AnyUser) -> tuple[int, int]:
    """The site header's "Inbox (N)" and "Updates (N)", in one query ((0, 0) for guests)."""
    if not isinstance(user, User):
        return (0, 0)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {unread_counts_sql()}", [user.pk, user.pk])
        row = cursor.fetchone()
    return (int(row[0]), int(row[1]))


def unread_count(user: AnyUser) -> int:
    """For the site header's "Inbox (N)"."""
    if not isinstance(user, User):
        return 0
    return InboxComment.objects.filter(user=user, read=False).count()


def items(user: User, *, unread_only: bool = False) -> QuerySet[InboxComment]:
    """The user's inbox, newest first, less comments from users they blocked since."""
    found = (
        InboxComment.objects.filter(user=user, comment__deleted=False)
        .exclude(comment__user_id__in=Block.objects.filter(blocker=user).values("blocked_id"))
        .select_related("comment__work", "comment__pseud__user")
        .annotate(
            chapter_position=F("comment__chapter__position"),
            work_chapters=F("comment__work__chapter_count"),
        )
        .order_by("-created_at", "-id")
    )
    return found.filter(read=False) if unread_only else found


def _ids(values: Iterable[str | int]) -> list[int]:
    found = []
    for value in values:
        try:
            found.append(int(value))
        except (TypeError, ValueError):
            continue
    return found


def mark(user: User, item_ids: Iterable[str | int], *, read: bool = True) -> int:
    """Mark the user's own items read (or unread); returns how many changed."""
    return InboxComment.objects.filter(user=user, pk__in=_ids(item_ids)).update(read=read)


def remove(user: User, item_ids: Iterable[str | int]) -> int:
    """Delete the user's own items from their inbox (the comments stay)."""
    deleted, _ = InboxComment.objects.filter(user=user, pk__in=_ids(item_ids)).delete()
    return deleted


def mark_replied(user: User, item_id: str | int | None) -> None:
    ids = _ids([item_id]) if item_id is not None else []
    if ids:
        InboxComment.objects.filter(user=user, pk__in=ids).update(replied=True, read=True)
