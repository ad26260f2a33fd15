"""The DOCX parser: Word's paragraphs, runs and styles read with fan fiction's conventions.

tests/fixtures/calibre-fanfic.docx is calibre 6.13's DOCX output (`ebook-convert fanfic.epub
fanfic.docx`) for the EPUB that tests/texts/epub_builder.py's `fanfic_book()` makes: a real
writer's DOCX with a table-of-contents field, bordered paragraphs for <hr> and the title page's
bare author name. tests/fixtures/calibre-lists-tables.docx is calibre 6.13's DOCX output for
calibre-lists-tables.source.html beside it (`ebook-convert calibre-lists-tables.source.html
calibre-lists-tables.docx`): lists in numbering.xml, nested, numbered and roman, a table, and a
link with a #fragment, as a real program writes them (calibre writes no footnotes or text boxes;
those are built here the way Word writes them).
"""

from __future__ import annotations

import io
import random
import zipfile
from pathlib import Path

import pytest

from ficarchive.texts.formats import parse_bytes
from ficarchive.texts.structure import SCENE_BREAK_HTML, ParsedWork, ParseError
from tests.texts.docx_builder import (
    W_NS,
    Docx,
    bookmark,
    cell,
    fanfic_docx,
    hyperlink,
    list_item,
    note_reference,
    numbering_xml,
    para,
    run,
    table,
    table_of,
    text_box,
    zip_files,
)
from tests.texts.epub_builder import build_epub, fanfic_book


def _parse(docx: Docx | bytes, name: str = "story.docx") -> ParsedWork:
    return parse_bytes(docx if isinstance(docx, bytes) else docx.build(), name)


def _refusal(data: bytes, name: str = "story.docx") -> str:
    with pytest.raises(ParseError) as raised:
        parse_bytes(data, name)
    assert str(raised.value).startswith(f"{name}: ")
    return raised.value.message


def _html(*paragraphs: str, styles: bool = True) -> str:
    """The one chapter's HTML of a document of these paragraphs."""
    work = _parse(Docx(paragraphs=list(paragraphs), styles=styles))
    assert len(work.chapters) == 1
    return work.chapters[0].html


# -- a fic as writers send them -------------------------------------------------------------------


def test_fanfic_docx_with_heading_styles_reads_title_notes_chapters_and_the_end() -> None:
    work = _parse(fanfic_docx())
    assert work.title == "The Bridge at Kettle Point"  # the Title-styled paragraph
    assert work.source_format == "docx"
    assert work.notes == "<p>This one is for Sparrow, who asked for lighthouses.</p>"
    assert [chapter.title for chapter in work.chapters] == ["", "The Bridge"]
    first, second = work.chapters
    assert first.text.startswith("The tide went out the way it always did, all at once")
    assert "<em>all at once</em>" in first.html
    assert "<strong>Nobody</strong>" in first.html
    assert first.html.count(SCENE_BREAK_HTML) == 1
    assert "* * *" not in first.html
    assert "<em><u>sideways</u></em>" in second.html
    assert second.text.endswith("found them both asleep.")  # `The End` is a marker
    assert work.complete is True
    # docProps' "Microsoft Office User" is the program's placeholder, not the writer.
    assert work.authors == []


def test_bold_chapter_lines_split_chapters_like_heading_styles() -> None:
    styled = _parse(fanfic_docx()).as_json()
    bold = _parse(fanfic_docx(bold_headings=True)).as_json()
    assert bold == styled


def test_heading_styles_are_found_by_name_outline_level_and_based_on() -> None:
    docx = Docx(
        paragraphs=[
            para("The Lamp", style="berschrift1"),  # a German Word's id for "heading 1"
            para("Maren kept the lamp."),
            para("The Question", style="ChapterHead"),  # based on Heading 1
            para("Ilse asked why."),
            para("The Storm", style="Heading1"),
            para("The storm came in sideways."),
        ]
    )
    work = _parse(docx)
    assert [chapter.title for chapter in work.chapters] == ["The Lamp", "The Question", "The Storm"]
    assert [chapter.text for chapter in work.chapters] == [
        "Maren kept the lamp.",
        "Ilse asked why.",
        "The storm came in sideways.",
    ]


def test_heading_style_ids_work_without_styles_xml() -> None:
    docx = Docx(
        styles=False,
        paragraphs=[
            para("Kettle Point", style="Title"),
            para("The Lamp", style="Heading1"),
            para("Maren kept the lamp."),
            para("The Question", style="Heading1"),
            para("Ilse asked why."),
        ],
    )
    work = _parse(docx)
    assert work.title == "Kettle Point"
    assert [chapter.title for chapter in work.chapters] == ["The Lamp", "The Question"]


def test_lower_headings_stay_inside_their_chapter() -> None:
    docx = Docx(
        paragraphs=[
            para("Chapter 1", style="Heading1"),
            para("Maren kept the lamp."),
            para("Ilse's Letter", style="Heading2"),
            para("Dear Maren, I have questions."),
            para("Chapter 2", style="Heading1"),
            para("The storm came."),
        ]
    )
    work = _parse(docx)
    assert len(work.chapters) == 2
    assert "<h2>Ilse's Letter</h2>" in work.chapters[0].html


