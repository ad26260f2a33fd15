from __future__ import annotations

from django.contrib import admin

from ficarchive.accounts.admin import ModeratorAccess
from ficarchive.works.models import Chapter, Creatorship, Series, SeriesWork, Work


class CreatorshipInline(admin.TabularInline):
    model = Creatorship
    extra = 0
    raw_id_fields = ["pseud"]


class ChapterInline(admin.StackedInline):
    model = Chapter
    extra = 0
    fields = ["position", "title", "word_count"]
    readonly_fields = ["word_count"]
    show_change_link = True


@admin.register(Work)
class WorkAdmin(ModeratorAccess, admin.ModelAdmin):
    list_display = ["title", "posted", "restricted", "word_count", "chapter_count", "updated_at"]
    list_filter = ["posted", "restricted", "complete", "language"]
    search_fields = ["title", "pseuds__name"]
    raw_id_fields = ["tags"]
    readonly_fields = ["word_count", "chapter_count", "revision", "published_at", "updated_at"]
    inlines = [CreatorshipInline, ChapterInline]


@admin.register(Chapter)
class ChapterAdmin(ModeratorAccess, admin.ModelAdmin):
    list_display = ["work", "position", "title", "word_count"]
    raw_id_fields = ["work"]
    search_fields = ["work__title", "title"]


class SeriesWorkInline(admin.TabularInline):
    model = SeriesWork
    extra = 0
    raw_id_fields = ["work"]


@admin.register(Series)
class SeriesAdmin(ModeratorAccess, admin.ModelAdmin):
    list_display = ["title", "complete", "updated_at"]
    search_fields = ["title"]
    inlines = [SeriesWorkInline]
