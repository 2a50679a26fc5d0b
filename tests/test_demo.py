"""`fieldlog demo`: a separate, deterministic demo database; the real one is never touched."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from tests.conftest import Fieldlog
from tui_app.domain import uscc

WEEK = ("--from", "2026-09-21", "--to", "2026-09-27")


def _fingerprint(db: Path) -> dict[str, str]:
    """Every file of a SQLite database (main, -wal, -shm) with its content hash."""
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(db.parent.glob(db.name + "*"))}


def _content(run: Fieldlog, kind: str) -> list[dict]:
    """A demo's records without what differs between runs (ids, clocks, links)."""
    group = {"inspection": "record"}.get(kind, kind)
    rows = json.loads(run(group, "list", *WEEK, "--limit", "10000", "--format", "json").stdout)
    volatile = {"id", "created_at", "updated_at", "device_id", "entity_id", "inspection_id"}
    return sorted(({k: v for k, v in row.items() if k not in volatile} for row in rows),
                  key=lambda r: json.dumps(r, ensure_ascii=False, sort_keys=True))


@pytest.fixture
def demo_db(tmp_path: Path) -> Path:
    return tmp_path / "demo.db"  # FIELDLOG_DEMO_DB, set by conftest's isolation


def test_demo_fills_the_demo_database_and_never_the_real_one(fieldlog: Fieldlog,
                                                             demo_db: Path) -> None:
    before = _fingerprint(fieldlog.db)
    result = fieldlog("demo")
    assert f"已生成演示数据库 {demo_db}" in result.stdout
    assert f"fieldlog --db {demo_db}" in result.stdout
    assert f"fieldlog --db {demo_db} tally" in result.stdout
    assert "中秋守护 统计" in result.stdout and "检查食品经营单位" in result.stdout
    assert _fingerprint(fieldlog.db) == before
    assert fieldlog.json("record", "list", *WEEK) == []

    demo = Fieldlog(demo_db)
    tallies = demo.json("tally")["tallies"]
    assert len(tallies) == 26
    assert {tally_id: value for tally_id, value in tallies.items() if not value > 0} == {}
    inspections = demo.json("record", "list", *WEEK, "--limit", "10000")
    assert {r["day"] for r in inspections} == {f"2026-09-{d}" for d in range(21, 28)}
    per_day = [sum(r["day"] == day for r in inspections) for day in {r["day"] for r in inspections}]
    assert all(30 <= n <= 60 for n in per_day)
    assert {r["action"] for r in inspections} == {"food", "drug", "equipment", "product", "fraud",
                                                  "price", "epidemic"}


def test_the_registry_is_realistic_and_its_codes_are_valid(fieldlog: Fieldlog,
                                                           demo_db: Path) -> None:
    fieldlog("demo")
    demo = Fieldlog(demo_db)
    assert "大药房(" in demo("entity", "search", "大药房").stdout
    assert "县人民医院" in demo("entity", "search", "县人民医院").stdout
    coded = [e for prefix in ("91", "92", "12")
             for e in demo.json("entity", "search", prefix, "--limit", "500")
             if (e["uscc"] or "").startswith(prefix)]
    assert len(coded) > 200
    assert [e["uscc"] for e in coded if uscc.problem(e["uscc"]) is not None] == []
    assert {e["kind"] for e in coded} >= {"企业", "个体工商户", "医疗机构"}
    small = demo.json("entity", "search", "记", "--limit", "500")
    assert any(e["kind"] == "个体工商户" and e["uscc"] is None for e in small)
    assert len({e["township"] for e in coded}) == 10


def test_demo_is_deterministic(fieldlog: Fieldlog, tmp_path: Path,
                               monkeypatch: pytest.MonkeyPatch) -> None:
    runs = []
    for name in ("a.db", "b.db"):
        monkeypatch.setenv("FIELDLOG_DEMO_DB", str(tmp_path / name))
        fieldlog("demo")
        demo = Fieldlog(tmp_path / name)
        runs.append((demo.json("tally"), _content(demo, "inspection"), _content(demo, "case"),
                     _content(demo, "complaint"), _content(demo, "activity")))
    assert runs[0] == runs[1]
    assert len(runs[0][1]) > 200


