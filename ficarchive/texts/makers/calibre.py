"""calibre's conversions: its book jacket page and the files it split for size."""

from __future__ import annotations

import re

from lxml import etree

from ficarchive.texts.markup import has_class


def is_calibre_jacket(root: etree._Element) -> bool:
    for meta in root.iter("meta"):
        if (meta.get("name") or "").lower() == "calibre-content":
            return (meta.get("content") or "").lower() == "jacket"
    return any(has_class(element, "cbj_") for element in root.iter("div", "table"))


CALIBRE_SPLIT = re.compile(r"_split_\d+\.x?html?$", re.IGNORECASE)
