from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.forms import ModelForm
from django.http import HttpRequest

from ficarchive.accounts.admin import ModeratorAccess
from ficarchive.works import events
from ficarchive.works.models import Chapter, Creatorship, Series, SeriesWork, Work, WorkTag

# Moderators change works here, outside `works.services`: these pages send the same work events,
# so search, the overlap index, downloads and subscribers hear of the change.


class CreatorshipInline(admin.TabularInline):
    model = Creatorship
    extra = 0
    raw_id_fields = ["pseud"]


class WorkTagInline(admin.TabularInline):
    """The work's tags in the writer's order: a lower position comes first within its type."""

    model = WorkTag
    extra = 0
    raw_id_fields = ["tag"]
    fields = ["tag", "position"]
    ordering = ["position", "id"]


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
    readonly_fields = ["word_count", "chapter_count", "revision", "published_at", "updated_at"]
    inlines = [CreatorshipInline, WorkTagInline, ChapterInline]

    def save_model(
        self, request: HttpRequest, obj: Work, form: ModelForm[Work], change: bool
    ) -> None:
        posts = obj.posted and (not change or "posted" in form.changed_data)
        super().save_model(request, obj, form, change)
        if not change:
            events.send(events.work_created, work_id=obj.pk)
        if posts:
            events.send(events.work_posted, work_id=obj.pk)

    def save_related(
        self, request: HttpRequest, form: ModelForm[Work], formsets: Any, change: bool
    ) -> None:
        # Tags, creators and chapters are saved after the work itself: changed once they are.
        super().save_related(request, form, formsets, change)
        events.send(events.work_changed, work_id=form.instance.pk)

    def delete_model(self, request: HttpRequest, obj: Work) -> None:
        work_id = obj.pk
        super().delete_model(request, obj)
        events.send(events.work_deleted, work_id=work_id)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Work]) -> None:
        work_ids = list(queryset.values_list("pk", flat=True))
        super().delete_queryset(request, queryset)
        for work_id in work_ids:
            events.send(events.work_deleted, work_id=work_id)


@admin.register(Chapter)
class ChapterAdmin(ModeratorAccess, admin.ModelAdmin):
    list_display = ["work", "position", "title", "word_count", "draft"]
    raw_id_fields = ["work"]
    search_fields = ["work__title", "title"]

    def save_model(
        self, request: HttpRequest, obj: Chapter, form: ModelForm[Chapter], change: bool
    ) -> None:
        super().save_model(request, obj, form, change)
        if not change:
            posted = not obj.draft and Work.objects.filter(pk=obj.work_id, posted=True).exists()
            events.send(events.chapter_added, work_id=obj.work_id, chapter_id=obj.pk, posted=posted)
        events.send(events.work_changed, work_id=obj.work_id)

    def delete_model(self, request: HttpRequest, obj: Chapter) -> None:
        work_id = obj.work_id
        super().delete_model(request, obj)
        events.send(events.work_changed, work_id=work_id)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Chapter]) -> None:
        work_ids = set(queryset.values_list("work_id", flat=True))
        super().delete_queryset(request, queryset)
        for work_id in sorted(work_ids):
            events.send(events.work_changed, work_id=work_id)


class SeriesWorkInline(admin.TabularInline):
    model = SeriesWork
    extra = 0
    raw_id_fields = ["work"]


@admin.register(Series)
class SeriesAdmin(ModeratorAccess, admin.ModelAdmin):
    list_display = ["title", "complete", "updated_at"]
    search_fields = ["title"]
    inlines = [SeriesWorkInline]
