"""Reading and writing works on the web: load, check access, call a service, render."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from ficarchive.accounts.models import Pseud
from ficarchive.accounts.services import default_pseud
from ficarchive.accounts.web import signed_in
from ficarchive.works import events, services
from ficarchive.works.forms import WorkForm
from ficarchive.works.models import Chapter, Work
from ficarchive.works.queries import (
    can_edit,
    chapter_index,
    drafts_of,
    is_creator,
    listed_works,
    reading_chapters,
    with_blurb_data,
    work_chapter,
)
from ficarchive.works.related import reader, related_of
from ficarchive.works.web import adult_answered, mark_own_page, readable_work, visible_work

PAGE_SIZE = 20


# -- loading and access --------------------------------------------------------------------


def _editable_work(request: HttpRequest, work_id: int) -> Work:
    work = visible_work(request, work_id)
    if not can_edit(request.user, work):
        raise PermissionDenied("Only the work's creators can change it.")
    return work


def _asks_adult_check(request: HttpRequest, work: Work) -> bool:
    """Mature, Explicit and Not Rated works ask readers first, as AO3 does."""
    if not work.is_adult or is_creator(request.user, work):
        return False
    return not adult_answered(request)


def _adult_check(request: HttpRequest, work: Work) -> HttpResponse:
    query = request.GET.copy()
    query["view_adult"] = "true"
    context = {"work": work, "continue_url": f"{request.path}?{query.urlencode()}"}
    return render(request, "works/adult.html", context)


# -- reading -------------------------------------------------------------------------------


def home(request: HttpRequest) -> HttpResponse:
    works = with_blurb_data(listed_works(request.user))[:PAGE_SIZE]
    return render(request, "works/home.html", {"works": works})


def _reading_context(request: HttpRequest, work: Work) -> dict[str, Any]:
    adult = request.GET.get("view_adult") == "true"
    related = related_of(work, reader(request.user))
    if any(not item.work.posted for item in (*related.parents, *related.children)):
        mark_own_page(request)  # the reader's own draft, linked to this work
    return {
        "work": work,
        "is_creator": is_creator(request.user, work),
        "adult_query": "?view_adult=true" if adult else "",
        "related": related,
    }


def work_page(request: HttpRequest, work_id: int) -> HttpResponse:
    work = readable_work(request, work_id)
    if _asks_adult_check(request, work):
        return _adult_check(request, work)
    events.work_read.send(sender=Work, request=request, work=work)
    context = _reading_context(request, work)
    # Readers see the posted chapters; the work's creators their draft chapters too.
    index = chapter_index(work, request.user)
    context["several_chapters"] = len(index) > 1
    if request.GET.get("view_full_work") == "true" or len(index) <= 1:
        chapters = reading_chapters(work, request.user)
        # A one-chapter work's comments are on its chapter; a whole work's, on the work. The
        # community block of the page (community_tags.reading_page_community) reads it.
        shown = chapters[0] if len(chapters) == 1 else None
        context.update(
            {
                "chapters": chapters,
                "full_work": True,
                "comment_chapter": shown,
                "chapter_index": chapters,
            }
        )
        return render(request, "works/work.html", context)
    if not index:
        raise Http404("This work has no chapters.")
    return _render_chapter(request, work, index, index[0].pk, context)


def chapter_page(request: HttpRequest, work_id: int, chapter_id: int) -> HttpResponse:
    work = readable_work(request, work_id)
    if _asks_adult_check(request, work):
        return _adult_check(request, work)
    index = chapter_index(work, request.user)
    if chapter_id not in {chapter.pk for chapter in index}:
        raise Http404("No such chapter in this work.")
    if len(index) == 1:
        # A one-chapter work is read at the work's own address. The query goes along, so a
        # reader (or FanFicFare) who already said yes with view_adult=true is not asked again.
        query = request.GET.urlencode()
        return redirect(work.get_absolute_url() + (f"?{query}" if query else ""))
    events.work_read.send(sender=Work, request=request, work=work)
    return _render_chapter(request, work, index, chapter_id, _reading_context(request, work))


def _render_chapter(
    request: HttpRequest,
    work: Work,
    index: list[Chapter],
    chapter_id: int,
    context: dict[str, Any],
) -> HttpResponse:
    position = next(i for i, chapter in enumerate(index) if chapter.pk == chapter_id)
    chapter = work_chapter(work, chapter_id)
    if chapter is None:
        raise Http404("No such chapter in this work.")
    context.update(
        {
            "chapters": [chapter],
            "full_work": False,
            "previous_chapter": index[position - 1] if position > 0 else None,
            "next_chapter": index[position + 1] if position + 1 < len(index) else None,
            "chapter_index": index,
            "comment_chapter": chapter,
            "several_chapters": len(index) > 1,
        }
    )
    return render(request, "works/work.html", context)


def navigate(request: HttpRequest, work_id: int) -> HttpResponse:
    """The chapter index; with `?chapter=<id>` (the reading page's drop-down, which works
    without JavaScript) a redirect to that chapter."""
    work = visible_work(request, work_id)
    index = chapter_index(work, request.user)
    wanted = request.GET.get("chapter", "")
    if wanted:
        chapter = next((entry for entry in index if str(entry.pk) == wanted), None)
        if chapter is None:
            raise Http404("No such chapter in this work.")
        adult = "?view_adult=true" if request.GET.get("view_adult") == "true" else ""
        return redirect(chapter.get_absolute_url() + adult)
    return render(request, "works/navigate.html", {"work": work, "chapters": index})


@require_POST
def adult_preference(request: HttpRequest, work_id: int) -> HttpResponse:
    """ "Don't ask me again": remembered for this browser's session."""
    work = visible_work(request, work_id)
    request.session["view_adult"] = True
    return redirect(work)