def test_a_lone_top_heading_is_the_title() -> None:
    docx = Docx(
        paragraphs=[
            para("Kettle Point", style="Heading1"),
            para("Chapter One", style="Heading2"),
            para("Maren kept the lamp."),
            para("Chapter Two", style="Heading2"),
            para("The storm came."),
        ]
    )
    work = _parse(docx)
    assert work.title == "Kettle Point"
    assert len(work.chapters) == 2


def test_calibres_docx_reads_like_the_epub_it_was_made_from() -> None:
    fixture = Path(__file__).parent.parent / "fixtures" / "calibre-fanfic.docx"
    from_docx = parse_bytes(fixture.read_bytes(), "fanfic.docx").as_json()
    from_epub = parse_bytes(build_epub(fanfic_book()), "fanfic.epub").as_json()
    assert from_docx.pop("format") == "docx"
    assert from_epub.pop("format") == "epub"
    assert from_docx == from_epub


def test_a_table_of_contents_field_is_not_text() -> None:
    begin = '<w:r><w:fldChar w:fldCharType="begin"/></w:r>'
    instruction = '<w:r><w:instrText xml:space="preserve"> TOC \\o "1-3" \\h </w:instrText></w:r>'
    separate = '<w:r><w:fldChar w:fldCharType="separate"/></w:r>'
    end = '<w:r><w:fldChar w:fldCharType="end"/></w:r>'
    docx = Docx(
        paragraphs=[
            para("Contents", style="Heading1"),
            para(begin, instruction, separate, run("Chapter 1: The Lamp\t1")),
            para(run("Chapter 2: The Storm\t5"), end),
            para("Chapter 1: The Lamp", style="Heading1"),
            para("Maren kept the lamp."),
            para("Chapter 2: The Storm", style="Heading1"),
            para("The storm came."),
        ]
    )
    work = _parse(docx)
    assert [chapter.title for chapter in work.chapters] == ["The Lamp", "The Storm"]
    assert [chapter.text for chapter in work.chapters] == [
        "Maren kept the lamp.",
        "The storm came.",
    ]


def test_a_line_drawn_between_paragraphs_is_a_scene_break() -> None:
    border = (
        '<w:p><w:pPr><w:pBdr><w:bottom w:val="single" w:sz="6" w:space="1" w:color="auto"/>'
        "</w:pBdr></w:pPr></w:p>"
    )
    vml_rule = (
        '<w:p><w:r><w:pict xmlns:v="urn:schemas-microsoft-com:vml" '
        'xmlns:o="urn:schemas-microsoft-com:office:office"><v:rect o:hr="t" o:hrstd="t" '
        'style="width:0;height:1.5pt"/></w:pict></w:r></w:p>'
    )
    html = _html(para("One."), border, para("Two."), vml_rule, para("Three."))
    assert (
        html == f"<p>One.</p>\n{SCENE_BREAK_HTML}\n<p>Two.</p>\n{SCENE_BREAK_HTML}\n<p>Three.</p>"
    )


def test_the_documents_author_alone_under_the_title_is_the_byline() -> None:
    docx = Docx(
        creator="tidewright",
        paragraphs=[
            para("Kettle Point", style="Title"),
            para("tidewright", align="center"),
            para("Maren kept the lamp lit through every storm."),
        ],
    )
    work = _parse(docx)
    assert work.authors == ["tidewright"]
    assert work.chapters[0].text == "Maren kept the lamp lit through every storm."


# -- runs -----------------------------------------------------------------------------------------


def test_run_formatting_becomes_html() -> None:
    html = _html(
        para(
            run("bold", bold=True),
            " ",
            run("italic", italic=True),
            " ",
            run("under", underline=True),
            " ",
            run("struck", strike=True),
            " ",
            run("both", bold=True, italic=True),
            " ",
            run("emphasis", style="Emphasis"),
        )
    )
    assert html == (
        "<p><strong>bold</strong> <em>italic</em> <u>under</u> <s>struck</s> "
        "<strong><em>both</em></strong> <em>emphasis</em></p>"
    )


def test_neighbouring_runs_with_the_same_formatting_are_joined() -> None:
    html = _html(para(run("all ", italic=True), run("at", italic=True), run(" once", italic=True)))
    assert html == "<p><em>all at once</em></p>"


def test_properties_switched_off_are_off() -> None:
    off = '<w:r><w:rPr><w:b w:val="0"/><w:i w:val="false"/><w:u w:val="none"/></w:rPr>'
    html = _html(para(off + "<w:t>plain</w:t></w:r>"))
    assert html == "<p>plain</p>"


def test_tabs_and_line_breaks_are_kept_and_page_breaks_are_not_text() -> None:
    page_break = '<w:r><w:br w:type="page"/></w:r>'
    work = _parse(Docx(paragraphs=[para(run("one\ttwo\nthree"), page_break, run("four"))]))
    chapter = work.chapters[0]
    assert chapter.html == "<p>one\ttwo<br>threefour</p>"
    assert chapter.text == "one two\nthreefour"


