"""The admin, open to admins and moderators: moderators see what they need to moderate.

Accounts follow accounts.roles: a moderator may view every account, but change only accounts
that hold no role (suspend them, edit their names and email); only admins set passwords, grant
roles and permissions, add or delete accounts, and change accounts that hold a role.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

from ficarchive.accounts.adminsite import moderates as _moderates
from ficarchive.accounts.models import Invitation, Pseud, User
from ficarchive.accounts.roles import is_admin, may_manage


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
    """An account's pseuds, changed as the account may be (`obj` is the account)."""

    model = Pseud
    extra = 0
    fields = ["name", "is_default", "description"]

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _moderates(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return isinstance(obj, User) and may_manage(request.user, obj)

    # A pseud removed takes its credits off works: only admins add or delete them here.
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_admin(request.user)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_admin(request.user)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return () if is_admin(request.user) else ("is_default",)


# What a moderator sees of an account: no password (not even its hash), roles read-only.
MODERATOR_FIELDSETS = (
    (None, {"fields": ("username",)}),
    ("Personal info", {"fields": ("first_name", "last_name", "email")}),
    ("Status", {"fields": ("is_active", "last_login", "date_joined")}),
    ("Archive roles", {"fields": ("is_superuser", "is_moderator", "is_wrangler", "claimable")}),
    ("Preferences", {"fields": ("view_adult",)}),
)
MODERATOR_READONLY = (
    "is_superuser",
    "is_moderator",
    "is_wrangler",
    # A claimable account is one a writer may claim later: handing that out is an admin's call.
    "claimable",
    "last_login",
    "date_joined",
)


@admin.register(User)
class ArchiveUserAdmin(ModeratorAccess, UserAdmin):
    list_display = ["username", "email", "is_active", "is_moderator", "is_wrangler", "date_joined"]
    list_filter = ["is_active", "is_moderator", "is_wrangler", "is_superuser"]
    fieldsets = (
        *(UserAdmin.fieldsets or ()),
        ("Archive roles", {"fields": ("is_moderator", "is_wrangler", "view_adult", "claimable")}),
    )
    inlines = [PseudInline]

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # Without an account (the list page) the question is only whether the page opens.
        if obj is None:
            return _moderates(request)
        return may_manage(request.user, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # Deleting an account takes its works with it; moderators suspend instead.
        return is_admin(request.user)

    def get_fieldsets(self, request: HttpRequest, obj: Any = None) -> Any:
        if obj is None or is_admin(request.user):
            return super().get_fieldsets(request, obj)
        return MODERATOR_FIELDSETS

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return () if is_admin(request.user) else MODERATOR_READONLY

    def user_change_password(
        self, request: HttpRequest, id: str, form_url: str = ""
    ) -> HttpResponse:
        # UserAdmin lets anyone who may change an account set its password; here only admins.
        if not is_admin(request.user):
            raise PermissionDenied
        return super().user_change_password(request, id, form_url)


@admin.register(Invitation)
class InvitationAdmin(ModeratorAccess, admin.ModelAdmin):
    list_display = ["code", "email", "created_by", "used_by", "used_at"]
    readonly_fields = ["created_by", "used_by", "used_at"]

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return _moderates(request)

    def save_model(self, request: HttpRequest, obj: Invitation, form: Any, change: bool) -> None:
        if not change and isinstance(request.user, User):
            obj.created_by = request.user
        super().save_model(request, obj, form, change)
