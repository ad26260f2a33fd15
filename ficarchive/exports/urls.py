from __future__ import annotations

from collections.abc import Callable

from django.http import HttpResponse
from django.urls import URLPattern, path, re_path

from ficarchive.exports import account_views, feed_views, opds_views, views

app_name = "exports"
urlpatterns = [
    re_path(
        r"^downloads/(?P<work_id>\d+)/(?P<name>[^/]+)\.(?P<extension>[a-z0-9]+)$",
        views.download,
        name="download",
    ),
    path(
        "users/<str:username>/pseuds/<str:pseud>/works.atom",
        feed_views.pseud_works,
        name="pseud_feed",
    ),
    path("series/<int:series_id>/works.atom", feed_views.series_works, name="series_feed"),
    path("tags/<str:name>/feed.atom", feed_views.tag_works, name="tag_feed"),
    path("opds/opensearch.xml", opds_views.opensearch, name="opds_opensearch"),
    path("account/export", account_views.account_export_page, name="account_export"),
    path(
        "account/export/<str:name>.zip",
        account_views.account_export_download,
        name="account_export_download",
    ),
]

_CATALOG_VIEWS: list[tuple[str, Callable[..., HttpResponse], str]] = [
    ("", opds_views.root, "root"),
    ("recent", opds_views.recent, "recent"),
    ("fandoms", opds_views.fandoms, "fandoms"),
    ("top-tags", opds_views.top_tags, "top_tags"),
    ("tags/<str:name>", opds_views.tag, "tag"),
    ("series", opds_views.series_list, "series_list"),
    ("series/<int:series_id>", opds_views.series, "series"),
    ("search", opds_views.search, "search"),
]


def _catalog(prefix: str, version: int) -> list[URLPattern]:
    """The catalog's pages in one OPDS version, named `opds_…` (1.2) or `opds2_…` (2.0)."""
    names = "opds_" if version == 1 else "opds2_"
    return [
        path(prefix + route, view, {"version": version}, name=names + name)
        for route, view, name in _CATALOG_VIEWS
    ]


urlpatterns += _catalog("opds/", 1) + _catalog("opds/v2/", 2)
