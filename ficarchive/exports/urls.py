from __future__ import annotations

from django.urls import re_path

from ficarchive.exports import views

app_name = "exports"
urlpatterns = [
    re_path(
        r"^downloads/(?P<work_id>\d+)/(?P<name>[^/]+)\.(?P<extension>[a-z0-9]+)$",
        views.download,
        name="download",
    ),
]
