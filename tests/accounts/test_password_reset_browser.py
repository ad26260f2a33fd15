"""Forgot password end to end: the archive mails the link through a real SMTP server (aiosmtpd,
started here on a local port, reached through EMAIL_URL's settings), and a reader follows it in
Chromium, sets a new password and logs in with it."""

from __future__ import annotations

import email
import re
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.message import Message
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session
from playwright.sync_api import Page, expect

from ficarchive.config import email_from_url
from tests.cast import make_user
from tests.chromium import watch

NEW_PASSWORD = "lanterns over the gazebo"


@dataclass
class Mailbox:
    """What the SMTP server was handed: who to, and the messages."""

    recipients: list[list[str]] = field(default_factory=list)
    messages: list[Message] = field(default_factory=list)
    arrived: threading.Event = field(default_factory=threading.Event)

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        self.recipients.append(list(envelope.rcpt_tos))
        content = envelope.original_content or b""
        self.messages.append(email.message_from_bytes(content))
        self.arrived.set()
        return "250 Message accepted for delivery"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@pytest.fixture
def smtp_server(settings: Any) -> Iterator[Mailbox]:
    """A real SMTP server on a local port, and the archive's email settings pointing at it as
    `EMAIL_URL=smtp://127.0.0.1:PORT` makes them."""
    mailbox = Mailbox()
    port = _free_port()
    controller = Controller(mailbox, hostname="127.0.0.1", port=port)
    controller.start()
    (
        settings.EMAIL_BACKEND,
        settings.EMAIL_HOST,
        settings.EMAIL_PORT,
        settings.EMAIL_HOST_USER,
        settings.EMAIL_HOST_PASSWORD,
        settings.EMAIL_USE_TLS,
    ) = email_from_url(f"smtp://127.0.0.1:{port}")
    try:
        yield mailbox
    finally:
        controller.stop()


def _body(message: Message) -> str:
    payload = message.get_payload(decode=True)
    assert isinstance(payload, bytes)
    return payload.decode(message.get_content_charset() or "utf-8")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_reset_link_mailed_over_smtp_sets_a_password_to_log_in_with(
    live_server: Any, page: Page, smtp_server: Mailbox, settings: Any
) -> None:
    settings.SITE_URL = live_server.url
    problems: list[str] = []
    watch(page, problems)
    make_user("lorelai")

    page.goto(f"{live_server.url}/users/login")
    page.get_by_role("link", name="Forgot password?").click()
    expect(page.get_by_role("heading", name="Forgot your password?")).to_be_visible()
    page.get_by_label("Email", exact=True).fill("lorelai@example.org")
    page.get_by_role("button", name="Send reset link").click()
    expect(page.get_by_role("heading", name="Check your email")).to_be_visible()

    # The page returns after the mail was handed over, so it has arrived by now.
    assert smtp_server.arrived.wait(timeout=10)
    assert smtp_server.recipients == [["lorelai@example.org"]]
    (message,) = smtp_server.messages
    assert message["To"] == "lorelai@example.org"
    assert message["Subject"] == "Reset your ficarchive password"
    match = re.search(r"http://\S+", _body(message))
    assert match is not None
    link = match.group(0)
    assert link.startswith(f"{live_server.url}/account/password/reset/")

    page.goto(link)
    expect(page.get_by_role("heading", name="Set a new password")).to_be_visible()
    page.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("New password confirmation", exact=True).fill(NEW_PASSWORD)
    page.get_by_role("button", name="Set password").click()
    expect(page.get_by_text("Your password has been changed.")).to_be_visible()
    expect(page.get_by_role("heading", name="Log in")).to_be_visible()

    page.get_by_label("User name", exact=True).fill("lorelai")
    page.get_by_label("Password", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("Remember me", exact=True).check()
    page.get_by_role("button", name="Log in").click()
    site = page.get_by_role("navigation", name="Site")
    expect(site.get_by_role("link", name="Hi, lorelai!")).to_be_visible()
    (session,) = [c for c in page.context.cookies() if c["name"] == settings.SESSION_COOKIE_NAME]
    assert session["expires"] > 0  # remembered: a dated cookie, not one for this browser session

    assert problems == []

    # The link was for one use (its page is a 400, which Chromium logs).
    page.goto(link)
    expect(page.get_by_role("heading", name="This reset link does not work")).to_be_visible()
