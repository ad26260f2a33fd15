from __future__ import annotations

from django.urls import path

from ficarchive.tags import views

app_name = "tags"
urlpatterns = [
    path("tags/wrangle", views.wrangle, name="wrangle"),
    path("tags/autocomplete", views.autocomplete, name="autocomplete"),
    path("tags/<str:name>/edit", views.edit, name="edit"),
    path("works/<int:work_id>/tags/suggested", views.add_suggested, name="suggested"),
]
