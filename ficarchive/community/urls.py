"""Each part of the community app keeps its routes beside its views; this joins them."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver

from ficarchive.community import (
    bookmark_views,
    comment_views,
    kudos_views,
    reading_views,
    report_views,
    stats_views,
    subscription_views,
)

app_name = "community"
urlpatterns: list[URLPattern | URLResolver] = [
    *kudos_views.urlpatterns,
    *comment_views.urlpatterns,
    *bookmark_views.urlpatterns,
    *subscription_views.urlpatterns,
    *reading_views.urlpatterns,
    *stats_views.urlpatterns,
    *report_views.urlpatterns,
]
