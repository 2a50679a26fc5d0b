"""Writes the shipped 执法文书 templates of the 中秋守护 pack (run it to rebuild them).

    python tui_app/packs/zhongqiu/make_templates.py [FOLDER]

The layouts follow the national formats (市场监督管理行政处罚文书格式范本, 2021; the
特种设备安全监察指令书 of 特种设备安全监督检查办法): the 执法机关 and the title, the
文号, the party (当事人), the facts, the legal basis as text, the signatures of both
officers and of the party, the date. The tags inside are docxtpl's (Jinja): a bureau
edits the written .docx in Word; this script only makes the first version reproducible.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Cm, Pt

HERE = Path(__file__).resolve().parent
BODY_FONT = "仿宋"
TITLE_FONT = "宋体"

PARTY = [
    ("当事人", "{{ entity.name }}"),
    ("统一社会信用代码（注册号）", "{{ entity.uscc }}"),
    ("住所（经营场所）", "{{ entity.address }}"),
    ("主体类型", "{{ entity.kind }}"),
    ("联系电话", "{{ entity.contact }}"),
]
OFFICERS = [
    ("检查人员", "{{ officer1.name }}", "执法证号", "{{ officer1.badge }}"),
    ("检查人员", "{{ officer2.name }}", "执法证号", "{{ officer2.badge }}"),
]
RIGHTS = ("如不服本决定，可以在收到本文书之日起六十日内依法申请行政复议，或者在六个月内依法向人民法院"
          "提起行政诉讼。申请行政复议或者提起行政诉讼期间，不停止本文书的执行。")


def _fonts(run, name: str, size: float, bold: bool = False) -> None:  # noqa: ANN001 - a docx run
    run.font.name = name
    run.font.size = Pt(size)
    run.font.bold = bold
    run._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), name)


def _para(doc, text: str, *, size: float = 14, bold: bool = False, align=None,  # noqa: ANN001
          font: str = BODY_FONT, indent: bool = False) -> None:
    paragraph = doc.add_paragraph()
    if align is not None:
        paragraph.alignment = align
    if indent:
        paragraph.paragraph_format.first_line_indent = Pt(size * 2)
    paragraph.paragraph_format.space_after = Pt(4)
    _fonts(paragraph.add_run(text), font, size, bold)


def _cell(cell, text: str, bold: bool = False) -> None:  # noqa: ANN001 - a docx cell
    cell.text = ""
    _fonts(cell.paragraphs[0].add_run(text), BODY_FONT, 12, bold)


def _table(doc, rows: Sequence[Sequence[str]], widths: Sequence[float],  # noqa: ANN001
           header: bool = False) -> None:
    table = doc.add_table(rows=len(rows), cols=len(widths))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    for c, width in enumerate(widths):
        table.columns[c].width = Cm(width)  # the grid: what LibreOffice and WPS lay out by
    for r, row in enumerate(rows):
        for c, text in enumerate(row):
            cell = table.cell(r, c)
            cell.width = Cm(widths[c])
            _cell(cell, text, bold=header and r == 0)


def _head(doc, title: str) -> None:  # noqa: ANN001
    section = doc.sections[0]
    section.page_height, section.page_width = Cm(29.7), Cm(21)
    section.top_margin = section.bottom_margin = Cm(2.5)
    section.left_margin = section.right_margin = Cm(2.6)
    _para(doc, "{{ unit }}", size=18, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER, font=TITLE_FONT)
    _para(doc, title, size=22, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER, font=TITLE_FONT)
    _para(doc, "{{ doc.number }}", size=14, align=WD_ALIGN_PARAGRAPH.RIGHT)


def _signatures(doc, *, party: bool = True) -> None:  # noqa: ANN001
    _para(doc, "")
    if party:
        _para(doc, "当事人（签名或盖章）：____________    日期：____年__月__日")
    _para(doc, "检查人员（签名）：{{ officer1.name }} ________  {{ officer2.name }} ________")
    _para(doc, "{{ unit }}（印章）", align=WD_ALIGN_PARAGRAPH.RIGHT)
    _para(doc, "{{ doc.date }}", align=WD_ALIGN_PARAGRAPH.RIGHT)


def inspection_record() -> Document:
    """现场笔录 (范本 #9), as the 现场检查笔录 counties print."""
    doc = Document()
    _head(doc, "现场检查笔录")
    _table(doc, [("检查时间", "{{ record.started_local }}"),
                 ("检查地点", "{{ entity.address or record.place }}"),
                 ("检查事项", "{{ campaign.name }}专项行动 · {{ action.name }}"),
                 *PARTY], [5, 11])
    _para(doc, "")
    _table(doc, OFFICERS, [3, 5, 3, 5])
    _para(doc, "")
    _para(doc, "我们是{{ unit }}的执法人员，已向你出示执法证件，依法就{{ action.name }}进行现场检查，"
               "请予配合。你有权进行陈述和申辩；如认为检查人员与本案有直接利害关系，可以申请回避。",
          indent=True)
    _para(doc, "现场情况：", bold=True)
    _para(doc, "{{ findings or '未发现问题。' }}", indent=True)
    _para(doc, "{% for f in fields %}{{ f.label }}：{{ f.value }}；{% endfor %}", indent=True)
    _para(doc, "处理措施：", bold=True)
    _para(doc, "{% if measures.rectification_ordered %}责令改正（见{{ numbers.rectification }}）；{% endif %}"
               "{% if measures.directives %}下达特种设备安全监察指令书 {{ measures.directives }} 份；{% endif %}"
               "{% if measures.sealed_units %}查封设备 {{ measures.sealed_units }} 台；{% endif %}"
               "{% if measures.seized %}扣押物品 {{ measures.seized|length }} 项（见清单）；{% endif %}"
               "{{ result }}", indent=True)
    _para(doc, "{% if attachments %}现场取证：照片及材料 {{ attachments|length }} 份。{% endif %}", indent=True)
    _para(doc, "以上笔录已向当事人宣读（或由当事人阅读），当事人确认无误。", indent=True)
    _signatures(doc)
    return doc


def rectification() -> Document:
    """责令改正通知书 (范本 #33)."""
    doc = Document()
    _head(doc, "责令改正通知书")
    _para(doc, "{{ entity.name }}：", bold=True)
    _table(doc, PARTY[1:], [5, 11])
    _para(doc, "")
    _para(doc, "{{ record.started_local }}，本局执法人员对你（单位）进行检查，发现你（单位）存在以下问题："
               "{{ findings }}", indent=True)
    _para(doc, "上述行为违反了《中华人民共和国食品安全法》等法律、法规的有关规定。依据《中华人民共和国"
               "行政处罚法》第二十八条第一款的规定，现责令你（单位）立即（或于收到本通知书之日起 ____ "
               "日内）改正上述问题，并将改正情况书面报告本局。", indent=True)
    _para(doc, "逾期不改正的，本局将依法处理。", indent=True)
    _table(doc, OFFICERS, [3, 5, 3, 5])
    _signatures(doc)
    _para(doc, "本文书一式两份，一份送达当事人，一份存档。", size=10.5)
    return doc


def directive() -> Document:
    """特种设备安全监察指令书 (特种设备安全监督检查办法 第二十三条)."""
    doc = Document()
    _head(doc, "特种设备安全监察指令书")
    _para(doc, "（第 {{ doc.index }} 份，共 {{ doc.count }} 份）", align=WD_ALIGN_PARAGRAPH.CENTER)
    _para(doc, "被检查单位：{{ entity.name }}", bold=True)
    _table(doc, PARTY[1:], [5, 11])
    _para(doc, "")
    _para(doc, "经检查，你（单位）在特种设备安全方面存在下列问题：{{ findings }}", indent=True)
    _para(doc, "{% for f in fields %}{{ f.label }}：{{ f.value }}；{% endfor %}", indent=True)
    _para(doc, "上述问题违反了《中华人民共和国特种设备安全法》及安全技术规范的有关规定。根据《特种设备"
               "安全监督检查办法》第二十三条的规定，责令你（单位）于 ____年__月__日前采取措施予以改正"
               "或者消除事故隐患，并将整改情况书面报告本局。"
               "{% if measures.sealed_units %}对存在严重事故隐患的 {{ measures.sealed_units }} 台设备已依法"
               "实施查封（{{ numbers.seizure }}）。{% endif %}", indent=True)
    _para(doc, RIGHTS, indent=True)
    _table(doc, OFFICERS, [3, 5, 3, 5])
    _para(doc, "")
    _para(doc, "被检查单位负责人（签名）：____________    日期：____年__月__日")
    _para(doc, "检查人员（签名）：{{ officer1.name }} ________  {{ officer2.name }} ________")
    _para(doc, "{{ unit }}（特种设备安全监察专用章）", align=WD_ALIGN_PARAGRAPH.RIGHT)
    _para(doc, "{{ doc.date }}", align=WD_ALIGN_PARAGRAPH.RIGHT)
    _para(doc, "本指令书一式两份，发出部门、被检查单位各一份。", size=10.5)
    return doc


def seizure() -> Document:
    """实施行政强制措施决定书 (范本 #21, 查封/扣押)."""
    doc = Document()
    _head(doc, "查封（扣押）决定书")
    _para(doc, "{{ entity.name }}：", bold=True)
    _table(doc, PARTY[1:], [5, 11])
    _para(doc, "")
    _para(doc, "经查，你（单位）涉嫌：{{ findings }}", indent=True)
    _para(doc, "依据《中华人民共和国行政强制法》第九条、第二十四条以及《中华人民共和国特种设备安全法》"
               "（或《中华人民共和国产品质量法》）的有关规定，本局决定对你（单位）的有关场所、设施、财物"
               "实施查封（扣押），详见《查封（扣押）场所、设施、财物清单》（{{ numbers.seizure_list }}）。"
               "{% if measures.sealed_units %}其中查封设备 {{ measures.sealed_units }} 台。{% endif %}",
          indent=True)
    _para(doc, "查封（扣押）期限为三十日，自 {{ doc.date }} 起算；情况复杂需要延长的，将另行书面告知。"
               "检测、检验、检疫或者技术鉴定的期间不计入上述期限。", indent=True)
    _para(doc, RIGHTS, indent=True)
    _table(doc, OFFICERS, [3, 5, 3, 5])
    _signatures(doc)
    _para(doc, "附件：查封（扣押）场所、设施、财物清单", size=10.5)
    return doc


def seizure_list() -> Document:
    """场所、设施、财物清单 (范本 #24)."""
    doc = Document()
    _head(doc, "查封（扣押）场所、设施、财物清单")
    _para(doc, "当事人：{{ entity.name }}    决定书文号：{{ numbers.seizure }}")
    rows = [("序号", "名称", "单位", "数量", "货值（元）"),
            ("{%tr for it in items %}", "", "", "", ""),
            ("{{ it.n }}", "{{ it.item }}", "{{ it.unit }}", "{{ it.quantity }}", "{{ it.value }}"),
            ("{%tr endfor %}", "", "", "", "")]
    _table(doc, rows, [1.5, 6.5, 2, 2.5, 3.5], header=True)
    _para(doc, "")
    _para(doc, "上述场所、设施、财物的品种、数量经核对无误。", indent=True)
    _signatures(doc)
    _para(doc, "本清单一式两份，一份交当事人，一份存档。", size=10.5)
    return doc


TEMPLATES = {
    "现场检查笔录.docx": inspection_record,
    "责令改正通知书.docx": rectification,
    "特种设备安全监察指令书.docx": directive,
    "查封扣押决定书.docx": seizure,
    "查封扣押清单.docx": seizure_list,
}


def write_all(folder: Path = HERE) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, build in TEMPLATES.items():
        build().save(str(folder / name))
        written.append(folder / name)
    return written


if __name__ == "__main__":
    for path in write_all(Path(sys.argv[1]) if len(sys.argv) > 1 else HERE):
        print(path)
