"""The overlap check on the web: start a check of one's own work, follow it, read its report.

The views load and check access, call `services`, and render. A report is rendered from the
findings its check stored, filtered again when it is shown: a source work its reader can no
longer see (made a draft, deleted) drops out, so a stored report never outlives the privacy of
the works it quotes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from difflib import SequenceMatcher
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.views.decorators.http import require_http_methods, require_POST

from ficarchive.accounts.models import User
from ficarchive.accounts.web import signed_in
from ficarchive.overlap import services
from ficarchive.overlap.explain import Explained, explain, verdict_scale
from ficarchive.overlap.findings import FindingJSON
from ficarchive.overlap.models import Check
from ficarchive.works import related
from ficarchive.works.models import Chapter, RelatedWork, Work
from ficarchive.works.queries import can_view, chapter_texts, is_creator
from ficarchive.works.related import linked_pairs
from ficarchive.works.services import WorkError

# What each kind of finding means, in a line a writer can act on.
KIND_NOTES = {
    "verbatim": "The same words in the same order.",
    "near-verbatim": "Mostly the same words, with a few changed, added or left out.",
    "paraphrase": "The same sentences reworded: many words changed, the order and sense kept.",
    "retold": "The same scene or moment told again in other words.",
}

# What *Mark as intended* offers: how a writer reuses her own work (a translation is not
# found by the check, which compares texts in one language).
INTENDED_KINDS = [
    (kind.value, kind.label) for kind in RelatedWork.Kind if kind != RelatedWork.Kind.TRANSLATION
]

# The list shows the newest checks; older ones are rarely wanted and their findings are heavy.
LIST_LIMIT = 50

# A single shared word ("the", a name) is chance, not reuse: only runs this long are marked.
MIN_MARKED_RUN = 2


class CheckForm(forms.Form):
    scope = forms.ChoiceField(
        label="Compare with",
        choices=Check.Scope.choices,
        initial=Check.Scope.ALL,
        required=False,
        widget=forms.RadioSelect,
    )

    def clean_scope(self) -> str:
        # A button that sends no scope (the one on the draft notice) means everything.
        return str(self.cleaned_data.get("scope") or Check.Scope.ALL)


# -- loading and access --------------------------------------------------------------------


def _own_work(request: HttpRequest, work_id: int) -> Work:
    """The work if the user is one of its creators; 404 otherwise, so that a stranger cannot
    even learn that a draft with this id exists."""
    work = get_object_or_404(Work.objects.prefetch_related("creatorships__pseud"), pk=work_id)
    if not is_creator(request.user, work):
        raise Http404("No work found.")
    return work


# -- pages ---------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def checks(request: HttpRequest, work_id: int) -> HttpResponse:
    """The writer's checks of this work, newest first, and the form that starts one."""
    user = signed_in(request)
    work = _own_work(request, work_id)
    form = CheckForm(request.POST) if request.method == "POST" else CheckForm()
    if request.method == "POST" and form.is_valid():
        check = services.start_check(work, user, form.cleaned_data["scope"])
        return redirect("overlap:report", work.pk, check.pk)
    listing = list(Check.objects.filter(work=work, user=user)[:LIST_LIMIT])
    context = {"work": work, "form": form, "checks": listing}
    return render(request, "overlap/checks.html", context, status=400 if form.errors else 200)


@login_required
def report(request: HttpRequest, work_id: int, check_id: int) -> HttpResponse:
    """A check's progress while it runs, then its findings."""
    user = signed_in(request)
    work = _own_work(request, work_id)
    check = get_object_or_404(Check, pk=check_id, work=work, user=user)
    context: dict[str, Any] = {"work": work, "check": check, "kinds": KIND_NOTES}
    if check.state == Check.State.DONE:
        rows, hidden = report_rows(user, work, check.findings)
        context.update(
            {
                "rows": rows,
                "hidden": hidden,
                "relation_kinds": INTENDED_KINDS,
                "verdicts": verdict_scale(),
                "changed": bool(check.digest) and services.text_digest(work) != check.digest,
            }
        )
    if check.state == Check.State.DONE and check.works_searched is not None:
        context["freshness"] = services.freshness_note(
            check.works_searched, check.works_current or 0, check.works_reindexed or 0
        )
    return render(request, "overlap/report.html", context)