def test_hidden_deleted_and_field_code_text_is_left_out() -> None:
    hidden = "<w:r><w:rPr><w:vanish/></w:rPr><w:t>secret</w:t></w:r>"
    deleted = '<w:del w:id="1" w:author="a"><w:r><w:delText>cut</w:delText></w:r></w:del>'
    inserted = '<w:ins w:id="2" w:author="a"><w:r><w:t> kept</w:t></w:r></w:ins>'
    field = "<w:r><w:instrText> PAGE </w:instrText></w:r>"
    footnote = '<w:r><w:footnoteReference w:id="1"/></w:r>'
    html = _html(para(run("Shown"), hidden, deleted, inserted, field, footnote))
    assert html == "<p>Shown kept</p>"


def test_hyperlinks_to_the_web_are_kept() -> None:
    link = f'<w:hyperlink xmlns:r="{W_NS}" r:id="rIdLink">{run("my blog")}</w:hyperlink>'
    link = link.replace(f'xmlns:r="{W_NS}" ', "")
    docx = Docx(paragraphs=[para("See ", link, ".")], links={"rIdLink": "https://example.org/"})
    work = _parse(docx)
    assert work.chapters[0].html == (
        '<p>See <a href="https://example.org/" rel="nofollow">my blog</a>.</p>'
    )


def test_markup_in_the_text_is_text() -> None:
    html = _html(para(run("<script>alert(1)</script> & <b>not bold</b>")))
    assert html == "<p>&lt;script&gt;alert(1)&lt;/script&gt; &amp; &lt;b&gt;not bold&lt;/b&gt;</p>"


# -- tables, tables of contents, metadata --------------------------------------------------------


def test_words_own_table_of_contents_is_not_text() -> None:
    work = _parse(
        Docx(
            paragraphs=[
                para("Chapter 1\t3", style="TOC1"),
                para("Chapter 2\t9", style="TOC1"),
                para("Chapter 1", style="Heading1"),
                para("Maren kept the lamp."),
                para("Chapter 2", style="Heading1"),
                para("The storm came."),
            ]
        )
    )
    assert [chapter.text for chapter in work.chapters] == [
        "Maren kept the lamp.",
        "The storm came.",
    ]


def test_header_lines_and_a_byline_fill_the_metadata() -> None:
    docx = Docx(
        paragraphs=[
            para("Kettle Point", style="Title"),
            para("by tidewright & Salt and Ink"),
            para("Rating: Teen And Up Audiences"),
            para("Relationships: Maren/Ilse"),
            para("Maren kept the lamp lit through every storm."),
        ]
    )
    work = _parse(docx)
    assert work.title == "Kettle Point"
    assert work.authors == ["tidewright", "Salt and Ink"]
    assert work.tags == {"rating": ["Teen And Up Audiences"], "relationship": ["Maren/Ilse"]}
    assert work.chapters[0].text == "Maren kept the lamp lit through every storm."


def test_core_properties_are_the_fallback_title_and_author() -> None:
    docx = Docx(
        title="Microsoft Word - The Lamp.docx",
        creator="tidewright",
        paragraphs=[para("Maren kept the lamp lit through every storm that came.")],
    )
    work = _parse(docx)
    assert work.title == "The Lamp"
    assert work.authors == ["tidewright"]


def test_a_first_line_title_beats_the_core_properties() -> None:
    docx = Docx(
        title="Old template title",
        paragraphs=[para("Kettle Point"), para("Maren kept the lamp lit through every storm.")],
    )
    assert _parse(docx).title == "Kettle Point"


def test_core_properties_give_summary_language_and_tags_when_the_text_does_not() -> None:
    files = Docx(paragraphs=[para("Maren kept the lamp lit through every storm.")]).files()
    files["docProps/core.xml"] = files["docProps/core.xml"].replace(
        "</cp:coreProperties>",
        "<dc:description>A lamp &amp; a storm.</dc:description><dc:language>en-GB</dc:language>"
        "<cp:keywords>Lighthouses; Slow Burn</cp:keywords></cp:coreProperties>",
    )
    work = _parse(zip_files(files))
    assert work.summary == "<p>A lamp &amp; a storm.</p>"
    assert work.language == "en-GB"
    assert work.tags == {"freeform": ["Lighthouses", "Slow Burn"]}


def test_placeholder_titles_in_the_core_properties_are_ignored() -> None:
    docx = Docx(title="Document1", paragraphs=[para("Maren kept the lamp lit, as she always had.")])
    assert _parse(docx).title == "Story"


def test_an_untitled_document_is_titled_by_its_file_name_in_title_case() -> None:
    work = _parse(Docx(paragraphs=[para("Maren kept the lamp lit, as she always had.")]))
    assert work.title == "Story"


# -- what is refused, and how ---------------------------------------------------------------------


def test_not_a_zip_is_refused_as_not_a_valid_docx() -> None:
    assert _refusal(b"Chapter 1\n\nA story typed into a .docx") == (
        "the file is not a valid DOCX (not a zip archive)"
    )


def test_an_old_word_doc_is_refused_saying_so() -> None:
    data = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600
    assert "old Word .doc" in _refusal(data)


def test_a_truncated_docx_is_refused_as_damaged() -> None:
    data = fanfic_docx().build()
    assert "damaged or cut short" in _refusal(data[: len(data) - 200])


def test_a_zip_without_word_document_xml_is_named() -> None:
    data = zip_files({"[Content_Types].xml": "<Types/>", "notes.txt": "hello"})
    message = _refusal(data)
    assert "word/document.xml" in message
    assert "missing" in message


