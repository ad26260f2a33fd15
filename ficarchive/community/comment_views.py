"""Comments on the web: post, reply, edit, delete, freeze, approve, a permalink and the work's
comment settings. Each view loads, checks the reader may see the work, calls `comments`, and
answers a refusal with its message (400/403/429), never a stack trace."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from ficarchive.accounts.guests import client_address
from ficarchive.accounts.models import Pseud, User
from ficarchive.accounts.web import go_back, next_url
from ficarchive.community import comment_rules, comments, inbox
from ficarchive.community.comment_queries import comment_location, held_in_session, visible_comments
from ficarchive.community.comments import CommentError, CommentInput
from ficarchive.community.models import Comment, CommentSettings
from ficarchive.works.models import Work
from ficarchive.works.queries import is_creator
from ficarchive.works.web import visible_work

# -- loading -------------------------------------------------------------------------------


def _comment(request: HttpRequest, comment_id: int) -> tuple[Comment, Work]:
    """The comment and its work, if this reader may see both."""
    work_id = Comment.objects.filter(pk=comment_id).values_list("work_id", flat=True).first()
    if work_id is None:
        raise Http404("No comment found.")
    work = visible_work(request, work_id)
    found = visible_comments(work, request.user, held_in_session(request))
    comment = found.filter(pk=comment_id).select_related("pseud__user").first()
    if comment is None:
        raise Http404("No comment found.")
    return comment, work


def _optional_id(request: HttpRequest, name: str, label: str) -> int | None:
    value = request.POST.get(name, "").strip()
    if not value:
        return None
    try:
        return int(value)
    except ValueError:
        raise CommentError(f"{label}: {value!r} is not a number.") from None


def _refused(request: HttpRequest, error: CommentError, context: dict[str, Any]) -> HttpResponse:
    """The form again with the reason it was refused, and what the commenter typed."""
    context = {"error": error.message, **context}
    return render(request, "community/comment_form.html", context, status=error.status)


def _message(request: HttpRequest, error: CommentError, title: str) -> HttpResponse:
    context = {"title": title, "error": error.message, "next": next_url(request)}
    return render(request, "community/comment_message.html", context, status=error.status)


def _form_context(request: HttpRequest, work: Work, parent: Comment | None) -> dict[str, Any]:
    pseuds = (
        list(Pseud.objects.filter(user_id=request.user.pk)) if request.user.is_authenticated else []
    )
    return {"work": work, "parent": parent, "pseuds": pseuds, "next": next_url(request) or ""}


# -- posting -------------------------------------------------------------------------------


@require_POST
def comment_new(request: HttpRequest, work_id: int) -> HttpResponse:
    work = visible_work(request, work_id)
    post = request.POST
    context = _form_context(request, work, None)
    context.update(
        {
            "body": post.get("body", ""),
            "guest_name": post.get("guest_name", ""),
            "guest_email": post.get("guest_email", ""),
            "chapter_id": post.get("chapter_id", ""),
            "inbox_item": post.get("inbox_item", ""),
        }
    )
    try:
        parent_id = _optional_id(request, "parent_id", "Reply")
        if parent_id is not None:
            context["parent"] = Comment.objects.filter(pk=parent_id, work=work).first()
        data = CommentInput(
            body=post.get("body", ""),
            chapter_id=_optional_id(request, "chapter_id", "Chapter"),
            parent_id=parent_id,
            pseud_id=_optional_id(request, "pseud_id", "Pseud"),
            guest_name=post.get("guest_name", ""),
            guest_email=post.get("guest_email", ""),
            website=post.get("website", ""),
        )
        comment = comments.post_comment(work, request.user, data, address=client_address(request))
    except CommentError as error:
        return _refused(request, error, context)
    comments.remember_held(request, comment)
    if isinstance(request.user, User):
        inbox.mark_replied(request.user, post.get("inbox_item"))
    if comment.approved:
        messages.success(request, "Your comment was posted.")
    else:
        messages.info(
            request,
            "Your comment was received. It will show once a creator of the work approves it.",
        )
    return go_back(request, comment_location(comment, work, request.user, held_in_session(request)))


@require_GET
def comment_reply(request: HttpRequest, comment_id: int) -> HttpResponse:
    """A page with the comment and a reply form (the reading page links here)."""
    comment, work = _comment(request, comment_id)
    context = _form_context(request, work, comment)
    context["refusal"] = comment_rules.refusal_on(work, request.user)
    return render(request, "community/comment_form.html", context)


@require_GET
def comment_form(request: HttpRequest, work_id: int) -> HttpResponse:
    """The comment form on a page of its own (the reading page has one too), for links that
    want a form without the work's text."""
    work = visible_work(request, work_id)
    context = _form_context(request, work, None)
    chapter_id = request.GET.get("chapter_id", "")
    context["chapter_id"] = chapter_id if chapter_id.isdigit() else ""
    context["refusal"] = comment_rules.refusal_on(work, request.user)
    return render(request, "community/comment_form.html", context)


