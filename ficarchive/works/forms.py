"""The posting forms. They only check shapes; the rules live in works.services."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.urls import reverse_lazy

from ficarchive.accounts.models import Pseud, User
from ficarchive.tags.models import CATEGORIES, RATINGS, WARNINGS
from ficarchive.tags.services import split_tag_list
from ficarchive.works.models import LANGUAGES, Chapter, Series, Work
from ficarchive.works.series import SeriesData
from ficarchive.works.services import (
    FANDOM_NEEDED,
    ChapterData,
    WorkData,
    body_limit_help,
    body_too_long,
    user_series,
)

TEXT_FORMATS = [
    ("text", "Plain text: a blank line starts a new paragraph"),
    ("html", "HTML: kept as written, then sanitized"),
]


class ChapterFieldsMixin(forms.Form):
    # Fields the form marks "(required)" beside their label (form_fields.html).
    required_marks: tuple[str, ...] = ("body",)

    text_format = forms.ChoiceField(
        label="The text is", choices=TEXT_FORMATS, initial="text", widget=forms.RadioSelect
    )
    # No maxlength on the box: a browser cuts a longer paste silently. The limit is checked
    # here, with the text kept, and counted as one types by counter.js (`data-max-chars`).
    body = forms.CharField(
        label="Work text",
        strip=False,
        widget=forms.Textarea(attrs={"rows": 20}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        body = self.fields.get("body")
        if body is not None:
            body.help_text = body_limit_help()
            body.widget.attrs["data-max-chars"] = str(settings.CHAPTER_MAX_CHARACTERS)

    def clean_body(self) -> str:
        body: str = self.cleaned_data["body"]
        problem = body_too_long(body)
        if problem:
            raise forms.ValidationError(problem)
        return body

    def chapter_data(self, prefix: str = "chapter_") -> ChapterData:
        data = self.cleaned_data
        return ChapterData(
            body=data["body"],
            text_format=data["text_format"],
            title=data.get(f"{prefix}title", ""),
            summary=data.get(f"{prefix}summary", ""),
            notes=data.get(f"{prefix}notes", ""),
            end_notes=data.get(f"{prefix}end_notes", ""),
        )


def _tag_field(label: str, help_text: str = "", tag_type: str = "") -> forms.CharField:
    # `data-tag-type` lets the page's small script offer existing tags, canonical ones first.
    attrs: dict[str, Any] = {}
    if tag_type:
        attrs = {
            "data-tag-type": tag_type,
            "data-autocomplete": reverse_lazy("works:tag_autocomplete"),
            "autocomplete": "off",
        }
    return forms.CharField(
        label=label,
        required=False,
        max_length=5000,
        help_text=help_text or "Separate tags with commas.",
        widget=forms.TextInput(attrs=attrs),
    )


def _html_field(label: str, rows: int = 4) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=False,
        widget=forms.Textarea(attrs={"rows": rows}),
        help_text="Plain text or HTML.",
    )


class WorkForm(ChapterFieldsMixin, forms.Form):
    # As on AO3: a rating, archive warnings and a fandom are asked for, none chosen for the
    # writer. A draft may be saved without a fandom (an imported file often has none); posting
    # needs one (works.services.require_fandom).
    required_marks = ("rating", "warnings", "fandoms", "title", "pseuds", "body")

    title = forms.CharField(label="Work title", max_length=255)
    pseuds = forms.ModelMultipleChoiceField(
        label="Creator/pseud(s)", queryset=Pseud.objects.none(), widget=forms.CheckboxSelectMultiple
    )
    rating = forms.ChoiceField(
        label="Rating",
        choices=[("", "Choose a rating")] + [(r, r) for r in RATINGS],
        error_messages={"required": "Choose a rating."},
    )
    warnings = forms.MultipleChoiceField(
        label="Archive warnings",
        choices=[(w, w) for w in WARNINGS],
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Choose at least one archive warning."},
    )
    categories = forms.MultipleChoiceField(
        label="Categories",
        choices=[(c, c) for c in CATEGORIES],
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    fandoms = _tag_field(
        "Fandoms",
        "Separate fandoms with commas. At least one is needed to post; a draft may wait.",
        "fandom",
    )
    relationships = _tag_field(
        "Relationships",
        "A/B for romantic, A & B for platonic; separate with commas.",
        "relationship",
    )
    characters = _tag_field("Characters", tag_type="character")
    freeforms = _tag_field("Additional Tags", tag_type="freeform")
    summary = _html_field("Summary")
    notes = _html_field("Notes (at the beginning)")
    end_notes = _html_field("End notes")
    language = forms.ChoiceField(label="Language", choices=LANGUAGES, initial="en")
    restricted = forms.BooleanField(
        label="Only show this work to logged-in readers", required=False
    )
    expected_chapters = forms.IntegerField(
        label="Expected chapters",
        required=False,
        min_value=1,
        help_text="Leave empty if you do not know yet ('?').",
    )
    complete = forms.BooleanField(label="This work is complete", required=False)
    series = forms.TypedChoiceField(
        label="Add to series", required=False, coerce=int, empty_value=None
    )
    new_series_title = forms.CharField(
        label="Or start a new series", required=False, max_length=255
    )
    chapter_title = forms.CharField(label="Chapter title", required=False, max_length=255)

    field_order = [
        "rating",
        "warnings",
        "fandoms",
        "categories",
        "relationships",
        "characters",
        "freeforms",
        "title",
        "pseuds",
        "summary",
        "notes",
        "end_notes",
        "series",
        "new_series_title",
        "expected_chapters",
        "complete",
        "language",
        "restricted",
        "chapter_title",
        "text_format",
        "body",
    ]

    def __init__(
        self,
        user: User,
        *args: Any,
        with_body: bool = True,
        posting: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.posting = posting
        # Not the `required` attribute: it would stop "Save as draft" in the browser too.
        self.fields["fandoms"].widget.attrs["aria-required"] = "true"
        self.fields["pseuds"].queryset = user.pseuds.all()  # type: ignore[attr-defined]
        self.fields["series"].choices = [("", "—")] + [  # type: ignore[attr-defined]
            (series.pk, series.title) for series in user_series(user)
        ]
        if not with_body:
            for name in ("text_format", "body", "chapter_title"):
                del self.fields[name]

    def clean_fandoms(self) -> str:
        fandoms: str = self.cleaned_data["fandoms"]
        if self.posting and not split_tag_list(fandoms):
            raise forms.ValidationError(FANDOM_NEEDED)
        return fandoms

    @classmethod
    def initial_for(cls, work: Work, first_chapter: Chapter | None) -> dict[str, Any]:
        def names(tags: list[Any]) -> str:
            return ", ".join(tag.name for tag in tags)

        initial: dict[str, Any] = {
            "title": work.title,
            "pseuds": [c.pseud for c in work.creatorships.all()],
            "rating": work.rating,
            "warnings": work.warnings,
            "categories": work.categories,
            "fandoms": names(work.fandoms),
            "relationships": names(work.relationships),
            "characters": names(work.characters),
            "freeforms": names(work.freeforms),
            "summary": work.summary,
            "notes": work.notes,
            "end_notes": work.end_notes,
            "language": work.language,
            "restricted": work.restricted,
            "expected_chapters": work.expected_chapters,
            "complete": work.complete,
        }
        if first_chapter is not None:
            initial.update(
                {
                    "chapter_title": first_chapter.title,
                    "body": first_chapter.body,
                    "text_format": "html",
                }
            )
        return initial

    def work_data(self) -> WorkData:
        data = self.cleaned_data
        return WorkData(
            title=data["title"],
            summary=data["summary"],
            notes=data["notes"],
            end_notes=data["end_notes"],
            rating=data["rating"],
            warnings=list(data["warnings"]),
            categories=list(data["categories"]),
            fandoms=split_tag_list(data["fandoms"]),
            relationships=split_tag_list(data["relationships"]),
            characters=split_tag_list(data["characters"]),
            freeforms=split_tag_list(data["freeforms"]),
            language=data["language"],
            restricted=data["restricted"],
            complete=data["complete"],
            expected_chapters=data["expected_chapters"],
            series_id=data["series"],
            new_series_title=data["new_series_title"],
        )


class ChapterForm(ChapterFieldsMixin, forms.Form):
    required_marks = ("body",)
    chapter_title = forms.CharField(label="Chapter title", required=False, max_length=255)
    chapter_summary = _html_field("Chapter summary")
    chapter_notes = _html_field("Chapter notes (at the beginning)")
    chapter_end_notes = _html_field("Chapter end notes")
    field_order = [
        "chapter_title",
        "chapter_summary",
        "chapter_notes",
        "text_format",
        "body",
        "chapter_end_notes",
    ]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["body"].label = "Chapter text"  # AO3's label on its chapter form

    @classmethod
    def initial_for(cls, chapter: Chapter) -> dict[str, Any]:
        return {
            "chapter_title": chapter.title,
            "chapter_summary": chapter.summary,
            "chapter_notes": chapter.notes,
            "chapter_end_notes": chapter.end_notes,
            "body": chapter.body,
            "text_format": "html",
        }


class SeriesForm(forms.Form):
    """A series' own fields, as its creators edit them on AO3."""

    required_marks = ("title",)

    title = forms.CharField(label="Series title", max_length=255)
    summary = _html_field("Description")
    notes = _html_field("Notes")
    complete = forms.BooleanField(label="This series is complete", required=False)

    @classmethod
    def initial_for(cls, series: Series) -> dict[str, Any]:
        return {
            "title": series.title,
            "summary": series.summary,
            "notes": series.notes,
            "complete": series.complete,
        }

    def series_data(self) -> SeriesData:
        data = self.cleaned_data
        return SeriesData(
            title=data["title"],
            summary=data["summary"],
            notes=data["notes"],
            complete=data["complete"],
        )
