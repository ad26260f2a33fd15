"""Small .docx files for the tests, written with zipfile: the parts Word needs and nothing else."""

# ruff: noqa: E501  (markup copied the way the tools write it, one element to a line)

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from html import escape

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
MC_NS = "http://schemas.openxmlformats.org/markup-compatibility/2006"
WPS_NS = "http://schemas.microsoft.com/office/word/2010/wordprocessingShape"
WP_NS = "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing"
A_NS = "http://schemas.openxmlformats.org/drawingml/2006/main"
V_NS = "urn:schemas-microsoft-com:vml"
REL_TYPE = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"

CONTENT_TYPES = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">
  <Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>
  <Default Extension="xml" ContentType="application/xml"/>
  <Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>
  <Override PartName="/word/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.styles+xml"/>
  <Override PartName="/word/numbering.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.numbering+xml"/>
  <Override PartName="/word/footnotes.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.footnotes+xml"/>
  <Override PartName="/word/endnotes.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.endnotes+xml"/>
  <Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>
</Types>
"""

PACKAGE_RELS = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
  <Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/>
  <Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" Target="docProps/core.xml"/>
</Relationships>
"""


def run(
    text: str,
    bold: bool = False,
    italic: bool = False,
    underline: bool = False,
    strike: bool = False,
    style: str = "",
) -> str:
    """A w:r; a tab in the text becomes w:tab and a newline w:br, as Word writes them."""
    props = ""
    if style:
        props += f'<w:rStyle w:val="{style}"/>'
    if bold:
        props += "<w:b/><w:bCs/>"
    if italic:
        props += "<w:i/><w:iCs/>"
    if underline:
        props += '<w:u w:val="single"/>'
    if strike:
        props += "<w:strike/>"
    parts = []
    for index, line in enumerate(text.split("\n")):
        if index:
            parts.append("<w:br/>")
        for number, piece in enumerate(line.split("\t")):
            if number:
                parts.append("<w:tab/>")
            if piece:
                parts.append(f'<w:t xml:space="preserve">{escape(piece, quote=False)}</w:t>')
    properties = f"<w:rPr>{props}</w:rPr>" if props else ""
    return f"<w:r>{properties}{''.join(parts)}</w:r>"


def para(*runs: str, style: str = "", align: str = "") -> str:
    """A w:p of runs (plain strings become plain runs)."""
    props = ""
    if style:
        props += f'<w:pStyle w:val="{style}"/>'
    if align:
        props += f'<w:jc w:val="{align}"/>'
    content = "".join(r if r.startswith("<") else run(r) for r in runs)
    return f"<w:p>{f'<w:pPr>{props}</w:pPr>' if props else ''}{content}</w:p>"


def table(rows: list[list[str]]) -> str:
    """A w:tbl whose cells hold one paragraph each."""
    cells = "".join(
        "<w:tr>" + "".join(f"<w:tc>{para(cell)}</w:tc>" for cell in row) + "</w:tr>" for row in rows
    )
    return f"<w:tbl><w:tblPr/>{cells}</w:tbl>"


def document(*paragraphs: str) -> str:
    body = "\n".join(paragraphs)
    return f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:document xmlns:w="{W_NS}" xmlns:r="{R_NS}" xmlns:mc="{MC_NS}" xmlns:wps="{WPS_NS}"
  xmlns:wp="{WP_NS}" xmlns:a="{A_NS}" xmlns:v="{V_NS}" mc:Ignorable="wps">
  <w:body>
{body}
    <w:sectPr><w:pgSz w:w="12240" w:h="15840"/></w:sectPr>
  </w:body>