# -- the report ----------------------------------------------------------------------------


@dataclass
class Row:
    """One finding as the report shows it: the two passages side by side, words marked, and
    what it means (`explain`) with what the writer can do about it."""

    number: int
    index: int  # the finding's place among the check's stored findings
    kind: str
    note: str
    percent: int
    draft_chapter: int
    draft_html: SafeString
    source_id: int
    source_title: str
    source_chapter: int
    source_url: str
    source_html: SafeString
    meaning: Explained
    coverage: str
    edit_url: str | None  # the chapter editor, at the passage (`passage_opening`); a file: none


# The chapter editor is opened at a passage found by its first words: enough to be unique in a
# chapter, few enough for a link.
OPENING_WORDS = 12


def passage_opening(text: str) -> str:
    """The first words of a passage, for the editor to find it (`works.views.chapter_edit`)."""
    return " ".join(text.split()[:OPENING_WORDS])


def report_rows(
    user: User, draft: Work | list[str], findings: list[FindingJSON]
) -> tuple[list[Row], int]:
    """The findings whose source the user may still see, and how many were left out.

    `draft` is what was checked: a stored work, or a file's chapter texts (`Check.texts`). A
    file has no chapters to open in the editor and no related works, so its rows have no
    `edit_url` and none is acknowledged.

    Five queries however many findings: the source works (with their creators, for `can_view`),
    their chapters' ids, the draft's chapters, and its related-work links; for a file, two fewer.
    """
    ids = {int(f["source"]["work_id"]) for f in findings}
    works = Work.objects.filter(pk__in=ids).prefetch_related("creatorships__pseud")
    visible = {work.pk: work for work in works if can_view(user, work)}
    stored: Work | None = None
    wanted = Q(work_id__in=visible)
    links: dict[int, RelatedWork] = {}
    if isinstance(draft, Work):
        stored = draft
        wanted |= Q(work=draft)
        parts = [text for _, text in chapter_texts(draft, drafts=True)] if findings else []
        links = linked_pairs(draft, set(visible)) if visible else {}
    else:
        parts = list(draft)
    chapters = {
        (work_id, position): chapter_id
        for work_id, position, chapter_id in Chapter.objects.filter(wanted).values_list(
            "work_id", "position", "pk"
        )
    }
    rows: list[Row] = []
    for index, finding in enumerate(findings):
        source = finding["source"]
        work = visible.get(int(source["work_id"]))
        if work is None:
            continue
        draft_marks, source_marks = matching_words(finding["draft"]["text"], source["text"])
        chapter_id = chapters.get((work.pk, int(source["chapter"])))
        draft_chapter = int(finding["draft"]["chapter"] or 0)
        meaning = explain(finding, work, user, parts, links)
        rows.append(
            Row(
                number=len(rows) + 1,
                index=index,
                kind=finding["kind"],
                note=KIND_NOTES.get(finding["kind"], ""),
                percent=round(float(finding["score"]) * 100),
                draft_chapter=draft_chapter,
                draft_html=highlighted(finding["draft"]["text"], draft_marks),
                source_id=work.pk,
                # The title as it is now: the one stored may have been changed since.
                source_title=work.title,
                source_chapter=int(source["chapter"]),
                source_url=(
                    reverse("works:chapter", args=[work.pk, chapter_id])
                    if chapter_id is not None
                    else work.get_absolute_url()
                ),
                source_html=highlighted(source["text"], source_marks),
                meaning=meaning,
                coverage=meaning.coverage(finding),
                edit_url=(
                    None
                    if stored is None
                    else _edit_url(stored, chapters.get((stored.pk, draft_chapter)), finding)
                ),
            )
        )
    return rows, len(findings) - len(rows)


