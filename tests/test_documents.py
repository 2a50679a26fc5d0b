"""`fieldlog doc`: 执法文书 from the pack's templates, numbered once, never twice alike."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import docx
import pytest

from tests.conftest import SUPERMARKET, write_jsonl
from tests.sync_support import Laptop
from tui_app.services.context import PACKS_DIR

EQUIPMENT_USER = {"type": "entity", "name": "城南燃气有限公司", "uscc": "91350203MA2XK4QF7R",
                  "category": "特种设备使用单位", "address": "思明区城南路8号", "contact": "0592-5550123"}


def text_of(path: Path) -> str:
    """Every paragraph and table cell of a .docx, opened back with python-docx."""
    document = docx.Document(str(path))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        parts += [" | ".join(c.text for c in row.cells) for row in table.rows]
    return "\n".join(parts)


def add(fieldlog, *args: str) -> str:  # noqa: ANN001 - the conftest Fieldlog runner
    fieldlog("record", "add", "--at", "2026-09-21T10:30", "--officer", "张三:3201001",
             "--officer", "李四:3201002", *args)
    return fieldlog.json("record", "list")[0]["id"]


@pytest.fixture
def entities(fieldlog, tmp_path: Path) -> None:
    fieldlog("import", str(write_jsonl(tmp_path / "e.jsonl", SUPERMARKET, EQUIPMENT_USER)))


def test_food_inspection_with_rectification(fieldlog, entities, tmp_path: Path) -> None:
    rid = add(fieldlog, "--action", "food", "--entity", SUPERMARKET["name"],
              "--field", "place_type=学校及周边", "--field", "cold_chain=是",
              "--findings", "冷链食品未索证索票", "--rectify")
    out = fieldlog("doc", rid, "-o", str(tmp_path / "docs")).stdout
    files = sorted((tmp_path / "docs").iterdir())
    assert [f.name.split("-")[0] for f in files] == ["现场检查笔录", "责令改正通知书"]
    record = text_of(next(f for f in files if f.name.startswith("现场检查笔录")))
    for fragment in ("城关镇好又多超市", "91110108551385082Q", "张三 | 执法证号 | 3201001",
                     "李四 | 执法证号 | 3201002", "冷链食品未索证索票", "冷链食品经营单位：是",
                     "责令改正（见思市监责改〔2026〕", "区市场监督管理局"):
        assert fragment in record, fragment
    assert re.search(r"思市监检〔2026〕\w+-\d+号", record)  # no central store yet: device prefix
    order = text_of(next(f for f in files if f.name.startswith("责令改正通知书")))
    assert "城关镇好又多超市：" in order and "冷链食品未索证索票" in order and "3201002" in order
    numbers = fieldlog.json("record", "show", rid)["current"]["documents"]
    assert set(numbers) == {"inspection_record", "rectification"}
    again = fieldlog("doc", rid, "-o", str(tmp_path / "again")).stdout
    assert again.replace(str(tmp_path / "again"), "") == out.replace(str(tmp_path / "docs"), "")
    shown = fieldlog.json("record", "show", rid)
    assert shown["current"]["rev"] == 2 and shown["current"]["documents"] == numbers  # same 文号
    fieldlog("record", "edit", rid, "--findings", "已当场整改")  # an edit keeps the numbers
    assert fieldlog.json("record", "show", rid)["current"]["documents"] == numbers


def test_equipment_inspection_with_directives_and_sealed_units(fieldlog, entities,
                                                               tmp_path: Path) -> None:
    rid = add(fieldlog, "--action", "equipment", "--entity", EQUIPMENT_USER["name"],
              "--field", "equipment_types=气瓶,压力容器", "--findings", "气瓶超期未检",
              "--directives", "2", "--sealed", "3", "--seize", "液化石油气钢瓶:只:12:3600")
    fieldlog("doc", rid, "-o", str(tmp_path / "docs"))
    names = sorted(f.name.split("-")[0] for f in (tmp_path / "docs").iterdir())
    assert names == sorted(["现场检查笔录", "特种设备安全监察指令书", "特种设备安全监察指令书",
                            "查封（扣押）决定书", "查封（扣押）场所、设施、财物清单"])
    numbers = fieldlog.json("record", "show", rid)["current"]["documents"]
    assert set(numbers) == {"inspection_record", "directive.1", "directive.2", "seizure",
                            "seizure_list"}
    assert numbers["directive.1"]["number"] != numbers["directive.2"]["number"]
    listing = tmp_path / "list.docx"
    fieldlog("doc", rid, "--kind", "seizure_list", "-o", str(listing))
    items = text_of(listing)
    assert "1 | 液化石油气钢瓶 | 只 | 12 | 3600.00" in items
    assert "2 | 压力容器、气瓶 | 台 | 3 |" in items  # the form keeps its choices in order
    assert numbers["seizure"]["number"] in items  # the list names its decision
    second = tmp_path / "d2.docx"
    fieldlog("doc", rid, "--kind", "directive.2", "-o", str(second))
    directive = text_of(second)
    for fragment in ("城南燃气有限公司", "91350203MA2XK4QF7R", "气瓶超期未检", "第 2 份，共 2 份",
                     "3201001", "3201002", "3 台设备已依法实施查封", numbers["directive.2"]["number"]):
        assert fragment in directive, fragment
    refused = fieldlog("doc", rid, "--kind", "rectification", ok=False)
    assert refused.exit_code == 1 and "没有要打印的文书" in refused.stderr


def test_two_laptops_never_print_the_same_number(tmp_path: Path, central_url: str) -> None:
    a = Laptop(tmp_path / "a", "张三", "3201001")
    b = Laptop(tmp_path / "b", "王五", "3201003")
    c = Laptop(tmp_path / "c", "赵六", "3201005")  # never synced: numbers with its device prefix
    a.sync(central_url)
    b.sync(central_url)
    printed: list[str] = []
    for laptop, badge in ((a, "3201001"), (b, "3201003"), (c, "3201005")):
        for rid in laptop.add(3, badge=badge):  # offline from here on
            laptop("record", "edit", rid, "--rectify")
            laptop("doc", rid, "-o", str(laptop.folder / "docs"))
            shown = json.loads(laptop("record", "show", rid, "--format", "json").stdout)
            printed += [d["number"] for d in shown["current"]["documents"].values()]
    assert len(printed) == 18 and len(set(printed)) == 18
    assert "思市监检〔2026〕1号" in printed and "思市监检〔2026〕21号" in printed  # two blocks


def _pack_copy(tmp_path: Path, tag: str | None = None, rename: str | None = None) -> Path:
    folder = tmp_path / "bureau"
    shutil.copytree(PACKS_DIR / "zhongqiu", folder / "zhongqiu")
    text = (PACKS_DIR / "zhongqiu.toml").read_text(encoding="utf-8")
    source = folder / "pack.toml"
    text = text.replace('id = "zhongqiu"', 'id = "siming"', 1)
    if rename:
        text = text.replace("zhongqiu/查封扣押清单.docx", f"zhongqiu/{rename}")
    source.write_text(text, encoding="utf-8")
    if tag:
        document = docx.Document()
        document.add_paragraph("当事人：{{ entity.name }}  许可证：{{ " + tag + " }}")
        document.save(str(folder / "zhongqiu" / "责令改正通知书.docx"))
    return source


def test_pack_import_refuses_a_template_with_an_unknown_tag(fieldlog, tmp_path: Path) -> None:
    source = _pack_copy(tmp_path, tag="licence_no")
    refused = fieldlog("campaign", "import", str(source), ok=False)
    assert refused.exit_code == 1 and "Traceback" not in refused.output
    assert "责令改正通知书.docx" in refused.stderr and "licence_no" in refused.stderr
    missing = fieldlog("campaign", "import", str(_pack_copy(tmp_path / "2", rename="本局清单.docx")),
                       ok=False)
    assert "找不到模板文件" in missing.stderr and "本局清单.docx" in missing.stderr
    assert "siming" not in fieldlog("campaign", "list").stdout


def test_an_imported_pack_prints_from_its_own_templates(fieldlog, entities, tmp_path: Path) -> None:
    source = _pack_copy(tmp_path)
    template = source.parent / "zhongqiu" / "现场检查笔录.docx"
    document = docx.Document(str(template))
    document.add_paragraph("本局自定义：{{ entity.name }}")
    document.save(str(template))
    fieldlog("campaign", "import", str(source))
    fieldlog("campaign", "use", "siming")
    template.unlink()  # kept in the database at import: the file may go
    rid = add(fieldlog, "--action", "food", "--entity", SUPERMARKET["name"],
              "--field", "place_type=其他")
    fieldlog("doc", rid, "-o", str(tmp_path / "one.docx"))
    assert "本局自定义：城关镇好又多超市" in text_of(tmp_path / "one.docx")


def test_shipped_templates_use_known_tags_and_the_script_rebuilds_them(tmp_path: Path) -> None:
    from docxtpl import DocxTemplate

    from tui_app.packs.zhongqiu import make_templates
    from tui_app.report.paperwork import unknown_tags

    rebuilt = make_templates.write_all(tmp_path)
    assert len(rebuilt) == 5
    for fresh in rebuilt:
        shipped = PACKS_DIR / "zhongqiu" / fresh.name
        assert unknown_tags(shipped.read_bytes(), fresh.name) == []
        assert DocxTemplate(str(shipped)).get_undeclared_template_variables() == \
            DocxTemplate(str(fresh)).get_undeclared_template_variables()
        assert text_of(shipped) == text_of(fresh)


def test_inspection_ledger_counts_attachments_and_lists_numbers(fieldlog, entities,
                                                                tmp_path: Path) -> None:
    import csv

    from tests.evidence_support import pdf, photo

    rid = add(fieldlog, "--action", "food", "--entity", SUPERMARKET["name"],
              "--field", "place_type=学校及周边", "--rectify")
    fieldlog("attach", rid, str(photo(tmp_path / "a.jpg")), str(pdf(tmp_path / "b.pdf")),
             str(photo(tmp_path / "c.jpg", taken=None)))
    fieldlog("attachment", "remove", rid, "b.pdf", "--reason", "重复")
    fieldlog("doc", rid, "-o", str(tmp_path / "docs"))
    numbers = [d["number"] for d in fieldlog.json("record", "show", rid)["current"]["documents"].values()]
    fieldlog("export", "--format", "csv", "-o", str(tmp_path / "ledgers"))
    with (tmp_path / "ledgers" / "检查台账.csv").open(encoding="utf-8-sig", newline="") as f:
        header, row = list(csv.reader(f))
    assert row[header.index("附件（份）")] == "2"
    assert row[header.index("文书编号")] == "、".join(numbers) and len(numbers) == 2
