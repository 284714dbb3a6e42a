"""The DPIA draft as a Word document (python-docx): real headings, real tables, room to write."""

from __future__ import annotations

import io

from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor
from docx.table import _Cell
from flask_babel import gettext as _

from portal.dpia.content import Block, Bullets, DpiaPack, Facts, Paragraph, Table, ToComplete

_SHADE_YOURS = "FFF7BF"  # a pale yellow: the school's own parts stand out, in print too
_SHADE_HEADER = "F3F2F1"
# Column widths in centimetres for each named table, filling A4 between 2 cm margins (17 cm).
_WIDTHS: dict[str, tuple[float, ...]] = {
    "suppliers": (3.2, 3.4, 3.0, 3.0, 2.2, 2.2),
    "not_used": (5.0, 12.0),
    "options": (5.0, 6.0, 6.0),
    "risks": (1.0, 6.6, 2.8, 2.2, 2.4, 2.0),
    "measures": (1.2, 8.3, 3.0, 2.0, 2.5),
    "sign_off": (5.0, 6.0, 6.0),
    "record": (2.0, 4.5, 10.5),
    "facts": (5.5, 11.5),
}


def _widths(table: object, name: str) -> None:
    """Fix column widths (Word reads each cell's width; LibreOffice reads the grid)."""
    widths = _WIDTHS.get(name)
    if widths is None:
        return
    table.autofit = False  # type: ignore[attr-defined]
    for column, width in zip(table.columns, widths, strict=True):  # type: ignore[attr-defined]
        column.width = Cm(width)
        for cell in column.cells:
            cell.width = Cm(width)


def _shade(cell: _Cell, colour: str) -> None:
    properties = cell._tc.get_or_add_tcPr()
    shading = OxmlElement("w:shd")
    shading.set(qn("w:val"), "clear")
    shading.set(qn("w:color"), "auto")
    shading.set(qn("w:fill"), colour)
    properties.append(shading)


def _repeat_header(row: object) -> None:
    """Mark a table's first row as a header that repeats on each page (and is read as one)."""
    properties = row._tr.get_or_add_trPr()  # type: ignore[attr-defined]
    header = OxmlElement("w:tblHeader")
    header.set(qn("w:val"), "true")
    properties.append(header)


def _write_cell(cell: _Cell, text: str, *, bold: bool = False) -> None:
    lines = text.split("\n")
    first = cell.paragraphs[0]
    first.add_run(lines[0]).bold = bold
    for line in lines[1:]:
        cell.add_paragraph().add_run(line).bold = bold


def _table(document: DocxDocument, name: str, headers: tuple[str, ...], rows: tuple[tuple[str, ...], ...]) -> None:
    table = document.add_table(rows=1, cols=len(headers))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.LEFT
    for cell, heading in zip(table.rows[0].cells, headers, strict=True):
        _write_cell(cell, heading, bold=True)
        _shade(cell, _SHADE_HEADER)
    _repeat_header(table.rows[0])
    for row in rows:
        cells = table.add_row().cells
        for cell, value in zip(cells, row, strict=True):
            _write_cell(cell, value)
    _widths(table, name)
    document.add_paragraph()


def _facts(document: DocxDocument, rows: tuple[tuple[str, str], ...]) -> None:
    table = document.add_table(rows=0, cols=2)
    table.style = "Table Grid"
    for label, value in rows:
        cells = table.add_row().cells
        _write_cell(cells[0], label, bold=True)
        _shade(cells[0], _SHADE_HEADER)
        _write_cell(cells[1], value)
    _widths(table, "facts")
    document.add_paragraph()


def _to_complete(document: DocxDocument, block: ToComplete) -> None:
    """A shaded box headed plainly as the school's, each question followed by space for the answer."""
    table = document.add_table(rows=1, cols=1)
    table.style = "Table Grid"
    cell = table.rows[0].cells[0]
    _shade(cell, _SHADE_YOURS)
    cell.paragraphs[0].add_run(block.label).bold = True
    for prompt in block.prompts:
        cell.add_paragraph(prompt, style="List Bullet")
        cell.add_paragraph(_("Your answer: "))
    document.add_paragraph()


def _block(document: DocxDocument, block: Block) -> None:
    if isinstance(block, Paragraph):
        document.add_paragraph(block.text)
    elif isinstance(block, Bullets):
        for item in block.items:
            document.add_paragraph(item, style="List Bullet")
    elif isinstance(block, Facts):
        _facts(document, block.rows)
    elif isinstance(block, Table):
        _table(document, block.name, block.headers, block.rows)
    elif isinstance(block, ToComplete):
        _to_complete(document, block)


def render_docx(pack: DpiaPack) -> bytes:
    """The whole draft as DOCX bytes."""
    document = Document()
    page = document.sections[0]
    page.page_width, page.page_height = Cm(21.0), Cm(29.7)  # A4, as UK schools print
    page.left_margin = page.right_margin = Cm(2.0)
    styles = document.styles
    styles["Normal"].font.name = "Arial"
    styles["Normal"].font.size = Pt(10.5)
    for name in ("Title", "Heading 1", "Heading 2"):
        styles[name].font.name = "Arial"
        styles[name].font.color.rgb = RGBColor(0x0B, 0x0C, 0x0C)
    properties = document.core_properties
    properties.title = pack.title
    properties.author = pack.vendor["name"]
    properties.subject = pack.built_from
    document.add_heading(pack.title, level=0)
    document.add_paragraph(pack.built_from).runs[0].italic = True
    for section in pack.sections:
        document.add_heading(section.heading, level=1)
        for part in section.parts:
            if part.heading:
                document.add_heading(part.heading, level=2)
            for block in part.blocks:
                _block(document, block)
    footer = document.sections[0].footer.paragraphs[0]
    footer.text = f"{pack.title}. {pack.built_from}"
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()
