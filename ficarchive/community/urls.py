"""Every route of the community app, in one list (the user and pseud pages of
`people_views` join the accounts namespace in `ficarchive/urls.py`)."""

from __future__ import annotations

from django.urls import URLPattern, path

from ficarchive.community import (
    bookmark_views,
    comment_views,
    inbox_views,
    kudos_views,
    leave_views,
    reading_views,
    report_views,
    stats_views,
    subscription_views,
)

app_name = "community"
urlpatterns: list[URLPattern] = [
    # kudos
    path("works/<int:work_id>/kudos", kudos_views.kudos, name="kudos"),
    # comments
    path("works/<int:work_id>/comments", comment_views.comment_new, name="comment_new"),
    path("works/<int:work_id>/comments/new", comment_views.comment_form, name="comment_form"),
    path(
        "works/<int:work_id>/comments/settings",
        comment_views.comment_settings,
        name="comment_settings",
    ),
    path("comments/<int:comment_id>", comment_views.comment_permalink, name="comment"),
    path("comments/<int:comment_id>/reply", comment_views.comment_reply, name="comment_reply"),
    path("comments/<int:comment_id>/edit", comment_views.comment_edit, name="comment_edit"),
    path("comments/<int:comment_id>/delete", comment_views.comment_delete, name="comment_delete"),
    path("comments/<int:comment_id>/freeze", comment_views.comment_freeze, name="comment_freeze"),
    path(
        "comments/<int:comment_id>/unfreeze",
        comment_views.comment_unfreeze,
        name="comment_unfreeze",
    ),
    path(
        "comments/<int:comment_id>/approve", comment_views.comment_approve, name="comment_approve"
    ),
    # leaving the archive
    path("account/delete", leave_views.account_delete, name="account_delete"),
    # inbox
    path("inbox", inbox_views.inbox_page, name="inbox"),
    path("inbox/update", inbox_views.inbox_update, name="inbox_update"),
    # bookmarks
    path(
        "works/<int:work_id>/bookmarks/new",
        bookmark_views.work_bookmark_new,
        name="work_bookmark_new",
    ),
    path(
        "series/<int:series_id>/bookmarks/new",
        bookmark_views.series_bookmark_new,
        name="series_bookmark_new",
    ),
    path("bookmarks/<int:bookmark_id>/edit", bookmark_views.bookmark_edit, name="bookmark_edit"),
    path(
        "bookmarks/<int:bookmark_id>/delete", bookmark_views.bookmark_delete, name="bookmark_delete"
    ),
    path("bookmarks/search", bookmark_views.bookmark_search, name="bookmark_search"),
    path("works/<int:work_id>/bookmarks", bookmark_views.work_bookmarks, name="work_bookmarks"),
    path("users/<str:username>/bookmarks", bookmark_views.user_bookmarks, name="user_bookmarks"),
    # subscriptions and updates
    path("works/<int:work_id>/subscribe", subscription_views.subscribe_work, name="subscribe_work"),
    path(
        "users/<str:username>/subscribe", subscription_views.subscribe_user, name="subscribe_user"
    ),
    path(
        "series/<int:series_id>/subscribe",
        subscription_views.subscribe_series,
        name="subscribe_series",
    ),
    path(
        "subscriptions/<int:subscription_id>/delete",
        subscription_views.unsubscribe,
        name="unsubscribe",
    ),
    path(
        "users/<str:username>/subscriptions",
        subscription_views.subscription_list,
        name="subscriptions",
    ),
    path("updates", subscription_views.updates, name="updates"),
    path("updates/read", subscription_views.updates_read, name="updates_read"),
    # reading history and marked for later
    path("users/<str:username>/readings", reading_views.reading_list, name="readings"),
    path("users/<str:username>/readings/clear", reading_views.reading_clear, name="readings_clear"),
    path("readings/<int:reading_id>/delete", reading_views.reading_delete, name="reading_delete"),
    path("works/<int:work_id>/mark_for_later", reading_views.mark_for_later, name="mark_for_later"),
    # statistics
    path("users/<str:username>/stats", stats_views.stats, name="stats"),
    # reports and moderation
    path("reports/new", report_views.report, name="report"),
    path("reports/sent", report_views.report_sent, name="report_sent"),
    path("moderation/reports", report_views.moderation, name="moderation"),
    path(
        "moderation/reports/<int:report_id>",
        report_views.moderation_handle,
        name="moderation_handle",
    ),
]
