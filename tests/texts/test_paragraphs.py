from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ficarchive.texts.paragraphs import format_body, html_to_html, split_paragraphs, text_to_html
from ficarchive.texts.sanitize import sanitize_basic_html, sanitize_html, sanitize_notes_html


def test_a_blank_line_starts_a_new_paragraph() -> None:
    assert text_to_html("One.\n\nTwo.") == "<p>One.</p>\n<p>Two.</p>"


def test_one_newline_is_a_line_break() -> None:
    assert text_to_html("Roses are red,\nviolets are blue.") == (
        "<p>Roses are red,<br>violets are blue.</p>"
    )


def test_blank_lines_with_spaces_and_windows_newlines_still_split() -> None:
    assert split_paragraphs("One.\r\n  \r\n\r\nTwo.\r\n") == ["One.", "Two."]


def test_plain_text_markup_is_shown_not_run() -> None:
    html = text_to_html("<b>bold</b> & <script>x</script>")
    assert "<b>" not in html
    assert "&lt;b&gt;bold&lt;/b&gt; &amp;" in html


def test_bare_html_gets_paragraph_rules_but_block_html_is_kept() -> None:
    assert html_to_html("<em>One</em>\n\nTwo") == "<p><em>One</em></p>\n<p>Two</p>"
    assert html_to_html("<p>One\n\nstill one</p>") == "<p>One\n\nstill one</p>"


def test_format_body_picks_the_rules_of_the_format() -> None:
    assert format_body("<i>x</i>", "html") == "<p><i>x</i></p>"
    assert format_body("<i>x</i>", "text") == "<p>&lt;i&gt;x&lt;/i&gt;</p>"


def test_plain_text_of_html_keeps_block_boundaries() -> None:
    from ficarchive.texts.structure import html_to_text

    assert html_to_text("<pre>x</pre>\n<p>y</p>") == "x\n\ny"
    assert html_to_text("<h5>a</h5><table><tr><td>b</td></tr></table>") == "a\n\nb"


@pytest.mark.parametrize(
    ("html", "clean"),
    [
        ("<script>alert(1)</script>", ""),
        ("<math><mi>x</mi></math>\n\nText", "<p>Text</p>"),
        ("<em></em>\n\nText\n\n<svg><text>t</text></svg>", "<p>Text</p>"),
        ("<p><script>x</script></p>\n<p>Real</p>\n<p> </p>", "<p>Real</p>"),
        ('<iframe src="https://evil.example/"></iframe>\n\nText', "<p>Text</p>"),
    ],
)
def test_markup_the_sanitizer_removes_leaves_no_empty_paragraph(html: str, clean: str) -> None:
    assert html_to_html(html) == clean


def test_a_deliberate_blank_line_and_a_lone_image_are_paragraphs_still() -> None:
    assert html_to_html('<p>&nbsp;</p><p align="center"></p>') == (
        '<p>&nbsp;</p><p align="center"></p>'
    )
    assert html_to_html('<img src="https://example.org/a.png">\n\nText') == (
        '<p><img src="https://example.org/a.png"></p>\n<p>Text</p>'
    )


def test_a_figure_or_details_is_not_put_in_a_paragraph() -> None:
    html = "<figure><figcaption>Map</figcaption></figure><details><summary>S</summary>x</details>"
    assert html_to_html(html) == html


def test_html_gets_the_allow_list_of_the_field_it_is_for() -> None:
    styled = '<span class="warning">Styled</span>'
    assert html_to_html(styled) == f"<p>{styled}</p>"
    assert html_to_html(styled, sanitize_basic_html) == "<p><span>Styled</span></p>"
    embed = '<iframe src="https://www.youtube.com/embed/x"></iframe>\n\nText'
    assert html_to_html(embed, sanitize_notes_html) == "<p>Text</p>"
    assert format_body(styled, "html", sanitize_basic_html) == "<p><span>Styled</span></p>"


@settings(max_examples=200, deadline=None)
@given(
    text=st.lists(
        st.sampled_from(
            [
                "x",
                "\n",
                "\n\n",
                "<em>",
                "</em>",
                "<p>",
                "</p>",
                "<script>s</script>",
                "<br>",
                "<math>m</math>",
                "<pre>",
                "&nbsp;",
                "<iframe src='//youtube.com/embed/x'>",
                "<hr>",
            ]
        ),
        max_size=12,
    ).map("".join)
)
def test_the_paragraphs_are_already_sanitized(text: str) -> None:
    once = html_to_html(text)
    assert sanitize_html(once) == once
    assert "<p></p>" not in once
