"""Schemathesis hooks for the API's fuzz run (`tests/api/schemathesis_run.py`): every call is
logged for the counts, and a check fails any answer that names a work its caller may not see.

Loaded by schemathesis through `SCHEMATHESIS_HOOKS=tests.api.schemathesis_hooks`."""

from __future__ import annotations

import json
import os
from typing import Any

import schemathesis

# Titles of the works the run's archive hides: a draft (from everyone but its creator) and a
# restricted work (from callers without a token). Neither creator's token is used.
DRAFT_TITLE = "Canary Draft Title Kestrel"
RESTRICTED_TITLE = "Canary Restricted Title Heron"


def _run() -> str:
    """Which run this is: "token" (every call sends the reader's token, unless schemathesis
    changed it) or "anonymous"."""
    return os.environ.get("FICARCHIVE_FUZZ_RUN", "anonymous")


def leaked(response: Any) -> str | None:
    """The hidden title this answer shows, if any: the draft to anyone (its creator's token is
    not used), the restricted work in the run without a token."""
    text = response.content.decode("utf-8", "replace")  # downloads are bytes
    if DRAFT_TITLE in text:
        return DRAFT_TITLE
    if RESTRICTED_TITLE in text and _run() != "token":
        return RESTRICTED_TITLE
    return None


@schemathesis.check
def no_hidden_work(ctx: Any, response: Any, case: Any) -> None:
    title = leaked(response)
    if title is not None:
        raise AssertionError(f"the answer names {title!r}, a work its caller may not see")


@schemathesis.hook
def after_call(context: Any, case: Any, response: Any) -> None:
    log = os.environ.get("FICARCHIVE_FUZZ_LOG")
    if not log:
        return
    entry = {
        "method": case.method,
        "path": case.path,
        "status": response.status_code,
        "run": _run(),
        "leak": leaked(response),
        # The token run sees the restricted work: proof that the leak check reads the titles.
        "restricted": RESTRICTED_TITLE in response.content.decode("utf-8", "replace"),
    }
    with open(log, "a", encoding="utf-8") as out:
        out.write(json.dumps(entry) + "\n")
