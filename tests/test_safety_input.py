"""Input rules that hold everywhere: characters, sizes, nesting, ids, one row per USCC."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import OFFICERS, PHARMACY, SUPERMARKET, write_jsonl
from tui_app.domain.input_limits import MAX_TEXT
from tui_app.errors import ValidationFailed
from tui_app.services import record as record_service

AT = "2026-09-21T10:30"
INSPECTION = {"type": "inspection", "action": "food", "entity": SUPERMARKET["name"], "started_at": AT,
              "officers": OFFICERS, "fields": {"place_type": "其他"}}
BAD_TEXTS = {
    "NUL": ("冷链\x00台账", "控制字符 U+0000"),
    "escape sequence": ("\x1b[2J\x1b[31m清屏", "控制字符 U+001B"),
    "bell": ("响\x07铃", "控制字符 U+0007"),
    "C1 control": ("x\x85y", "控制字符 U+0085"),
    "lone surrogate": ("半个\ud800字", "孤立代理项"),
    "too long": ("检" * (MAX_TEXT + 1), "每项最多 10000 字"),
}


def _count(fieldlog) -> int:
    return len(fieldlog.json("record", "list"))


@pytest.fixture
def seeded(fieldlog, tmp_path: Path):
    fieldlog("import", str(write_jsonl(tmp_path / "e.jsonl", SUPERMARKET, PHARMACY)))
    return fieldlog


@pytest.mark.parametrize("case", BAD_TEXTS)
def test_the_service_the_form_calls_refuses_bad_text(ctx, seeded, case: str) -> None:
    text, says = BAD_TEXTS[case]
    with pytest.raises(ValidationFailed) as caught:
        record_service.add(ctx, "inspection", {**INSPECTION, "findings": text})
    assert says in caught.value.message() and "findings" in caught.value.message()
    assert _count(seeded) == 0


@pytest.mark.parametrize("case", ["NUL", "escape sequence", "too long"])
def test_cli_options_refuse_bad_text(seeded, case: str) -> None:
    text, says = BAD_TEXTS[case]
    result = seeded("record", "add", "--action", "food", "--entity", SUPERMARKET["name"], "--at", AT,
                    "--field", "place_type=其他", "--findings", text, ok=False)
    assert result.exit_code == 1 and says in result.stderr and "内部错误" not in result.stderr
    assert "\x1b" not in result.stderr
    assert _count(seeded) == 0
    english = seeded("--lang", "en", "record", "add", "--action", "food", "--entity", SUPERMARKET["name"],
                     "--at", AT, "--field", "place_type=其他", "--findings", text, ok=False)
    assert "control character" in english.stderr or "too long" in english.stderr


def test_an_undecodable_cli_argument_is_refused(seeded) -> None:
    """An argv byte that is not UTF-8 reaches Python as a lone surrogate (surrogateescape)."""
    result = seeded("record", "add", "--action", "food", "--entity", SUPERMARKET["name"], "--at", AT,
                    "--field", "place_type=其他", "--findings", b"\xff\xfe".decode("utf-8", "surrogateescape"),
                    ok=False)
    assert result.exit_code == 1 and "孤立代理项" in result.stderr


def test_void_reason_is_checked_too(seeded, ctx) -> None:
    saved = record_service.add(ctx, "inspection", INSPECTION)
    with pytest.raises(ValidationFailed):
        record_service.void(ctx, saved.id, "录错\x00")
    assert not record_service.show(ctx, saved.id)[1]["voided"]


def test_bad_import_lines_are_named_and_skip_bad_skips_them(seeded, tmp_path: Path) -> None:
    deep = "[" * 100_000 + "]" * 100_000
    deep_object = json.dumps({**INSPECTION, "findings": "深"})[:-1] + ', "x": ' + "[" * 50 + "]" * 50 + "}"
    good = json.dumps({**INSPECTION, "findings": "正常"}, ensure_ascii=False)
    lines = [
        good.encode(),                                                   # 1
        ('{"type": "inspection", "findings": "' + "x" * 50_000_000 + '"}').encode(),  # 2: 50 MB
        json.dumps({**INSPECTION, "findings": "\x00"}).encode(),        # 3: NUL (as \u0000)
        json.dumps({**INSPECTION, "findings": "\ud800"}).encode(),      # 4: lone surrogate escape
        b'{"type": "inspection", "findings": "' + b"\xff\xfe" + b'"}',  # 5: not UTF-8
        deep.encode(),                                                   # 6: recursion bomb
        deep_object.encode(),                                            # 7: deep, but parses
        json.dumps({**INSPECTION, "id": "r1"}).encode(),                 # 8: not a UUID
        json.dumps({**INSPECTION, "id": "'; DROP TABLE entity; --"}).encode(),  # 9
        good.replace("正常", "也正常").encode(),                          # 10
    ]
    path = tmp_path / "hostile.jsonl"
    path.write_bytes(b"\n".join(lines) + b"\n")
    refused = seeded("import", str(path), ok=False)
    assert refused.exit_code == 1 and "内部错误" not in refused.stderr
    for number, says in ((2, "这一行太长"), (3, "U+0000"), (4, "孤立代理项"), (5, "不是 UTF-8"),
                         (6, "嵌套层数过多"), (7, "嵌套层数过多"), (8, "不是 UUID"), (9, "不是 UUID")):
        assert any(line.startswith(f"第 {number} 行") and says in line
                   for line in refused.stderr.splitlines()), (number, refused.stderr[:3000])
    assert _count(seeded) == 0
    skipped = seeded("import", str(path), "--skip-bad", ok=False)
    assert "8" in skipped.stderr.splitlines()[-1]
    assert sorted(r["findings"] for r in seeded.json("record", "list")) == ["也正常", "正常"]


def test_a_registry_with_one_uscc_twice_is_refused_with_both_lines(seeded, tmp_path: Path) -> None:
    registry = tmp_path / "名录.csv"
    registry.write_text("名称,统一社会信用代码\n甲超市,91350100M000100Y43\n乙超市,91110000600037341L\n"
                        "甲超市（分店）,91350100M000100Y43\n", encoding="utf-8")
    result = seeded("entity", "import", str(registry), ok=False)
    assert result.exit_code == 1
    [line] = [x for x in result.stderr.splitlines() if "91350100M000100Y43" in x]
    assert line.startswith("第 4 行") and "第 2 行" in line
    assert [e["name"] for e in seeded.json("entity", "search", "超市")] == [SUPERMARKET["name"]]


def test_entity_search_takes_percent_and_underscore_literally(seeded, tmp_path: Path) -> None:
    seeded("import", str(write_jsonl(tmp_path / "more.jsonl",
                                     {"type": "entity", "name": "百分百_便利店"},
                                     {"type": "entity", "name": "百分之百便利店"})))
    assert [e["name"] for e in seeded.json("entity", "search", "百分百_")] == ["百分百_便利店"]
    assert seeded.json("entity", "search", "%") == []
    assert [e["name"] for e in seeded.json("entity", "search", "_")] == ["百分百_便利店"]


def test_a_registry_row_with_a_control_character_is_refused_on_its_row(seeded, tmp_path: Path) -> None:
    registry = tmp_path / "名录.csv"
    registry.write_text("名称,统一社会信用代码\n好店,\n坏\x1b[31m店,\n", encoding="utf-8")
    result = seeded("entity", "import", str(registry), ok=False)
    [line] = [x for x in result.stderr.splitlines() if "U+001B" in x]
    assert line.startswith("第 3 行") and "\x1b" not in result.stderr
    assert seeded.json("entity", "search", "好店") == []


def test_init_refuses_control_characters(fieldlog) -> None:
    result = fieldlog("init", "--name", "张\x00三", ok=False)
    assert result.exit_code in (1, 2) and "U+0000" in result.stderr  # init reports it as a usage error
