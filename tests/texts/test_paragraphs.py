from __future__ import annotations

from ficarchive.texts.paragraphs import format_body, html_to_html, split_paragraphs, text_to_html


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
