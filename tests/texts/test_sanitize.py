from __future__ import annotations

import pytest

from ficarchive.texts.sanitize import sanitize_html

HOSTILE = [
    '<script>alert("x")</script>',
    '<img src="x" onerror="alert(1)">',
    '<a href="javascript:alert(1)">link</a>',
    '<p style="position:fixed" onclick="alert(1)">p</p>',
    "<style>body{display:none}</style>",
    '<iframe src="https://example.org"></iframe>',
    '<svg onload="alert(1)"></svg>',
    '<a href="JaVaScRiPt:alert(1)">x</a>',
]


@pytest.mark.parametrize("html", HOSTILE)
def test_nothing_that_runs_survives(html: str) -> None:
    clean = sanitize_html(html).lower()
    for bad in (
        "<script",
        "onerror",
        "onclick",
        "onload",
        "javascript:",
        "<style",
        "<iframe",
        "<svg",
    ):
        assert bad not in clean


def test_links_get_nofollow_and_keep_their_address() -> None:
    assert sanitize_html('<a href="https://example.org/x">x</a>') == (
        '<a href="https://example.org/x" rel="nofollow">x</a>'
    )


def test_ao3_formatting_is_kept() -> None:
    html = (
        '<p align="center"><em>a</em> <strong>b</strong> <s>c</s> <u>d</u></p>'
        '<blockquote cite="x">q</blockquote><hr><ol start="3"><li>i</li></ol>'
        '<img src="https://example.org/a.png" alt="a" width="10">'
    )
    clean = sanitize_html(html)
    for kept in (
        'align="center"',
        "<em>",
        "<strong>",
        "<s>",
        "<u>",
        "<hr>",
        'start="3"',
        'alt="a"',
    ):
        assert kept in clean
