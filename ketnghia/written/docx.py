"""A written report (outline.Document) as a .docx in the layout of Decree 30/2020/NĐ-CP (Phụ
lục I; Mẫu 1.4 of Phụ lục III): A4 portrait, Times New Roman, margins 20/20/30/15 mm; the
two-column heading (issuing body, number; national motto, place and date); "BÁO CÁO" and the
subject; the body at 14 pt, justified, first lines indented 1.27 cm, 6 pt between paragraphs;
"./." at its end; "Nơi nhận" and the signature side by side; page numbers centred in the top
margin from page 2; the appendices after a page break, numbered apart.
"""

import io

from django.utils import translation
from django.utils.translation import gettext as _
from docx import Document as NewDocument
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Mm, Pt

from ketnghia.written.outline import Figure, Heading, Paragraph, Table

FONT = "Times New Roman"
BODY_PT = 14
PAGE_WIDTH, PAGE_HEIGHT = Mm(210), Mm(297)
MARGINS = {"top": Mm(20), "bottom": Mm(20), "left": Mm(30), "right": Mm(15)}
INDENT = Cm(1.27)
TEXT_WIDTH = PAGE_WIDTH - MARGINS["left"] - MARGINS["right"]


def _run(paragraph, text, size=BODY_PT, bold=False, italic=False):
    run = paragraph.add_run(text)
    run.font.name = FONT
    run.font.size = Pt(size)
    run.bold, run.italic = bold, italic
    # East-Asian and complex-script fonts too, so that Word never falls back for diacritics.
    fonts = run._element.get_or_add_rPr().get_or_add_rFonts()
    for attribute in ("w:eastAsia", "w:cs", "w:hAnsi"):
        fonts.set(qn(attribute), FONT)
    return run


def _paragraph(container, text="", size=BODY_PT, align=None, bold=False, italic=False, after=0):
    paragraph = container.add_paragraph()
    paragraph.paragraph_format.space_before = Pt(0)
    paragraph.paragraph_format.space_after = Pt(after)
    if align is not None:
        paragraph.alignment = align
    if text:
        _run(paragraph, text, size, bold, italic)
    return paragraph


def _rule(paragraph):
    """A short line under a paragraph (the rule under the issuing body and the motto)."""
    border = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for key, value in (("w:val", "single"), ("w:sz", "6"), ("w:space", "1"), ("w:color", "000000")):
        bottom.set(qn(key), value)
    border.append(bottom)
    paragraph._p.get_or_add_pPr().append(border)


def _no_borders(table):
    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        element = OxmlElement(f"w:{edge}")
        element.set(qn("w:val"), "nil")
        borders.append(element)
    table._tbl.tblPr.append(borders)


def _rule_line(container, length, width):
    """A centred rule `length` long in a column `width` wide: a paragraph of its own, empty
    and small, under the line it rules (Decree 30: "đường kẻ ngang, nét liền"), so that the
    words above keep the column's whole width."""
    line = _paragraph(container, "", 2, WD_ALIGN_PARAGRAPH.CENTER, after=2)
    _rule(line)
    side = int((width - length) / 2)
    line.paragraph_format.left_indent = line.paragraph_format.right_indent = side
    return line


def _cell_text(cell, lines, width=None):
    """Fill a cell `width` wide with [(text, size, bold, italic, align, rule)] lines; `rule`
    the length of a rule under the line, or None."""
    cell.paragraphs[0]._p.getparent().remove(cell.paragraphs[0]._p)
    for text, size, bold, italic, align, rule in lines:
        _paragraph(cell, text, size, align, bold, italic)
        if rule:
            _rule_line(cell, rule, width)


def _two_columns(document, widths):
    table = document.add_table(rows=1, cols=2)
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    _no_borders(table)
    _widths(table, widths)
    return table.rows[0].cells


def _widths(table, widths):
    """The columns' widths, in the table's grid (LibreOffice reads it) and in each cell (Word
    reads those), the layout fixed so that neither program redistributes them."""
    layout = OxmlElement("w:tblLayout")
    layout.set(qn("w:type"), "fixed")
    table._tbl.tblPr.append(layout)
    for column, width in zip(table.columns, widths, strict=True):
        column.width = width
        for cell in column.cells:
            cell.width = width