</w:document>
"""


STYLES = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:styles xmlns:w="{W_NS}">
  <w:style w:type="paragraph" w:default="1" w:styleId="Normal"><w:name w:val="Normal"/></w:style>
  <w:style w:type="paragraph" w:styleId="Title"><w:name w:val="Title"/><w:basedOn w:val="Normal"/></w:style>
  <w:style w:type="paragraph" w:styleId="Heading1"><w:name w:val="heading 1"/><w:basedOn w:val="Normal"/>
    <w:pPr><w:outlineLvl w:val="0"/></w:pPr><w:rPr><w:b/></w:rPr></w:style>
  <w:style w:type="paragraph" w:styleId="Heading2"><w:name w:val="heading 2"/><w:basedOn w:val="Normal"/>
    <w:pPr><w:outlineLvl w:val="1"/></w:pPr></w:style>
  <w:style w:type="paragraph" w:styleId="berschrift1"><w:name w:val="heading 1"/></w:style>
  <w:style w:type="paragraph" w:styleId="ChapterHead"><w:name w:val="Chapter Head"/><w:basedOn w:val="Heading1"/></w:style>
  <w:style w:type="paragraph" w:styleId="TOC1"><w:name w:val="toc 1"/></w:style>
  <w:style w:type="paragraph" w:styleId="ListBullet"><w:name w:val="List Bullet"/><w:basedOn w:val="Normal"/>
    <w:pPr><w:numPr><w:numId w:val="1"/></w:numPr></w:pPr></w:style>
  <w:style w:type="character" w:styleId="Emphasis"><w:name w:val="Emphasis"/><w:rPr><w:i/></w:rPr></w:style>
</w:styles>
"""


def core(title: str = "", creator: str = "") -> str:
    return f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties"
  xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/"
  xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
  <dc:title>{escape(title)}</dc:title>
  <dc:creator>{escape(creator)}</dc:creator>
</cp:coreProperties>
"""


@dataclass
class Docx:
    paragraphs: list[str] = field(default_factory=list)
    styles: bool = True
    title: str = ""
    creator: str = ""
    links: dict[str, str] = field(default_factory=dict)  # relationship id → URL
    numbering: str = ""  # word/numbering.xml, when there are lists (see `numbering_xml`)
    footnotes: dict[str, list[str]] = field(default_factory=dict)  # w:id → the note's paragraphs
    endnotes: dict[str, list[str]] = field(default_factory=dict)
    note_links: dict[str, str] = field(default_factory=dict)  # footnotes.xml's hyperlinks

    def files(self) -> dict[str, str]:
        relationships = [
            f'<Relationship Id="{ident}" Type="{REL_TYPE}/hyperlink" Target="{escape(url)}" '
            'TargetMode="External"/>'
            for ident, url in self.links.items()
        ]
        extra: dict[str, str] = {}
        if self.numbering:
            relationships.append(
                f'<Relationship Id="rIdNumbering" Type="{REL_TYPE}/numbering" '
                'Target="numbering.xml"/>'
            )
            extra["word/numbering.xml"] = self.numbering
        for kind, notes in (("footnote", self.footnotes), ("endnote", self.endnotes)):
            if notes:
                relationships.append(
                    f'<Relationship Id="rId{kind}s" Type="{REL_TYPE}/{kind}s" '
                    f'Target="{kind}s.xml"/>'
                )
                extra[f"word/{kind}s.xml"] = notes_xml(kind, notes)
        if self.note_links and self.footnotes:
            extra["word/_rels/footnotes.xml.rels"] = rels_xml(
                f'<Relationship Id="{ident}" Type="{REL_TYPE}/hyperlink" Target="{escape(url)}" '
                'TargetMode="External"/>'
                for ident, url in self.note_links.items()
            )
        if self.styles:
            relationships.append(
                '<Relationship Id="rIdStyles" Type="http://schemas.openxmlformats.org/'
                'officeDocument/2006/relationships/styles" Target="styles.xml"/>'
            )
        files = {
            "[Content_Types].xml": CONTENT_TYPES,
            "_rels/.rels": PACKAGE_RELS,
            "word/document.xml": document(*self.paragraphs),
            "word/_rels/document.xml.rels": rels_xml(relationships),
            "docProps/core.xml": core(self.title, self.creator),
            **extra,
        }
        if self.styles:
            files["word/styles.xml"] = STYLES
        return files

    def build(self) -> bytes:
        return zip_files(self.files())


def rels_xml(relationships: Iterable[str]) -> str:
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
        f'relationships">{"".join(relationships)}</Relationships>'
    )


def zip_files(files: dict[str, str] | dict[str, bytes] | dict[str, str | bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def fanfic_docx(bold_headings: bool = False) -> Docx:
    """A fic as writers send them: a Title-styled title, an author's note, two chapters with
    Heading 1 headings (or bold lines), italics, a centred `* * *`, `The End`."""

    def heading(text: str) -> str:
        if bold_headings:
            return para(run(text, bold=True), align="center")
        return para(text, style="Heading1")

    return Docx(
        title="Document1",
        creator="Microsoft Office User",
        paragraphs=[
            para("The Bridge at Kettle Point", style="Title"),
            para("A/N: This one is for Sparrow, who asked for lighthouses."),
            heading("Chapter 1"),
            para(
                "The tide went out the way it always did, ",
                run("all at once", italic=True),
                " and without apology.",
            ),
            para("Maren climbed the stair. ", run("Nobody", bold=True), " knocked at the door."),
            para("* * *", align="center"),
            para("That night the lamp turned its slow circle over the water."),
            heading("Chapter 2: The Bridge"),
            para("The storm came in ", run("sideways", italic=True, underline=True), "."),
            para("In the morning the harbourmaster found them both asleep."),
            para("The End", align="center"),
        ],
    )


# -- lists ---------------------------------------------------------------------------------------


def list_item(*runs: str, num_id: str, level: int = 0, style: str = "") -> str:
    """A paragraph numbered as Word numbers list items: w:numPr's list instance and level."""
    paragraph = para(*runs, style=style)
    number = f'<w:numPr><w:ilvl w:val="{level}"/><w:numId w:val="{num_id}"/></w:numPr>'
    if paragraph.startswith("<w:p><w:pPr>"):
        return paragraph.replace("</w:pPr>", number + "</w:pPr>", 1)
    return paragraph.replace("<w:p>", f"<w:p><w:pPr>{number}</w:pPr>", 1)


