"""The registry of download formats: the built-in ones, their order, and a new one."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from ficarchive.exports import formats
from ficarchive.works.models import Work


def test_the_app_registers_the_built_in_formats_in_the_menu_order() -> None:
    offered = [f.extension for f in formats.export_formats()]
    assert offered[0] == "epub"
    assert {"epub", "html", "txt", "md"} <= set(offered)
    assert offered.index("html") < offered.index("md") < offered.index("txt")


def test_a_new_format_registers_the_way_the_built_in_ones_do(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(formats, "_FORMATS", dict(formats._FORMATS))

    @formats.register("rtf", "Rich text", "application/rtf")
    def rich_text(work: Work) -> bytes:
        return b"{\\rtf1}"

    found = formats.export_format("rtf")
    assert found is not None
    assert found.render is rich_text
    assert formats.export_formats()[-1].extension == "rtf"  # unknown to the menu: last


def test_a_format_that_cannot_be_made_now_is_not_offered(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(formats, "_FORMATS", dict(formats._FORMATS))
    formats.register("lit", "Microsoft Reader", "application/x-ms-reader", available=lambda: False)(
        lambda work: b""
    )
    assert formats.export_format("lit") is None
    assert "lit" not in [f.extension for f in formats.export_formats()]


def test_the_registry_imports_no_format() -> None:
    # Any format may import the registry; the built-in ones come from `exports.builtin`.
    tree = ast.parse(Path(formats.__file__).read_text())
    imported = {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
    assert not any(module and module.startswith("ficarchive.exports") for module in imported)
