"""Whatever a writer types into any field, no script reaches a reader's page."""

from __future__ import annotations

import ast
import io
import re
import zipfile
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from django.apps import apps as django_apps
from django.test import Client
from django.urls import reverse

from ficarchive.accounts.models import Pseud, User
from ficarchive.community.bookmarks import BookmarkData, create_bookmark
from ficarchive.community.models import Bookmark, Comment
from ficarchive.exports.formats import file_name
from ficarchive.texts.fields import SanitizedHTMLField
from ficarchive.works.models import Chapter, Series, Work
from tests.cast import make_user, make_work
from tests.community.comment_cast import comment_on, make_reader
from tests.markup import body, runnable_markup

pytestmark = pytest.mark.django_db

SCRIPT = '<script>alert("pwned")</script>'
ONERROR = '<img src="x" onerror="alert(1)">'
PAYLOAD = f'Hello {SCRIPT} {ONERROR} <a href="javascript:alert(1)">x</a>'


def _assert_clean(html: str) -> None:
    assert runnable_markup(html) == []
    assert "<script>alert" not in html.lower()


@pytest.mark.parametrize("text_format", ["html", "text"])
def test_no_script_in_any_field_reaches_the_page(client: Client, text_format: str) -> None:
    author = make_user("author")
    client.force_login(author)
    form = {
        "title": f"Title {SCRIPT}{ONERROR}",
        "pseuds": [author.pseuds.get().pk],
        "rating": "General Audiences",
        "warnings": ["No Archive Warnings Apply"],
        "fandoms": "Gilmore Girls",
        "relationships": "A/B",
        "characters": "C",
        "freeforms": "Free",
        "summary": PAYLOAD,
        "notes": PAYLOAD,
        "end_notes": PAYLOAD,
        "language": "en",
        "chapter_title": f"Chapter {SCRIPT}",
        "text_format": text_format,
        "body": PAYLOAD,
        "action": "post",
    }
    response = client.post(reverse("works:new"), form)
    work = Work.objects.get(posted=True)
    assert response.status_code == 302
    client.logout()
    for url in ["/", work.get_absolute_url(), "/works", reverse("accounts:user", args=["author"])]:
        page = client.get(url).content.decode()
        _assert_clean(page)


def test_a_tag_with_markup_is_refused_with_a_clear_error(client: Client) -> None:
    author = make_user("author")
    client.force_login(author)
    response = client.post(
        reverse("works:new"),
        {
            "title": "T",
            "pseuds": [author.pseuds.get().pk],
            "rating": "General Audiences",
            "warnings": ["No Archive Warnings Apply"],
            "fandoms": "Fandom <script>x</script>",
            "language": "en",
            "text_format": "text",
            "body": "Text.",
            "action": "post",
        },
    )
    assert response.status_code == 400
    assert b"contains a character tags may not use" in response.content
    assert runnable_markup(response.content.decode()) == []
    assert not Work.objects.exists()


# -- every HTML field, every way it can be written, every page that shows it ----------------
#
# A moderator's edit in the admin stored raw HTML that every reader's page ran (issue 14).
# Each HTML field is written here with markup that runs (and a marker word that must stay) by
# the admin's change forms and by each ORM write, then every page that shows it is read.

HOSTILE = (
    '<script>window.__xss = 1; alert(1)</script><img src="x" onerror="alert(1)">'
    '<a href="javascript:alert(1)">js</a><a href="&#106;avascript:alert(1)">entity</a>'
    '<svg onload="alert(1)"></svg><iframe src="javascript:alert(1)"></iframe>'
    '<style>body { display: none }</style><p onclick="alert(1)" style="color: red">styled</p>'
    '<object data="javascript:alert(1)"></object><base href="https://evil.example/">'
)


def _payload(marker: str) -> str:
    return f"<p>{marker}</p>{HOSTILE}"


@dataclass
class Archive:
    author: User
    reader: User
    work: Work
    chapters: list[Chapter]
    series: Series
    pseud: Pseud
    comment: Comment
    bookmark: Bookmark


