from __future__ import annotations

from django.contrib import admin

from ficarchive.accounts.admin import ModeratorAccess
from ficarchive.tags.models import Tag


@admin.register(Tag)
class TagAdmin(ModeratorAccess, admin.ModelAdmin):
    list_display = ["name", "type", "canonical", "merger"]
    list_filter = ["type", "canonical"]
    search_fields = ["name"]
    raw_id_fields = ["merger"]