# The heading's two columns: the issuing body's and the nation's (with the place and date).
HEADING_COLUMNS = (Cm(6.5), Cm(10))


def _heading(document, doc):
    center = WD_ALIGN_PARAGRAPH.CENTER
    left_width, right_width = HEADING_COLUMNS
    left, right = _two_columns(document, HEADING_COLUMNS)
    issuer_lines = []
    if doc.issuer_parent:
        issuer_lines.append((doc.issuer_parent, 13, False, False, center, None))
    # Under the issuing body, a rule a third of its column (1/3 to 1/2 of the line).
    issuer_lines.append((doc.issuer, 13, True, False, center, int(left_width / 3)))
    number = _("No.: %(number)s") % {"number": doc.number}
    issuer_lines.append((number, 13, False, False, center, None))
    _cell_text(left, issuer_lines, left_width)
    motto = _("SOCIALIST REPUBLIC OF VIET NAM")
    freedom = _("Independence - Freedom - Happiness")
    _cell_text(
        right,
        [
            (motto, 12, True, False, center, None),
            # Under the motto, a rule as long as it (13 pt bold: about 5.6 cm).
            (freedom, 13, True, False, center, Cm(5.6)),
            (doc.place_date, 14, False, True, center, None),
        ],
        right_width,
    )
    _paragraph(document, "", after=6)
    _paragraph(document, doc.title, 14, center, bold=True)
    _paragraph(document, doc.subject, 14, center, bold=True, after=0)
    line = _paragraph(document, "", 6, center)
    _rule(line)
    line.paragraph_format.left_indent = Cm(6)
    line.paragraph_format.right_indent = Cm(6)
    if doc.draft_note:
        _paragraph(document, doc.draft_note, 12, center, italic=True)
    _paragraph(document, "", after=6)


def _body_paragraph(document, text, italic=False, bold_lead=""):
    paragraph = _paragraph(document, "", align=WD_ALIGN_PARAGRAPH.JUSTIFY, after=6)
    paragraph.paragraph_format.first_line_indent = INDENT
    paragraph.paragraph_format.line_spacing = 1.15
    if bold_lead:
        _run(paragraph, bold_lead, bold=True)
    _run(paragraph, text, italic=italic)
    return paragraph


def _table(document, block):
    caption = _paragraph(
        document,
        "",
        13,
        WD_ALIGN_PARAGRAPH.CENTER,
        after=3,
    )
    _run(caption, _("Table %(number)s. ") % {"number": block.number}, 13, True)
    _run(caption, block.caption, 13, True)
    rows = [*block.rows]
    if block.total:
        rows.append(block.total)
    table = document.add_table(rows=1 + len(rows), cols=len(block.header))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    shares = block.widths or (1,) * len(block.header)
    _widths(table, [int(TEXT_WIDTH * share / sum(shares)) for share in shares])
    for r, values in enumerate([block.header, *rows]):
        is_header, is_total = r == 0, block.total is not None and r == len(rows)
        for c, value in enumerate(values):
            paragraph = table.cell(r, c).paragraphs[0]
            paragraph.paragraph_format.space_after = Pt(0)
            if is_header:
                paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
            elif c in block.numeric:
                paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
            _run(paragraph, value, 12, bold=is_header or is_total)
    for row in table.rows[:1]:
        # The header row repeats on each page the table runs over.
        header = OxmlElement("w:tblHeader")
        header.set(qn("w:val"), "true")
        row._tr.get_or_add_trPr().append(header)
    for note in block.notes:
        _paragraph(document, note, 12, WD_ALIGN_PARAGRAPH.LEFT, italic=True)
    _paragraph(document, "", after=6)


def _figure(document, block):
    picture = _paragraph(document, "", align=WD_ALIGN_PARAGRAPH.CENTER)
    width = min(Cm(14), int(Cm(14) * block.width / max(block.width, block.height) * 1.0))
    picture.add_run().add_picture(io.BytesIO(block.image), width=width)
    label = _("Photo %(number)s. ") % {"number": block.number}
    caption = _paragraph(document, "", 12, WD_ALIGN_PARAGRAPH.CENTER, after=0)
    _run(caption, label, 12, bold=True)
    _run(caption, block.caption, 12, italic=True)
    if block.credit:
        _paragraph(document, block.credit, 12, WD_ALIGN_PARAGRAPH.CENTER, italic=True)
    _paragraph(document, "", after=6)


