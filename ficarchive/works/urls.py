from __future__ import annotations

from django.urls import path

from ficarchive.works import (
    chapter_views,
    creatorship_views,
    import_views,
    related_views,
    series_views,
    tag_views,
    views,
)

app_name = "works"
urlpatterns = [
    path("works/new", views.work_new, name="new"),
    path("works/import", import_views.import_works, name="import"),
    path("works/<int:work_id>", views.work_page, name="work"),
    path("works/<int:work_id>/navigate", views.navigate, name="navigate"),
    path("works/<int:work_id>/edit", views.work_edit, name="edit"),
    path("works/<int:work_id>/preview", views.preview, name="preview"),
    path("works/<int:work_id>/post", views.work_post, name="post"),
    path("works/<int:work_id>/delete", views.work_delete, name="delete"),
    path("works/<int:work_id>/adult", views.adult_preference, name="adult"),
    path("works/<int:work_id>/chapters/new", chapter_views.chapter_new, name="chapter_new"),
    path(
        "works/<int:work_id>/chapters/manage", chapter_views.chapters_manage, name="chapters_manage"
    ),
    path("works/<int:work_id>/chapters/<int:chapter_id>", views.chapter_page, name="chapter"),
    path(
        "works/<int:work_id>/chapters/<int:chapter_id>/edit",
        chapter_views.chapter_edit,
        name="chapter_edit",
    ),
    path(
        "works/<int:work_id>/chapters/<int:chapter_id>/delete",
        chapter_views.chapter_delete,
        name="chapter_delete",
    ),
    path(
        "works/<int:work_id>/chapters/<int:chapter_id>/post",
        chapter_views.chapter_post,
        name="chapter_post",
    ),
    path("users/<str:username>/works/drafts", views.drafts, name="drafts"),
    path(
        "users/<str:username>/co-creator-requests",
        creatorship_views.co_creator_requests,
        name="co_creator_requests",
    ),
    path("users/<str:username>/related-works", related_views.related_works, name="related_works"),
    path("series/<int:series_id>", series_views.series_page, name="series"),
    path("series/<int:series_id>/edit", series_views.series_edit, name="series_edit"),
    path("users/<str:username>/series", series_views.user_series, name="user_series"),
    path("tags/autocomplete", tag_views.autocomplete, name="tag_autocomplete"),
    path("works/<int:work_id>/tags/suggested", tag_views.add_suggested, name="add_suggested_tags"),
]
