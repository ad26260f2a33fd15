"""What happens to works, for the apps above `works` to hear of.

`works` sends these events; search, overlap, community and exports connect their receivers in
their `ready()`, and `works` imports none of them (DESIGN.md, layers). Each event is sent with
`sender=Work` and keyword arguments only:

- `work_created(work_id)`: a new work was stored with its first chapter, draft or posted.
- `work_posted(work_id)`: a draft became public (a work created posted sends it too).
- `chapter_added(work_id, chapter_id, posted)`: a chapter was added to a work, or a draft
  chapter posted; `posted` says whether readers see it now: the work is public and the chapter
  no draft (a draft's chapters, and a chapter saved as a draft, are nobody's news). A draft
  chapter sends it again, with `posted=True`, when it is posted.
- `work_changed(work_id)`: the work's own data changed: its text, chapters, title, notes, tags
  or creators. Sent with each of the events above as well, so an index listens to this one
  alone. (A link to a related work and a series' part numbers move a work's revision on for its
  cached pages, and send nothing.)
- `work_deleted(work_id)`: the work is gone with its chapters; only its id is left to send.
- `work_read(request, work)`: a reader opened a work or chapter page (not the adult check).
  Sent at once by the reading views with `work_read.send`, not through `send`: nothing is
  written, so there is no commit to wait for. `community` counts the hit.

`send` delivers an event after the transaction that made the change commits, once per
transaction for the same event and arguments, however many saves led to it: a 30-chapter import
sends `work_changed` once. What a rolled-back transaction (or savepoint) scheduled is never sent.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.db import DEFAULT_DB_ALIAS, transaction
from django.dispatch import Signal

from ficarchive.works.models import Work

work_created = Signal()
work_changed = Signal()
work_posted = Signal()
chapter_added = Signal()
work_deleted = Signal()
work_read = Signal()

Argument = int | bool


class _Sending:
    """One event waiting for the commit; what `transaction.on_commit` runs."""

    def __init__(self, signal: Signal, arguments: dict[str, Argument]) -> None:
        self.signal = signal
        self.arguments = arguments
        self.key = (signal, tuple(sorted(arguments.items())))

    def __call__(self) -> None:
        self.signal.send(sender=Work, **self.arguments)


def send(signal: Signal, *, using: str = DEFAULT_DB_ALIAS, **arguments: Argument) -> None:
    """Send the event once the transaction in progress commits (at once outside one), unless
    this transaction already has the same event with the same arguments waiting."""
    sending = _Sending(signal, arguments)
    if any(
        isinstance(waiting, _Sending) and waiting.key == sending.key for waiting in _waiting(using)
    ):
        return
    transaction.on_commit(sending, using=using)


def _waiting(using: str) -> Iterator[Any]:
    """The commit callbacks this transaction scheduled and has not rolled back, newest first.

    Django drops the callbacks of a savepoint rolled back, so those left will run. A test runs
    inside atomic blocks of its own (`_from_testcase`, as Django's durable check reads it) and
    takes the outermost block the code opened for its transaction: the savepoint that block
    made marks the callbacks scheduled since it began."""
    connection = transaction.get_connection(using)
    if not connection.in_atomic_block:
        return
    depth = next(
        (
            depth
            for depth, block in enumerate(connection.atomic_blocks)
            if not getattr(block, "_from_testcase", False)
        ),
        None,
    )
    if depth is None:
        return  # only a test's own blocks: each statement stands for a transaction of its own
    savepoint = connection.savepoint_ids[depth - 1] if depth else None
    if depth and savepoint is None:
        return  # a block without a savepoint cannot be told apart: send again rather than lose
    for savepoints, callback, _robust in reversed(connection.run_on_commit):
        if savepoint is not None and savepoint not in savepoints:
            return  # scheduled before this transaction began
        yield callback
