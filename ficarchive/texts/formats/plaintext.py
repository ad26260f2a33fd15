"""Plain text (.txt): the format most drafts live in, and Project Gutenberg's books."""

from __future__ import annotations

from ficarchive.texts.blocks import Block, blocks_from_plain_text
from ficarchive.texts.conventions import structure
from ficarchive.texts.counting import count_words
from ficarchive.texts.decoding import decode_text
from ficarchive.texts.formats import register
from ficarchive.texts.headings import find_headings, title_case
from ficarchive.texts.limits import budget
from ficarchive.texts.makers import gutenberg
from ficarchive.texts.paragraphs import normalise_newlines, text_to_html
from ficarchive.texts.structure import ParsedWork

# Front matter before a Gutenberg book's first chapter (the title again, "by", "Produced by")
# shorter than this is not a preface worth a chapter.
_FRONT_MATTER_WORDS = 100


@register("text", [".txt", ".text"])
def parse_text(data: bytes, name: str) -> ParsedWork:
    text = normalise_newlines(decode_text(data))
    budget().count_text(text)  # a work over the limits stops here, before it is split up
    book = gutenberg.split_text(text)
    if book is not None:
        return _parse_gutenberg(book)
    return structure(blocks_from_plain_text(text))  # untitled: the registry names it after the file


def _parse_gutenberg(book: gutenberg.GutenbergText) -> ParsedWork:
    """A Project Gutenberg text: the header gives the title, authors and language and becomes
    the notes, the licence the end notes; the book's hard-wrapped lines are joined again."""
    header = gutenberg.read_header(book.header)
    work = ParsedWork(
        title=header.title, authors=header.authors, language=header.language, complete=True
    )
    work.notes = text_to_html(gutenberg.unwrap(gutenberg.without_markers(book.header)))
    work.end_notes = text_to_html(gutenberg.unwrap(book.licence))
    blocks = _without_front_matter(
        blocks_from_plain_text(gutenberg.unwrap(book.body, breaks_after=()))
    )
    structure(blocks, work)
    for chapter in work.chapters:
        chapter.title = title_case(chapter.title)  # `A SCANDAL IN BOHEMIA`, as printed
    return work


def _without_front_matter(blocks: list[Block]) -> list[Block]:
    """The blocks from the first chapter heading on (and the contents list, which names the
    chapters), when what stands before it is only a title page."""
    layout = find_headings([block.text for block in blocks])
    first = min(layout.headings, default=0)
    front = [block for at, block in enumerate(blocks[:first]) if at not in layout.contents]
    if sum(count_words(block.html) for block in front) >= _FRONT_MATTER_WORDS:
        return blocks
    return [block for at, block in enumerate(blocks) if at >= first or at in layout.contents]
