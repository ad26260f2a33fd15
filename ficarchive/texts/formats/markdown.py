"""Markdown (.md, .markdown) with optional YAML front matter (title, summary, tags, rating…)."""

from __future__ import annotations

import re
from typing import Any

import yaml
from markdown_it import MarkdownIt

from ficarchive.texts.blocks import Block
from ficarchive.texts.conventions import structure
from ficarchive.texts.decoding import decode_text
from ficarchive.texts.formats import register
from ficarchive.texts.header_lines import completion, split_authors
from ficarchive.texts.labels import FRONT_MATTER_LABELS
from ficarchive.texts.limits import budget
from ficarchive.texts.sanitize import sanitize_html
from ficarchive.texts.structure import ParsedWork, ParseError, html_to_text

_FRONT_MATTER = re.compile(r"\A\ufeff?---[ \t]*\n(.*?)\n(?:---|\.\.\.)[ \t]*(?:\n|\Z)", re.S)
# Front matter is a title, tags and notes: a few hundred bytes. YAML's anchors and aliases let a
# few hundred bytes stand for gigabytes (the "billion laughs": nine levels of nine aliases), and
# writers' front matter never needs more than a handful of them.
MAX_FRONT_MATTER_BYTES = 64 * 1024
MAX_YAML_ALIASES = 10


class _TooManyAliases(Exception):
    pass


class _FrontMatterLoader(yaml.SafeLoader):
    """YAML's safe loader, counting anchors and aliases as it composes and stopping past a few."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self.references = 0

    def compose_node(self, parent: Any, index: Any) -> Any:
        event = self.peek_event()  # type: ignore[no-untyped-call]  # PyYAML is untyped
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
            self.references += 1
            if self.references > MAX_YAML_ALIASES:
                raise _TooManyAliases
        return super().compose_node(parent, index)


def _markdown() -> MarkdownIt:
    # CommonMark with tables and strikethrough; raw HTML is allowed, then sanitized like any HTML.
    return MarkdownIt("commonmark", {"html": True, "typographer": False}).enable(
        ["table", "strikethrough"]
    )


def render_markdown(source: str) -> str:
    return sanitize_html(_markdown().render(source))


def _names(value: Any) -> list[str]:
    if isinstance(value, list | tuple):
        return [str(item).strip() for item in value if str(item).strip()]
    return [name.strip() for name in str(value).split(",") if name.strip()]


def _apply_front_matter(work: ParsedWork, data: dict[Any, Any]) -> None:
    for raw_key, value in data.items():
        label = " ".join(str(raw_key).lower().replace("_", " ").replace("-", " ").split())
        key = FRONT_MATTER_LABELS.get(label, "ignore")
        if key == "ignore" or value is None:
            continue
        if key == "title":
            work.title = " ".join(str(value).split())
        elif key in {"summary", "notes", "end_notes"}:
            setattr(work, key, render_markdown(str(value)))
        elif key == "author":
            work.authors = (
                _names(value) if isinstance(value, list | tuple) else split_authors(value)
            )
        elif key == "complete":
            work.complete = bool(value) if isinstance(value, bool) else None
        elif key == "status":
            work.complete = completion(str(value), work.complete)
        elif key == "language":
            work.language = str(value).strip()[:10]
        else:
            work.add_tags(key, _names(value))


def _blocks(source: str) -> list[Block]:
    md = _markdown()
    tokens = md.parse(source)
    blocks: list[Block] = []
    index = 0
    while index < len(tokens):
        token = tokens[index]
        if token.type == "hr":
            blocks.append(Block.scene_break())
            index += 1
            continue
        # A top-level block runs from its opening token to the matching close (nesting 0 again).
        end = index
        if token.nesting == 1:
            depth = 0
            for end in range(index, len(tokens)):
                depth += tokens[end].nesting
                if depth == 0:
                    break
        html = sanitize_html(md.renderer.render(tokens[index : end + 1], md.options, {}))
        heading = int(token.tag[1]) if token.type == "heading_open" else 0
        if html:
            blocks.append(Block(text=html_to_text(html), html=html, heading=heading))
        index = end + 1
    return blocks


@register("markdown", [".md", ".markdown", ".mdown", ".mkd"])
def parse_markdown(data: bytes, name: str) -> ParsedWork:
    text = decode_text(data).replace("\r\n", "\n").replace("\r", "\n")
    work = ParsedWork()
    match = _FRONT_MATTER.match(text)
    if match:
        front_matter = match.group(1)
        if len(front_matter.encode()) > MAX_FRONT_MATTER_BYTES:
            raise ParseError(
                f"its YAML front matter is longer than {MAX_FRONT_MATTER_BYTES // 1024} KB, the "
                "most ficarchive reads (a title, tags and notes take far less)"
            )
        try:
            front = yaml.load(front_matter, Loader=_FrontMatterLoader)  # a safe loader, counting
        except _TooManyAliases:
            raise ParseError(
                f"its YAML front matter uses more than {MAX_YAML_ALIASES} anchors and aliases "
                "(&name and *name), the most ficarchive reads; write the values out instead"
            ) from None
        except yaml.YAMLError as error:
            mark = getattr(error, "problem_mark", None)
            where = f" (line {mark.line + 2})" if mark is not None else ""
            raise ParseError(f"the YAML front matter is not valid{where}") from error
        if isinstance(front, dict):
            _apply_front_matter(work, front)
        text = text[match.end() :]
    budget().count_text(text)  # a work over the limits stops here, before it is parsed
    return structure(_blocks(text), work)
