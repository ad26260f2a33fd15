from __future__ import annotations

from django.urls import path

from ficarchive.tags import views

app_name = "tags"
urlpatterns = [
    path("tags/wrangle", views.wrangle, name="wrangle"),
    path("tags/<str:name>/edit", views.edit, name="edit"),
]
