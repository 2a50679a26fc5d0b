"""A pack cannot harm the user: its id and name are never paths, its template runs on a budget."""

from __future__ import annotations

import os
import sqlite3
import time
from pathlib import Path

import pytest

from tests.test_report_template import PACK

NESTED_LOOPS = "{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}"
HOSTILE = {
    "huge value": ("{{ 'A' * 300000000 }}", "值过大"),
    "nested range": (NESTED_LOOPS, "运行时间过长"),
    "loops that print": ("{% for i in range(100000) %}{% for j in range(100000) %}x{% endfor %}{% endfor %}",
                         "运行时间过长"),
    "doubling": ("{% set ns = namespace(a='A') %}{% for i in range(60) %}{% set ns.a = ns.a ~ ns.a %}"
                 "{% endfor %}{{ ns.a }}", "值过大"),
    "power": ("{{ 9 ** 99999999 }}", "值过大"),
    "center": ("{{ 'a'|center(300000000) }}", "值过大"),
    "include": ("{% include 'other.txt' %}", "不能用 include"),
    "import": ("{% import 'macros.txt' as m %}", "不能用 include"),
    "extends": ("{% extends 'base.txt' %}", "不能用 include"),
    "deep brackets": ("{{ " + "(" * 5000 + "1" + ")" * 5000 + " }}", "嵌套过深"),
    "deep ifs": ("{% if 1 %}" * 300 + "x" + "{% endif %}" * 300, "嵌套过深"),
    "recursion": ("{% macro m(n) %}{{ m(n) }}{% endmacro %}{{ m(1) }}", "嵌套过深"),
    "division": ("{{ 1 / 0 }}", "ZeroDivisionError"),
}


def _pack(tmp_path: Path, template: str, *, pack_id: str = "mini", name: str = "小行动") -> Path:
    text = PACK.format(report="[report]\ntemplate = '''" + template + "'''")
    text = text.replace('id = "mini"', f'id = "{pack_id}"').replace('name = "小行动"', f"name = '{name}'")
    path = tmp_path / f"pack-{abs(hash(template))}.toml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize("case", HOSTILE)
def test_a_hostile_template_is_refused_quickly_at_import(fieldlog, tmp_path: Path, case: str) -> None:
    template, says = HOSTILE[case]
    started = time.monotonic()
    result = fieldlog("campaign", "import", str(_pack(tmp_path, template)), ok=False)
    assert time.monotonic() - started < 8
    assert result.exit_code == 1
    assert says in result.stderr and "[report] template" in result.stderr
    assert "内部错误" not in result.stderr and "Traceback" not in result.output


def test_a_hostile_template_that_arrived_by_sync_stops_quickly_at_render(fieldlog, tmp_path: Path,
                                                                        db_path: Path) -> None:
    """A pulled pack is not checked by `campaign import`: the render has the same limits."""
    for template, says in (HOSTILE["nested range"], HOSTILE["huge value"], HOSTILE["include"]):
        conn = sqlite3.connect(db_path)
        conn.execute("INSERT OR REPLACE INTO campaign_pack (id, source, origin, imported_at) "
                     "VALUES ('mini', ?, 'central', '2026-09-01T00:00:00Z')",
                     (_pack(tmp_path, template).read_text(encoding="utf-8"),))
        conn.commit()
        conn.close()
        started = time.monotonic()
        result = fieldlog("report", "--campaign", "mini", ok=False)
        assert time.monotonic() - started < 8
        assert result.exit_code == 1 and says in result.stderr, result.output
    english = fieldlog("--lang", "en", "report", "--campaign", "mini", ok=False)
    assert "include" in english.stderr and "one file" in english.stderr


@pytest.mark.parametrize("bad_id", ["../../../../tmp/x", "Zhongqiu", "中秋", "a.b", "a b", "x" * 41, ""])
def test_pack_ids_are_plain(fieldlog, tmp_path: Path, bad_id: str) -> None:
    result = fieldlog("campaign", "import", str(_pack(tmp_path, "x", pack_id=bad_id)), ok=False)
    assert result.exit_code == 1
    assert "campaign.id" in result.stderr and "小写字母、数字、- 和 _" in result.stderr


def test_a_pack_name_never_becomes_a_path(fieldlog, tmp_path: Path, monkeypatch) -> None:
    hostile = _pack(tmp_path, "检查{{ food.visits }}户次", pack_id="evil", name="../../../../tmp/x")
    fieldlog("campaign", "import", str(hostile))
    work = tmp_path / "work" / "deep"
    work.mkdir(parents=True)
    monkeypatch.chdir(work)
    before = set(Path("/tmp").glob("x*"))
    written = []
    for args in (["report", "--campaign", "evil", "--format", "docx"],
                 ["export", "--campaign", "evil", "--format", "xlsx"],
                 ["export", "--campaign", "evil", "--format", "csv"]):
        result = fieldlog(*args)
        written += [Path(line.split("：", 1)[-1].split(": ", 1)[-1].strip())
                    for line in result.stdout.splitlines() if line.strip()]
    for path in written:
        resolved = (work / path).resolve()
        assert resolved.is_relative_to(work), resolved
        assert ".." not in path.parts
    assert set(Path("/tmp").glob("x*")) == before
    folders = [p.name for p in work.iterdir() if p.is_dir()]
    assert len(folders) == 1 and folders[0].endswith("台账_2026-09-30"), folders  # the CSV folder
    assert not (tmp_path / "work" / "tmp").exists()
    out = tmp_path / "out"
    out.mkdir()
    result = fieldlog("report", "--campaign", "evil", "--format", "md", "-o", str(out))
    assert [p.parent for p in out.iterdir()] == [out] and len(os.listdir(out)) == 1, result.stdout
