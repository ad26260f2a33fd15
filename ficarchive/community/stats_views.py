"""The writer's stats page: only its owner sees it; a bad parameter is a 400 naming it."""

from __future__ import annotations

from urllib.parse import urlencode

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from ficarchive.accounts.models import User
from ficarchive.community.charts import daily_chart
from ficarchive.community.stats import PERIODS, SORTS, StatsError, writer_stats

COLUMNS = [
    ("title", "Work"),
    ("hits", "Hits"),
    ("kudos", "Kudos"),
    ("comments", "Comments"),
    ("bookmarks", "Bookmarks"),
    ("subscriptions", "Subscriptions"),
]


def stats(request: HttpRequest, username: str) -> HttpResponse:
    owner = get_object_or_404(User, username__iexact=username, is_active=True)
    if not request.user.is_authenticated or request.user.pk != owner.pk:
        raise PermissionDenied("Only the writer can see their stats.")
    try:
        figures = writer_stats(
            owner,
            sort=request.GET.get("sort"),
            period=request.GET.get("period"),
            work=request.GET.get("work"),
        )
    except StatsError as error:
        context = {"message": str(error), "owner": owner}
        return render(request, "community/stats_error.html", context, status=400)
    keep = {"period": str(figures.period)}
    if figures.work is not None:
        keep["work"] = str(figures.work.id)
    columns = [
        {
            "sort": sort,
            "label": label,
            "url": "?" + urlencode({**keep, "sort": sort}),
            "current": sort == figures.sort,
        }
        for sort, label in COLUMNS
        if sort in SORTS
    ]
    subject = f"“{figures.work.title}”" if figures.work else "all your works"
    context = {
        "owner": owner,
        "stats": figures,
        "columns": columns,
        "periods": PERIODS,
        "chart": daily_chart(figures.days, subject),
    }
    return render(request, "community/stats.html", context)