@require_GET
def comment_permalink(request: HttpRequest, comment_id: int) -> HttpResponse:
    comment, work = _comment(request, comment_id)
    return redirect(comment_location(comment, work, request.user, held_in_session(request)))


# -- changing ------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def comment_edit(request: HttpRequest, comment_id: int) -> HttpResponse:
    comment, work = _comment(request, comment_id)
    context = {
        "work": work,
        "comment": comment,
        "body": comment.body,
        "next": next_url(request) or "",
    }
    if request.method == "POST":
        body = request.POST.get("body", "")
        context["body"] = body
        try:
            comments.edit_comment(comment, request.user, body)
        except CommentError as error:
            context["error"] = error.message
            return render(request, "community/comment_edit.html", context, status=error.status)
        messages.success(request, "Your comment was updated.")
        return go_back(request, comment_location(comment, work, request.user, []))
    reason = comment_rules.edit_refusal(
        comment_rules.CommentFacts.of(comment), comment_rules.actor(request.user, work)
    )
    if reason is not None:
        return _message(request, CommentError.refused(reason), "Edit comment")
    return render(request, "community/comment_edit.html", context)


@require_http_methods(["GET", "POST"])
def comment_delete(request: HttpRequest, comment_id: int) -> HttpResponse:
    """GET asks "Are you sure?"; POST deletes."""
    comment, work = _comment(request, comment_id)
    if request.method == "GET":
        reason = comment_rules.delete_refusal(
            comment_rules.CommentFacts.of(comment), comment_rules.actor(request.user, work)
        )
        if reason is not None:
            return _message(request, CommentError.refused(reason), "Delete comment")
        context = {"work": work, "comment": comment, "next": next_url(request) or ""}
        return render(request, "community/comment_delete.html", context)
    if comment.chapter_id is not None and work.chapter_count > 1:
        back = reverse("works:chapter", args=[work.pk, comment.chapter_id])
    else:
        back = work.get_absolute_url()
    try:
        comments.delete_comment(comment, request.user)
    except CommentError as error:
        return _message(request, error, "Delete comment")
    messages.success(request, "The comment was deleted.")
    return go_back(request, back + "#comments")


def _freeze(request: HttpRequest, comment_id: int, frozen: bool) -> HttpResponse:
    comment, work = _comment(request, comment_id)
    try:
        comments.set_frozen(comment, request.user, frozen)
    except CommentError as error:
        return _message(request, error, "Freeze thread")
    messages.success(request, "The thread was frozen." if frozen else "The thread was unfrozen.")
    return go_back(request, comment_location(comment, work, request.user, []))


@require_POST
def comment_freeze(request: HttpRequest, comment_id: int) -> HttpResponse:
    return _freeze(request, comment_id, True)


@require_POST
def comment_unfreeze(request: HttpRequest, comment_id: int) -> HttpResponse:
    return _freeze(request, comment_id, False)


@require_POST
def comment_approve(request: HttpRequest, comment_id: int) -> HttpResponse:
    comment, work = _comment(request, comment_id)
    try:
        comments.approve(comment, request.user)
    except CommentError as error:
        return _message(request, error, "Approve comment")
    messages.success(request, "The comment was approved; everyone can see it now.")
    return go_back(request, comment_location(comment, work, request.user, []))


# -- settings ------------------------------------------------------------------------------


class CommentSettingsForm(forms.Form):
    who = forms.ChoiceField(
        label="Who may comment", choices=CommentSettings.Who.choices, widget=forms.RadioSelect
    )
    moderated = forms.BooleanField(
        label="Moderate comments",
        required=False,
        help_text="New comments show only after you approve them (your own are never held).",
    )


@require_http_methods(["GET", "POST"])
def comment_settings(request: HttpRequest, work_id: int) -> HttpResponse:
    work = visible_work(request, work_id)
    if not is_creator(request.user, work):
        error = CommentError("Only the work's creators can change its comment settings.", 403)
        return _message(request, error, "Comment settings")
    current = comment_rules.settings_of(work)
    form = CommentSettingsForm(
        request.POST if request.method == "POST" else None,
        initial={"who": current.who, "moderated": current.moderated},
    )
    if request.method == "POST":
        if form.is_valid():
            try:
                comments.update_settings(
                    work, request.user, form.cleaned_data["who"], form.cleaned_data["moderated"]
                )
            except CommentError as error:
                form.add_error(None, error.message)
            else:
                messages.success(request, "The comment settings were saved.")
                return redirect(reverse("community:comment_settings", args=[work.pk]))
        context = {"work": work, "form": form}
        return render(request, "community/comment_settings.html", context, status=400)
    return render(request, "community/comment_settings.html", {"work": work, "form": form})
