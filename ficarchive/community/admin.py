"""The community models in the admin, for moderators.

Kudos, comments, bookmarks and hits are counted on their work (`Work.kudos_count` …) by the
services that add and remove them, so the admin shows them read-only: deleting a row here would
leave the counts wrong. Reports are handled here or in the moderation queue; either way through
`reports.handle_report`, which records who handled them and when.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.http import HttpRequest

from ficarchive.accounts.admin import ModeratorAccess
from ficarchive.accounts.models import User
from ficarchive.community import reports
from ficarchive.community.models import (
    Bookmark,
    Comment,
    CommentSettings,
    Hit,
    InboxComment,
    Kudos,
    Reading,
    Report,
    Subscription,
    Update,
)


class ReadOnly(ModeratorAccess):
    """Moderators and admins may look, no one may add, change or delete here."""

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return False


@admin.register(Kudos)
class KudosAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ["work", "user", "created_at"]
    list_select_related = ["work", "user"]
    raw_id_fields = ["work", "user"]
    date_hierarchy = "created_at"


@admin.register(Comment)
class CommentAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ["pk", "work", "user", "guest_name", "created_at", "approved", "deleted"]
    list_select_related = ["work", "user"]
    list_filter = ["approved", "deleted", "frozen"]
    search_fields = ["body", "user__username", "guest_name", "work__title"]
    raw_id_fields = ["work", "chapter", "parent", "thread", "user", "pseud"]
    exclude = ["guest_key"]
    date_hierarchy = "created_at"


@admin.register(CommentSettings)
class CommentSettingsAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ["work", "who", "moderated"]
    list_select_related = ["work"]
    raw_id_fields = ["work"]


@admin.register(Bookmark)
class BookmarkAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ["pk", "user", "work", "series", "private", "rec", "created_at"]
    list_select_related = ["user", "work", "series"]
    list_filter = ["private", "rec"]
    search_fields = ["user__username", "work__title", "series__title", "notes"]
    raw_id_fields = ["user", "pseud", "work", "series", "tags"]


@admin.register(Subscription)
class SubscriptionAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ["pk", "user", "work", "creator", "series", "created_at"]
    list_select_related = ["user", "work", "creator", "series"]
    raw_id_fields = ["user", "work", "creator", "series"]


@admin.register(Update)
class UpdateAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ["text", "user", "created_at", "read", "emailed_at"]
    list_select_related = ["user"]
    raw_id_fields = ["user", "work", "chapter"]


@admin.register(InboxComment)
class InboxCommentAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ["pk", "user", "comment", "read", "replied", "created_at"]
    list_select_related = ["user", "comment"]
    raw_id_fields = ["user", "comment"]


@admin.register(Reading)
class ReadingAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ["user", "work", "views", "later", "last_read_at"]
    list_select_related = ["user", "work"]
    raw_id_fields = ["user", "work", "chapter"]


@admin.register(Hit)
class HitAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ["work", "day"]
    list_select_related = ["work"]
    raw_id_fields = ["work"]
    exclude = ["reader"]


class ReportAdminForm(forms.ModelForm):
    class Meta:
        model = Report
        fields = ["state", "resolution"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        handled = data.get("state", Report.State.OPEN) != Report.State.OPEN
        if handled and not str(data.get("resolution", "")).strip():
            self.add_error("resolution", "Write a note saying what was done (or why not).")
        return data


# What the report page shows, in order.
REPORT_FIELDS = (
    "reason",
    "url",
    "work",
    "comment",
    "reporter",
    "reporter_email",
    "created_at",
    "details",
    "state",
    "resolution",
    "handled_by",
    "handled_at",
)


@admin.register(Report)
class ReportAdmin(ModeratorAccess, admin.ModelAdmin):
    form = ReportAdminForm
    list_display = ["pk", "reason", "state", "url", "reporter", "created_at", "handled_by"]
    list_select_related = ["reporter", "handled_by"]
    list_filter = ["state", "reason"]
    search_fields = ["details", "url", "reporter__username", "reporter_email", "resolution"]
    date_hierarchy = "created_at"
    fields = REPORT_FIELDS
    # Moderators set only the outcome; what was reported, by whom, stays as it was sent.
    readonly_fields = [name for name in REPORT_FIELDS if name not in ReportAdminForm.Meta.fields]

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return request.user.is_superuser

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        # A handled report keeps its outcome: reopen nothing behind the queue's back. The stored
        # state decides, not `obj`'s, which a form sent back with errors has already changed.
        if isinstance(obj, Report) and (
            Report.objects.filter(pk=obj.pk).exclude(state=Report.State.OPEN).exists()
        ):
            return [*self.readonly_fields, "state", "resolution"]
        return self.readonly_fields

    def save_model(self, request: HttpRequest, obj: Report, form: Any, change: bool) -> None:
        user = request.user
        if obj.state == Report.State.OPEN or not isinstance(user, User):
            super().save_model(request, obj, form, change)
            return
        try:
            reports.handle_report(obj.pk, user, obj.state, obj.resolution)
        except reports.ReportError as error:
            messages.error(request, error.message)