def test_malformed_document_xml_is_named_with_its_line() -> None:
    files = fanfic_docx().files()
    files["word/document.xml"] = files["word/document.xml"].replace("</w:body>", "")
    message = _refusal(zip_files(files))
    assert message.startswith("word/document.xml inside the DOCX is not valid XML (line")


def test_xml_that_is_not_a_word_document_is_named() -> None:
    files = fanfic_docx().files()
    files["word/document.xml"] = "<?xml version='1.0'?><html><p>Hello</p></html>"
    assert "not a Word document" in _refusal(zip_files(files))


def test_an_epub_named_docx_is_refused_as_an_epub() -> None:
    data = zip_files({"mimetype": "application/epub+zip", "META-INF/container.xml": "<c/>"})
    assert "EPUB" in _refusal(data)


def test_a_document_with_no_text_says_so() -> None:
    data = Docx(paragraphs=[para(""), "<w:p/>"]).build()
    assert _refusal(data) == "no story text was found in it"


def test_a_docx_zip_bomb_is_refused() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in fanfic_docx().files().items():
            archive.writestr(name, content)
        with archive.open("word/media/image1.png", "w") as bomb:
            for _ in range(205):
                bomb.write(b"\0" * (1024 * 1024))
    assert "zip bomb" in _refusal(buffer.getvalue())


def test_unreadable_styles_are_not_fatal() -> None:
    files = fanfic_docx().files()
    files["word/styles.xml"] = "<w:styles broken"
    work = _parse(zip_files(files))
    assert [chapter.title for chapter in work.chapters] == ["", "The Bridge"]


def _rich_docx() -> Docx:
    """A document with every structure the reader builds: lists, a table, notes, a text box."""
    return Docx(
        paragraphs=[
            para("Kettle Point", style="Title"),
            para("Maren kept", note_reference("1"), " a list", note_reference("2", "endnote"), "."),
            list_item("Oil", num_id="1"),
            list_item("the big lens", num_id="1", level=1),
            list_item("Patience", num_id="2"),
            table_of(
                [cell(para("Ship")), cell(para("Arrived"))],
                [cell(para("The Gull"), merge="restart"), cell(para("Monday"))],
                [cell(merge="continue"), cell(para("Tuesday"))],
                header_rows=1,
            ),
            para("The sign read:", text_box(para("HARBOUR CLOSED"))),
            para("See ", hyperlink("the log", rel="rIdLog", anchor="entry-4"), "."),
        ],
        links={"rIdLog": "https://example.org/log"},
        numbering=numbering_xml({"1": ["bullet", "lowerRoman"], "2": ["decimal"]}),
        footnotes={"1": [para("Every night.")]},
        endnotes={"2": [para("Written on the stair.")]},
    )


