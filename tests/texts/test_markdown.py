from __future__ import annotations

from pathlib import Path

import pytest

from ficarchive.texts.formats import parse_bytes, parse_file
from ficarchive.texts.structure import ParseError

RASPBERRIES = Path(__file__).parent.parent / "fixtures" / "raspberries.md"


def test_raspberries_keeps_its_title_scene_breaks_and_every_paragraph() -> None:
    work = parse_file(RASPBERRIES)
    assert work.title == "Raspberries"
    assert 'href="https://izayoi16.tistory.com/21"' in work.summary
    source = RASPBERRIES.read_text(encoding="utf-8").split("---\n", 2)[2]
    sections = source.split("\n---\n")
    assert len(work.chapters) == 1
    html = work.chapters[0].html
    assert html.count('<hr class="scene-break">') == len(sections) - 1
    paragraphs = [p.strip() for p in source.split("\n\n") if p.strip() and p.strip() != "---"]
    text = work.chapters[0].text
    for paragraph in paragraphs:
        assert text.count(" ".join(paragraph.split()).replace("*", "")) >= 1, paragraph[:40]


def test_front_matter_fills_tags_and_status() -> None:
    data = b"""---
title: The Bridge
author: scarf
rating: Mature
fandoms: [Touhou Project]
relationships: Renko/Maribel
tags:
  - Dreams
  - Friendship
status: complete
---
# Chapter 1

She *dreamed*.

# Chapter 2

She woke.
"""
    work = parse_bytes(data, "bridge.md")
    assert work.title == "The Bridge"
    assert work.authors == ["scarf"]
    assert work.tags == {
        "rating": ["Mature"],
        "fandom": ["Touhou Project"],
        "relationship": ["Renko/Maribel"],
        "freeform": ["Dreams", "Friendship"],
    }
    assert work.complete is True
    assert [c.html for c in work.chapters] == ["<p>She <em>dreamed</em>.</p>", "<p>She woke.</p>"]


def test_front_matter_knows_the_labels_header_lines_know() -> None:
    data = b"""---
by: tidewright & Salt and Ink
Pairing: Renko/Maribel
Genre: Angst
Additional-Tags: Dreams
Word count: 12
---
She woke.
"""
    work = parse_bytes(data, "bridge.md")
    assert work.authors == ["tidewright", "Salt and Ink"]
    assert work.tags == {"relationship": ["Renko/Maribel"], "freeform": ["Angst", "Dreams"]}


def test_broken_front_matter_is_named() -> None:
    with pytest.raises(ParseError, match="YAML front matter is not valid"):
        parse_bytes(b"---\ntitle: [unclosed\n---\nText.", "story.md")


def test_raw_html_in_markdown_is_sanitized() -> None:
    work = parse_bytes(
        b"Hello, this is the story. <script>alert(1)</script><img src=x onerror=alert(1)>", "x.md"
    )
    assert "script" not in work.chapters[0].html
    assert "onerror" not in work.chapters[0].html
