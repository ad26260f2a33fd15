"""Bookmark pages: the bookmark form, a work's bookmarks, a user's bookmarks, bookmark search."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from ficarchive.accounts.models import User
from ficarchive.accounts.web import signed_in
from ficarchive.community import bookmarks
from ficarchive.community.bookmarks import BookmarkData, BookmarkError, BookmarkQuery
from ficarchive.community.models import Bookmark
from ficarchive.search import filters
from ficarchive.search.services import SearchError
from ficarchive.works.models import Series, Work
from ficarchive.works.web import visible_work

PAGE_SIZE = 20


class BookmarkForm(forms.Form):
    notes = forms.CharField(
        label="Notes",
        widget=forms.Textarea(attrs={"rows": 5}),
        required=False,
        max_length=bookmarks.NOTES_MAX,
        help_text="Plain text or HTML.",
    )
    tags = forms.CharField(
        label="Your tags",
        required=False,
        max_length=2000,
        help_text="Comma separated, 150 characters per tag.",
    )
    rec = forms.BooleanField(label="Rec", required=False, help_text="Recommend it to others.")
    private = forms.BooleanField(
        label="Private bookmark", required=False, help_text="Only you will see it."
    )

    def data_for_service(self) -> BookmarkData:
        data = self.cleaned_data
        return BookmarkData(
            notes=data["notes"], tags=data["tags"], private=data["private"], rec=data["rec"]
        )


class BookmarkSearchForm(forms.Form):
    q = forms.CharField(label="Words in the notes", required=False, max_length=200)
    tag = forms.CharField(label="Bookmarker's tag", required=False, max_length=150)
    user = forms.CharField(label="Bookmarker", required=False, max_length=40)
    rec = forms.BooleanField(label="Recs only", required=False)


def _initial(bookmark: Bookmark | None) -> dict[str, Any]:
    if bookmark is None:
        return {}
    return {
        "notes": bookmark.notes,
        "tags": ", ".join(tag.name for tag in bookmark.tags.all()),
        "rec": bookmark.rec,
        "private": bookmark.private,
    }


def _page(request: HttpRequest, items: QuerySet[Bookmark]) -> Any:
    return Paginator(bookmarks.with_list_data(items), PAGE_SIZE).get_page(request.GET.get("page"))


def _form_page(
    request: HttpRequest,
    *,
    work: Work | None,
    series: Series | None,
    existing: Bookmark | None,
    done_url: str,
) -> HttpResponse:
    user = signed_in(request)
    form = BookmarkForm(request.POST or None, initial=_initial(existing))
    if request.method == "POST" and form.is_valid():
        try:
            if existing is not None:
                bookmarks.update_bookmark(user, existing.pk, form.data_for_service())
                created = False
            else:
                _, created = bookmarks.save_bookmark(
                    user, form.data_for_service(), work=work, series=series
                )
        except BookmarkError as error:
            form.add_error(error.field, error.message)
        else:
            messages.success(
                request, "Bookmark was successfully created." if created else "Bookmark updated."
            )
            return redirect(done_url)
    context = {"form": form, "work": work, "series": series, "bookmark": existing}
    status = 400 if request.method == "POST" else 200
    return render(request, "community/bookmark_form.html", context, status=status)


@login_required
def work_bookmark_new(request: HttpRequest, work_id: int) -> HttpResponse:
    work = visible_work(request, work_id)
    existing = bookmarks.bookmark_of(request.user, work=work)
    return _form_page(
        request, work=work, series=None, existing=existing, done_url=work.get_absolute_url()
    )


@login_required
def series_bookmark_new(request: HttpRequest, series_id: int) -> HttpResponse:
    series = get_object_or_404(Series, pk=series_id)
    if not bookmarks.can_see_series(request.user, series):
        raise Http404("No series found.")
    existing = bookmarks.bookmark_of(request.user, series=series)
    return _form_page(
        request, work=None, series=series, existing=existing, done_url=series.get_absolute_url()
    )


def _own_bookmark(request: HttpRequest, bookmark_id: int) -> Bookmark:
    bookmark = get_object_or_404(Bookmark.objects.select_related("work", "series"), pk=bookmark_id)
    if bookmark.user_id != request.user.pk:
        if bookmark.private:
            raise Http404("No bookmark found.")
        raise PermissionDenied("Only the bookmark's owner can change it.")
    return bookmark


@login_required
def bookmark_edit(request: HttpRequest, bookmark_id: int) -> HttpResponse:
    bookmark = _own_bookmark(request, bookmark_id)
    return _form_page(
        request,
        work=bookmark.work,
        series=bookmark.series,
        existing=bookmark,
        done_url=reverse("community:user_bookmarks", args=[signed_in(request).username]),
    )


@login_required
@require_POST
def bookmark_delete(request: HttpRequest, bookmark_id: int) -> HttpResponse:
    user = signed_in(request)
    bookmark = _own_bookmark(request, bookmark_id)
    try:
        bookmarks.delete_bookmark(user, bookmark.pk)
    except BookmarkError as error:
        return HttpResponse(error.message, status=400, content_type="text/plain")
    messages.success(request, "Bookmark was successfully deleted.")
    return redirect("community:user_bookmarks", user.username)


def work_bookmarks(request: HttpRequest, work_id: int) -> HttpResponse:
    work = visible_work(request, work_id)
    # The reader chose this work, so its own bookmarks are shown even if they muted its tags.
    own_or_public = Bookmark.objects.filter(work=work)
    if request.user.is_authenticated:
        own_or_public = own_or_public.filter(private=False) | own_or_public.filter(
            user_id=request.user.pk
        )
    else:
        own_or_public = own_or_public.filter(private=False)
    page = _page(request, own_or_public.order_by("-created_at", "-id"))
    return render(request, "community/bookmarks_of_work.html", {"work": work, "page": page})


def user_bookmarks(request: HttpRequest, username: str) -> HttpResponse:
    """A user's bookmarks, newest first, with the Sort and Filter form beside them: it filters
    the bookmarked works as on any list of works (a series bookmark is listed while nothing is
    filtered)."""
    owner = get_object_or_404(User, username__iexact=username, is_active=True)
    found = bookmarks.visible_bookmarks(request.user).filter(user=owner)
    context: dict[str, Any] = {"owner": owner, "is_self": request.user.pk == owner.pk}
    status = 200
    try:
        work_filter = filters.read_filter(request.GET, default_sort="updated")
        results, matches = filters.search_works(
            request.user, work_filter, within=Q(pk__in=found.values("work_id"))
        )
    except (filters.FilterError, SearchError) as error:
        kept = filters.WorkFilter(
            include=filters.ids(request.GET, "include"),
            exclude=filters.ids(request.GET, "exclude"),
        )
        listing, status = filters.Listing(kept, None, error=str(error)), 400
    else:
        if work_filter.narrows:
            found = found.filter(work_id__in=results.works.order_by().values("pk"))
        page = _page(request, found.order_by("-created_at", "-id"))
        listing = filters.listing_of(work_filter, page, results, matches)
    context.update(filters.form_context(listing, request.GET))
    context.update({"page": listing.page, "page_query": listing.page_query, "sortable": False})
    return render(request, "community/bookmarks_of_user.html", context, status=status)


def bookmark_search(request: HttpRequest) -> HttpResponse:
    form = BookmarkSearchForm(request.GET or None)
    page = None
    if form.is_bound:
        if not form.is_valid():
            context = {"form": form, "page": None, "page_query": ""}
            return render(request, "community/bookmark_search.html", context, status=400)
        data = form.cleaned_data
        query = BookmarkQuery(
            tag=data["tag"], words=data["q"], rec=data["rec"], username=data["user"]
        )
        page = _page(request, bookmarks.search_bookmarks(request.user, query))
    params = {key: value for key, value in request.GET.items() if key != "page" and value}
    context = {"form": form, "page": page, "page_query": urlencode(params)}
    return render(request, "community/bookmark_search.html", context)
