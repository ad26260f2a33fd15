"""Series on the web: a series' page, its edit page, and a user's series."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from ficarchive.accounts.models import User
from ficarchive.accounts.web import signed_in
from ficarchive.works.forms import SeriesForm
from ficarchive.works.models import Series
from ficarchive.works.queries import series_works, with_blurb_data
from ficarchive.works.series import (
    SeriesError,
    edit_series,
    is_series_creator,
    series_of_user,
    series_stats,
)


def _series(series_id: int) -> Series:
    return get_object_or_404(Series.objects.prefetch_related("pseuds__user"), pk=series_id)


def series_page(request: HttpRequest, series_id: int) -> HttpResponse:
    series = _series(series_id)
    works = list(with_blurb_data(series_works(request.user, series)))
    owns = is_series_creator(request.user, series)
    if not works and not owns:
        raise Http404("No series found.")
    context = {
        "series": series,
        "works": works,
        "stats": series_stats(works),
        "is_creator": owns,
    }
    return render(request, "works/series.html", context)


@login_required
def series_edit(request: HttpRequest, series_id: int) -> HttpResponse:
    user = signed_in(request)
    series = _series(series_id)
    if not is_series_creator(user, series):
        # As for works: a series this reader may not see is not found; one they may, forbidden.
        if not series_works(user, series).exists():
            raise Http404("No series found.")
        raise PermissionDenied("Only the series' creators can change it.")
    form = SeriesForm(request.POST or None, initial=SeriesForm.initial_for(series))
    if request.method == "POST" and form.is_valid():
        try:
            edit_series(user, series, form.series_data())
        except SeriesError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            messages.success(request, "Your changes to the series were saved.")
            return redirect(series)
    return render(request, "works/series_form.html", {"form": form, "series": series})


def user_series(request: HttpRequest, username: str) -> HttpResponse:
    """`/users/<u>/series`: the user's series, as AO3 lists them."""
    owner = get_object_or_404(User, username__iexact=username, is_active=True)
    context = {
        "owner": owner,
        "series_list": list(series_of_user(request.user, owner)),
        "is_self": request.user.pk == owner.pk,
    }
    return render(request, "works/user_series.html", context)
