"""`ficarchive token create|list|revoke`: personal access tokens for the API, from the shell.

    ficarchive token create --user NAME --scope read|write [--expires DAYS] [--name NAME]
    ficarchive token list --user NAME
    ficarchive token revoke --user NAME ID

`create` prints the secret once, on its own line (so `TOKEN=$(ficarchive token create …)`
keeps it), and what it is on standard error.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from ficarchive.accounts import tokens
from ficarchive.accounts.models import User


def _user(name: str) -> User:
    found = User.objects.filter(username__iexact=name.strip()).first()
    if found is None:
        raise CommandError(f"--user: there is no user named {name!r}.")
    return found


class Command(BaseCommand):
    help = "Make, list and revoke a user's personal access tokens for the API (/api/v1/)."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, metavar="create|list|revoke")
        create = actions.add_parser("create", help="make a token and print its secret once")
        create.add_argument("--user", required=True, help="the user the token acts as")
        create.add_argument("--scope", required=True, choices=["read", "write"])
        create.add_argument("--expires", type=int, metavar="DAYS", help="days it lasts")
        create.add_argument("--name", default="Command line", help="what it is for")
        listing = actions.add_parser("list", help="the user's tokens")
        listing.add_argument("--user", required=True)
        revoke = actions.add_parser("revoke", help="revoke one of the user's tokens")
        revoke.add_argument("--user", required=True)
        revoke.add_argument("id", type=int, help="the token's id (see list)")

    def handle(self, *args: Any, **options: Any) -> None:
        user = _user(options["user"])
        try:
            if options["action"] == "create":
                made = tokens.create_token(
                    user, options["name"], options["scope"], options["expires"]
                )
                expires = made.token.expires_at
                until = f"until {expires:%Y-%m-%d %H:%M} UTC" if expires else "until revoked"
                self.stderr.write(
                    f"Token {made.token.pk} ({made.token.scope}) for {user.username}, {until}. "
                    "It is shown only now: keep it somewhere safe."
                )
                self.stdout.write(made.secret)
            elif options["action"] == "list":
                for token in tokens.tokens_of(user):
                    used = f"{token.last_used_at:%Y-%m-%d %H:%M}" if token.last_used_at else "never"
                    columns = [str(token.pk), f"{token.prefix}…", token.scope, token.state]
                    columns += [f"last used {used}", token.name]
                    self.stdout.write("\t".join(columns))
            else:
                token = tokens.revoke(user, options["id"])
                self.stdout.write(f"Revoked token {token.pk} ({token.name}) of {user.username}.")
        except tokens.TokenError as error:
            field = f"--{error.field}: " if error.field in ("name", "scope", "expires") else ""
            raise CommandError(f"{field}{error.message}") from None
