"""The admin, open to admins and moderators: moderators see what they need to moderate."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.http import HttpRequest

from ficarchive.accounts.adminsite import moderates as _moderates
from ficarchive.accounts.models import Invitation, Pseud, User


class ModeratorAccess:
    """Lets moderators view, change and delete (never add) the model; admins may do anything."""

    def has_module_permission(self, request: HttpRequest) -> bool:
        return _moderates(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _moderates(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _moderates(request)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _moderates(request)

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return request.user.is_superuser


class PseudInline(admin.TabularInline):
    model = Pseud
    extra = 0
    fields = ["name", "is_default", "description"]


@admin.register(User)
class ArchiveUserAdmin(ModeratorAccess, UserAdmin):
    list_display = ["username", "email", "is_active", "is_moderator", "is_wrangler", "date_joined"]
    list_filter = ["is_active", "is_moderator", "is_wrangler", "is_superuser"]
    fieldsets = (
        *(UserAdmin.fieldsets or ()),
        ("Archive roles", {"fields": ("is_moderator", "is_wrangler", "view_adult", "claimable")}),
    )
    inlines = [PseudInline]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        # Only admins hand out roles and permissions; moderators may suspend (deactivate).
        if request.user.is_superuser:
            return ()
        return (
            "password",
            "is_superuser",
            "is_staff",
            "is_moderator",
            "is_wrangler",
            "groups",
            "user_permissions",
            "last_login",
            "date_joined",
        )


@admin.register(Invitation)
class InvitationAdmin(ModeratorAccess, admin.ModelAdmin):
    list_display = ["code", "email", "created_by", "used_by", "used_at"]
    readonly_fields = ["used_by", "used_at"]

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return _moderates(request)

    def save_model(self, request: HttpRequest, obj: Invitation, form: Any, change: bool) -> None:
        if not change and isinstance(request.user, User):
            obj.created_by = request.user
        super().save_model(request, obj, form, change)
