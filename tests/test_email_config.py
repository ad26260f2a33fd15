from __future__ import annotations

import pytest

from ficarchive.config import ConfigError, email_from_url


def test_no_email_url_prints_emails_to_the_console() -> None:
    assert email_from_url("")[0] == "django.core.mail.backends.console.EmailBackend"


def test_an_smtp_url_gives_host_port_and_credentials() -> None:
    backend, host, port, user, password, tls = email_from_url(
        "smtp://fics%40x.org:s3cret@mail.x.org:587"
    )
    assert backend.endswith("smtp.EmailBackend")
    assert (host, port, user, password, tls) == ("mail.x.org", 587, "fics@x.org", "s3cret", True)


def test_a_bad_email_url_names_the_variable() -> None:
    with pytest.raises(ConfigError, match="EMAIL_URL"):
        email_from_url("mail.x.org")
