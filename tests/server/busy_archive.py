"""A live archive for the backup tests, driven from its own process.

    python -m tests.server.busy_archive seed            # a story, its readers' kudos, comments
    python -m tests.server.busy_archive write LOG       # post until SIGTERM, one line per post
    python -m tests.server.busy_archive facts           # what the database holds, as JSON
    python -m tests.server.busy_archive page WORK_ID    # the work page a guest sees
    python -m tests.server.busy_archive search QUERY    # the work ids a guest's search finds

Each runs against the archive its environment names (FICARCHIVE_DATA, DATABASE_URL), through
the same services and pages as the web, so the backup tests see a real archive written by
another process while `ficarchive backup` runs.
"""

from __future__ import annotations

import json
import os
import re
import signal
import sys
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

FIXTURE = Path(__file__).parent.parent / "fixtures" / "everything-back-but-you.txt"
# A phrase of the seeded story (search finds it) and a paragraph of it (the overlap check does).
PHRASE = "the sulky guy she used to call Dodger"
PASSWORD = "correct horse battery staple"


def _setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ficarchive.settings")
    import django
    from django.conf import settings

    django.setup()
    # As in tests/conftest.py: pages render without collectstatic's manifest of hashed names.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


def seed() -> dict[str, object]:
    from ficarchive.accounts.services import create_user, default_pseud
    from ficarchive.community.bookmarks import BookmarkData, create_bookmark
    from ficarchive.community.comments import CommentInput, post_comment
    from ficarchive.community.kudos import leave_kudos
    from ficarchive.works.queries import with_blurb_data
    from ficarchive.works.services import ChapterData, WorkData, add_chapter, create_work

    wren = create_user("wren", PASSWORD, "wren@example.org")
    rory = create_user("rory", PASSWORD, "rory@example.org")
    create_user("busy", PASSWORD, "busy@example.org")
    story = FIXTURE.read_text(encoding="utf-8").split("\n\n", 2)[2]
    work = create_work(
        [default_pseud(wren)],
        WorkData(
            title="Everything Back But You",
            summary="Rory and Jess, <em>again</em>.",
            rating="General Audiences",
            fandoms=["Gilmore Girls"],
            relationships=["Rory Gilmore/Jess Mariano"],
            freeforms=["Post-Canon"],
        ),
        ChapterData(body=story, title="Everything"),
        post=True,
    )
    add_chapter(work, ChapterData(body="Epilogue.\n\nThey went to the diner.", title="After"))
    work = with_blurb_data(type(work).objects.filter(pk=work.pk)).get()
    leave_kudos(work, rory)
    leave_kudos(work, _anonymous(), address="10.1.0.1")
    first = post_comment(work, rory, CommentInput(body="Finally, Literati!"))
    post_comment(work, wren, CommentInput(body="Thank you!", parent_id=first.pk))
    create_bookmark(rory, BookmarkData(notes="<p>A favourite.</p>", tags="rec"), work=work)
    paragraph = next(p for p in story.split("\n\n") if PHRASE in p)
    return {"work_id": work.pk, "phrase": PHRASE, "paragraph": paragraph}


def _anonymous() -> AnonymousUser:
    from django.contrib.auth.models import AnonymousUser

    return AnonymousUser()


def write(log: Path) -> None:
    """Post works, comments, kudos and bookmarks until SIGTERM; log each post once committed."""
    from ficarchive.accounts.models import User
    from ficarchive.accounts.services import default_pseud
    from ficarchive.community.bookmarks import BookmarkData, create_bookmark
    from ficarchive.community.comments import CommentInput, post_comment
    from ficarchive.community.kudos import leave_kudos
    from ficarchive.works.queries import with_blurb_data
    from ficarchive.works.services import ChapterData, WorkData, create_work

    stopping = False

    def stop(signum: int, frame: FrameType | None) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGTERM, stop)
    busy, rory = User.objects.get(username="busy"), User.objects.get(username="rory")
    number = 0
    with log.open("a", encoding="utf-8") as out:
        while not stopping:
            number += 1
            created = create_work(
                [default_pseud(busy)],
                WorkData(title=f"Busy Day {number}", rating="General Audiences"),
                ChapterData(body=f"Busy day number {number} began with coffee.\n\nThe end."),
                post=True,
            )
            work = with_blurb_data(type(created).objects.filter(pk=created.pk)).get()
            address = f"10.2.{number // 200}.{number % 200 + 1}"
            comments = [
                post_comment(work, busy, CommentInput(body=f"Author's note {number}.")).pk,
                post_comment(
                    work,
                    _anonymous(),
                    CommentInput(body=f"Guest {number} liked it.", guest_name=f"Guest {number}"),
                    address=address,
                ).pk,
            ]
            kudos = [
                leave_kudos(work, rory).pk,
                leave_kudos(work, _anonymous(), address=address).pk,
            ]
            bookmark = create_bookmark(rory, BookmarkData(), work=work).pk
            out.write(
                json.dumps(
                    {
                        "work": work.pk,
                        "chapters": list(work.chapters.values_list("pk", flat=True)),
                        "comments": comments,
                        "kudos": kudos,
                        "bookmarks": [bookmark],
                    }
                )
                + "\n"
            )
            out.flush()


def facts() -> dict[str, object]:
    """Every row the manifest counts, by id, and the works whose kept counts disagree with
    their rows (a copy torn between two moments would show some)."""
    from django.db.models import Count, Q

    from ficarchive.accounts.models import User
    from ficarchive.community.models import Bookmark, Comment, Kudos
    from ficarchive.works.models import Chapter, Work

    def ids(model: type) -> list[int]:
        return sorted(model.objects.values_list("pk", flat=True))  # type: ignore[attr-defined]

    torn = [
        work.pk
        for work in Work.objects.annotate(
            chapter_rows=Count("chapters", distinct=True),
            kudos_rows=Count("kudos", distinct=True),
            comment_rows=Count(
                "comments",
                filter=Q(comments__approved=True, comments__deleted=False),
                distinct=True,
            ),
            bookmark_rows=Count("bookmarks", filter=Q(bookmarks__private=False), distinct=True),
        )
        if (work.chapter_count, work.kudos_count, work.comments_count, work.bookmarks_count)
        != (work.chapter_rows, work.kudos_rows, work.comment_rows, work.bookmark_rows)
    ]
    return {
        "works": ids(Work),
        "chapters": ids(Chapter),
        "comments": ids(Comment),
        "kudos": ids(Kudos),
        "bookmarks": ids(Bookmark),
        "users": ids(User),
        "torn": torn,
    }


def page(work_id: int) -> str:
    from django.test import Client

    response = Client().get(f"/works/{work_id}?view_full_work=true")
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def search(query: str) -> list[int]:
    from django.test import Client

    response = Client().get("/search", {"q": query})
    assert response.status_code == 200, response.status_code
    return sorted(
        {int(found) for found in re.findall(r'href="/works/(\d+)"', response.content.decode())}
    )


def main(argv: list[str]) -> None:
    _setup()
    command, *rest = argv
    if command == "seed":
        print(json.dumps(seed()))
    elif command == "write":
        write(Path(rest[0]))
    elif command == "facts":
        print(json.dumps(facts()))
    elif command == "page":
        sys.stdout.write(page(int(rest[0])))
    elif command == "search":
        print(json.dumps(search(rest[0])))
    else:
        raise SystemExit(f"unknown command {command!r}")


if __name__ == "__main__":
    main(sys.argv[1:])