def numbering_xml(
    lists: dict[str, list[str]], starts: dict[str, int] | None = None, shared: bool = False
) -> str:
    """numbering.xml with an abstract definition per list instance: numId → the numFmt of each
    level (`bullet`, `decimal`, `lowerRoman`…). `starts` restarts an instance at a number
    (w:startOverride); `shared` makes every instance use the first one's definition, as Word
    does for a list that goes on after a paragraph in between."""
    abstracts, nums = [], []
    for index, (num_id, formats) in enumerate(lists.items()):
        levels = "".join(
            f'<w:lvl w:ilvl="{level}"><w:start w:val="1"/><w:numFmt w:val="{fmt}"/>'
            f'<w:lvlText w:val="{"" if fmt == "bullet" else f"%{level + 1}."}"/></w:lvl>'
            for level, fmt in enumerate(formats)
        )
        if not shared or index == 0:
            abstracts.append(f'<w:abstractNum w:abstractNumId="{index}">{levels}</w:abstractNum>')
        override = ""
        if starts and num_id in starts:
            override = (
                f'<w:lvlOverride w:ilvl="0"><w:startOverride w:val="{starts[num_id]}"/>'
                "</w:lvlOverride>"
            )
        abstract = 0 if shared else index
        nums.append(
            f'<w:num w:numId="{num_id}"><w:abstractNumId w:val="{abstract}"/>{override}</w:num>'
        )
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        f'<w:numbering xmlns:w="{W_NS}">{"".join(abstracts)}{"".join(nums)}</w:numbering>'
    )


# -- notes, text boxes, links --------------------------------------------------------------------


def note_reference(ident: str, kind: str = "footnote") -> str:
    """The run Word writes where a footnote or endnote is referred to."""
    style = "FootnoteReference" if kind == "footnote" else "EndnoteReference"
    return (
        f'<w:r><w:rPr><w:rStyle w:val="{style}"/><w:vertAlign w:val="superscript"/></w:rPr>'
        f'<w:{kind}Reference w:id="{ident}"/></w:r>'
    )


def notes_xml(kind: str, notes: dict[str, list[str]]) -> str:
    """footnotes.xml or endnotes.xml: Word's two separator notes, then each note, whose first
    paragraph starts with the note's own number mark (w:footnoteRef)."""
    parts = [
        f'<w:{kind} w:type="separator" w:id="-1"><w:p><w:r><w:separator/></w:r></w:p></w:{kind}>',
        f'<w:{kind} w:type="continuationSeparator" w:id="0"><w:p><w:r><w:continuationSeparator/>'
        f"</w:r></w:p></w:{kind}>",
    ]
    for ident, paragraphs in notes.items():
        first, *rest = paragraphs
        mark = f'<w:r><w:rPr><w:vertAlign w:val="superscript"/></w:rPr><w:{kind}Ref/></w:r>'
        first = (
            first.replace("</w:pPr>", "</w:pPr>" + mark, 1)
            if "</w:pPr>" in first
            else (first.replace("<w:p>", "<w:p>" + mark, 1))
        )
        parts.append(f'<w:{kind} w:id="{ident}">{first}{"".join(rest)}</w:{kind}>')
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        f'<w:{kind}s xmlns:w="{W_NS}" xmlns:r="{R_NS}">{"".join(parts)}</w:{kind}s>'
    )


