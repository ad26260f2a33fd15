"""A writer's statistics: per work hits, kudos, comments, bookmarks and subscriptions, with the
totals, and hits and kudos per day over a period, for all their works or one.

Every figure is counted by the database: the table is one query (the counters kept on `Work`
and a subquery for subscriptions), each daily series one GROUP BY day.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import Count, F, IntegerField, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce, Lower, TruncDate
from django.utils import timezone

from ficarchive.accounts.models import User
from ficarchive.community.models import Hit, Kudos, Subscription
from ficarchive.works.models import Creatorship, Work

# ?sort= names and the ordering each stands for; figures sort biggest first, titles A to Z.
SORTS: dict[str, tuple[Any, ...]] = {
    "hits": (F("hits").desc(),),
    "kudos": (F("kudos_count").desc(),),
    "comments": (F("comments_count").desc(),),
    "bookmarks": (F("bookmarks_count").desc(),),
    "subscriptions": (F("subscription_total").desc(),),
    "title": (),
}
DEFAULT_SORT = "hits"
PERIODS = (30, 90, 365)
DEFAULT_PERIOD = 30


class StatsError(Exception):
    """A stats request that cannot be answered, naming the parameter and what is wrong."""


@dataclass(frozen=True)
class WorkFigures:
    id: int
    title: str
    url: str
    hits: int
    kudos: int
    comments: int
    bookmarks: int
    subscriptions: int


@dataclass(frozen=True)
class Totals:
    hits: int = 0
    kudos: int = 0
    comments: int = 0
    bookmarks: int = 0
    subscriptions: int = 0


@dataclass(frozen=True)
class DayFigures:
    day: date
    hits: int
    kudos: int


@dataclass
class Stats:
    works: list[WorkFigures]
    totals: Totals
    sort: str
    period: int
    work: WorkFigures | None
    days: list[DayFigures] = field(default_factory=list)

    @property
    def period_hits(self) -> int:
        return sum(day.hits for day in self.days)

    @property
    def period_kudos(self) -> int:
        return sum(day.kudos for day in self.days)


def parse_sort(value: str | None) -> str:
    if not value:
        return DEFAULT_SORT
    if value not in SORTS:
        names = ", ".join(SORTS)
        raise StatsError(f"sort: {value!r} is not a column to sort by; use one of {names}.")
    return value


def parse_period(value: str | None) -> int:
    if not value:
        return DEFAULT_PERIOD
    if not value.isdigit() or int(value) not in PERIODS:
        days = ", ".join(str(period) for period in PERIODS)
        raise StatsError(f"period: {value!r} is not a period of days; use one of {days}.")
    return int(value)


def parse_work(value: str | None) -> int | None:
    if not value:
        return None
    if not value.isdigit():
        raise StatsError(f"work: {value!r} is not a work id.")
    return int(value)


def own_works(user: User) -> QuerySet[Work]:
    """The user's posted works (drafts have no readers yet)."""
    credited = Creatorship.objects.filter(pseud__user_id=user.pk).values("work_id")
    return Work.objects.filter(pk__in=credited, posted=True)


def work_figures(user: User, sort: str) -> list[WorkFigures]:
    """One query: each posted work's counters and its number of subscribers."""
    subscribers = (
        Subscription.objects.filter(work_id=OuterRef("pk"))
        .order_by()
        .values("work_id")
        .annotate(total=Count("pk"))
        .values("total")
    )
    rows = (
        own_works(user)
        .annotate(
            subscription_total=Coalesce(
                Subquery(subscribers, output_field=IntegerField()), Value(0)
            )
        )
        .order_by(*SORTS[sort], Lower("title"), "pk")
        .values_list(
            "pk",
            "title",
            "hits",
            "kudos_count",
            "comments_count",
            "bookmarks_count",
            "subscription_total",
        )
    )
    return [
        WorkFigures(pk, title, Work(pk=pk).get_absolute_url(), *figures)
        for pk, title, *figures in rows
    ]


def totals(works: list[WorkFigures]) -> Totals:
    return Totals(
        hits=sum(work.hits for work in works),
        kudos=sum(work.kudos for work in works),
        comments=sum(work.comments for work in works),
        bookmarks=sum(work.bookmarks for work in works),
        subscriptions=sum(work.subscriptions for work in works),
    )


def daily_figures(
    user: User, period: int, work_id: int | None = None, *, today: date | None = None
) -> list[DayFigures]:
    """Hits and kudos on each of the last `period` days (today included): two GROUP BY day."""
    last = today or timezone.localdate()
    first = last - timedelta(days=period - 1)
    works = own_works(user).values("pk") if work_id is None else [work_id]
    hits = dict(
        Hit.objects.filter(work_id__in=works, day__gte=first, day__lte=last)
        .order_by()
        .values("day")
        .annotate(total=Count("pk"))
        .values_list("day", "total")
    )
    zone = timezone.get_current_timezone()
    since = datetime.combine(first, time.min, tzinfo=zone)
    until = datetime.combine(last + timedelta(days=1), time.min, tzinfo=zone)
    kudos = dict(
        Kudos.objects.filter(work_id__in=works, created_at__gte=since, created_at__lt=until)
        .order_by()
        .annotate(day=TruncDate("created_at", tzinfo=zone))
        .values("day")
        .annotate(total=Count("pk"))
        .values_list("day", "total")
    )
    days = [first + timedelta(days=offset) for offset in range(period)]
    return [DayFigures(day, hits.get(day, 0), kudos.get(day, 0)) for day in days]


def writer_stats(
    user: User,
    *,
    sort: str | None = None,
    period: str | None = None,
    work: str | None = None,
    today: date | None = None,
) -> Stats:
    """Everything the stats page shows, from its query parameters (raises StatsError)."""
    chosen_sort = parse_sort(sort)
    chosen_period = parse_period(period)
    work_id = parse_work(work)
    works = work_figures(user, chosen_sort)
    chosen = None
    if work_id is not None:
        chosen = next((figures for figures in works if figures.id == work_id), None)
        if chosen is None:
            raise StatsError(f"work: {work_id} is not one of your posted works.")
    return Stats(
        works=works,
        totals=totals(works),
        sort=chosen_sort,
        period=chosen_period,
        work=chosen,
        days=daily_figures(user, chosen_period, work_id, today=today),
    )
