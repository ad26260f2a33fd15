"""A small archive for the catalog and feed tests: works in several fandoms, ratings, languages
and a series, a co-created work, a restricted work and a draft."""

from __future__ import annotations

from dataclasses import dataclass

from django.test import Client

from ficarchive.accounts.models import User
from ficarchive.accounts.services import create_user
from ficarchive.works.models import Series, Work
from tests.cast import make_work


@dataclass
class Library:
    author: User
    coauthor: User
    reader: User
    founding: Work  # in a series, with a summary and many tags
    sequel: Work  # part 2 of the series
    shared: Work  # co-created, Explicit, complete
    japanese: Work
    restricted: Work
    draft: Work
    series: Series

    @property
    def public(self) -> list[Work]:
        return [self.founding, self.sequel, self.shared, self.japanese]


def make_library() -> Library:
    # Without passwords, which are slow to hash; tests log in with `force_login`.
    author, coauthor, reader = (
        create_user(name, None) for name in ("author", "coauthor", "reader")
    )
    founding = make_work(
        author,
        title="Everything Back But You",
        summary="Another <em>alternative</em> spin on how Rory & Jess got back together.",
        fandoms=["Gilmore Girls"],
        relationships=["Rory Gilmore/Jess Mariano"],
        characters=["Rory Gilmore", "Jess Mariano"],
        freeforms=["Post-Canon", "Reunions"],
        categories=["F/M"],
        rating="Teen And Up Audiences",
        new_series_title="Back Again",
        complete=True,
    )
    series = founding.serial_works.get().series
    sequel = make_work(
        author,
        title="The Runaways",
        summary="The prologue, retold.",
        fandoms=["Gilmore Girls"],
        relationships=["Rory Gilmore/Jess Mariano"],
        freeforms=["Reunions"],
        series_id=series.pk,
        chapters=2,
    )
    shared = make_work(
        author,
        coauthor,
        title="Pemberley in Winter",
        summary="Two writers, one ballroom.",
        fandoms=["Pride and Prejudice"],
        relationships=["Elizabeth Bennet & Jane Bennet"],
        rating="Explicit",
        complete=True,
    )
    japanese = make_work(
        coauthor,
        title="帰り道",
        body="彼女は駅の前で待っていた。\n\n雨が降っていた。",
        language="ja",
        fandoms=["Original Work"],
        freeforms=["Reunions"],
    )
    restricted = make_work(
        author,
        title="Members Only Story",
        fandoms=["Gilmore Girls"],
        freeforms=["Reunions"],
        restricted=True,
        series_id=series.pk,
    )
    draft = make_work(
        author,
        title="Unfinished Draft Story",
        fandoms=["Gilmore Girls"],
        freeforms=["Reunions"],
        posted=False,
    )
    # The catalogs' search is the archive's full-text search: its index is kept by a job.
    from ficarchive.search.services import index_work

    for work in (founding, sequel, shared, japanese, restricted, draft):
        index_work(work.pk)
    return Library(
        author, coauthor, reader, founding, sequel, shared, japanese, restricted, draft, series
    )


def get(client: Client, url: str) -> bytes:
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code, response.content[:500])
    return response.content
