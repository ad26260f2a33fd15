"""A real archive on a disk that fills up: run by tests/server/test_bad_disk_days.py in a child
process (settings are read once a process, and this archive's data folder is the small disk).

    FICARCHIVE_DATA=/mnt/small/data python -m tests.server.full_disk_archive /mnt/small

Migrates, makes a writer, a reader (who keeps a history) and a work, signs the reader in, then
fills the disk to its last byte and asks the archive for reading pages (logged out and signed
in) and for writes. Prints one JSON object: each request's status and the first words of its
page, and how many comments and kudos the database holds before and after.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any


def main(disk: Path) -> dict[str, Any]:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ficarchive.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from ficarchive.community.models import Comment, Kudos
    from tests.cast import PASSWORD, make_user, make_work
    from tests.mounts import fill

    # As `ficarchive serve` starts: the database, and the static files' manifest pages name.
    call_command("migrate", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    make_user("reader")
    work = make_work(make_user("author"), chapters=2, freeforms=["Coffee Shop AU"])
    chapter = work.chapters.order_by("position")[1]
    guest = Client(HTTP_HOST="localhost")
    reader = Client(HTTP_HOST="localhost")
    assert reader.login(username="reader", password=PASSWORD)
    before = {"comments": Comment.objects.count(), "kudos": Kudos.objects.count()}

    # Every later write needs new room: an empty write-ahead log, and no byte left on the disk.
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    filled = fill(disk)

    reads = {
        "home": "/",
        "works": "/works",
        "work": work.get_absolute_url(),
        "whole work": work.get_absolute_url() + "?view_full_work=true",
        "chapter": chapter.get_absolute_url(),
        "search": "/search?q=coffee",
        "tag": "/tags/Coffee%20Shop%20AU/works",
        "writer": "/users/author",
        "catalog": "/opds/recent",
    }
    answers: dict[str, Any] = {}
    for who, client in (("guest", guest), ("reader", reader)):
        for name, path in reads.items():
            response = client.get(path)
            answers[f"{who} {name}"] = [response.status_code, _words(response.content)]
    writes = {
        "kudos": (reader, f"/works/{work.pk}/kudos", {}),
        "comment": (reader, f"/works/{work.pk}/comments", {"body": "Lovely.", "chapter_id": ""}),
        "log in": (guest, "/users/login", {"username": "reader", "password": PASSWORD}),
    }
    for name, (client, path, data) in writes.items():
        response = client.post(path, data)
        answers[f"post {name}"] = [response.status_code, _words(response.content)]
    after = {"comments": Comment.objects.count(), "kudos": Kudos.objects.count()}
    return {"filled": filled, "answers": answers, "before": before, "after": after}


def _words(content: bytes) -> str:
    """The page's text without its tags, squeezed, for the test's messages and assertions."""
    import re

    text = re.sub(r"<[^>]+>", " ", content.decode(errors="replace"))
    return " ".join(text.split())


if __name__ == "__main__":
    print(json.dumps(main(Path(sys.argv[1]))))
