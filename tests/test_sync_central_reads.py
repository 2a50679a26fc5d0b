"""District-wide figures from the central store: `tally --scope central`, `record list
--scope central`, and campaign packs travelling from the bureau to the laptops."""

from __future__ import annotations

import json
from pathlib import Path

from tests.sync_support import OFFICERS, Laptop, central_log
from tui_app.services.context import shipped_packs


def test_central_tallies_equal_a_fully_synced_laptop(tmp_path: Path, central_url: str) -> None:
    a = Laptop(tmp_path / "a", "张三", "3201001")
    b = Laptop(tmp_path / "b", "王五", "3201009")
    ids = a.add(6, day=21)
    b.add(3, badge="3201009", day=22)
    a("record", "void", ids[0], "--reason", "录入错误")
    a.edit(ids[1], "复查")
    for laptop in (a, b, a):
        laptop.sync(central_url)
    central = a.json("tally", "--scope", "central", "--central", central_url)
    assert central["tallies"]["food.inspections"] == 8
    assert central == a.json("tally") == b.json("tally")
    one_day = b.json("tally", "--scope", "central", "--central", central_url,
                     "--from", "2026-09-22", "--to", "2026-09-22")
    assert one_day["tallies"]["food.inspections"] == 3


def test_central_record_list_pages_every_inspectors_work(tmp_path: Path,
                                                         central_url: str) -> None:
    a = Laptop(tmp_path / "a", "张三", "3201001")
    b = Laptop(tmp_path / "b", "王五", "3201009")
    ids = a.add(5) + b.add(4, badge="3201009")
    a.sync(central_url)
    b.sync(central_url)
    first = b.json("record", "list", "--scope", "central", "--central", central_url,
                   "--limit", "6")
    second = b.json("record", "list", "--scope", "central", "--central", central_url,
                    "--limit", "6", "--page", "2")
    assert sorted(r["id"] for r in first + second) == sorted(ids)
    assert [r["started_at"] for r in first] == sorted((r["started_at"] for r in first),
                                                      reverse=True)
    table = b("record", "list", "--scope", "central", "--central", central_url).output
    assert "9" in table  # "… of 9"


def test_bureau_pack_reaches_laptops_and_recounts(tmp_path: Path, central_url: str) -> None:
    bureau = Laptop(tmp_path / "bureau", "局", "3200000")
    a = Laptop(tmp_path / "a", "张三", "3201001")
    a.add(4)
    a.sync(central_url)
    assert a.json("tally", "--scope", "central", "--central",
                  central_url)["tallies"]["food.inspections"] == 4
    # the bureau counts only visits to "其他" places from now on
    source = shipped_packs()["zhongqiu.toml"].replace(
        'count = { record = "inspection", action = "food" }',
        'count = { record = "inspection", action = "food", where = { place_type = "其他" } }', 1)
    pack_file = tmp_path / "zhongqiu-bureau.toml"
    pack_file.write_text(source, encoding="utf-8")
    bureau("campaign", "import", str(pack_file))
    bureau.sync(central_url)
    assert a.json("tally", "--scope", "central", "--central",
                  central_url)["tallies"]["food.inspections"] == 0
    a.sync(central_url)
    assert a.json("tally")["tallies"]["food.inspections"] == 0
    bureau.sync(central_url)
    packs = [c for c, record, _rev in central_log(central_url) if record == "zhongqiu"]
    assert len(packs) == 1  # the pack is sent once, and not echoed back by the laptop


def test_catch_up_then_read_every_central_record(tmp_path: Path, central_url: str) -> None:
    from tui_app.services import central as central_service
    from tui_app.store.records import ListQuery

    a = Laptop(tmp_path / "a", "张三", "3201001")
    ids = a.add(7)
    a.sync(central_url)
    assert central_service.catch_up(central_url) == 0  # the sync already caught up
    rows = list(central_service.iter_records(central_url, ListQuery(campaign="zhongqiu",
                                                                    limit=3)))
    assert sorted(r["id"] for r in rows) == sorted(ids)


def _run_sql(url: str, *statements: str) -> None:
    """Statements straight on the central store's database (to stage an old schema)."""
    if url.startswith("sqlite"):
        import sqlite3

        from tui_app.sync.central import sqlite_path

        conn = sqlite3.connect(sqlite_path(url), isolation_level=None)
    else:
        import psycopg

        conn = psycopg.connect(url, autocommit=True)
    try:
        for statement in statements:
            conn.execute(statement)
    finally:
        conn.close()


def test_upgrading_a_central_store_fills_its_tally_keys(tmp_path: Path, central_url: str) -> None:
    """A central store made before migration 002 gets `tally_key` filled from its facts,
    so its district figures (whole period: from `tally_key`) stay what they were."""
    a = Laptop(tmp_path / "a", "张三", "3201001")
    visits = [("液化气站", 21), ("液化气站", 22), ("县医院", 22), ("滨江酒店", 23)]
    lines = [{"type": "inspection", "action": "equipment", "place": place,
              "started_at": f"2026-09-{day}T10:00", "officers": OFFICERS,
              "fields": {"equipment_types": ["锅炉"]}} for place, day in visits]
    path = tmp_path / "equipment.jsonl"
    path.write_text("\n".join(json.dumps(x, ensure_ascii=False) for x in lines), "utf-8")
    a("import", str(path))
    a.sync(central_url)
    _run_sql(central_url, "DROP TABLE tally_key", "DELETE FROM _migrations WHERE version = 2")
    stale = a("tally", "--scope", "central", "--central", central_url, ok=False)
    assert stale.exit_code == 1 and "central init" in stale.stderr
    assert "002_tally_key.sql" in a("central", "init", central_url).output
    central = a.json("tally", "--scope", "central", "--central", central_url)
    assert central == a.json("tally")
    assert central["tallies"]["equipment.units"] == 3  # 家: 液化气站 twice is one
    one_day = a.json("tally", "--scope", "central", "--central", central_url,
                     "--from", "2026-09-22", "--to", "2026-09-22")
    assert one_day["tallies"]["equipment.units"] == 2
    # a voided visit takes its 家 away from the campaign-wide keys too
    hotel = next(r for r in a.json("record", "list", "--limit", "10") if r["place"] == "滨江酒店")
    a("record", "void", hotel["id"], "--reason", "录入错误")
    a.sync(central_url)
    assert a.json("tally", "--scope", "central",
                  "--central", central_url)["tallies"]["equipment.units"] == 2
