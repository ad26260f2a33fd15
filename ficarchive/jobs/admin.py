from __future__ import annotations

from django.contrib import admin

from ficarchive.jobs.models import Job


@admin.register(Job)
class JobAdmin(admin.ModelAdmin):
    list_display = ["id", "kind", "key", "state", "attempts", "created_at", "finished_at"]
    list_filter = ["state", "kind"]
    search_fields = ["key", "error"]
    readonly_fields = ["created_at", "started_at", "lease_until", "finished_at"]
