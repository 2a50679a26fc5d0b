"""The report as a .docx laid out as a 公文 (GB/T 9704): A4, fonts, sizes, indents.

Chinese fonts only take effect in Word when the run names them as its East Asian
font (w:eastAsia in rPr), so every run names its fonts explicitly. A machine without
方正小标宋 or 仿宋_GB2312 (most outside government offices) would fall back to any
font; the font table therefore lists each with an alternate name (w:altName) and the
GB2312 character set, so Word and LibreOffice substitute a sensible Chinese face.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import qn
from docx.shared import Mm, Pt
from docx.text.paragraph import Paragraph as DocxParagraph
from lxml import etree

from tui_app.report.document import Paragraph

LATIN_FONT = "Times New Roman"
SIZE_ER_HAO = Pt(22)   # 二号: the title
SIZE_SAN_HAO = Pt(16)  # 三号: headings and body
LINE_EXACT = Pt(28.95)  # 22 lines on the 225 mm type area


@dataclass(frozen=True)
class Fonts:
    """East Asian font names with the face to substitute where they are missing."""

    title: tuple[str, str] = ("方正小标宋简体", "宋体")
    heading: tuple[str, str] = ("黑体", "SimHei")
    body: tuple[str, str] = ("仿宋_GB2312", "仿宋")

    @classmethod
    def from_pack(cls, spec: Mapping[str, Any]) -> Fonts:
        """Fonts from the pack's [report.docx] (each a [name, fallback] list)."""
        chosen = {}
        for part in ("title", "heading", "body"):
            value = spec.get(f"{part}_font")
            if isinstance(value, list) and len(value) == 2 \
                    and all(isinstance(v, str) for v in value):
                chosen[part] = (value[0], value[1])
        return cls(**chosen)


def _name_fonts(run_rpr: Any, east_asian: str) -> None:
    fonts = run_rpr.get_or_add_rFonts()
    fonts.set(qn("w:ascii"), LATIN_FONT)
    fonts.set(qn("w:hAnsi"), LATIN_FONT)
    fonts.set(qn("w:eastAsia"), east_asian)


def _first_line_indent(para: DocxParagraph, chars: int, size: Pt) -> None:
    """Indent in characters (w:firstLineChars, what Word shows) and in points (fallback)."""
    para.paragraph_format.first_line_indent = Pt(size.pt * chars)
    ind = para.paragraph_format.element.get_or_add_pPr().get_or_add_ind()
    ind.set(qn("w:firstLineChars"), str(chars * 100))


def _add(doc: Any, para: Paragraph, fonts: Fonts) -> DocxParagraph:
    out = doc.add_paragraph()
    fmt = out.paragraph_format
    fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    fmt.line_spacing = LINE_EXACT
    fmt.space_before = Pt(0)
    fmt.space_after = Pt(0)
    size, font = SIZE_SAN_HAO, fonts.body[0]
    if para.role == "title":
        size, font = SIZE_ER_HAO, fonts.title[0]
        out.alignment = WD_ALIGN_PARAGRAPH.CENTER
        fmt.line_spacing = Pt(36)
        fmt.space_after = Pt(28.95)
    elif para.role == "heading":
        font = fonts.heading[0]
        _first_line_indent(out, 2, size)
    elif para.role == "signature":
        out.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        fmt.right_indent = Pt(size.pt * 4)
        fmt.keep_with_next = True  # unit and date stay together, never split by a page break
    else:
        out.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
        _first_line_indent(out, 2, size)
    for piece in para.runs:
        run = out.add_run(piece.text)
        run.font.size = size
        run.font.bold = piece.bold or None
        _name_fonts(run._element.get_or_add_rPr(), font)
    return out


def _declare_fonts(doc: Any, fonts: Fonts) -> None:
    """List the Chinese fonts in word/fontTable.xml with their substitutes."""
    part = next(r.target_part for r in doc.part.rels.values() if r.reltype.endswith("/fontTable"))
    table = parse_xml(part.blob)
    for name, fallback in dict.fromkeys((fonts.title, fonts.heading, fonts.body)):
        font = OxmlElement("w:font", {qn("w:name"): name})  # names come from the pack: escaped
        for tag, value in (("w:altName", fallback), ("w:charset", "86"),  # 86: GB2312
                           ("w:family", "modern"), ("w:pitch", "fixed")):
            font.append(OxmlElement(tag, {qn("w:val"): value}))
        table.append(font)
    part._blob = etree.tostring(table, xml_declaration=True, encoding="UTF-8", standalone=True)


def _page_numbers(doc: Any, fonts: Fonts) -> None:
    """"— 1 —" centred at the foot of every page, as 公文 are numbered."""
    para = doc.sections[0].footer.paragraphs[0]
    para.alignment = WD_ALIGN_PARAGRAPH.CENTER

    def run(text: str) -> Any:
        element = OxmlElement("w:r")
        rpr = element.get_or_add_rPr()
        _name_fonts(rpr, fonts.body[0])
        rpr.append(OxmlElement("w:sz", {qn("w:val"): "28"}))  # 四号 (14 pt)
        element.append(OxmlElement("w:t", {qn("xml:space"): "preserve"}))
        element[-1].text = text
        return element

    field = OxmlElement("w:fldSimple", {qn("w:instr"): "PAGE"})
    field.append(run("1"))
    for part in (run("— "), field, run(" —")):
        para._p.append(part)


def write_docx(paras: Sequence[Paragraph], path: Path, fonts: Fonts, title: str) -> None:
    """Write the paragraphs as a 公文 page layout to `path`."""
    doc = Document()
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    normal = doc.styles["Normal"]
    normal.font.size = SIZE_SAN_HAO
    _name_fonts(normal.element.get_or_add_rPr(), fonts.body[0])
    doc.core_properties.title = title
    doc.core_properties.language = "zh-CN"
    previous = None
    for para in paras:
        added = _add(doc, para, fonts)
        if para.role == "signature" and previous is not None and previous[0] != "signature":
            # 落款 two lines below the text, and never alone at the top of a page
            added.paragraph_format.space_before = Pt(LINE_EXACT.pt * 2)
            previous[1].paragraph_format.keep_with_next = True
        previous = (para.role, added)
    _page_numbers(doc, fonts)
    _declare_fonts(doc, fonts)
    doc.save(str(path))
