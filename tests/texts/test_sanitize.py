from __future__ import annotations

import html as html_module
import re
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from ficarchive.texts.sanitize import (
    DEFAULT_EMBED_HOSTS,
    allows_no_more,
    embed_src,
    frame_sources,
    sanitize_basic_html,
    sanitize_html,
    sanitize_notes_html,
)

SANITIZERS = [sanitize_html, sanitize_notes_html, sanitize_basic_html]

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


# Fragments that stress the HTML parser: tags the allow-list unwraps around blocks, tables that
# move their content, raw-text elements, a <pre> that starts with blank lines.
_PIECES = [
    *"p div pre table tr td li dl dt dd em a span svg math select option form noscript".split(),
    *"textarea title style script template iframe blockquote h1 center font plaintext".split(),
    *"ruby rt rp details summary figure figcaption audio video source track xmp noembed".split(),
]
_TEXTS = ["x", " ", "\n", "\n\n", "&amp;", "&lt;", "<", "&nbsp;", "\u00a0", '"', "<!-- c -->"]
_ATTRIBUTES = [
    *["", ' href="javascript:x"', ' href="https://a/b?c&d"', ' onclick="x"', " align=c"],
    *[' class="a 1b c-d"', " lang=ja", " open", ' src="http://youtube.com/embed/x"'],
    *[' src="https://evil.example/x"', ' src="//player.vimeo.com/v"', ' title="<iframe src=x>"'],
]


