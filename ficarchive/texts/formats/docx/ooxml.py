"""Small helpers for WordprocessingML elements, whatever prefix or namespace a writer used."""

from __future__ import annotations

from lxml import etree

from ficarchive.texts.ziparchive import local_name


def attr(element: etree._Element, name: str) -> str | None:
    """An attribute by its local name, whatever its namespace (w:val, val)."""
    for key, value in element.attrib.items():
        if str(key).rsplit("}", 1)[-1] == name:
            return str(value)
    return None


def first_child(element: etree._Element, name: str) -> etree._Element | None:
    return next((found for found in element if local_name(found) == name), None)


def is_on(element: etree._Element | None) -> bool:
    """A toggle property: `<w:b/>` and `<w:b w:val="true"/>` are on, `w:val="0"` is off."""
    if element is None:
        return False
    value = (attr(element, "val") or "").lower()
    return value not in ("0", "false", "off", "none")
