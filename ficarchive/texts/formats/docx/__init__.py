"""Word documents (.docx): the body of word/document.xml, read with fan fiction's conventions.

Each paragraph becomes a block: its runs' text with bold, italic, underline and strike-through
as <strong>, <em>, <u> and <s>, tabs and line breaks kept (page breaks are not text). A
paragraph styled `Title` is the work's title, one styled `Heading 1`…`Heading 6` (by the style's
name in styles.xml, by its outline level, or by the style it is based on) a heading. List items
(numbering.xml) become <ul>/<ol>, nested by level; tables become <table>; the text of text
boxes follows the paragraph it is anchored in; footnotes and endnotes become numbered links to
the chapter's end notes; links keep their #fragment, and bookmarks they go to an anchor.
Comments, deleted text and pictures are left out. Then `conventions.structure` finds the notes,
chapters, scene breaks and end markers, so a .docx reads like the same story as a .txt file;
a list or a table is always story text. docProps/core.xml's title and creator are fallbacks.
A Project Gutenberg book (calibre's DOCX of PG's HTML: its start and end markers in the text)
is read by `makers.gutenberg_book`, as the HTML reader reads it.

The package's modules, lowest first: `ooxml` (element helpers), `styles` (styles.xml),
`numbering` (numbering.xml), `items` and `layout` (paragraphs, lists as HTML), `textboxes`,
`tables`, `notes`, `paragraphs` (the body's paragraphs and runs), `package` (relationships,
core properties) and `work` (the items as a work).
"""

from __future__ import annotations

from ficarchive.texts.formats.docx.work import parse_docx

__all__ = ["parse_docx"]