def _drawing_text_box(paragraphs: list[str]) -> str:
    return (
        '<w:drawing><wp:anchor distT="0" distB="0" distL="114300" distR="114300" '
        'simplePos="0" relativeHeight="1" behindDoc="0" locked="0" layoutInCell="1" '
        'allowOverlap="1"><wp:simplePos x="0" y="0"/><wp:extent cx="2360930" cy="1404620"/>'
        '<wp:docPr id="1" name="Text Box 1"/><a:graphic><a:graphicData '
        'uri="http://schemas.microsoft.com/office/word/2010/wordprocessingShape"><wps:wsp>'
        '<wps:cNvSpPr txBox="1"/><wps:txbx><w:txbxContent>'
        f"{''.join(paragraphs)}"
        "</w:txbxContent></wps:txbx><wps:bodyPr/></wps:wsp></a:graphicData></a:graphic>"
        "</wp:anchor></w:drawing>"
    )


def _vml_text_box(paragraphs: list[str]) -> str:
    return (
        '<w:pict><v:shape id="Text Box 1" type="#_x0000_t202" '
        'style="position:absolute;width:186pt;height:110pt"><v:textbox><w:txbxContent>'
        f"{''.join(paragraphs)}"
        "</w:txbxContent></v:textbox></v:shape></w:pict>"
    )


def text_box(*paragraphs: str, how: str = "word") -> str:
    """A run holding a text box of these paragraphs. `word`: as Word 2010+ writes it, a
    DrawingML copy in mc:Choice and a VML copy in mc:Fallback; `drawing`: the DrawingML shape
    alone; `vml`: the VML shape alone, as older Word and LibreOffice write it."""
    boxes = list(paragraphs)
    if how == "drawing":
        return f"<w:r>{_drawing_text_box(boxes)}</w:r>"
    if how == "vml":
        return f"<w:r>{_vml_text_box(boxes)}</w:r>"
    return (
        '<w:r><mc:AlternateContent><mc:Choice Requires="wps">'
        f"{_drawing_text_box(boxes)}</mc:Choice><mc:Fallback>{_vml_text_box(boxes)}"
        "</mc:Fallback></mc:AlternateContent></w:r>"
    )


def hyperlink(text: str, rel: str = "", anchor: str = "") -> str:
    """A w:hyperlink: to a relationship's target (r:id), a place in it or in the document
    (w:anchor), or both, as Word writes a link to `https://…/page#part`."""
    attributes = (f' r:id="{rel}"' if rel else "") + (f' w:anchor="{anchor}"' if anchor else "")
    return f"<w:hyperlink{attributes}>{run(text)}</w:hyperlink>"


def bookmark(name: str, ident: str = "10") -> str:
    return f'<w:bookmarkStart w:id="{ident}" w:name="{name}"/><w:bookmarkEnd w:id="{ident}"/>'


def cell(*paragraphs: str, span: int = 1, merge: str = "") -> str:
    """A w:tc of paragraphs, spanning `span` grid columns, `merge` its w:vMerge."""
    properties = f'<w:gridSpan w:val="{span}"/>' if span > 1 else ""
    if merge:
        properties += '<w:vMerge w:val="restart"/>' if merge == "restart" else "<w:vMerge/>"
    content = "".join(paragraphs) or "<w:p/>"
    return f"<w:tc>{f'<w:tcPr>{properties}</w:tcPr>' if properties else ''}{content}</w:tc>"


def table_of(*rows: list[str], header_rows: int = 0) -> str:
    """A w:tbl of rows of `cell`s; the first `header_rows` repeat as the table's header."""
    parts = []
    for index, cells in enumerate(rows):
        header = "<w:trPr><w:tblHeader/></w:trPr>" if index < header_rows else ""
        parts.append(f"<w:tr>{header}{''.join(cells)}</w:tr>")
    return f"<w:tbl><w:tblPr/>{''.join(parts)}</w:tbl>"
