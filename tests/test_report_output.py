"""`fieldlog report`: the fixture campaign's report equals the seed with hand-counted figures."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from docx import Document
from docx.oxml.ns import qn
from docx.shared import Pt

from tests.conftest import write_jsonl
from tests.report_fixture import SIGNATURE, TITLE, VOIDED_ID, expected_body, records

PERIOD = ("--from", "2026-09-14", "--to", "2026-10-08")
HEADING = re.compile(r"^[一二三四五六七八九十]+、")
ITEM = re.compile(r"^([一二三四五六七八九十]+是[^。]*。)(.*)$")


@pytest.fixture
def campaign(fieldlog, tmp_path: Path):
    """The fixture campaign imported through the CLI, with one food visit voided."""
    fieldlog("import", str(write_jsonl(tmp_path / "campaign.jsonl", *records())))
    fieldlog("record", "void", VOIDED_ID, "--reason", "重复录入")
    return fieldlog


def expected_text() -> str:
    return "\n".join([TITLE, "", *expected_body(), "", *SIGNATURE]) + "\n"


def expected_markdown() -> str:
    blocks = [f"# {TITLE}"]
    for line in expected_body():
        item = ITEM.match(line)
        if HEADING.match(line):
            blocks.append(f"## {line}")
        elif item:
            blocks.append(f"**{item.group(1)[:-1]}**。{item.group(2)}")  # CommonMark closes ** before 。
        else:
            blocks.append(line)
    return "\n\n".join([*blocks, *SIGNATURE]) + "\n"


def test_text_report_is_the_seed_with_every_figure_filled(campaign) -> None:
    assert campaign("report", *PERIOD, "--format", "txt").stdout == expected_text()


def test_markdown_report(campaign, tmp_path: Path) -> None:
    assert campaign("report", *PERIOD).stdout == expected_markdown()
    out = tmp_path / "out" / "report.md"
    result = campaign("report", *PERIOD, "--format", "md", "-o", str(out))
    assert str(out) in result.stdout
    assert out.read_text(encoding="utf-8") == expected_markdown()


def _east_asian(run) -> str:  # noqa: ANN001 - a python-docx Run
    return run._element.rPr.rFonts.get(qn("w:eastAsia"))


def test_docx_holds_the_same_paragraphs_in_named_fonts(campaign, tmp_path: Path) -> None:
    out = tmp_path / "report.docx"
    campaign("report", *PERIOD, "--format", "docx", "-o", str(out))
    doc = Document(str(out))
    paras = doc.paragraphs
    assert [p.text for p in paras] == [TITLE, *expected_body(), *SIGNATURE]
    title, body, signature = paras[0], paras[1:-2], paras[-2:]
    assert {_east_asian(r) for r in title.runs} == {"方正小标宋简体"}
    assert title.runs[0].font.size == Pt(22)
    for para in body:
        fonts = {_east_asian(r) for r in para.runs}
        assert fonts == ({"黑体"} if HEADING.match(para.text) else {"仿宋_GB2312"}), para.text
        assert all(r.font.size == Pt(16) for r in para.runs)
        ind = para._p.pPr.find(qn("w:ind"))
        assert ind.get(qn("w:firstLineChars")) == "200"
        assert para.paragraph_format.first_line_indent == Pt(32)
    items = [p for p in body if ITEM.match(p.text)]
    assert len(items) == 13
    assert all(p.runs[0].bold and p.runs[0].text.endswith("。") for p in items)
    assert all(p.alignment == 2 for p in signature)  # right
    assert body[-1].paragraph_format.keep_with_next  # 落款 never alone on a page
    footer = doc.sections[0].footer.paragraphs[0]._p.xml
    assert 'w:instr="PAGE"' in footer and "— " in footer
    fonts_xml = next(r.target_part for r in doc.part.rels.values()
                     if r.reltype.endswith("/fontTable")).blob.decode("utf-8")
    for name, fallback in (("方正小标宋简体", "宋体"), ("仿宋_GB2312", "仿宋")):
        assert re.search(f'w:name="{name}"><w:altName w:val="{fallback}"/>', fonts_xml)
    section = doc.sections[0]
    assert round(section.page_width.mm) == 210 and round(section.top_margin.mm) == 37


def test_default_docx_name_and_period_check(campaign, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = campaign("report", *PERIOD, "--format", "docx")
    assert (tmp_path / "中秋守护工作汇报_2026-10-08.docx").exists(), result.stdout
    bad = campaign("report", "--from", "2026-10-01", "--to", "2026-09-20", ok=False)
    assert bad.exit_code == 1
    assert "起始日期 2026-10-01 晚于截止日期 2026-09-20" in bad.stderr


def test_a_shorter_period_counts_only_its_days(campaign) -> None:
    text = campaign("report", "--from", "2026-09-20", "--to", "2026-09-21",
                    "--format", "txt").stdout
    assert "出动执法人员4人次，检查各类食品经营单位及学校及周边食品经营单位3户次" in text
    assert "其中冷链食品经营单位2户次，组织冷链食品从业人员20人" in text
    assert text.rstrip().endswith("2026年9月21日")


def test_an_unwritable_output_is_one_clear_line(campaign, tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("x", encoding="utf-8")
    for args in (("report", "--format", "docx", "-o", str(blocker / "r.docx")),
                 ("export", "--format", "csv", "-o", str(blocker))):
        result = campaign(*args, ok=False)
        assert result.exit_code == 1
        assert result.stderr.startswith("无法写入") and "Traceback" not in result.output


@pytest.mark.skipif(shutil.which("soffice") is None,
                    reason="LibreOffice (soffice) is not installed")
def test_libreoffice_opens_the_docx(campaign, tmp_path: Path) -> None:
    out = tmp_path / "report.docx"
    campaign("report", *PERIOD, "--format", "docx", "-o", str(out))
    profile = (tmp_path / "lo-profile").as_uri()
    subprocess.run(["soffice", f"-env:UserInstallation={profile}", "--headless",
                    "--convert-to", "txt:Text (encoded):UTF8", "--outdir", str(tmp_path), str(out)],
                   check=True, capture_output=True, timeout=120)
    text = (tmp_path / "report.txt").read_text(encoding="utf-8-sig")
    assert [line for line in text.splitlines() if line] == [TITLE, *expected_body(), *SIGNATURE]