# The HTML fields of each model, by the name of the fixture's object that holds them. Every
# SanitizedHTMLField of the archive must be here (a test below checks), so a new one is tested.
FIELDS: dict[str, tuple[type[Any], list[str]]] = {
    "work": (Work, ["summary", "notes", "end_notes"]),
    "chapter": (Chapter, ["summary", "notes", "end_notes", "body"]),
    "series": (Series, ["summary", "notes"]),
    "pseud": (Pseud, ["description"]),
    "comment": (Comment, ["body"]),
    "bookmark": (Bookmark, ["notes"]),
}


def _marker(owner: str, field: str) -> str:
    return f"Marker{owner.title()}{field.replace('_', '').title()}"


@pytest.fixture
def archive() -> Archive:
    author, reader = make_user("author"), make_reader("reader")
    work = make_work(
        author, chapters=2, fandoms=["Gilmore Girls"], new_series_title="Back Again Series"
    )
    comment = comment_on(work, reader, "<p>A first comment.</p>")
    bookmark = create_bookmark(reader, BookmarkData(notes="<p>Read it.</p>"), work=work)
    return Archive(
        author=author,
        reader=reader,
        work=work,
        chapters=list(work.chapters.order_by("position")),
        series=Series.objects.get(serial_works__work=work),
        pseud=author.pseuds.get(),
        comment=comment,
        bookmark=bookmark,
    )


def _objects(archive: Archive, owner: str) -> list[Any]:
    return archive.chapters if owner == "chapter" else [getattr(archive, owner)]


# -- the admin, as a browser sends its change forms

ADMIN_EDITABLE = ["work", "chapter", "series", "pseud"]  # comments and bookmarks are read-only