def _edit_url(draft: Work, chapter_id: int | None, finding: FindingJSON) -> str:
    """The chapter editor at the finding's passage; the work's editor if the chapter is gone."""
    if chapter_id is None:
        return reverse("works:edit", args=[draft.pk])
    return (
        reverse("works:chapter_edit", args=[draft.pk, chapter_id])
        + "?"
        + urlencode({"passage": passage_opening(finding["draft"]["text"])})
        + "#id_body"
    )


@login_required
@require_POST
def mark_intended(request: HttpRequest, work_id: int, check_id: int) -> HttpResponse:
    """*Mark as intended*: the writer says a finding against a work of her own is meant (this
    work continues, retells, follows or was inspired by it); the two become related works, and
    this and later checks show the findings against that work as acknowledged."""
    user = signed_in(request)
    work = _own_work(request, work_id)
    check = get_object_or_404(Check, pk=check_id, work=work, user=user)
    try:
        finding = check.findings[int(request.POST.get("finding", ""))]
        source = Work.objects.prefetch_related("creatorships__pseud").get(
            pk=int(finding["source"]["work_id"])
        )
    except (ValueError, IndexError, Work.DoesNotExist):
        raise Http404("No such finding in this check.") from None
    if not is_creator(user, source):
        messages.error(request, "Only a finding against a work of your own can be marked here.")
        return redirect("overlap:report", work.pk, check.pk)
    try:
        link = related.link_works(user, work, source, request.POST.get("kind", ""))
    except WorkError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            f"Marked as intended: {work.title} {link.get_kind_display()} {source.title}. "
            "Both works' pages show the link.",
        )
    return redirect(reverse("overlap:report", args=[work.pk, check.pk]) + "#findings")


def matching_words(this: str, other: str) -> tuple[set[int], set[int]]:
    """The positions (in `str.split()` order) of the words the two texts share, in runs of at
    least `MIN_MARKED_RUN` words; case is ignored, the words themselves are not changed."""
    a = [word.lower() for word in this.split()]
    b = [word.lower() for word in other.split()]
    # No autojunk: in a long passage "the" is frequent, but it belongs inside a copied run.
    matcher = SequenceMatcher(None, a, b, autojunk=False)
    marked_a: set[int] = set()
    marked_b: set[int] = set()
    for block in matcher.get_matching_blocks():
        if block.size >= MIN_MARKED_RUN:
            marked_a.update(range(block.a, block.a + block.size))
            marked_b.update(range(block.b, block.b + block.size))
    return marked_a, marked_b


_PARAGRAPH_BREAK = re.compile(r"\n\s*\n")
_TOKEN = re.compile(r"\S+|\s+")


def highlighted(text: str, marked: set[int]) -> SafeString:
    """The text as escaped paragraphs, each run of marked words in one `<mark>`.

    Word numbers count across paragraphs as `str.split()` does, so they are those of
    `matching_words`. Every piece of the text goes through `escape`; only our own tags are
    added around it."""
    number = 0
    paragraphs: list[str] = []
    for paragraph in _PARAGRAPH_BREAK.split(text.strip()):
        pieces: list[str] = []
        space = ""
        open_mark = False
        for token in _TOKEN.findall(paragraph):
            if token.isspace():
                space = "<br>" if "\n" in token else " "
                continue
            mark = number in marked
            if open_mark and not mark:
                pieces.append("</mark>")
                open_mark = False
            pieces.append(space)
            if mark and not open_mark:
                pieces.append("<mark>")
                open_mark = True
            pieces.append(escape(token))
            space = ""
            number += 1
        if open_mark:
            pieces.append("</mark>")
        if pieces:
            paragraphs.append("<p>" + "".join(pieces) + "</p>")
    return mark_safe("\n".join(paragraphs))  # every piece of user text went through escape()
