from __future__ import annotations

from django.urls import path

from ficarchive.overlap import views

app_name = "overlap"
urlpatterns = [
    path("works/<int:work_id>/overlap", views.checks, name="checks"),
    path("works/<int:work_id>/overlap/<int:check_id>", views.report, name="report"),
    path(
        "works/<int:work_id>/overlap/<int:check_id>/intended",
        views.mark_intended,
        name="intended",
    ),
]
