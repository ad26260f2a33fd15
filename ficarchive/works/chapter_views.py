"""Writing chapters on the web: add (preview, save as draft, post), edit, post a draft
chapter, delete, reorder. Load, check access, call a service, render."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from ficarchive.works import services
from ficarchive.works.forms import ChapterForm
from ficarchive.works.models import Chapter, Work
from ficarchive.works.queries import chapter_index
from ficarchive.works.views import _editable_work, _form_error, _reading_context

DRAFT_SAVED = (
    "{heading} was saved as a draft. Only the work's creators can see it until you post it."
)


def _work_chapter(request: HttpRequest, work_id: int, chapter_id: int) -> tuple[Work, Chapter]:
    work = _editable_work(request, work_id)
    chapter = get_object_or_404(Chapter, pk=chapter_id, work=work)
    chapter.work = work
    return work, chapter


def _chapter_form_page(
    request: HttpRequest, work: Work, form: ChapterForm, chapter: Chapter | None, **extra: object
) -> HttpResponse:
    status = 400 if form.is_bound and form.errors else 200
    context = {"form": form, "work": work, "chapter": chapter, **extra}
    return render(request, "works/chapter_form.html", context, status=status)


def _preview(request: HttpRequest, work: Work, form: ChapterForm) -> HttpResponse:
    """The new chapter as readers will see it, stored nowhere: its fields travel in the page's
    form, whose buttons go back to the editor, save it as a draft or post it."""
    try:
        chapter = services.build_chapter(work, form.chapter_data(), services.next_position(work))
    except services.WorkError as error:
        _form_error(form, error)
        return _chapter_form_page(request, work, form, None)
    context = _reading_context(request, work)
    context.update(
        {
            "chapters": [chapter],
            "full_work": False,
            "preview": True,
            "chapter_preview": form,
            "several_chapters": True,
        }
    )
    return render(request, "works/work.html", context)


@login_required
def chapter_new(request: HttpRequest, work_id: int) -> HttpResponse:
    work = _editable_work(request, work_id)
    form = ChapterForm(request.POST or None)
    action = request.POST.get("action", "post")
    if request.method == "POST" and action != "edit" and form.is_valid():
        if action == "preview":
            return _preview(request, work, form)
        try:
            chapter = services.add_chapter(work, form.chapter_data(), draft=action == "save")
        except services.WorkError as error:
            _form_error(form, error)
        else:
            if chapter.draft:
                messages.success(request, DRAFT_SAVED.format(heading=chapter.heading))
            elif work.posted:
                messages.success(request, f"{chapter.heading} was posted.")
            else:
                messages.success(
                    request, f"{chapter.heading} was added; readers see it once the work is posted."
                )
            return redirect(chapter)
    if action == "edit":
        # Back from the preview: the fields as they were, no errors to show yet.
        form = ChapterForm(initial=request.POST.dict())
    return _chapter_form_page(request, work, form, None)


# The longest passage opening the chapter editor takes from its link (`?passage=`).
PASSAGE_CHARS = 200


@login_required
def chapter_edit(request: HttpRequest, work_id: int, chapter_id: int) -> HttpResponse:
    work, chapter = _work_chapter(request, work_id, chapter_id)
    form = ChapterForm(request.POST or None, initial=ChapterForm.initial_for(chapter))
    if request.method == "POST" and form.is_valid():
        try:
            services.update_chapter(chapter, form.chapter_data())
            if request.POST.get("action") == "post":
                chapter = services.post_chapter(chapter)
        except services.WorkError as error:
            _form_error(form, error)
        else:
            done = "posted" if request.POST.get("action") == "post" else "saved"
            messages.success(request, f"{chapter.heading} was {done}.")
            return redirect(chapter if work.chapter_count > 1 or chapter.draft else work)
    # Opened from an overlap report: the passage to go to, by its first words (a short string,
    # shown and searched for in the text box, never run as markup).
    passage = " ".join(request.GET.get("passage", "").split())[:PASSAGE_CHARS]
    return _chapter_form_page(request, work, form, chapter, passage=passage)


@login_required
@require_POST
def chapter_post(request: HttpRequest, work_id: int, chapter_id: int) -> HttpResponse:
    """Post a draft chapter as it is (the Post button on its page)."""
    _, chapter = _work_chapter(request, work_id, chapter_id)
    chapter = services.post_chapter(chapter)
    messages.success(request, f"{chapter.heading} was posted.")
    return redirect(chapter)


@login_required
def chapter_delete(request: HttpRequest, work_id: int, chapter_id: int) -> HttpResponse:
    work, chapter = _work_chapter(request, work_id, chapter_id)
    if request.method == "POST":
        try:
            services.delete_chapter(chapter)
        except services.WorkError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, "The chapter was deleted.")
        return redirect(work)
    return render(request, "works/chapter_delete.html", {"work": work, "chapter": chapter})


@login_required
def chapters_manage(request: HttpRequest, work_id: int) -> HttpResponse:
    """Reorder chapters by typing their new positions: works without JavaScript."""
    work = _editable_work(request, work_id)
    index = chapter_index(work, request.user)
    status = 200
    if request.method == "POST":
        try:
            wanted = [
                (int(request.POST.get(f"position_{chapter.pk}", "")), chapter.position, chapter.pk)
                for chapter in index
            ]
            services.reorder_chapters(work, [pk for _, _, pk in sorted(wanted)])
        except ValueError:
            messages.error(request, "Every chapter needs a position number.")
            status = 400
        except services.WorkError as error:
            messages.error(request, error.message)
            status = 400
        else:
            messages.success(request, "The chapters were reordered.")
            return redirect(reverse("works:navigate", args=[work.pk]))
    return render(
        request, "works/chapters_manage.html", {"work": work, "chapters": index}, status=status
    )
