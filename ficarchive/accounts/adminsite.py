"""The admin site, opened to moderators as well as admins.

Kept apart from accounts/admin.py because INSTALLED_APPS loads this before any model exists.
"""

from __future__ import annotations

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig
from django.http import HttpRequest


def moderates(request: HttpRequest) -> bool:
    return bool(getattr(request.user, "can_moderate", False))


class ArchiveAdminSite(admin.AdminSite):
    site_header = "ficarchive administration"
    site_title = "ficarchive admin"

    def has_permission(self, request: HttpRequest) -> bool:
        return moderates(request)


class ArchiveAdminConfig(AdminConfig):
    default_site = "ficarchive.accounts.adminsite.ArchiveAdminSite"
