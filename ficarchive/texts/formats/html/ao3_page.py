"""A page of the Archive of Our Own as a browser saves it (*Save Page As*).

A reader saves the page of a work (`/works/ID`, `/works/ID/chapters/ID` or
`?view_full_work=true`) with the site around it: the header and its menus, the work's
navigation, kudos, comments and the footer. The work in it is AO3's own markup, read as its
download is (`makers.ao3`): the tags from `dl.work.meta`, the title, byline, summary and notes
from the preface (`div.preface`: `h2.title`, `h3.byline`, `div.summary`, `div.notes`), the
chapters from `div#chapters`, the end notes from `div#work_endnotes`; nothing else of the page.

Any other page of the site (a 404 page, the log-in page a work for registered users sends you
to, the adult-content check, a list of bookmarks or works) holds no work: it is refused with a
message saying what it is and how to get the work.
"""

from __future__ import annotations

import re

from lxml.html import HtmlElement

from ficarchive.texts.makers.ao3 import ao3_end_notes, ao3_tag_list, read_ao3_work
from ficarchive.texts.markup import by_id, class_names, has_class, text_of
from ficarchive.texts.structure import ParsedWork, ParseError

SITE = "Archive of Our Own"
# `Work - Author - Fandom [Archive of Our Own]`, `Error 404 | Archive of Our Own`
_SITE_TITLE = re.compile(r"(?:\[|\|)\s*Archive of Our Own\s*\]?\s*$", re.IGNORECASE)
_GET_IT = "open the work and save it, or download it from AO3"
# What a page is, by the class AO3 gives `div#main` (its controller and action).
_PAGES = {
    "bookmarks-index": "a bookmarks list",
    "bookmarks-show": "a bookmark",
    "works-index": "a list of works",
    "works-search": "a search for works",
    "works-navigate": "a work's chapter index",
    "series-show": "a series page",
    "series-index": "a list of series",
    "tags-show": "a tag's page",
    "collections-show": "a collection's page",
    "users-show": "a user's dashboard",
    "pseuds-show": "a user's dashboard",
    "readings-index": "a reading history",
    "comments-show": "a comment thread",
    "comments-index": "a list of comments",
    "inbox-show": "an inbox",
    "home-index": "the home page",
}


def is_ao3_page(root: HtmlElement) -> bool:
    """Whether the page is one of AO3's: its `div#main` under AO3's title or header."""
    if by_id(root, "main") is None:
        return False
    title = root.find(".//title")
    if title is not None and _SITE_TITLE.search(text_of(title)):
        return True
    header = by_id(root, "header")
    return header is not None and SITE.lower() in text_of(header).lower()


def read_ao3_page(root: HtmlElement) -> ParsedWork:
    """The work on a saved work page; a ParseError saying what the page is for any other."""
    main = by_id(root, "main")
    assert main is not None  # is_ao3_page
    chapters = by_id(main, "chapters")
    listing = ao3_tag_list(main)
    skin = by_id(main, "workskin")
    if chapters is None or (listing is None and skin is None):
        raise ParseError(f"this is an AO3 page that is not a work: {_what_page(root, main)}")
    inside = skin if skin is not None else main
    region = next(
        (div for div in inside.iter("div") if has_class(div, "preface") and div is not chapters),
        inside,
    )
    endnotes = by_id(main, "work_endnotes")
    end_notes = ao3_end_notes(endnotes, "notes") if endnotes is not None else ""
    return read_ao3_work(region, listing, chapters, end_notes)


def _what_page(root: HtmlElement, main: HtmlElement) -> str:
    """What the page is, and how to get the work from there."""
    classes = class_names(main)
    text = text_of(main)
    error = next((name for name in classes if re.fullmatch(r"error-\d+", name)), "")
    found = re.search(r"\bError (\d{3})\b", text)
    code = error.removeprefix("error-") or (found.group(1) if found else "")
    if code == "404":
        return (
            "an Error 404 page (the page you were looking for doesn't exist) — the work was "
            "deleted or its address is wrong"
        )
    if code:
        return f"an Error {code} page — {_GET_IT}"
    if "only available to registered users" in text.lower():
        return (
            "the log-in page (this work is only available to registered users of the Archive)"
            f" — log in, then {_GET_IT}"
        )
    if "could have adult content" in text.lower():
        return (
            "the adult-content check in front of a work (\u201cThis work could have adult "
            f"content\u201d) — choose \u201cYes, Continue\u201d, then {_GET_IT}"
        )
    what = next((_PAGES[name] for name in classes if name in _PAGES), None)
    if what is None:
        title = root.find(".//title")
        named = _SITE_TITLE.sub("", text_of(title) if title is not None else "").strip()
        what = f"the page \u201c{named}\u201d" if named else "a page without a work"
    return f"{what} — {_GET_IT}"
