from __future__ import annotations

from django.urls import path

from ficarchive.search import describe_views, list_views, tag_views, views

app_name = "search"

urlpatterns = [
    path("search", views.search, name="search"),
    path("works", list_views.work_list, name="works"),
    path("users/<str:username>/works", list_views.user_works, name="user_works"),
    path(
        "users/<str:username>/pseuds/<str:pseud>/works",
        list_views.pseud_works,
        name="pseud_works",
    ),
    path("search/describe", describe_views.describe, name="describe"),
    path("search/saved", views.saved_searches, name="saved"),
    path("search/saved/<int:saved_id>/delete", views.saved_delete, name="saved_delete"),
    path("search/mutes", views.mutes, name="mutes"),
    path("tags/<str:name>/works", tag_views.tag_works, name="tag_works"),
]