class _FormReader(HTMLParser):
    """What a browser sends for the admin's change form: its fields with their current values."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.fields: list[tuple[str, str]] = []
        self.in_form = False
        self.textarea: str | None = None
        self.text: list[str] = []
        self.select: str | None = None
        self.options: list[tuple[str, bool]] = []
        self.multiple = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        at = {name: value or "" for name, value in attrs}
        if tag == "form" and at.get("id", "").endswith("_form"):
            self.in_form = True
        if not self.in_form or "disabled" in at:
            return
        kind = at.get("type", "text")
        if tag == "input" and "name" in at and kind not in {"submit", "button", "file", "reset"}:
            if kind not in {"checkbox", "radio"}:
                self.fields.append((at["name"], at.get("value", "")))
            elif "checked" in at:
                self.fields.append((at["name"], at.get("value", "on")))
        elif tag == "textarea":
            self.textarea, self.text = at["name"], []
        elif tag == "select":
            self.select, self.options, self.multiple = at["name"], [], "multiple" in at
        elif tag == "option" and self.select is not None:
            self.options.append((at.get("value", ""), "selected" in at))

    def handle_data(self, data: str) -> None:
        if self.textarea is not None:
            self.text.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self.in_form = False
        elif tag == "textarea" and self.textarea is not None:
            self.fields.append((self.textarea, "".join(self.text).removeprefix("\n")))
            self.textarea = None
        elif tag == "select" and self.select is not None:
            chosen = [value for value, selected in self.options if selected]
            if not chosen and not self.multiple and self.options:
                chosen = [self.options[0][0]]
            self.fields.extend((self.select, value) for value in chosen)
            self.select = None


def _admin_save(client: Client, url: str, changes: dict[str, str]) -> None:
    page = client.get(url)
    assert page.status_code == 200, f"{url}: {page.status_code}"
    reader = _FormReader()
    reader.feed(page.content.decode())
    data: dict[str, list[str]] = {}
    for name, value in reader.fields:
        data.setdefault(name, []).append(value)
    missing = set(changes) - set(data)
    assert not missing, f"{url} has no field {missing}"
    data.update({name: [value] for name, value in changes.items()})
    data["_save"] = ["Save"]
    response = client.post(url, data)
    if response.status_code == 200:  # the form again, with what was wrong
        errors = [response.context["adminform"].form.errors]
        errors += [inline.formset.errors for inline in response.context["inline_admin_formsets"]]
        pytest.fail(f"{url} refused the change: {errors}")
    assert response.status_code == 302, f"{url}: {response.status_code}"


def _admin_url(obj: Any) -> str:
    return reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_change", args=[obj.pk])


def _moderator() -> User:
    moderator = make_user("moderator")
    moderator.is_moderator = True
    moderator.save(update_fields=["is_moderator"])
    return moderator


def write_through_the_admin(archive: Archive) -> None:
    client = Client()
    client.force_login(_moderator())
    for owner in ADMIN_EDITABLE:
        _, names = FIELDS[owner]
        for obj in _objects(archive, owner):
            changes = {name: _payload(_marker(owner, name)) for name in names}
            if owner == "pseud":
                # Pseuds are edited in their account's page, as an inline.
                row = list(archive.author.pseuds.order_by("pk")).index(obj)
                changes = {f"pseuds-{row}-{name}": value for name, value in changes.items()}
                _admin_save(client, _admin_url(archive.author), changes)
            else:
                _admin_save(client, _admin_url(obj), changes)


# -- the ORM, each way it writes rows


def _hostile_values(owner: str) -> dict[str, str]:
    return {name: _payload(_marker(owner, name)) for name in FIELDS[owner][1]}


def write_with_save(archive: Archive) -> None:
    for owner in FIELDS:
        for obj in _objects(archive, owner):
            for name, value in _hostile_values(owner).items():
                setattr(obj, name, value)
            obj.save()


def write_with_update(archive: Archive) -> None:
    for owner, (model, _) in FIELDS.items():
        pks = [obj.pk for obj in _objects(archive, owner)]
        model.objects.filter(pk__in=pks).update(**_hostile_values(owner))


def write_with_bulk_create(archive: Archive) -> None:
    # bulk_create onto the existing rows (INSERT … ON CONFLICT DO UPDATE), so the pages show them.
    for owner, (model, names) in FIELDS.items():
        objects = _objects(archive, owner)
        for obj in objects:
            for name, value in _hostile_values(owner).items():
                setattr(obj, name, value)
        model.objects.bulk_create(
            objects, update_conflicts=True, unique_fields=["id"], update_fields=names
        )


def write_with_bulk_update(archive: Archive) -> None:
    for owner, (model, names) in FIELDS.items():
        objects = _objects(archive, owner)
        for obj in objects:
            for name, value in _hostile_values(owner).items():
                setattr(obj, name, value)
        model.objects.bulk_update(objects, names)


WRITERS = {
    "admin": write_through_the_admin,
    "save": write_with_save,
    "update": write_with_update,
    "bulk_create": write_with_bulk_create,
    "bulk_update": write_with_bulk_update,
}


# -- the pages


def _work_markers(*names: str) -> set[str]:
    return {_marker("work", name) for name in names}


CHAPTER_MARKERS = {_marker("chapter", name) for name in FIELDS["chapter"][1]}
BLURB = _work_markers("summary")


def _pages(archive: Archive) -> dict[str, tuple[str, set[str]]]:
    """Each page that shows an HTML field: its address and the markers it must show."""
    work, series, reader = archive.work, archive.series, archive.reader
    everything = _work_markers("summary", "notes", "end_notes") | CHAPTER_MARKERS
    return {
        "work page": (work.get_absolute_url(), _work_markers("summary", "notes") | CHAPTER_MARKERS),
        # A comment's own address leads here, to the comments on the whole work.
        "Entire Work": (
            f"{work.get_absolute_url()}?view_full_work=true",
            everything | {_marker("comment", "body")},
        ),
        "last chapter page": (
            archive.chapters[-1].get_absolute_url(),
            _work_markers("summary", "end_notes") | CHAPTER_MARKERS,
        ),
        "works list": (reverse("search:works"), BLURB),
        "tag page": (reverse("search:tag_works", args=["Gilmore Girls"]), BLURB),
        "series page": (
            series.get_absolute_url(),
            BLURB | {_marker("series", "summary"), _marker("series", "notes")},
        ),
        "pseud page": (archive.pseud.get_absolute_url(), BLURB | {_marker("pseud", "description")}),
        "user page": (reverse("accounts:user", args=[archive.author.username]), BLURB),
        "reader's bookmarks": (
            reverse("community:user_bookmarks", args=[reader.username]),
            BLURB | {_marker("bookmark", "notes")},
        ),
        "work's bookmarks": (
            reverse("community:work_bookmarks", args=[work.pk]),
            {_marker("bookmark", "notes")},
        ),
        "bookmark search": (
            f"{reverse('community:bookmark_search')}?user={reader.username}",
            BLURB | {_marker("bookmark", "notes")},
        ),
    }


def _download(client: Client, work: Work, extension: str) -> str:
    response = client.get(
        reverse("exports:download", args=[work.pk, file_name(work.title), extension])
    )
    assert response.status_code == 200
    data = body(response)
    if extension == "html":
        return data.decode()
    with zipfile.ZipFile(io.BytesIO(data)) as epub:
        return "\n".join(
            epub.read(name).decode() for name in epub.namelist() if name.endswith("html")
        )


def _assert_nothing_runs(
    where: str, html: str, markers: set[str], own: tuple[str, ...] = ()
) -> None:
    assert runnable_markup(html) == list(own), where
    for shown in ("window.__xss", "alert(1)", "<base", "evil.example"):
        assert shown not in html, f"{where} shows {shown!r}"
    missing = {marker for marker in markers if marker not in html}
    assert not missing, f"{where} does not show {missing}: the field is not on the page"


@pytest.mark.parametrize("writer", list(WRITERS))
def test_no_way_of_writing_an_html_field_gets_script_onto_a_page(
    archive: Archive, writer: str
) -> None:
    WRITERS[writer](archive)
    written = ADMIN_EDITABLE if writer == "admin" else list(FIELDS)
    for owner in written:
        model, names = FIELDS[owner]
        for obj in _objects(archive, owner):
            stored = model.objects.values(*names).get(pk=obj.pk)
            for name, value in stored.items():
                assert _marker(owner, name) in value
                assert runnable_markup(value) == [], f"{owner}.{name} stored {value!r}"

    reader = Client()  # logged out, as the readers the finding names
    for page, (url, markers) in _pages(archive).items():
        response = reader.get(url)
        assert response.status_code == 200, f"{page} ({url}): {response.status_code}"
        shown = markers if writer != "admin" else {m for m in markers if _written_by_admin(m)}
        _assert_nothing_runs(f"{page} ({url})", response.content.decode(), shown)

    author = Client()
    author.force_login(archive.author)
    inbox = author.get(reverse("community:inbox")).content.decode()
    comment = {_marker("comment", "body")} if writer != "admin" else set()
    _assert_nothing_runs("the author's inbox", inbox, comment)

    # The HTML download carries its own stylesheet in its head, and nothing else of the kind.
    for extension, own in (("html", ("<style>",)), ("epub", ())):
        _assert_nothing_runs(
            f"the {extension} download",
            _download(reader, archive.work, extension),
            _work_markers("summary", "notes", "end_notes") | CHAPTER_MARKERS,
            own,
        )


def _written_by_admin(marker: str) -> bool:
    return any(marker.startswith(f"Marker{owner.title()}") for owner in ADMIN_EDITABLE)


def test_the_admin_does_not_let_a_moderator_change_comments_or_bookmarks(
    archive: Archive, client: Client
) -> None:
    client.force_login(_moderator())
    for obj in (archive.comment, archive.bookmark):
        response = client.post(_admin_url(obj), {"body": SCRIPT, "notes": SCRIPT, "_save": "Save"})
        assert response.status_code == 403
    assert SCRIPT not in Comment.objects.get(pk=archive.comment.pk).body


def test_every_sanitized_html_field_of_the_archive_is_written_by_these_tests() -> None:
    sanitized = {
        (model, field.name)
        for model in django_apps.get_models()
        for field in model._meta.get_fields()
        if isinstance(field, SanitizedHTMLField)
    }
    tested = {(model, name) for model, names in FIELDS.values() for name in names}
    assert sanitized == tested


# -- what templates and code mark safe ------------------------------------------------------

PACKAGE = Path(__file__).resolve().parents[2] / "ficarchive"

# The objects templates render with |safe, by the name they have there. Only their
# SanitizedHTMLFields may be marked safe.
SAFE_SOURCES: dict[str, type[Any]] = {
    "work": Work,
    "export.work": Work,  # the downloads' context
    "chapter": Chapter,
    "series": Series,
    "pseud": Pseud,
    "comment": Comment,
    "parent": Comment,  # comment_form.html: the comment being replied to
    "c": Comment,  # inbox.html: {% with c=item.comment %}
    "bookmark": Bookmark,
}
# Python that marks strings safe, and why each is: a sanitized field, or HTML it built itself.
KNOWN_SAFE: dict[tuple[str, str], str | tuple[type[Any], str]] = {
    ("community/comment_queries.py", "comment['body']"): (Comment, "body"),
    ("overlap/views.py", "'\\n'.join(paragraphs)"): "each word of the text went through escape()",
    ("works/templatetags/works_tags.py", "f'<ol class=\"work index group\">{listed}</ol>'"): (
        "blurbs rendered by works/blurb.html, which escapes"
    ),
    ("works/templatetags/works_tags.py", "'<p class=\"empty\">No works here yet.</p>'"): (
        "a constant"
    ),
    ("works/templatetags/works_tags.py", "html"): (
        "a work's tags rendered by works/work_tags.html, which escapes"
    ),
}
_OUTPUT = re.compile(r"\{\{(.*?)\}\}", re.DOTALL)
_SAFE_FIELD = re.compile(r"^\s*([\w.]+)\.(\w+)\s*\|\s*safe\s*$")
_MARKS_SAFE = {"mark_safe", "SafeString", "SafeText", "format_html", "Markup"}


def _templates() -> list[Path]:
    return sorted(path for path in PACKAGE.rglob("templates/**/*") if path.is_file())


def test_templates_mark_safe_only_sanitized_html_fields() -> None:
    found: list[str] = []
    wrong: list[str] = []
    for path in _templates():
        source = path.read_text()
        where = path.relative_to(PACKAGE)
        if path.suffix == ".html" and "autoescape off" in source:
            wrong.append(f"{where}: autoescape off")
        for expression in _OUTPUT.findall(source):
            if "safe" not in expression.split("|", 1)[-1]:
                continue
            match = _SAFE_FIELD.match(expression)
            model = SAFE_SOURCES.get(match.group(1)) if match else None
            field = model._meta.get_field(match.group(2)) if match and model else None
            found.append(expression.strip())
            if not isinstance(field, SanitizedHTMLField):
                wrong.append(f"{where}: {{{{{expression}}}}} is not a sanitized HTML field")
    assert not wrong
    assert "work.summary|safe" in found  # the scan does see the templates


def test_python_marks_safe_only_sanitized_fields_and_html_it_escaped_itself() -> None:
    found: dict[tuple[str, str], str] = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if not isinstance(node, ast.Call):
                continue
            name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
            if name in _MARKS_SAFE:
                arguments = ", ".join(ast.unparse(argument) for argument in node.args)
                found[(str(path.relative_to(PACKAGE)), arguments)] = name
    unknown = set(found) - set(KNOWN_SAFE)
    assert not unknown, f"marked safe without a reason in KNOWN_SAFE: {unknown}"
    assert set(KNOWN_SAFE) <= set(found), "KNOWN_SAFE names a call that is gone"
    for reason in KNOWN_SAFE.values():
        if isinstance(reason, tuple):
            model, name = reason
            assert isinstance(model._meta.get_field(name), SanitizedHTMLField)
