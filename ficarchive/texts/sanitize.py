"""The one HTML sanitizer: every piece of user HTML passes through one of its three allow-lists
before storage, each the one otwarchive (the Archive of Our Own) applies to the same field, so a
work that renders on AO3 renders here:

- `sanitize_html`, chapter text: AO3's whole allow-list, `class` attributes and media embeds;
- `sanitize_notes_html`, work and chapter notes: `class` attributes, no media embeds;
- `sanitize_basic_html`, everything else (summaries, comments, bookmark notes, series and pseud
  descriptions): neither, so no one can style a comment to look like the site's own notices.

All three keep the same elements and attributes (otwarchive's `Sanitize::Config::ARCHIVE`), with
links limited to http(s)/ftp/mailto and relative URLs, images to http(s) and relative URLs. A
`class` keeps only names made of ASCII letters, digits, hyphens and underscores that start with a
letter (AO3's user class rule). Media embeds are an `<iframe>` whose address is on the host list
(the `EMBED_HOSTS` setting: YouTube, Vimeo, archive.org, SoundCloud, Spotify, Bilibili … by
default), rewritten to https, and `<audio>`/`<video>` with `<source>`/`<track>` from https
addresses, which always show their controls. No script, style, event handler or `javascript:` URL
survives; every link gets rel="nofollow". Elements whose content is code or markup rather than
text (`script`, `style`, `math`, `svg`, `noscript`, …) go with their content, so no stray text
is left behind.

Sanitizing is idempotent: `sanitize_html(sanitize_html(x)) == sanitize_html(x)`. The model fields
that store HTML (`ficarchive.texts.fields.SanitizedHTMLField`) sanitize on every write, so stored
HTML must not drift a little further on each save. One pass of the cleaner is not always a fixed
point: markup the allow-list unwraps can leave a block inside a <p> that the next parse closes,
and the HTML serializer drops the newline a <pre> starts with. So the cleaner runs until its
output stops changing (one pass for HTML that is already clean, two or three otherwise).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cache
from urllib.parse import urlsplit, urlunsplit

import nh3
from django.conf import settings

ALLOWED_TAGS: frozenset[str] = frozenset(
    """
    a abbr acronym address b big blockquote br caption center cite code col colgroup
    dd del details dfn div dl dt em figcaption figure h1 h2 h3 h4 h5 h6 hr i img ins kbd
    li ol p pre q rp rt ruby s samp small span strike strong sub summary sup
    table tbody td tfoot th thead tr tt u ul var
    """.split()
)
MEDIA_TAGS: frozenset[str] = frozenset({"iframe", "audio", "video", "source", "track"})

_COMMON = {"align", "title", "dir", "lang"}
ALLOWED_ATTRIBUTES: dict[str, set[str]] = {
    "*": _COMMON,
    "a": {"href", "name"},
    "blockquote": {"cite"},
    "col": {"span", "width"},
    "colgroup": {"span", "width"},
    "details": {"open"},
    "hr": {"width"},
    "img": {"alt", "border", "height", "src", "width"},
    "ol": {"start", "type"},
    "q": {"cite"},
    "table": {"border", "summary", "width"},
    "td": {"abbr", "axis", "colspan", "height", "rowspan", "width"},
    "th": {"abbr", "axis", "colspan", "height", "rowspan", "scope", "width"},
    "ul": {"type"},
}
MEDIA_ATTRIBUTES: dict[str, set[str]] = {
    "iframe": {"src", "width", "height", "allowfullscreen", "frameborder", "title"},
    "audio": {"src", "loop", "muted"},
    "video": {"src", "loop", "muted", "poster", "width", "height"},
    "source": {"src", "type"},
    "track": {"src", "kind", "label", "srclang", "default"},
}
# What AO3 sets on every player: its controls always show (no hidden autoplaying sound), it
# loads only its length until asked to play. The embedded page gets the archive's origin as
# referrer, which video hosts require of an embed (the site's own policy sends none).
MEDIA_SET_ATTRIBUTES: dict[str, dict[str, str]] = {
    "audio": {"controls": "controls", "crossorigin": "anonymous", "preload": "metadata"},
    "video": {
        "controls": "controls",
        "crossorigin": "anonymous",
        "preload": "metadata",
        "playsinline": "playsinline",
    },
    "iframe": {"referrerpolicy": "strict-origin-when-cross-origin"},
}
URL_SCHEMES: frozenset[str] = frozenset({"http", "https", "ftp", "mailto"})
# Removed with everything inside them: their content is code or markup, never the story's text.
DROPPED_WITH_CONTENT: frozenset[str] = frozenset(
    """
    script style template object embed iframe math svg noscript noembed noframes plaintext xmp
    """.split()
)

# otwarchive's embed allow-list (lib/otw_sanitize/embed_sanitizer.rb): a host, or a host and the
# path an address must start with. `www.` in front of a host is allowed too, as on AO3.
DEFAULT_EMBED_HOSTS: tuple[str, ...] = (
    "youtube.com",
    "youtube-nocookie.com",
    "vimeo.com",
    "player.vimeo.com",
    "archive.org/embed/",
    "soundcloud.com",
    "w.soundcloud.com",
    "spotify.com",
    "open.spotify.com",
    "bilibili.com",
    "player.bilibili.com",
    "criticalcommons.org",
    "8tracks.com",
    "google.com",
    "podfic.com",
    "vidders.net",
    "viddertube.com",
)

_SAFE_CLASS = re.compile(r"[A-Za-z][A-Za-z0-9_-]*")
# The HTML parser drops the first newline after <pre>, and the serializer does not write it back
# (as the HTML spec says it should), so a <pre> that starts with a blank line lost one per pass.
_PRE_START = re.compile(r"(<pre\b[^>]*>)\n")
# Outside an iframe, the cleaner's output escapes every `<` of text or of an attribute value, so
# these match real start tags only; a src the tag kept passed `_filter_attribute`.
_IFRAME_START = re.compile(r"<iframe\b[^>]*>")
_PLAYER_TAG = re.compile(r"<(audio|video|iframe)\b([^>]*)>")
# One attribute of a start tag the cleaner wrote: its values are always double-quoted.
_ATTRIBUTE = re.compile(r'\s([^\s=]+)(?:="[^"]*")?')
# Every pass seen converges in at most three; the bound only keeps a pathological input cheap.
_MAX_PASSES = 6


@dataclass(frozen=True)
class Policy:
    """What one kind of field allows beyond the common allow-list."""

    classes: bool
    media: bool

    def within(self, other: Policy) -> bool:
        """Whether HTML clean under this policy is clean under `other` too."""
        return (other.classes or not self.classes) and (other.media or not self.media)


CHAPTER_TEXT = Policy(classes=True, media=True)
NOTES = Policy(classes=True, media=False)
BASIC = Policy(classes=False, media=False)


def sanitize_html(html: str) -> str:
    """Chapter text: AO3's whole allow-list, with `class` attributes and media embeds.

    Idempotent: the result is a fixed point of the cleaner (see the module docstring).
    """
    return _sanitize(html, CHAPTER_TEXT)


def sanitize_notes_html(html: str) -> str:
    """Work and chapter notes: the allow-list with `class` attributes, without media embeds."""
    return _sanitize(html, NOTES)


def sanitize_basic_html(html: str) -> str:
    """Summaries, comments, bookmark notes, descriptions: no `class`, no media embeds."""
    return _sanitize(html, BASIC)


POLICIES: dict[Callable[[str], str], Policy] = {
    sanitize_html: CHAPTER_TEXT,
    sanitize_notes_html: NOTES,
    sanitize_basic_html: BASIC,
}


def allows_no_more(narrower: Callable[[str], str], wider: Callable[[str], str]) -> bool:
    """Whether what `narrower` keeps, `wider` keeps as it is (so a column may be copied)."""
    if narrower is wider:
        return True
    if narrower not in POLICIES or wider not in POLICIES:
        return False
    return POLICIES[narrower].within(POLICIES[wider])


def strip_tags(html: str) -> str:
    """The text of a fragment of HTML, with no markup at all."""
    return nh3.clean(html, tags=set(), strip_comments=True)


def embed_hosts() -> tuple[str, ...]:
    """The `EMBED_HOSTS` setting, or the default list outside a configured Django."""
    if settings.configured:
        return tuple(getattr(settings, "EMBED_HOSTS", DEFAULT_EMBED_HOSTS))
    return DEFAULT_EMBED_HOSTS


def frame_sources(hosts: Iterable[str]) -> str:
    """The Content-Security-Policy `frame-src` sources that let the embeds of these hosts load."""
    sources = [
        f"https://{prefix}{host}{path}"
        for host, path in _host_rules(tuple(hosts))
        for prefix in ("", "www.")
    ]
    return " ".join(sources) or "'none'"


def embed_src(src: str, hosts: Iterable[str]) -> str | None:
    """The https address of an embed from one of these hosts; None for any other address."""
    try:
        parts = urlsplit(src.strip())
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https", "") or "\\" in src:
        return None
    if "@" in parts.netloc or parts.port is not None or not parts.hostname:
        return None
    host = parts.hostname.rstrip(".")
    path = parts.path or "/"
    segments = path.lower().replace("%2e", ".").split("/")
    if "." in segments or ".." in segments:
        return None
    for allowed, prefix in _host_rules(tuple(hosts)):
        if host in (allowed, f"www.{allowed}") and path.startswith(prefix):
            return urlunsplit(("https", host, path, parts.query, parts.fragment))
    return None


@cache
def _host_rules(hosts: tuple[str, ...]) -> tuple[tuple[str, str], ...]:
    rules = []
    for entry in hosts:
        entry = re.sub(r"^(?:https?:)?//", "", entry.strip().lower())
        host, _, path = entry.partition("/")
        if host:
            rules.append((host.removeprefix("www."), "/" + path))
    return tuple(rules)


def _https_only(url: str) -> str | None:
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return None
    return url if parts.scheme.lower() == "https" and parts.hostname else None


def _filter_attribute(tag: str, name: str, value: str) -> str | None:
    # Called by the cleaner for every attribute it keeps, after its URL scheme check.
    if name == "class":
        return " ".join(word for word in value.split() if _SAFE_CLASS.fullmatch(word)) or None
    forced = MEDIA_SET_ATTRIBUTES.get(tag, {}).get(name)
    if forced is not None:
        return forced
    if tag == "iframe" and name == "src":
        return embed_src(value, embed_hosts())
    if tag in MEDIA_TAGS and name in ("src", "poster"):
        return _https_only(value)
    return value


@cache
def _cleaner(policy: Policy) -> nh3.Cleaner:
    tags = set(ALLOWED_TAGS)
    attributes = {tag: set(names) for tag, names in ALLOWED_ATTRIBUTES.items()}
    dropped = set(DROPPED_WITH_CONTENT)
    if policy.classes:
        attributes["*"].add("class")
    if policy.media:
        tags |= MEDIA_TAGS
        for tag, names in MEDIA_ATTRIBUTES.items():
            attributes[tag] = names | set(MEDIA_SET_ATTRIBUTES.get(tag, ()))
        dropped.discard("iframe")
    return nh3.Cleaner(
        tags=tags,
        attributes=attributes,
        attribute_filter=_filter_attribute,
        url_schemes=set(URL_SCHEMES),
        link_rel="nofollow",
        strip_comments=True,
        clean_content_tags=dropped,
    )


def _keep_allowed_iframes(html: str) -> str:
    """Each iframe emptied, and removed when its src did not pass `embed_src`."""
    out: list[str] = []
    position = 0
    while start := _IFRAME_START.search(html, position):
        out.append(html[position : start.start()])
        # What an iframe holds is raw text, written as it came, up to its first end tag.
        end = html.find("</iframe>", start.end())
        position = len(html) if end < 0 else end + len("</iframe>")
        if ' src="' in start.group(0):
            out.append(start.group(0) + "</iframe>")
    out.append(html[position:])
    return "".join(out)


def _set_player_attributes(html: str) -> str:
    """Each player given the attributes AO3 sets, those it lacks added in a fixed order (the
    cleaner's own way of adding them orders them differently in each process)."""

    def complete(match: re.Match[str]) -> str:
        tag, attributes = match.groups()
        present = set(_ATTRIBUTE.findall(attributes))
        missing = "".join(
            f' {name}="{value}"'
            for name, value in MEDIA_SET_ATTRIBUTES[tag].items()
            if name not in present
        )
        return f"<{tag}{attributes}{missing}>"

    return _PLAYER_TAG.sub(complete, html)


def _clean_once(html: str, policy: Policy) -> str:
    clean = _cleaner(policy).clean(html)
    if policy.media:
        if "<iframe" in clean:
            clean = _keep_allowed_iframes(clean)
        clean = _set_player_attributes(clean)
    return _PRE_START.sub("\\1\n\n", clean).strip()


def _sanitize(html: str, policy: Policy) -> str:
    if not html:
        return ""
    current = html
    for _ in range(_MAX_PASSES):
        clean = _clean_once(current, policy)
        if clean == current:
            break
        current = clean
    return current
