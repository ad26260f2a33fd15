from __future__ import annotations

from django.contrib import admin
from django.urls import include, path

from ficarchive.works import views as work_views

urlpatterns = [
    path("", work_views.home, name="home"),
    path("admin/", admin.site.urls),
    path("", include("ficarchive.works.urls")),
    path("", include("ficarchive.accounts.urls")),
    path("", include("ficarchive.exports.urls")),
    path("", include("ficarchive.overlap.urls")),
    path("", include("ficarchive.tags.urls")),
    path("", include("ficarchive.search.urls")),
    path("", include("ficarchive.community.urls")),
]
