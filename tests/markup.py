"""Reading our own pages back: what a browser would run, and the text of elements."""

from __future__ import annotations

from html.parser import HTMLParser
from typing import Any


class _ScriptFinder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        own = tag == "script" and (dict(attrs).get("src") or "").startswith("/static/ficarchive/")
        if tag in {"script", "iframe", "object", "embed", "style", "svg"} and not own:
            self.found.append(f"<{tag}>")
        for name, value in attrs:
            if name.lower().startswith("on"):
                self.found.append(f"<{tag} {name}=…>")
            if name in {"href", "src", "action"} and (value or "").strip().lower().startswith(
                ("javascript:", "data:", "vbscript:")
            ):
                self.found.append(f"<{tag} {name}={value}>")


def runnable_markup(html: str) -> list[str]:
    """Elements and attributes in the page that could run script; ficarchive pages have none
    but the archive's own script files (`<script src="/static/ficarchive/…">`)."""
    finder = _ScriptFinder()
    finder.feed(html)
    return finder.found


class _ParagraphReader(HTMLParser):
    """The text of each <p> inside the first element with the given class."""

    def __init__(self, container_class: str) -> None:
        super().__init__(convert_charrefs=True)
        self.container_class = container_class
        self.depth = 0
        self.paragraphs: list[str] = []
        self.current: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        classes = (dict(attrs).get("class") or "").split()
        if self.depth == 0 and tag == "div" and self.container_class in classes:
            self.depth = 1
            return
        if self.depth and tag == "div":
            self.depth += 1
        if self.depth and tag == "p":
            self.current = []
        if self.current is not None and tag == "br":
            self.current.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if self.depth and tag == "div":
            self.depth -= 1
        if tag == "p" and self.current is not None:
            self.paragraphs.append("".join(self.current))
            self.current = None

    def handle_data(self, data: str) -> None:
        if self.current is not None:
            self.current.append(data)


def paragraphs_in(html: str, container_class: str = "userstuff") -> list[str]:
    reader = _ParagraphReader(container_class)
    reader.feed(html)
    return reader.paragraphs


def body(response: Any) -> bytes:
    """A response's bytes, whether rendered (`content`) or a file streamed from disk."""
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content)
    return bytes(response.content)


class _TagCounter(HTMLParser):
    def __init__(self, tag: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tag = tag
        self.texts: list[list[str]] = []
        self.open = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == self.tag:
            self.texts.append([])
            self.open += 1

    def handle_endtag(self, tag: str) -> None:
        if tag == self.tag and self.open:
            self.open -= 1

    def handle_data(self, data: str) -> None:
        if self.open:
            self.texts[-1].append(data)


def texts_of(html: str, tag: str) -> list[str]:
    """The text of every `<tag>` element in the page, whitespace collapsed, in order."""
    counter = _TagCounter(tag)
    counter.feed(html)
    return [" ".join("".join(parts).split()) for parts in counter.texts]


class _FormReader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[dict[str, Any]] = []
        self.inside = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        named = {name: value or "" for name, value in attrs}
        if tag == "form":
            self.forms.append({**named, "fields": {}, "options": []})
            self.inside = True
        elif self.inside and tag == "input" and named.get("name"):
            self.forms[-1]["fields"][named["name"]] = named.get("value", "")
        elif self.inside and tag == "select" and named.get("name"):
            self.forms[-1]["fields"][named["name"]] = ""
            self.forms[-1]["select_id"] = named.get("id", "")
        elif self.inside and tag == "option":
            self.forms[-1]["options"].append(named.get("value", ""))

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self.inside = False


def form_by_id(html: str, form_id: str) -> dict[str, Any]:
    """The form with that id: its attributes, `fields` (input and select names to values) and
    `options` (the values of its select's options)."""
    reader = _FormReader()
    reader.feed(html)
    found = [form for form in reader.forms if form.get("id") == form_id]
    assert len(found) == 1, f"{len(found)} forms with id {form_id!r}"
    return found[0]
