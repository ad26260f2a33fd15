"""Our EPUBs pass EPUBCheck with no errors and no warnings."""

from __future__ import annotations

from pathlib import Path

import pytest

from ficarchive.exports.epub import render_epub
from ficarchive.texts.sanitize import ALLOWED_TAGS
from tests.cast import make_user, make_work
from tests.validators import epubcheck

pytestmark = pytest.mark.django_db

FIXTURES = Path(__file__).parent.parent / "fixtures"


def _check(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "work.epub"
    path.write_bytes(data)
    assert epubcheck(path) == ""


def test_the_founding_story_is_a_valid_epub(tmp_path: Path) -> None:
    from ficarchive.texts.formats import parse_file
    from ficarchive.works.imports import store_parsed

    parsed = parse_file(FIXTURES / "everything-back-but-you.txt")
    work = store_parsed(
        parsed, [make_user("author").pseuds.get()], post=True, fandom="Original Work"
    )
    _check(tmp_path, render_epub(work))


def test_every_allowed_element_and_many_chapters_stay_valid(tmp_path: Path) -> None:
    body = (
        '<p align="center"><em>a</em> <strong>b</strong> <s>c</s> <u>d</u> <big>e</big> '
        '<small>f</small> <sub>g</sub> <sup>h</sup> <tt>i</tt> <abbr title="x">j</abbr> '
        '<acronym title="y">k</acronym> <cite>l</cite> <code>m</code> <del>n</del> <ins>o</ins> '
        '<dfn>p</dfn> <kbd>q</kbd> <q cite="r">r</q> <samp>s</samp> <var>t</var> <strike>u</strike>'
        " <span>v</span> <b>w</b> <i>x</i><br>y</p>"
        '<address>addr</address><blockquote cite="z"><p>quote</p></blockquote><center>c</center>'
        "<div><h1>1</h1><h2>2</h2><h3>3</h3><h4>4</h4><h5>5</h5><h6>6</h6></div><hr>"
        '<dl><dt>t</dt><dd>d</dd></dl><ol start="2" type="a"><li>o</li></ol><ul type="disc">'
        "<li>u</li></ul><pre>pre\n  formatted</pre>"
        '<table border="1" summary="s" width="50%"><caption>cap</caption><colgroup span="1">'
        '<col span="1" width="10"></colgroup><thead><tr><th abbr="h" colspan="1">h</th></tr>'
        '</thead><tbody><tr><td rowspan="1" axis="a">d</td></tr></tbody><tfoot><tr><td>f</td>'
        '</tr></tfoot></table><p><a href="https://example.org/">link</a> <a name="anchor">n</a>'
        '<img src="https://example.org/a.png" alt="a" width="10" height="10" border="0"></p>'
        '<p lang="ja"><ruby>漢<rp>(</rp><rt>かん</rt><rp>)</rp></ruby></p>'
        "<details open><summary>More</summary><p>Hidden.</p></details>"
        '<figure><img src="https://example.org/b.png" alt="b"><figcaption>Fig.</figcaption>'
        '</figure><hr width="50%"><table><tr><td height="20">h</td></tr></table>'
        '<iframe src="https://www.youtube.com/embed/abc" title="A fanvid"></iframe>'
        '<audio controls src="https://example.org/podfic.mp3"></audio>'
        '<video controls><source src="https://example.org/vid.mp4" type="video/mp4"></video>'
    )
    for tag in ALLOWED_TAGS:
        assert f"<{tag}" in body, tag
    work = make_work(
        make_user("author"),
        title="Thirty Chapters",
        chapters=30,
        body=body,
        fandoms=["Gilmore Girls", "Pride and Prejudice"],
        relationships=["Rory Gilmore/Jess Mariano", "Elizabeth Bennet & Jane Bennet"],
        characters=["Rory Gilmore", "Jess Mariano", "Elizabeth Bennet"],
        freeforms=[f"Tag {n}" for n in range(25)],
        summary="A <em>long</em> one.",
        notes="Notes.",
        end_notes="End notes.",
        new_series_title="The Long Series",
        text_format="html",
    )
    for chapter in work.chapters.all():
        chapter.notes, chapter.end_notes = "<p>Chapter notes.</p>", "<p>End.</p>"
        chapter.save()
    _check(tmp_path, render_epub(work))


@pytest.mark.parametrize(
    ("language", "title", "body"),
    [
        ("ja", "帰り道", "彼女は駅の前で待っていた。\n\n雨が降っていた。"),
        ("ar", "الطريق إلى البيت", "كانت تنتظر أمام المحطة.\n\nكان المطر يهطل."),  # noqa: RUF001
    ],
)
def test_japanese_and_right_to_left_works_are_valid(
    tmp_path: Path, language: str, title: str, body: str
) -> None:
    work = make_work(make_user("author"), title=title, body=body, language=language)
    data = render_epub(work)
    _check(tmp_path, data)
    if language == "ar":
        import zipfile
        from io import BytesIO

        package = zipfile.ZipFile(BytesIO(data)).read("OEBPS/content.opf").decode()
        assert 'page-progression-direction="rtl"' in package


def test_embedded_players_become_links_to_their_media() -> None:
    from ficarchive.exports.epub import to_xhtml

    xhtml = to_xhtml(
        '<p>Listen:</p><iframe src="https://w.soundcloud.com/player/?url=x" title="Podfic">'
        '</iframe> after<video controls><source src="https://example.org/v.mp4"></video>'
        '<audio src="/local.mp3"></audio>'
    )
    assert '<a href="https://w.soundcloud.com/player/?url=x">[Podfic]</a> after' in xhtml
    assert '<a href="https://example.org/v.mp4">[video]</a>' in xhtml
    assert "<span>[audio]</span>" in xhtml
    assert "<iframe" not in xhtml
    assert "<source" not in xhtml
