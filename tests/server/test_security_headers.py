"""Security headers: a Content-Security-Policy that lets only the archive's own script files
run, on every page; Strict-Transport-Security when the archive is served over HTTPS; and pages
that need nothing the policy forbids (no inline script, event handler or style)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from ficarchive.community.comment_queries import INDENT_MAX
from tests.cast import make_user, make_work

pytestmark = pytest.mark.django_db

PACKAGE = Path(__file__).resolve().parents[2] / "ficarchive"
REQUIRED = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'self'",
    "frame-ancestors": "'none'",
    "form-action": "'self'",
}
# Downloads are files a reader keeps, not pages of the site: the HTML one carries its stylesheet.
DOWNLOAD_TEMPLATES = {"afterword.html", "chapter.html", "cover.html", "preface.html", "work.html"}


def _directives(policy: str) -> dict[str, str]:
    parts = (part.strip().split(None, 1) for part in policy.split(";") if part.strip())
    return {part[0]: part[1] if len(part) > 1 else "" for part in parts}


def _pages() -> dict[str, str]:
    work = make_work(make_user("author"), chapters=2)
    return {
        "home": reverse("home"),
        "work": work.get_absolute_url(),
        "works list": reverse("search:works"),
        "log in": reverse("accounts:login"),
        "search": reverse("search:search"),
        "missing page": "/no/such/page",
        "admin log-in": reverse("admin:login"),
    }


def test_every_page_carries_the_content_security_policy(client: Client) -> None:
    for name, url in _pages().items():
        for attempt in ("first", "cached"):  # the second may come from the page cache
            response = client.get(url)
            policy = _directives(response.headers.get("Content-Security-Policy", ""))
            for directive, value in REQUIRED.items():
                assert policy.get(directive) == value, f"{name} ({attempt}): {directive}"
            assert "'unsafe-inline'" not in response.headers["Content-Security-Policy"]


def test_signed_in_pages_and_the_admin_carry_it_too(client: Client) -> None:
    moderator = make_user("moderator")
    moderator.is_moderator = True
    moderator.save(update_fields=["is_moderator"])
    client.force_login(moderator)
    work = make_work(make_user("author"))
    for url in (
        reverse("works:new"),
        reverse("admin:index"),
        f"/admin/works/work/{work.pk}/change/",
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        assert "script-src 'self'" in response.headers["Content-Security-Policy"], url


def test_no_hsts_when_not_served_over_https(client: Client) -> None:
    # The test settings are a plain-HTTP archive: neither SECURE_COOKIES nor BEHIND_HTTPS_PROXY.
    response = client.get(reverse("home"))
    assert "Strict-Transport-Security" not in response.headers


def test_hsts_on_every_response_when_served_over_https(client: Client, settings: Any) -> None:
    settings.SECURE_HSTS_SECONDS = 31_536_000
    for url in (reverse("home"), "/no/such/page"):
        response = client.get(url)
        assert response.headers["Strict-Transport-Security"] == "max-age=31536000"


def _setting(tmp_path: Path, name: str, **environment: str) -> str:
    """A setting as settings.py works it out from these environment variables."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"SECURE_COOKIES", "BEHIND_HTTPS_PROXY", "EMBED_HOSTS"}
    }
    env.update(environment, FICARCHIVE_DATA=str(tmp_path))
    code = f"import ficarchive.settings as s; print(s.{name})"
    result = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    return result.stdout.strip()


def _hsts_seconds(tmp_path: Path, **environment: str) -> int:
    return int(_setting(tmp_path, "SECURE_HSTS_SECONDS", **environment))


def test_https_settings_turn_hsts_on(tmp_path: Path) -> None:
    assert _hsts_seconds(tmp_path) == 0
    assert _hsts_seconds(tmp_path, SECURE_COOKIES="true") >= 180 * 24 * 3600
    assert _hsts_seconds(tmp_path, BEHIND_HTTPS_PROXY="true") >= 180 * 24 * 3600


def test_works_may_frame_the_embed_hosts_players_and_play_https_media(tmp_path: Path) -> None:
    default = _directives(_setting(tmp_path, "CONTENT_SECURITY_POLICY"))
    assert default["media-src"] == "'self' https:"
    assert "https://www.youtube.com/" in default["frame-src"].split()
    assert "https://archive.org/embed/" in default["frame-src"].split()
    chosen = _setting(tmp_path, "CONTENT_SECURITY_POLICY", EMBED_HOSTS="videos.example.org")
    assert _directives(chosen)["frame-src"] == (
        "https://videos.example.org/ https://www.videos.example.org/"
    )
    assert "youtube" not in chosen


# -- what the policy forbids, nowhere in the templates

_TAG = re.compile(r"<[a-zA-Z][^>]*>", re.DOTALL)
_HANDLER = re.compile(r"\son[a-z]+\s*=", re.IGNORECASE)
_STYLE_ATTRIBUTE = re.compile(r"\sstyle\s*=", re.IGNORECASE)
_INLINE_SCRIPT = re.compile(r"<script\b(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)


def _page_templates() -> list[Path]:
    return sorted(
        path
        for path in PACKAGE.rglob("templates/**/*.html")
        if not (path.parent.name == "exports" and path.name in DOWNLOAD_TEMPLATES)
    )


def test_no_template_has_an_inline_script_handler_or_style() -> None:
    templates = _page_templates()
    assert len(templates) > 40  # the scan does see them
    wrong: list[str] = []
    for path in templates:
        source = path.read_text()
        where = path.relative_to(PACKAGE)
        if _INLINE_SCRIPT.search(source):
            wrong.append(f"{where}: an inline <script>")
        if re.search(r"<style\b", source, re.IGNORECASE):
            wrong.append(f"{where}: a <style> element")
        if "javascript:" in source.lower():
            wrong.append(f"{where}: a javascript: URL")
        for tag in _TAG.findall(source):
            if _HANDLER.search(tag):
                wrong.append(f"{where}: an event handler in {tag[:60]}")
            if _STYLE_ATTRIBUTE.search(tag):
                wrong.append(f"{where}: a style attribute in {tag[:60]}")
    assert not wrong


def test_the_stylesheet_indents_replies_as_deep_as_the_comments_go() -> None:
    # Replies indent by class (`indent-N`), not by a style attribute the policy would block.
    css = (PACKAGE / "static" / "ficarchive" / "site.css").read_text()
    for depth in range(1, INDENT_MAX + 1):
        assert f"li.comment.indent-{depth} " in css
