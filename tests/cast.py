"""The cast of the tests: small helpers that make an author, a co-author, a reader, a stranger,
and works for them, through the same services the web forms call."""

from __future__ import annotations

from ficarchive.accounts.models import User
from ficarchive.accounts.services import create_user, default_pseud
from ficarchive.works.models import Work
from ficarchive.works.services import ChapterData, WorkData, add_chapter, create_work

PASSWORD = "correct horse battery staple"


def make_user(name: str = "author") -> User:
    return create_user(name, PASSWORD, f"{name}@example.org")


def make_work(
    *creators: User,
    title: str = "Everything Back But You",
    chapters: int = 1,
    posted: bool = True,
    restricted: bool = False,
    rating: str = "General Audiences",
    body: str = "It wasn't weird.\n\nThey had grown apart.",
    text_format: str = "text",
    **fields: object,
) -> Work:
    if not creators:
        creators = (make_user(),)
    data = WorkData(title=title, rating=rating, restricted=restricted, **fields)  # type: ignore[arg-type]
    work = create_work(
        [default_pseud(user) for user in creators],
        data,
        ChapterData(
            body=body, text_format=text_format, title="Chapter One" if chapters > 1 else ""
        ),
        post=posted,
    )
    for number in range(2, chapters + 1):
        add_chapter(
            work, ChapterData(body=f"Chapter {number} text.\n\nMore.", title=f"Part {number}")
        )
    work.refresh_from_db()
    return work