def _blocks(document, blocks, last_mark=""):
    for n, block in enumerate(blocks):
        end = last_mark if n == len(blocks) - 1 else ""
        if isinstance(block, Heading):
            paragraph = _paragraph(document, "", after=6)
            paragraph.paragraph_format.first_line_indent = INDENT
            paragraph.paragraph_format.keep_with_next = True
            text = block.text.upper() if block.level == 1 else block.text
            _run(paragraph, text, bold=True)
        elif isinstance(block, Paragraph):
            _body_paragraph(document, block.text + end, block.italic, block.bold_lead)
            end = ""
        elif isinstance(block, Table):
            _table(document, block)
        elif isinstance(block, Figure):
            _figure(document, block)
        if end:  # the last block is not a paragraph: the mark on a line of its own
            _body_paragraph(document, end.strip())


def _footer(document, doc):
    left, right = _two_columns(document, (Cm(7.5), Cm(9)))
    heading = _("To:")
    _cell_text(
        left,
        [
            (heading, 12, True, True, WD_ALIGN_PARAGRAPH.LEFT, False),
            *((line, 11, False, False, WD_ALIGN_PARAGRAPH.LEFT, False) for line in doc.recipients),
        ],
    )
    center = WD_ALIGN_PARAGRAPH.CENTER
    signature = []
    if doc.signer_authority:
        signature.append((doc.signer_authority, 14, True, False, center, False))
    if doc.signer_position:
        signature.append((doc.signer_position, 14, True, False, center, False))
    signature += [("", 14, False, False, center, False)] * 4
    signature.append((doc.signer_name, 14, True, False, center, False))
    _cell_text(right, signature)


def _page_numbers(section):
    """Page numbers centred in the top margin, from page 2: the first page's header is empty."""
    section.different_first_page_header_footer = True
    paragraph = section.header.paragraphs[0]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = paragraph.add_run()
    run.font.name, run.font.size = FONT, Pt(14)
    for kind, text in (("begin", None), (None, "PAGE"), ("end", None)):
        if kind:
            element = OxmlElement("w:fldChar")
            element.set(qn("w:fldCharType"), kind)
        else:
            element = OxmlElement("w:instrText")
            element.set(qn("xml:space"), "preserve")
            element.text = text
        run._r.append(element)
    section.header_distance = Mm(10)


def render(doc):
    """The .docx of a Document, as bytes, in the Document's language."""
    with translation.override(doc.language):
        return _render(doc)


def _render(doc):
    document = NewDocument()
    document.core_properties.language = doc.language
    document.core_properties.title = f"{doc.title} {doc.subject}"
    style = document.styles["Normal"]
    style.font.name, style.font.size = FONT, Pt(BODY_PT)
    style.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), FONT)
    section = document.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = PAGE_WIDTH, PAGE_HEIGHT
    section.top_margin, section.bottom_margin = MARGINS["top"], MARGINS["bottom"]
    section.left_margin, section.right_margin = MARGINS["left"], MARGINS["right"]
    _page_numbers(section)
    _heading(document, doc)
    for ground in doc.grounds:
        _body_paragraph(document, ground, italic=True)
    _blocks(document, doc.body, last_mark="./.")
    _paragraph(document, "", after=6)
    _footer(document, doc)
    for appendix in doc.appendices:
        # Each appendix on pages of its own, numbered apart (a section restarting at 1).
        appendix_section = document.add_section(WD_SECTION.NEW_PAGE)
        restart = OxmlElement("w:pgNumType")
        restart.set(qn("w:start"), "1")
        appendix_section._sectPr.append(restart)
        _paragraph(document, appendix.label, 14, WD_ALIGN_PARAGRAPH.CENTER, True)
        _paragraph(document, appendix.title.upper(), 14, WD_ALIGN_PARAGRAPH.CENTER, True, after=3)
        _paragraph(document, doc.attached_to, 13, WD_ALIGN_PARAGRAPH.CENTER, italic=True, after=12)
        _blocks(document, appendix.blocks)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()