def _fragments() -> st.SearchStrategy[str]:
    def element(inner: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
        return st.builds(
            lambda tag, attribute, content, closed: (
                f"<{tag}{attribute}>{content}" + (f"</{tag}>" if closed else "")
            ),
            st.sampled_from(_PIECES),
            st.sampled_from(_ATTRIBUTES),
            inner,
            st.booleans(),
        )

    return st.recursive(
        st.sampled_from(_TEXTS),
        lambda inner: st.one_of(element(inner), st.lists(inner, max_size=4).map("".join)),
        max_leaves=25,
    )


@hypothesis_settings(max_examples=400, deadline=None)
@given(html=_fragments(), sanitize=st.sampled_from(SANITIZERS))
def test_sanitizing_twice_changes_nothing(html: str, sanitize: Callable[[str], str]) -> None:
    # Stored HTML is sanitized again on every save; it must not drift.
    once = sanitize(html)
    assert sanitize(once) == once


@hypothesis_settings(max_examples=300, deadline=None)
@given(html=_fragments())
def test_every_iframe_left_is_an_empty_allowed_embed(html: str) -> None:
    clean = sanitize_html(html)
    for tag, src, content in re.findall(r'<iframe( src="([^"]*)")?[^>]*>(.*?)</iframe>', clean):
        assert tag
        assert content == ""
        address = html_module.unescape(src)
        assert address.startswith("https://")
        assert embed_src(address, DEFAULT_EMBED_HOSTS) == address
    assert clean.count("<iframe") == clean.count("</iframe>")


@pytest.mark.parametrize(
    "html",
    [
        "<pre>\n\nA blank line first</pre>",
        # Dropping <select>, <button> or <form> leaves a <p> in a <p>, an <li> in an <li>,
        # which the next parse closes.
        "<p>x<select>y<p>z</p></select></p>",
        "<p>x<button>y<p>z</p></button></p>",
        "<li>x<form>y<li>z</li></form></li>",
        "<a>x<table>y<a>z</a></table></a>",
    ],
)
def test_html_one_pass_of_the_cleaner_would_change_again_is_stable(html: str) -> None:
    once = sanitize_html(html)
    assert sanitize_html(once) == once


def test_a_pre_keeps_the_blank_line_it_starts_with() -> None:
    assert sanitize_html("<pre>\n\nA</pre>") == "<pre>\n\nA</pre>"


# AO3's allow-list, element by element and attribute by attribute: kept in every field.
KEPT = [
    '<ruby lang="ja">漢<rp>(</rp><rt>kan</rt><rp>)</rp>字</ruby>',
    '<details open=""><summary>Content notes</summary><p>Spoilers.</p></details>',
    "<details><summary>Closed</summary>x</details>",
    '<figure><img src="https://example.org/a.png" alt="a"><figcaption>A map</figcaption></figure>',
    '<p lang="fr">Bonjour</p><span lang="ja" dir="rtl">x</span>',
    '<hr width="50%">',
    '<hr align="center">',
    '<table><tbody><tr><td height="30">a</td><th height="40">b</th></tr></tbody></table>',
]


@pytest.mark.parametrize("html", KEPT)
@pytest.mark.parametrize("sanitize", SANITIZERS, ids=lambda f: f.__name__)
def test_what_ao3_allows_is_kept_in_every_field(html: str, sanitize: Callable[[str], str]) -> None:
    assert sanitize(html) == html


@pytest.mark.parametrize(
    ("html", "clean"),
    [
        ('<details open ontoggle="alert(1)">x</details>', '<details open="">x</details>'),
        ('<summary onclick="x" style="color:red">s</summary>', "<summary>s</summary>"),
        ('<figure id="f" style="float:left">x</figure>', "<figure>x</figure>"),
        ('<ruby class="x"><rb>漢</rb><rtc>kan</rtc></ruby>', "<ruby>漢kan</ruby>"),
        ('<hr size="3" noshade>', "<hr>"),
        ('<td height="3" bgcolor="red" valign="top">a</td>', "a"),
        (
            '<table><tr><td bgcolor="red" valign="top">a</td></tr></table>',
            ("<table><tbody><tr><td>a</td></tr></tbody></table>"),
        ),
        ('<p xml:lang="fr" style="x">Bonjour</p>', "<p>Bonjour</p>"),
    ],
)
def test_attributes_and_elements_ao3_does_not_allow_go(html: str, clean: str) -> None:
    assert sanitize_basic_html(html) == clean


@pytest.mark.parametrize(
    ("tag", "inner"),
    [
        *[(tag, "hidden <b>text</b>") for tag in "script style template object iframe".split()],
        *[(tag, "hidden <b>text</b>") for tag in "noscript noembed noframes xmp".split()],
        ("math", "<mi>x</mi><mo>=</mo><mn>2</mn>"),
        ("svg", '<text x="1">hidden</text><style>p{}</style><title>t</title>'),
    ],
)
@pytest.mark.parametrize("sanitize", SANITIZERS, ids=lambda f: f.__name__)
def test_code_and_markup_elements_go_with_their_text(
    tag: str, inner: str, sanitize: Callable[[str], str]
) -> None:
    assert sanitize(f"before <{tag}>{inner}</{tag}>after") == "before after"


def test_an_embed_element_goes() -> None:
    assert sanitize_html('<p>a<embed src="https://www.youtube.com/v/x" type="x">b</p>') == (
        "<p>ab</p>"
    )


def test_plaintext_takes_everything_after_it_away() -> None:
    assert sanitize_html("<p>before</p><plaintext>rest of <b>it</b>") == "<p>before</p>"


def test_the_text_inside_unknown_elements_stays() -> None:
    assert sanitize_html("<p><font color=red>kept</font> <blink>text</blink></p>") == (
        "<p>kept text</p>"
    )


# Classes: AO3's user class rule, and only where AO3 allows them.
@pytest.mark.parametrize(
    ("classes", "kept"),
    [
        ("a", "a"),
        ("f-5 snake_case Caps9", "f-5 snake_case Caps9"),
        ("1st -x _y a.b a:b é ok", "ok"),
        ("x\tnote  y", "x note y"),
    ],
)
@pytest.mark.parametrize("sanitize", [sanitize_html, sanitize_notes_html], ids=lambda f: f.__name__)
def test_notes_and_chapter_text_keep_only_safe_class_names(
    classes: str, kept: str, sanitize: Callable[[str], str]
) -> None:
    assert sanitize(f'<p class="{classes}">x</p>') == f'<p class="{kept}">x</p>'


def test_a_class_with_no_safe_name_goes() -> None:
    assert sanitize_notes_html('<p class="1a -b">x</p>') == "<p>x</p>"


def test_summaries_comments_and_descriptions_keep_no_class() -> None:
    assert sanitize_basic_html('<p class="warning">x</p><span class="a b">y</span>') == (
        "<p>x</p><span>y</span>"
    )


# Media embeds: chapter text only, from the host list, made https.
YOUTUBE = "https://www.youtube.com/embed/dQw4w9WgXcQ"
REFERRER = ' referrerpolicy="strict-origin-when-cross-origin"'


def _iframe(src: str, attributes: str = "") -> str:
    return f'<iframe src="{src}"{attributes}></iframe>'


@pytest.mark.parametrize(
    ("src", "kept"),
    [
        (YOUTUBE, YOUTUBE),
        ("http://www.youtube.com/embed/x?start=30", "https://www.youtube.com/embed/x?start=30"),
        ("//www.youtube-nocookie.com/embed/x", "https://www.youtube-nocookie.com/embed/x"),
        ("https://YouTube.com/embed/x", "https://youtube.com/embed/x"),
        ("https://player.vimeo.com/video/1", "https://player.vimeo.com/video/1"),
        ("https://archive.org/embed/podfic-1", "https://archive.org/embed/podfic-1"),
        ("https://w.soundcloud.com/player/?url=x", "https://w.soundcloud.com/player/?url=x"),
        ("https://open.spotify.com/embed/track/1", "https://open.spotify.com/embed/track/1"),
        (
            "https://player.bilibili.com/player.html?bvid=1",
            ("https://player.bilibili.com/player.html?bvid=1"),
        ),
    ],
)
def test_an_embed_from_an_allowed_host_is_kept_and_made_https(src: str, kept: str) -> None:
    assert sanitize_html(_iframe(src)) == _iframe(kept, REFERRER)


@pytest.mark.parametrize(
    "src",
    [
        "https://evil.example/embed",
        "https://youtube.com.evil.example/embed/x",
        "https://evil.example/youtube.com",
        "https://evil.example/?https://www.youtube.com/embed/x",
        "https://notyoutube.com/embed/x",
        "https://youtube.com@evil.example/embed/x",
        "https://evil.example\\@youtube.com/embed/x",
        "https://youtube.com:8443/embed/x",
        "https://archive.org/details/x",
        "https://archive.org/embed/../details/x",
        "javascript:alert(1)",
        "JaVaScRiPt://youtube.com/%0aalert(1)",
        "data:text/html,<script>alert(1)</script>",
        "ftp://youtube.com/embed/x",
        "/embed/x",
        "",
    ],
)
def test_an_embed_from_anywhere_else_is_removed(src: str) -> None:
    assert sanitize_html(f"<p>a{_iframe(src)}b</p>") == "<p>ab</p>"


def test_an_iframe_without_a_src_is_removed() -> None:
    assert sanitize_html('<p>a<iframe width="5" srcdoc="<b>x</b>">fallback</iframe>b</p>') == (
        "<p>ab</p>"
    )


def test_an_embed_keeps_only_its_safe_attributes_and_no_content() -> None:
    html = (
        f'<iframe src="{YOUTUBE}" width="560" height="315" allowfullscreen frameborder="0" '
        'title="Fanvid" onload="alert(1)" style="position:fixed" srcdoc="<script>x</script>" '
        'sandbox="allow-scripts" allow="camera" name="n" referrerpolicy="unsafe-url">'
        "<p>fallback</p><iframe src='https://evil.example'></iframe></iframe>after"
        f"<iframe src='{YOUTUBE}'></iframe><iframe src='https://evil.example'></iframe>"
    )
    assert sanitize_html(html) == (
        f'<iframe src="{YOUTUBE}" width="560" height="315" allowfullscreen="" frameborder="0" '
        f'title="Fanvid" referrerpolicy="strict-origin-when-cross-origin"></iframe>after'
        f"{_iframe(YOUTUBE, REFERRER)}"
    )


def test_an_iframe_tag_inside_an_attribute_is_only_text() -> None:
    html = f"<p title='{_iframe(YOUTUBE)}'>x</p>"
    assert sanitize_html(html) == (
        '<p title="&lt;iframe src=&quot;https://www.youtube.com/embed/dQw4w9WgXcQ&quot;&gt;'
        '&lt;/iframe&gt;">x</p>'
    )


@pytest.mark.parametrize("sanitize", [sanitize_notes_html, sanitize_basic_html])
def test_notes_and_summaries_take_no_embed(sanitize: Callable[[str], str]) -> None:
    html = f"<p>a{_iframe(YOUTUBE)}b</p><audio src='https://a.example/p.mp3'>Listen</audio>"
    assert sanitize(html) == "<p>ab</p>Listen"


def test_the_host_list_is_a_setting(settings: Any) -> None:
    settings.EMBED_HOSTS = ["videos.example.org", "media.example.net/embed/"]
    assert sanitize_html(_iframe("http://videos.example.org/v/1")) == (
        _iframe("https://videos.example.org/v/1", REFERRER)
    )
    assert sanitize_html(_iframe("https://www.videos.example.org/v/1")) != ""
    assert sanitize_html(_iframe("https://media.example.net/embed/2")) != ""
    assert sanitize_html(_iframe("https://media.example.net/other/2")) == ""
    assert sanitize_html(_iframe(YOUTUBE)) == ""


def test_no_embed_at_all_with_an_empty_host_list(settings: Any) -> None:
    settings.EMBED_HOSTS = []
    assert sanitize_html(_iframe(YOUTUBE)) == ""
    assert frame_sources([]) == "'none'"


def test_the_frame_sources_of_the_policy_follow_the_host_list() -> None:
    sources = frame_sources(DEFAULT_EMBED_HOSTS).split()
    for source in (
        "https://youtube.com/",
        "https://www.youtube.com/",
        "https://archive.org/embed/",
    ):
        assert source in sources
    assert all(source.startswith("https://") for source in sources)


AUDIO_SET = ' controls="controls" crossorigin="anonymous" preload="metadata"'
VIDEO_SET = AUDIO_SET + ' playsinline="playsinline"'


def test_audio_from_https_plays_with_its_controls_shown() -> None:
    html = (
        '<audio src="https://podfic.example/ch1.mp3" loop muted autoplay onplay="x">Listen</audio>'
    )
    assert sanitize_html(html) == (
        f'<audio src="https://podfic.example/ch1.mp3" loop="" muted=""{AUDIO_SET}>Listen</audio>'
    )


def test_video_with_sources_and_tracks_from_https_is_kept() -> None:
    html = (
        '<video poster="https://v.example/p.jpg" width="640" height="360" controls=false '
        'preload="auto" crossorigin="use-credentials">'
        '<source src="https://v.example/v.webm" type="video/webm" media="x">'
        '<track src="https://v.example/en.vtt" kind="subtitles" srclang="en" label="English" '
        "default>Fallback</video>"
    )
    assert sanitize_html(html) == (
        '<video poster="https://v.example/p.jpg" width="640" height="360" controls="controls" '
        'preload="metadata" crossorigin="anonymous" playsinline="playsinline">'
        '<source src="https://v.example/v.webm" type="video/webm">'
        '<track src="https://v.example/en.vtt" kind="subtitles" srclang="en" label="English" '
        'default="">Fallback</video>'
    )


@pytest.mark.parametrize(
    "src",
    [
        "http://podfic.example/ch1.mp3",
        "/media/ch1.mp3",
        "javascript:alert(1)",
        "data:audio/mp3;base64,AAAA",
        "https:///ch1.mp3",
    ],
)
def test_media_from_anything_but_https_loses_its_address(src: str) -> None:
    html = (
        f'<audio src="{src}"></audio><video src="{src}" poster="{src}"></video>'
        f'<video><source src="{src}"><track src="{src}"></video>'
    )
    assert sanitize_html(html) == (
        f"<audio{AUDIO_SET}></audio><video{VIDEO_SET}></video>"
        f"<video{VIDEO_SET}><source><track></video>"
    )


def test_a_column_may_be_copied_only_into_a_field_that_allows_as_much() -> None:
    assert allows_no_more(sanitize_basic_html, sanitize_notes_html)
    assert allows_no_more(sanitize_notes_html, sanitize_html)
    assert allows_no_more(sanitize_notes_html, sanitize_notes_html)
    assert not allows_no_more(sanitize_html, sanitize_notes_html)
    assert not allows_no_more(sanitize_notes_html, sanitize_basic_html)
    assert not allows_no_more(str.strip, sanitize_html)