# -- writing -------------------------------------------------------------------------------


# The services name a tag field by its tag type; the form by its plural.
_TAG_FIELDS = {
    "rating": "rating",
    "warning": "warnings",
    "category": "categories",
    "fandom": "fandoms",
    "relationship": "relationships",
    "character": "characters",
    "freeform": "freeforms",
}


def _form_error(form: Any, error: services.WorkError) -> None:
    """The service's refusal shown at its field, under the label the writer sees."""
    name = _TAG_FIELDS.get(error.field or "", error.field)
    field = name if name in form.fields else None
    if field is None and error.field:
        form.add_error(None, f"{error.field.replace('_', ' ').capitalize()}: {error.message}")
    else:
        form.add_error(field, error.message)


def _after_save(request: HttpRequest, work: Work, action: str) -> HttpResponse:
    if action == "post":
        messages.success(request, "Your work was posted.")
        return redirect(work)
    if action == "preview":
        return redirect("works:preview", work.pk)
    messages.success(request, "Your work was saved as a draft. It is not posted yet.")
    return redirect(work)


def _tell_invited(request: HttpRequest, invited: list[Pseud]) -> None:
    if invited:
        names = ", ".join(pseud.byline for pseud in invited)
        messages.info(
            request,
            f"Co-creator invitation sent to {names}: they are credited once they accept it.",
        )


def _co_creator_names(request: HttpRequest) -> list[str]:
    return request.POST.get("co_creators", "").split(",")


@login_required
def work_new(request: HttpRequest) -> HttpResponse:
    user = signed_in(request)
    form = WorkForm(
        user,
        request.POST or None,
        initial={"pseuds": [default_pseud(user)]},
        posting=request.POST.get("action") == "post",
    )
    if request.method == "POST" and form.is_valid():
        action = request.POST.get("action", "save")
        try:
            saved = services.start_work(
                user,
                list(form.cleaned_data["pseuds"]),
                form.work_data(),
                form.chapter_data(),
                co_creators=_co_creator_names(request),
                post=action == "post",
            )
        except services.WorkError as error:
            _form_error(form, error)
        else:
            _tell_invited(request, saved.invited)
            return _after_save(request, saved.work, action)
    status = 400 if request.method == "POST" else 200
    return render(request, "works/work_form.html", {"form": form, "work": None}, status=status)


@login_required
def work_edit(request: HttpRequest, work_id: int) -> HttpResponse:
    user = signed_in(request)
    work = _editable_work(request, work_id)
    single = work.chapter_count <= 1
    first = work.chapters.first() if single else None
    form = WorkForm(
        user,
        request.POST or None,
        with_body=single,
        initial=WorkForm.initial_for(work, first),
        posting=work.posted or request.POST.get("action") == "post",
    )
    if request.method == "POST" and form.is_valid():
        action = request.POST.get("action", "save")
        try:
            saved = services.edit_work(
                user,
                work,
                list(form.cleaned_data["pseuds"]),
                form.work_data(),
                form.chapter_data() if first is not None else None,
                co_creators=_co_creator_names(request),
                post=action == "post",
            )
        except services.WorkError as error:
            _form_error(form, error)
        else:
            _tell_invited(request, saved.invited)
            if work.posted and action != "preview":
                messages.success(request, "Your changes were saved.")
                return redirect(work)
            return _after_save(request, work, action)
    status = 400 if request.method == "POST" else 200
    context = {"form": form, "work": work, "pending": services.pending_pseuds(work)}
    return render(request, "works/work_form.html", context, status=status)


@login_required
def preview(request: HttpRequest, work_id: int) -> HttpResponse:
    work = _editable_work(request, work_id)
    context = _reading_context(request, work)
    chapters = list(work.chapters.all())
    context.update(
        {
            "chapters": chapters,
            "full_work": True,
            "preview": True,
            "several_chapters": len(chapters) > 1,
        }
    )
    return render(request, "works/work.html", context)


@login_required
@require_POST
def work_post(request: HttpRequest, work_id: int) -> HttpResponse:
    work = _editable_work(request, work_id)
    try:
        services.post_draft(work)
    except services.WorkError as error:
        messages.error(request, f"Your work was not posted: {error.message}")
        return redirect("works:edit", work.pk)
    messages.success(request, "Your work was posted.")
    return redirect(work)


@login_required
def work_delete(request: HttpRequest, work_id: int) -> HttpResponse:
    work = _editable_work(request, work_id)
    if request.method == "POST":
        title = work.title
        services.delete_work(work)
        messages.success(request, f"Your work {title} was deleted.")
        return redirect("accounts:user", signed_in(request).username)
    return render(request, "works/work_delete.html", {"work": work})


@login_required
def drafts(request: HttpRequest, username: str) -> HttpResponse:
    user = signed_in(request)
    if user.username.lower() != username.lower():
        raise Http404("Only you can see your drafts.")
    works = with_blurb_data(drafts_of(user))
    context = {"works": works, "owner": user, "requests": services.invitation_count(user)}
    return render(request, "works/drafts.html", context)
