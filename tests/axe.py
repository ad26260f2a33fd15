"""axe-core in real Chromium: the accessibility rules the tests hold every page to.

The script is axe-core's own build from npm (tests/vendor/axe-core, its version in package.json
there; `make update-axe` fetches a newer one with `npm pack`). It is read from the repository,
not the network, so the tests run the same on a machine without npm.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from playwright.sync_api import Page

AXE = Path(__file__).resolve().parent / "vendor" / "axe-core" / "axe.min.js"
# The impacts a page must not have at all; "minor" and "moderate" ones are reported, not failed.
BLOCKING = ("serious", "critical")


def violations(page: Page) -> list[dict[str, Any]]:
    """What axe finds wrong with the page as it is now (WCAG 2.1 A and AA, and best practice)."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(content=AXE.read_text(encoding="utf-8"))
    found: list[dict[str, Any]] = page.evaluate(
        """async () => {
            const result = await axe.run(document, {
                runOnly: {
                    type: 'tag',
                    values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'],
                },
            });
            return result.violations;
        }"""
    )
    return found


def blocking(page: Page) -> list[str]:
    """The serious and critical violations, one line each: rule, impact, and where."""
    lines = []
    for violation in violations(page):
        if violation.get("impact") in BLOCKING:
            targets = [", ".join(node["target"]) for node in violation["nodes"][:5]]
            lines.append(
                f"{page.url}: {violation['id']} ({violation['impact']}): {violation['help']} "
                f"at {'; '.join(targets)}"
            )
    return lines
