"""`ficarchive delete_account NAME (--orphan | --delete)`: an admin deletes an account as its
user would on the web (`community.leaving`)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from ficarchive.accounts.models import User
from ficarchive.community.leaving import LeavingError, delete_account


class Command(BaseCommand):
    help = (
        "Delete an account: its works are orphaned (kept, credited to orphan_account) or "
        "deleted; works co-created with others stay with them. Its comments stay as by "
        "'(Deleted user)'; its bookmarks, history, subscriptions and inbox go."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username", help="The account's user name.")
        what = parser.add_mutually_exclusive_group(required=True)
        what.add_argument("--orphan", action="store_true", help="Orphan its works.")
        what.add_argument("--delete", action="store_true", help="Delete its works.")

    def handle(self, *args: Any, **options: Any) -> None:
        name = options["username"]
        user = User.objects.filter(username__iexact=name).first()
        if user is None:
            raise CommandError(f"There is no account named {name!r}.")
        try:
            left = delete_account(user, orphan=options["orphan"])
        except LeavingError as error:
            raise CommandError(str(error)) from None
        kept = "orphaned or kept by co-creators" if options["orphan"] else "kept by co-creators"
        self.stdout.write(
            f"delete_account: deleted {user.username}; {left.works_deleted} work(s) deleted, "
            f"{left.works_kept} {kept}"
        )