def test_second_run_keeps_the_demo_and_reset_refills_it(fieldlog: Fieldlog,
                                                        demo_db: Path) -> None:
    fieldlog("demo")
    demo = Fieldlog(demo_db)
    original = demo.json("tally")
    first = demo.json("record", "list", *WEEK, "--action", "food", "--limit", "1")[0]
    demo("record", "void", first["id"], "--reason", "演示：作废一条")
    changed = demo.json("tally")
    assert changed != original

    again = fieldlog("demo")
    assert "演示数据库已存在，未重复生成" in again.stdout
    assert demo.json("tally") == changed  # neither refilled nor duplicated

    refilled = fieldlog("demo", "--reset")
    assert "已生成演示数据库" in refilled.stdout
    assert demo.json("tally") == original


def _reset_refused(fieldlog: Fieldlog, monkeypatch: pytest.MonkeyPatch, db: Path) -> str:
    """`demo --reset` with FIELDLOG_DEMO_DB naming `db`: refused, `db` untouched; what it said."""
    monkeypatch.setenv("FIELDLOG_DEMO_DB", str(db))
    before = _fingerprint(db)
    result = fieldlog("demo", "--reset", ok=False)
    assert result.exit_code == 1
    assert _fingerprint(db) == before
    return result.stderr


def test_demo_refuses_the_real_database(fieldlog: Fieldlog, monkeypatch: pytest.MonkeyPatch,
                                        tmp_path: Path) -> None:
    fieldlog("demo")
    assert "与正式数据库是同一个文件" in _reset_refused(fieldlog, monkeypatch, fieldlog.db)

    # A database with somebody's records is not a demo, even under the demo's name.
    work = Fieldlog(tmp_path / "work.db")
    work("init", "--name", "张三", "--badge", "3201001")
    work("record", "add", "--action", "price", "--place", "东街菜场", "--at", "2026-09-21T10:00",
         "--field", "topic=农副产品价格")
    assert "不是演示数据库" in _reset_refused(fieldlog, monkeypatch, work.db)


def test_bad_days_are_refused_without_losing_the_demo(fieldlog: Fieldlog, demo_db: Path) -> None:
    fieldlog("demo", "--days", "2")
    demo = Fieldlog(demo_db)
    days = {r["day"] for r in demo.json("record", "list", "--limit", "10000")}
    assert days == {"2026-09-21", "2026-09-22"}
    before = demo.json("tally")

    result = fieldlog("--lang", "en", "demo", "--reset", "--days", "30", ok=False)
    assert result.exit_code == 1
    assert "30 days is not possible: give 1 to 25" in result.stderr
    assert demo.json("tally") == before


def test_demo_shows_every_complaint_status_and_an_acceptance_reminder(fieldlog: Fieldlog,
                                                                     demo_db: Path) -> None:
    import datetime as dt

    from tui_app.services.context import open_context
    from tui_app.services.reminders import overdue

    fieldlog("demo")
    complaints = Fieldlog(demo_db).json("complaint", "list", "--limit", "1000")
    assert {c["status"] for c in complaints} == {"待受理", "已受理", "处理中", "已办结"}
    with open_context(demo_db) as ctx:
        late = overdue(ctx, today=dt.date(2026, 10, 20))
    assert any(r.kind == "complaint" for r in late)


def test_the_demo_week_exercises_lapsed_insurance_shared_entities_and_heater_lines(
        fieldlog: Fieldlog, demo_db: Path) -> None:
    """The cases the figures must get right, present in the week a newcomer sees."""
    fieldlog("demo")
    rows = Fieldlog(demo_db).json("record", "list", *WEEK, "--limit", "10000")
    by_entity: dict[str, list[dict]] = {}
    for r in sorted(rows, key=lambda r: r["started_at"]):
        by_entity.setdefault(r["entity_id"], []).append(r)
    # an elevator user found insured at one visit and uninsured at a later one
    insured = {e: [r["fields"]["elevator_insured"] for r in visits
                   if "电梯" in r["fields"].get("equipment_types", [])]
               for e, visits in by_entity.items()}
    assert any(True in states and states[-1] is False for states in insured.values())
    assert any(False in states and states[-1] is True for states in insured.values())
    # the same entity visited by two different officer pairs
    pairs = {e: {tuple(o["badge"] for o in r["officers"]) for r in visits}
             for e, visits in by_entity.items()}
    assert any(len(p) > 1 for p in pairs.values())
    # heaters on two seized lines of one visit, and no retired field written any more
    lines = [[i for i in r["measures"].get("seized", []) if "电取暖器" in i["item"]] for r in rows]
    assert any(len(heaters) >= 2 for heaters in lines)
    assert not any({"has_elevators", "heaters_confiscated"} & set(r["fields"]) for r in rows)
