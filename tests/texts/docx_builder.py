"""Small .docx files for the tests, written with zipfile: the parts Word needs and nothing else."""

# ruff: noqa: E501  (markup copied the way the tools write it, one element to a line)

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass, field
from html import escape

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"

CONTENT_TYPES = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">
  <Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>
  <Default Extension="xml" ContentType="application/xml"/>
  <Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>
  <Override PartName="/word/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.styles+xml"/>
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
<w:document xmlns:w="{W_NS}" xmlns:r="{R_NS}">
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

    def files(self) -> dict[str, str]:
        relationships = [
            f'<Relationship Id="{ident}" Type="http://schemas.openxmlformats.org/officeDocument/'
            f'2006/relationships/hyperlink" Target="{escape(url)}" TargetMode="External"/>'
            for ident, url in self.links.items()
        ]
        if self.styles:
            relationships.append(
                '<Relationship Id="rIdStyles" Type="http://schemas.openxmlformats.org/'
                'officeDocument/2006/relationships/styles" Target="styles.xml"/>'
            )
        files = {
            "[Content_Types].xml": CONTENT_TYPES,
            "_rels/.rels": PACKAGE_RELS,
            "word/document.xml": document(*self.paragraphs),
            "word/_rels/document.xml.rels": (
                '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
                f'relationships">{"".join(relationships)}</Relationships>'
            ),
            "docProps/core.xml": core(self.title, self.creator),
        }
        if self.styles:
            files["word/styles.xml"] = STYLES
        return files

    def build(self) -> bytes:
        return zip_files(self.files())


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