@pytest.mark.parametrize("docx", [fanfic_docx(), _rich_docx()], ids=["fanfic", "rich"])
def test_broken_docx_files_only_ever_raise_parse_error(docx: Docx) -> None:
    data = docx.build()
    rng = random.Random(20240602)
    candidates = [data[:cut] for cut in range(0, len(data), max(1, len(data) // 60))]
    for _ in range(150):
        mutated = bytearray(data)
        for _ in range(rng.randint(1, 12)):
            mutated[rng.randrange(len(mutated))] = rng.randrange(256)
        candidates.append(bytes(mutated))
    files = docx.files()
    for part in [name for name in files if name.startswith("word/") and name.endswith(".xml")]:
        content = files[part]
        for _ in range(30):
            cut = rng.randrange(len(content))
            candidates.append(zip_files({**files, part: content[:cut]}))
    for candidate in candidates:
        refusal: ParseError | None = None
        try:
            work = parse_bytes(candidate, "fuzz.docx")
        except ParseError as error:
            refusal = error
        if refusal is not None:
            assert refusal.message
        else:
            assert work.chapters


def test_a_document_with_every_structure_reads_each_once() -> None:
    work = _parse(_rich_docx())
    chapter = work.chapters[0]
    assert work.title == "Kettle Point"
    assert chapter.html.count("<ul>") == 1
    assert chapter.html.count("<table>") == 1
    assert chapter.text.count("HARBOUR CLOSED") == 1
    assert chapter.end_notes.count("<li>") == 2
    assert 'href="https://example.org/log#entry-4"' in chapter.html


# -- text boxes ---------------------------------------------------------------------------------


def test_text_in_a_text_box_is_kept_once_after_its_paragraph() -> None:
    # Word writes the box twice: a DrawingML mc:Choice and a VML mc:Fallback.
    box = text_box(para("HARBOUR CLOSED"), para("by order of the harbourmaster"))
    work = _parse(Docx(paragraphs=[para("The sign read:", box), para("Maren laughed.")]))
    assert work.chapters[0].text.split("\n\n") == [
        "The sign read:",
        "HARBOUR CLOSED",
        "by order of the harbourmaster",
        "Maren laughed.",
    ]


@pytest.mark.parametrize("how", ["drawing", "vml"])
def test_a_text_box_drawn_one_way_only_is_kept(how: str) -> None:
    box = text_box(para(run("HARBOUR CLOSED", bold=True)), how=how)
    html = _html(para("The sign read:", box), para("Maren laughed."))
    assert html == (
        "<p>The sign read:</p>\n<p><strong>HARBOUR CLOSED</strong></p>\n<p>Maren laughed.</p>"
    )


def test_a_text_box_alone_in_the_document_is_its_text() -> None:
    work = _parse(Docx(paragraphs=[para(text_box(para("Maren kept the lamp lit all night.")))]))
    assert work.chapters[0].text == "Maren kept the lamp lit all night."


# -- lists ----------------------------------------------------------------------------------------


def _lists(*paragraphs: str, **numbering: list[str]) -> Docx:
    return Docx(paragraphs=list(paragraphs), numbering=numbering_xml(numbering))


def test_a_bulleted_list_becomes_ul_with_an_li_per_item() -> None:
    docx = _lists(
        para("Maren kept a list of what the lamp needed."),
        list_item("Oil for the wick", num_id="1"),
        list_item("Glass, ", run("clean", italic=True), " glass", num_id="1"),
        list_item("Patience", num_id="1"),
        para("She pinned it by the stair."),
        **{"1": ["bullet"]},
    )
    assert _html_of(docx) == (
        "<p>Maren kept a list of what the lamp needed.</p>\n"
        "<ul><li>Oil for the wick</li><li>Glass, <em>clean</em> glass</li><li>Patience</li></ul>\n"
        "<p>She pinned it by the stair.</p>"
    )


def _html_of(docx: Docx) -> str:
    work = _parse(docx)
    assert len(work.chapters) == 1
    return work.chapters[0].html


@pytest.mark.parametrize(
    ("number_format", "tag"),
    [
        ("decimal", "<ol>"),
        ("lowerRoman", '<ol type="i">'),
        ("upperRoman", '<ol type="I">'),
        ("lowerLetter", '<ol type="a">'),
        ("upperLetter", '<ol type="A">'),
        ("decimalZero", "<ol>"),
    ],
)
def test_a_numbered_list_becomes_ol_drawn_in_its_number_format(
    number_format: str, tag: str
) -> None:
    docx = _lists(
        para("Ilse wrote hers the other way round."),
        list_item("First the stair", num_id="7"),
        list_item("Then the door", num_id="7"),
        **{"7": [number_format]},
    )
    assert _html_of(docx).endswith(f"{tag}<li>First the stair</li><li>Then the door</li></ol>")


def test_nested_levels_become_lists_inside_their_items() -> None:
    docx = _lists(
        para("The lamp needed:"),
        list_item("Glass", num_id="1"),
        list_item("the big lens", num_id="1", level=1),
        list_item("the storm panes", num_id="1", level=1),
        list_item("first this", num_id="1", level=2),
        list_item("Oil", num_id="1"),
        **{"1": ["decimal", "lowerLetter", "bullet"]},
    )
    assert _html_of(docx).endswith(
        '<ol><li>Glass\n<ol type="a"><li>the big lens</li><li>the storm panes\n'
        "<ul><li>first this</li></ul></li></ol></li><li>Oil</li></ol>"
    )


def test_a_numbered_list_interrupted_by_a_paragraph_counts_on() -> None:
    docx = Docx(
        paragraphs=[
            para("The rules of the lamp:"),
            list_item("Trim the wick", num_id="1"),
            list_item("Wind the clock", num_id="1"),
            para("And, Ilse added, most important of all:"),
            list_item("Never let it go out", num_id="2"),  # another instance of the same list
            list_item("Again, from one", num_id="3"),  # an instance that restarts it
        ],
        numbering=numbering_xml(
            {"1": ["decimal"], "2": ["decimal"], "3": ["decimal"]}, starts={"3": 1}, shared=True
        ),
    )
    html = _html_of(docx)
    assert '<ol start="3"><li>Never let it go out</li></ol>' in html
    assert html.endswith("<ol><li>Again, from one</li></ol>")


def test_a_list_style_makes_list_items_and_num_id_zero_unmakes_them() -> None:
    not_listed = para("Not a bullet", style="ListBullet").replace(
        "</w:pPr>", '<w:numPr><w:numId w:val="0"/></w:numPr></w:pPr>'
    )
    docx = _lists(
        para("The lamp needed:"),
        para("Oil", style="ListBullet"),
        para("Glass", style="ListBullet"),
        not_listed,
        **{"1": ["bullet"]},
    )
    assert _html_of(docx).endswith("<ul><li>Oil</li><li>Glass</li></ul>\n<p>Not a bullet</p>")


@pytest.mark.parametrize("items", [["Oil for the wick"], ["Oil for the wick", "Glass"]])
def test_a_list_at_the_top_never_becomes_the_title(items: list[str]) -> None:
    docx = _lists(
        *[list_item(item, num_id="1") for item in items],
        para("Maren pinned the list by the stair and went up to the lamp."),
        **{"1": ["bullet"]},
    )
    work = _parse(docx)
    assert work.title == "Story"  # from the file's name: nothing in the text is a title
    assert work.chapters[0].html.startswith("<ul><li>Oil for the wick</li>")


def test_a_line_after_a_list_at_the_top_is_no_byline() -> None:
    docx = _lists(
        list_item("Oil", num_id="1"),
        para("by the stair, where Maren could see it"),
        **{"1": ["bullet"]},
    )
    work = _parse(docx)
    assert work.authors == []
    assert work.chapters[0].text.endswith("by the stair, where Maren could see it")


def test_list_items_that_look_like_notes_or_headings_stay_list_items() -> None:
    docx = _lists(
        para("Kettle Point", style="Title"),
        para("Maren's list, as she wrote it:"),
        list_item("Chapter 1 of the logbook", num_id="1"),
        list_item("A/N: ask Ilse", num_id="1"),
        list_item("The End", num_id="1"),
        **{"1": ["decimal"]},
    )
    work = _parse(docx)
    assert len(work.chapters) == 1
    assert work.notes == ""
    assert work.complete is None
    assert work.chapters[0].html.endswith(
        "<ol><li>Chapter 1 of the logbook</li><li>A/N: ask Ilse</li><li>The End</li></ol>"
    )


def test_list_bullets_and_numbers_are_not_counted_as_words() -> None:
    docx = _lists(
        list_item("Oil for the wick", num_id="1"),
        list_item("Glass", num_id="1"),
        list_item("the big lens", num_id="1", level=1),
        list_item("Trim the wick", num_id="2"),
        **{"1": ["bullet", "bullet"], "2": ["decimal"]},
    )
    assert _parse(docx).word_count == 4 + 1 + 3 + 3


def test_a_numbered_heading_is_a_heading_not_a_list_item() -> None:
    def heading(text: str) -> str:
        return list_item(text, num_id="1", style="Heading1")

    docx = _lists(
        heading("The Lamp"),
        para("Maren kept the lamp."),
        heading("The Storm"),
        para("The storm came in sideways."),
        **{"1": ["decimal"]},
    )
    work = _parse(docx)
    assert [chapter.title for chapter in work.chapters] == ["The Lamp", "The Storm"]


def test_a_list_without_numbering_xml_is_paragraphs() -> None:
    docx = Docx(paragraphs=[para("The lamp needed:"), list_item("Oil", num_id="1")])
    assert _html_of(docx) == "<p>The lamp needed:</p>\n<p>Oil</p>"


# -- tables ---------------------------------------------------------------------------------------


def test_a_table_becomes_a_table_with_rows_and_cells() -> None:
    work = _parse(
        Docx(
            paragraphs=[
                para("Before the table."),
                table([["Rating: Mature", "Maren"], ["Ilse", "After."]]),
            ]
        )
    )
    chapter = work.chapters[0]
    assert chapter.html == (
        "<p>Before the table.</p>\n<table>\n<tbody><tr><td>Rating: Mature</td>\n<td>Maren</td>"
        "</tr>\n<tr><td>Ilse</td>\n<td>After.</td></tr>\n</tbody></table>"
    )
    assert work.tags == {}  # a cell is no header line
    assert chapter.text == "Before the table.\n\nRating: Mature\nMaren\n\nIlse\nAfter."
    assert chapter.word_count == 3 + 2 + 1 + 1 + 1


def test_header_rows_and_merged_cells_keep_their_shape() -> None:
    docx = Docx(
        paragraphs=[
            para("The ledger:"),
            table_of(
                [cell(para("Ship")), cell(para("Arrived")), cell(para("Cargo"))],
                [cell(para("The Gull"), merge="restart"), cell(para("Monday"), span=2)],
                [cell(merge="continue"), cell(para("Tuesday")), cell(para("Rope"))],
                header_rows=1,
            ),
        ]
    )
    assert _html_of(docx).endswith(
        "<table>\n<tbody><tr><th>Ship</th>\n<th>Arrived</th>\n<th>Cargo</th></tr>\n"
        '<tr><td rowspan="2">The Gull</td>\n<td colspan="2">Monday</td></tr>\n'
        "<tr><td>Tuesday</td>\n<td>Rope</td></tr>\n</tbody></table>"
    )


def test_a_cell_keeps_its_paragraphs_and_lists() -> None:
    docx = Docx(
        paragraphs=[
            para("The ledger:"),
            table_of(
                [
                    cell(para("The Gull"), para("out of Leith")),
                    cell(list_item("rope", num_id="1"), list_item("tar", num_id="1")),
                ]
            ),
        ],
        numbering=numbering_xml({"1": ["bullet"]}),
    )
    assert _html_of(docx).endswith(
        "<tr><td><p>The Gull</p>\n<p>out of Leith</p></td>\n"
        "<td><ul><li>rope</li><li>tar</li></ul></td></tr>\n</tbody></table>"
    )


def test_a_table_at_the_top_never_becomes_the_title() -> None:
    docx = Docx(paragraphs=[table([["Kettle Point"]]), para("Maren kept the lamp lit all night.")])
    work = _parse(docx)
    assert work.title == "Story"
    assert work.chapters[0].html.startswith("<table>")


def test_a_table_with_no_text_is_left_out() -> None:
    html = _html(para("Maren kept the lamp."), table([["", ""]]))
    assert html == "<p>Maren kept the lamp.</p>"


# -- footnotes and endnotes -----------------------------------------------------------------------


def test_footnotes_become_numbered_links_and_the_chapters_end_notes() -> None:
    docx = Docx(
        paragraphs=[
            para("Maren trimmed the wick", note_reference("1"), " and lit the lamp."),
            para("The oil", note_reference("2"), " smelled of the sea."),
        ],
        footnotes={
            "1": [para(" Twice a night, in winter.")],
            "2": [para(" Whale oil, ", run("in those days", italic=True), ".")],
        },
    )
    chapter = _parse(docx).chapters[0]
    assert chapter.html == (
        '<p>Maren trimmed the wick<sup><a href="#chapter-1-note-1" name="chapter-1-note-1-ref" '
        'rel="nofollow">1</a></sup> and lit the lamp.</p>\n'
        '<p>The oil<sup><a href="#chapter-1-note-2" name="chapter-1-note-2-ref" rel="nofollow">'
        "2</a></sup> smelled of the sea.</p>"
    )
    assert chapter.end_notes == (
        '<ol><li><a name="chapter-1-note-1" rel="nofollow"></a>Twice a night, in winter. '
        '<a href="#chapter-1-note-1-ref" rel="nofollow">↩</a></li>'
        '<li><a name="chapter-1-note-2" rel="nofollow"></a>Whale oil, <em>in those days</em>. '
        '<a href="#chapter-1-note-2-ref" rel="nofollow">↩</a></li></ol>'
    )


def test_notes_are_numbered_in_order_in_each_chapter_footnotes_and_endnotes_alike() -> None:
    docx = Docx(
        paragraphs=[
            para("Chapter 1", style="Heading1"),
            para(
                "Maren", note_reference("5", "endnote"), " kept the lamp", note_reference("3"), "."
            ),
            para("Chapter 2", style="Heading1"),
            para("The storm", note_reference("4"), " came in sideways."),
        ],
        footnotes={"3": [para("A footnote.")], "4": [para("The second chapter's note.")]},
        endnotes={"5": [para("An endnote.")]},
    )
    first, second = _parse(docx).chapters
    assert first.text == "Maren1 kept the lamp2."
    assert "An endnote." in first.end_notes.split("</li>")[0]
    assert "A footnote." in first.end_notes.split("</li>")[1]
    assert second.text == "The storm1 came in sideways."
    assert 'href="#chapter-2-note-1"' in second.html
    assert second.end_notes.startswith('<ol><li><a name="chapter-2-note-1"')
    assert "The second chapter's note." in second.end_notes


def test_the_writers_own_end_notes_come_before_the_footnotes() -> None:
    docx = Docx(
        paragraphs=[
            para("Chapter 1", style="Heading1"),
            para("Maren kept the lamp", note_reference("1"), "."),
            para("A/N: Thanks for reading!"),
            para("Chapter 2", style="Heading1"),
            para("The storm came in sideways."),
        ],
        footnotes={"1": [para("Every night.")]},
    )
    first = _parse(docx).chapters[0]
    own, footnotes = first.end_notes.split("\n")
    assert own == "<p>Thanks for reading!</p>"
    assert "Every night." in footnotes


def test_note_markers_and_notes_are_not_counted_as_words() -> None:
    with_notes = Docx(
        paragraphs=[para("Maren trimmed the wick", note_reference("1"), " and lit the lamp.")],
        footnotes={"1": [para("Twice a night, in winter, and more in storms.")]},
    )
    without = Docx(paragraphs=[para("Maren trimmed the wick and lit the lamp.")])
    assert _parse(with_notes).word_count == _parse(without).word_count == 8


def test_a_note_with_a_link_and_two_paragraphs_keeps_both() -> None:
    link = hyperlink("the log", rel="rIdNoteLink")
    docx = Docx(
        paragraphs=[para("Maren kept the lamp", note_reference("1"), ".")],
        footnotes={"1": [para("See ", link, "."), para("It is all there.")]},
        note_links={"rIdNoteLink": "https://example.org/log"},
    )
    end_notes = _parse(docx).chapters[0].end_notes
    assert '<p>See <a href="https://example.org/log" rel="nofollow">the log</a>.</p>' in end_notes
    assert "<p>It is all there.</p>" in end_notes


def test_a_note_referred_to_outside_the_chapter_text_goes_to_the_works_end_notes() -> None:
    docx = Docx(
        paragraphs=[
            para("Kettle Point", note_reference("1"), style="Title"),
            para("Maren kept the lamp lit all night."),
        ],
        footnotes={"1": [para("A real lighthouse, once.")]},
    )
    work = _parse(docx)
    assert work.title == "Kettle Point"
    assert work.end_notes == "<ol><li>A real lighthouse, once.</li></ol>"
    assert work.chapters[0].end_notes == ""


def test_unreadable_notes_are_not_fatal_and_leave_no_marker() -> None:
    files = Docx(
        paragraphs=[para("Maren kept the lamp", note_reference("1"), ".")],
        footnotes={"1": [para("Every night.")]},
    ).files()
    files["word/footnotes.xml"] = "<w:footnotes broken"
    chapter = _parse(zip_files(files)).chapters[0]
    assert chapter.html == "<p>Maren kept the lamp.</p>"
    assert chapter.end_notes == ""


# -- links ----------------------------------------------------------------------------------------


def test_a_hyperlink_keeps_its_anchor_as_the_fragment() -> None:
    # Word stores a link to https://example.org/log#entry-4 as the target and w:anchor="entry-4".
    docx = Docx(
        paragraphs=[para("See ", hyperlink("the log", rel="rIdLog", anchor="entry-4"), ".")],
        links={"rIdLog": "https://example.org/log"},
    )
    assert _html_of(docx) == (
        '<p>See <a href="https://example.org/log#entry-4" rel="nofollow">the log</a>.</p>'
    )


def test_a_relationship_target_keeps_its_fragment() -> None:
    docx = Docx(
        paragraphs=[para(bookmark(""), "See ", hyperlink("the log", rel="rIdLog"), ".")],
        links={"rIdLog": "https://example.org/log#entry-4"},
    )
    assert _html_of(docx) == (  # and a bookmark with no name is no anchor
        '<p>See <a href="https://example.org/log#entry-4" rel="nofollow">the log</a>.</p>'
    )


def test_a_link_to_a_bookmark_keeps_its_fragment_and_the_bookmark_its_anchor() -> None:
    docx = Docx(
        paragraphs=[
            para("See ", hyperlink("the storm", anchor="storm"), " below."),
            para("Maren kept the lamp.", bookmark("_GoBack", "1")),
            para(bookmark("storm", "2"), "The storm came in sideways."),
        ]
    )
    assert _html_of(docx) == (
        '<p>See <a href="#storm" rel="nofollow">the storm</a> below.</p>\n'
        "<p>Maren kept the lamp.</p>\n"  # a bookmark no link goes to is no anchor
        '<p><a name="storm" rel="nofollow"></a>The storm came in sideways.</p>'
    )


def test_a_link_written_as_a_hyperlink_field_keeps_its_url_and_fragment() -> None:
    begin = '<w:r><w:fldChar w:fldCharType="begin"/></w:r>'
    instruction = (
        '<w:r><w:instrText xml:space="preserve"> HYPERLINK "https://example.org/log" '
        '\\l "entry-4" </w:instrText></w:r>'
    )
    separate = '<w:r><w:fldChar w:fldCharType="separate"/></w:r>'
    end = '<w:r><w:fldChar w:fldCharType="end"/></w:r>'
    simple = (
        '<w:fldSimple w:instr=" HYPERLINK &quot;mailto:keeper@example.org&quot; ">'
        f"{run('write')}</w:fldSimple>"
    )
    inside = (
        f'<w:fldSimple w:instr=" HYPERLINK \\l &quot;storm&quot; ">{run("below")}</w:fldSimple>'
    )
    html = _html(
        para("See ", begin, instruction, separate, run("the log"), end, " or ", simple, "."),
        para("More ", inside, "."),
    )
    assert html == (
        '<p>See <a href="https://example.org/log#entry-4" rel="nofollow">the log</a> or '
        '<a href="mailto:keeper@example.org" rel="nofollow">write</a>.</p>\n'
        "<p>More below.</p>"  # a field link to a place in the document stays text
    )


# -- a real writer-made file ----------------------------------------------------------------------


def test_calibres_docx_with_lists_a_table_and_a_link_reads_them() -> None:
    fixture = Path(__file__).parent.parent / "fixtures" / "calibre-lists-tables.docx"
    work = parse_bytes(fixture.read_bytes(), fixture.name)
    assert work.title == "Inventory at Kettle Point"
    assert work.authors == ["tidewright"]
    first, second = work.chapters
    assert [first.title, second.title] == ["The List", "The Ledger"]
    assert (
        "<ul><li>Oil for the wick</li><li>Glass, <em>clean</em> glass\n"
        "<ul><li>the big lens</li><li>the storm panes</li></ul></li><li>Patience</li></ul>"
    ) in first.html
    assert (
        "<ol><li>First the stair</li><li>Then the door</li><li>Then the <strong>light</strong>"
        "</li></ol>"
    ) in first.html
    assert 'href="https://example.org/log#entry-4"' in first.html
    assert "<tr><td>The Gull</td>\n<td>Monday</td></tr>" in second.html
    assert '<ol type="i"><li>one barrel</li><li>two ropes</li></ol>' in second.html
    assert first.word_count == 15 + 14 + 7 + 9 + 6  # paragraphs, list items, no bullets


# -- a Project Gutenberg book converted by calibre -------------------------------------------------

GUTENBERG_DOCX = Path(__file__).parent.parent / "fixtures" / "gutenberg"
GUTENBERG_DOCX /= "sherlock-holmes-short-calibre.docx"  # made by gutenberg/make_calibre.py


def _gutenberg_docx() -> ParsedWork:
    return parse_bytes(GUTENBERG_DOCX.read_bytes(), GUTENBERG_DOCX.name)


def test_a_gutenberg_docx_has_a_chapter_per_adventure_and_no_contents_or_title_page() -> None:
    work = _gutenberg_docx()
    assert [chapter.title for chapter in work.chapters] == [
        "A Scandal in Bohemia",
        "The Red-Headed League",
        "A Case of Identity",
    ]
    first = work.chapters[0].text
    assert first.startswith("I.\n\nTo Sherlock Holmes she is always the woman.")
    assert "\n\nII.\n\nAt three o’clock precisely I was at Baker Street" in first
    assert "\n\nIII.\n\nI slept at Baker Street that night" in first
