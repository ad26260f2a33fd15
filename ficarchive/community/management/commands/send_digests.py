"""`ficarchive send_digests`: mail the daily digest of subscription updates (run it from cron)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from ficarchive.community.subscriptions import schedule_digests, send_digests


class Command(BaseCommand):
    help = (
        "Email each reader who chose a daily digest one email listing their subscription "
        "updates not mailed yet. Run it once a day (cron); running it twice sends nothing twice."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--queue",
            action="store_true",
            help="Queue a community.digest job for the worker instead of sending now.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["queue"]:
            schedule_digests()
            self.stdout.write("send_digests: queued a community.digest job")
            return
        sent = send_digests()
        self.stdout.write(f"send_digests: sent {sent} digest(s)")
