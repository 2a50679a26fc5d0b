"""The entity registry: CSV/.xlsx import with Chinese headers, search by name, pinyin, USCC."""

from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook

HEADER = ["名称", "统一社会信用代码", "主体类型", "类别", "住所", "乡镇（街道）", "联系电话"]
ROWS = [
    ["北京小米科技", "91110108551385082Q", "企业", "食品销售", "海淀区", "城关镇", "010-1"],
    ["仁和大药房", "914403001922038216", "企业", "药店", "东街1号", "城关镇", ""],
    ["老王水果摊", "", "个体工商户", "食品销售", "集贸市场", "河西乡", ""],
]


def write_csv(path: Path, rows: list[list[str]], encoding: str = "utf-8-sig") -> Path:
    path.write_text("\n".join(",".join(r) for r in [HEADER, *rows]) + "\n", encoding=encoding)
    return path


def test_csv_import_and_search(fieldlog, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "名录.csv", ROWS)
    assert "新增 3" in fieldlog("entity", "import", str(path)).stdout
    assert "未变 3" in fieldlog("entity", "import", str(path)).stdout  # same USCC / name: no copies

    by_initials = fieldlog.json("entity", "search", "rhdyf")
    assert [e["name"] for e in by_initials] == ["仁和大药房"]
    assert by_initials[0]["township"] == "城关镇" and by_initials[0]["category"] == "药店"
    assert [e["name"] for e in fieldlog.json("entity", "search", "9144030")] == ["仁和大药房"]
    assert [e["name"] for e in fieldlog.json("entity", "search", "水果")] == ["老王水果摊"]
    assert fieldlog.json("entity", "search", "水果")[0]["uscc"] is None
    table = fieldlog("entity", "search", "城").stdout + fieldlog("entity", "search", "大药房").stdout
    assert "仁和大药房" in table


def test_changed_registry_row_is_a_revision(fieldlog, tmp_path: Path) -> None:
    fieldlog("entity", "import", str(write_csv(tmp_path / "a.csv", ROWS)))
    moved = [r[:] for r in ROWS]
    moved[1][4] = "西街8号"
    assert "修订 1" in fieldlog("entity", "import", str(write_csv(tmp_path / "b.csv", moved))).stdout
    [entity] = fieldlog.json("entity", "search", "仁和")
    shown = fieldlog.json("record", "show", entity["id"])
    assert [r["address"] for r in shown["revisions"]] == ["东街1号", "西街8号"]


def test_gbk_csv_from_excel(fieldlog, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "gbk.csv", ROWS[:1], encoding="gb18030")
    assert "新增 1" in fieldlog("entity", "import", str(path)).stdout


def test_xlsx_import(fieldlog, tmp_path: Path) -> None:
    book = Workbook()
    sheet = book.active
    sheet.append(HEADER)
    for row in ROWS:
        sheet.append(row)
    path = tmp_path / "名录.xlsx"
    book.save(path)
    assert "新增 3" in fieldlog("entity", "import", str(path)).stdout
    assert len(fieldlog.json("entity", "search", "bjxmkj")) == 1


def test_bad_registry_rows(fieldlog, tmp_path: Path) -> None:
    bad = [*ROWS, ["坏代码商行", "91110108551385082R", "", "", "", "", ""], ["", "", "", "", "", "", ""]]
    result = fieldlog("entity", "import", str(write_csv(tmp_path / "bad.csv", bad)), ok=False)
    assert "第 5 行" in result.stderr and "校验位" in result.stderr
    assert fieldlog.json("entity", "search", "仁和") == []
    accepted = fieldlog("entity", "import", str(write_csv(tmp_path / "bad.csv", bad)),
                        "--accept-bad-uscc")
    assert "新增 4" in accepted.stdout
    no_name = tmp_path / "x.csv"
    no_name.write_text("代码,地址\n1,2\n", encoding="utf-8")
    assert "没有名称列" in fieldlog("entity", "import", str(no_name), ok=False).stderr
    other = tmp_path / "x.txt"
    other.write_text("x", encoding="utf-8")
    assert ".csv" in fieldlog("entity", "import", str(other), ok=False).stderr
