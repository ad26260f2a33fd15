"""Site skins: how the archive looks to one reader (AO3's site skins, a small built-in set).

A skin is four choices: the skin itself (default, dark, high contrast, low vision), light or
dark or the device's own setting, a text size and a line width. `base.html` writes them as
`data-` attributes on `<html>` and `site.css` reads them (custom properties, no inline style:
the Content-Security-Policy allows none). Logged-in readers keep them in their account,
logged-out readers in the `skin` cookie; the logged-out page cache keys its copies by that
cookie (`ficarchive.server.page_cache`), so one reader's skin never reaches another.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

from django.http import HttpRequest, HttpResponse

# Each choice: the value stored (and written into the page), and what the reader reads.
SKINS = [
    ("default", "Default"),
    ("dark", "Dark"),
    ("contrast", "High contrast"),
    ("lowvision", "Low vision (large text)"),
]
SCHEMES = [("system", "Follow my device"), ("light", "Light"), ("dark", "Dark")]
TEXT_SIZES = [
    ("90", "Smaller (90%)"),
    ("100", "Normal (100%)"),
    ("115", "Larger (115%)"),
    ("130", "Large (130%)"),
    ("150", "Largest (150%)"),
]
LINE_WIDTHS = [
    ("narrow", "Narrow (about 55 letters)"),
    ("medium", "Medium (about 70 letters)"),
    ("wide", "Wide (about 90 letters)"),
    ("full", "The whole window"),
]
COOKIE = "skin"
COOKIE_SECONDS = 365 * 24 * 3600


@dataclass(frozen=True)
class Skin:
    """One reader's choices; the defaults are the archive's own look."""

    skin: str = "default"
    scheme: str = "system"
    size: str = "100"
    width: str = "medium"

    @classmethod
    def from_cookie(cls, value: str) -> Skin:
        """The skin a cookie names (`dark.system.115.wide`); a part that is not a choice here
        (an old or forged cookie) is the default's, so a page has at most one copy per skin."""
        parts = value.split(".")
        chosen = {}
        for field, part in zip(fields(cls), parts, strict=False):
            if part in dict(CHOICES[field.name]):
                chosen[field.name] = part
        return cls(**chosen)

    def cookie_value(self) -> str:
        return ".".join([self.skin, self.scheme, self.size, self.width])

    @property
    def color_scheme(self) -> str:
        """The page's `color-scheme` meta: what the browser paints before the style sheet."""
        if self.skin == "dark" or self.scheme == "dark":
            return "dark"
        return "light" if self.scheme == "light" else "light dark"

    def describe(self) -> str:
        """The skin in words, for the message after a change."""
        return ", ".join(
            dict(CHOICES[field.name])[getattr(self, field.name)] for field in fields(self)
        )


# The choices of each field of `Skin`, by its name (the form and the user's fields use these).
CHOICES = {"skin": SKINS, "scheme": SCHEMES, "size": TEXT_SIZES, "width": LINE_WIDTHS}
DEFAULT = Skin()


def skin_of(request: HttpRequest) -> Skin:
    """The reader's skin: their account's when logged in, else their cookie's."""
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return Skin(
            skin=user.skin, scheme=user.color_scheme, size=user.text_size, width=user.line_width
        )
    return Skin.from_cookie(request.COOKIES.get(COOKIE, ""))


def remember_in_cookie(response: HttpResponse, skin: Skin) -> None:
    """Keep a logged-out reader's skin for a year; the default needs no cookie (and a reader
    without one shares the cached pages of everyone else)."""
    if skin == DEFAULT:
        response.delete_cookie(COOKIE, samesite="Lax")
    else:
        response.set_cookie(
            COOKIE, skin.cookie_value(), max_age=COOKIE_SECONDS, samesite="Lax", httponly=True
        )
