"""Tag pages: the wrangling queue and a tag's wrangling form (wranglers only). Autocomplete for
the posting form and adding a draft's suggested tags are `works.tag_views`; the works list of a
tag is `search.tag_views.tag_works`; its Atom feed, `exports.feed_views.tag_works`."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse

from ficarchive.tags import wrangling
from ficarchive.tags.models import Tag, TagType, tag_from_url
from ficarchive.tags.queries import wrangling_queue
from ficarchive.tags.services import TagError


def is_wrangler(user: Any) -> bool:
    return bool(
        user.is_authenticated and user.is_active and (user.is_wrangler or user.is_superuser)
    )


def wrangler_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Logged-out readers are sent to log in; readers without the wrangler role get 403."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not is_wrangler(request.user):
            raise PermissionDenied("Only tag wranglers can do that.")
        return view(request, *args, **kwargs)

    return login_required(wrapper)


def _tag(name: str) -> Tag:
    return get_object_or_404(Tag.objects.select_related("merger"), name__iexact=tag_from_url(name))


def edit_url(tag: Tag) -> str:
    return reverse("tags:edit", args=[tag.url_segment])


@wrangler_required
def wrangle(request: HttpRequest) -> HttpResponse:
    return render(request, "tags/wrangle.html", {"groups": wrangling_queue()})


def _apply(tag: Tag, action: str, data: Any) -> str:
    """Run one wrangling action from the edit page's forms; returns what to tell the wrangler."""
    if action == "canonical":
        if data.get("canonical") == "1":
            wrangling.make_canonical(tag)
            return f"{tag.name} is canonical."
        wrangling.make_not_canonical(tag)
        return f"{tag.name} is no longer canonical."
    if action == "merge":
        into = wrangling.tag_named(data.get("merger", ""))
        wrangling.merge_tag(tag, into)
        return f"{tag.name} is now a synonym of {into.name}."
    if action == "unmerge":
        wrangling.unmerge_tag(tag)
        return f"{tag.name} is no longer a synonym."
    if action == "parents":
        wrangling.set_parents(tag, wrangling.tags_named(data.get("parents", "")))
        return f"The parents of {tag.name} were saved."
    if action == "characters":
        wrangling.set_characters(tag, wrangling.tags_named(data.get("characters", "")))
        return f"The characters of {tag.name} were saved."
    raise TagError(f"Unknown wrangling action for {tag.name!r}.")


def _edit_context(tag: Tag) -> dict[str, Any]:
    return {
        "tag": tag,
        "synonyms": list(tag.synonyms.all()),
        "parents": list(tag.parents.all()),
        "children": list(tag.children.all()),
        "characters": list(tag.characters.all()),
        "relationships": list(tag.relationships.all()),
        "is_relationship": tag.type == TagType.RELATIONSHIP,
        "work_count": tag.filter_taggings.count(),
    }


@wrangler_required
def edit(request: HttpRequest, name: str) -> HttpResponse:
    tag = _tag(name)
    status = 200
    if request.method == "POST":
        try:
            messages.success(request, _apply(tag, request.POST.get("action", ""), request.POST))
        except TagError as error:
            messages.error(request, error.message)
            status = 400
            tag.refresh_from_db()
        else:
            return redirect(edit_url(tag))
    return render(request, "tags/edit.html", _edit_context(tag), status=status)
