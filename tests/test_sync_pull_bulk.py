"""A pulled page's records that are new to the laptop go in set-based
(`services/sync.py: LaptopSide._apply_new`), every other change one by one. Both ways
must leave the same database, table for table and row for row (the search index's
tables and the tally tables included).

The district: two inspectors log the hand-counted fixture campaign (every record kind,
a voided visit, `latest` tallies), edit some of it, the bureau merges two entities and
publishes a changed pack mid-way, and more work follows. New laptops pull it all in
pages of 7 (so a record's revisions fall on several pages, and runs of new records are
cut by edits, merges and the pack), once set-based and once forced one by one; then a
laptop that already holds part of the district pulls the rest both ways.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from tests.report_fixture import SHOPS, records
from tests.sync_support import Laptop, central_log
from tui_app.domain.identity import entity_id, merge_revision
from tui_app.services.context import open_context, shipped_packs
from tui_app.services.sync import LaptopSide, run_sync
from tui_app.store.backups import write as copy_database
from tui_app.store.db import Database
from tui_app.sync.protocol import Change, PullPage

ENTITIES = len(records()) - len([x for x in records() if x["type"] != "entity"])
# Not part of what a pull writes: the laptop's own identity and device, when it last
# synced, and the 文号 blocks the central store hands each laptop.
OWN = {"setting", "doc_block"}
OWN_STATE = {"last_sync"}
# not when each laptop installed a pack or ran a migration
SHOWN = {"campaign_pack": "id, source, origin", "_migrations": "version, name"}


def _import(laptop: Laptop, name: str, lines: list[dict]) -> None:
    path = laptop.folder / name
    path.write_text("\n".join(json.dumps(x, ensure_ascii=False) for x in lines), "utf-8")
    laptop("import", str(path))


def _own_ids(laptop: Laptop, badge: str, n: int) -> list[str]:
    rows = laptop.json("record", "list", "--all", "--limit", "1000")
    return sorted(r["id"] for r in rows if r["inspector_id"] == badge)[:n]


def _district(tmp_path: Path, url: str) -> tuple[Laptop, Laptop]:
    lines = records()
    entities, work = lines[:ENTITIES], lines[ENTITIES:]
    a = Laptop(tmp_path / "a", "张三", "3201001")
    b = Laptop(tmp_path / "b", "李四", "3201002")
    _import(a, "entities.jsonl", entities)
    a.sync(url)
    b.sync(url)
    third = len(work) // 3
    _import(a, "part1.jsonl", work[:third])
    _import(b, "part2.jsonl", work[third:2 * third])
    for record_id in _own_ids(a, "3201001", 3):
        a.edit(record_id, "复查：已整改")
    a.sync(url)
    b.sync(url)
    return a, b


def _more_work(tmp_path: Path, url: str, a: Laptop, b: Laptop) -> None:
    """Edits of records every laptop holds, a merge, a changed pack, then new records."""
    work = records()[ENTITIES:]
    for record_id in _own_ids(b, "3201002", 2):
        b.edit(record_id, "二次复查")
    b.sync(url)
    loser, survivor = (entity_id(None, name, "城关镇") for name in (SHOPS[1], SHOPS[0]))
    a("entity", "merge", loser, survivor, "--reason", "同一门店", "--central", url)
    source = shipped_packs()["zhongqiu.toml"].replace(
        'name = "中秋国庆市场监管专项行动"', 'name = "中秋国庆市场监管专项行动（局发）"', 1)
    pack_file = tmp_path / "zhongqiu-bureau.toml"
    pack_file.write_text(source, encoding="utf-8")
    a("campaign", "import", str(pack_file))
    _import(a, "part3.jsonl", work[2 * len(work) // 3:])
    a.sync(url)


def _pull(laptop: Laptop, url: str, monkeypatch: pytest.MonkeyPatch, *, one_by_one: bool) -> None:
    with monkeypatch.context() as patch:
        patch.setenv("FIELDLOG_SYNC_BATCH", "7")
        if one_by_one:  # every change down `_apply_change`, as before the set-based path
            patch.setattr(LaptopSide, "_runs", lambda _self, changes: [(False, list(changes))])
        laptop.sync(url)


# the search index's segments: how its terms are cut into b-tree pages follows the
# transactions that wrote them (one per pulled page), not what they hold
LAYOUT = ("_text_data", "_text_idx")


def tables(db: Path, *, index_layout: bool = True) -> dict[str, list[tuple]]:
    """Every table's rows (sorted), but what is the laptop's own (OWN); without the
    search index's segment tables (LAYOUT) when `index_layout` is off."""
    conn = sqlite3.connect(f"{db.resolve().as_uri()}?mode=ro", uri=True)
    try:
        names = [r[0] for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
        out = {}
        for name in names:
            if name in OWN or name.startswith("sqlite_") or (
                    not index_layout and name.endswith(LAYOUT)):
                continue
            rows = conn.execute(f'SELECT {SHOWN.get(name, "*")} FROM "{name}"').fetchall()
            if name == "sync_state":
                rows = [r for r in rows if r[0] not in OWN_STATE]
            out[name] = sorted(rows, key=repr)
        return out
    finally:
        conn.close()


def _assert_same(bulk: Path, one_by_one: Path) -> None:
    got, want = tables(bulk), tables(one_by_one)
    assert got.keys() == want.keys()
    for name in want:
        assert got[name] == want[name], name
    assert want["inspection"] and want["tally_fact"] and want["tally_latest"]
    assert want["inspection_text_data"]  # the search index was written, and alike


def test_a_first_pull_set_based_equals_one_by_one(tmp_path: Path, central_url: str,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    a, b = _district(tmp_path, central_url)
    _more_work(tmp_path, central_url, a, b)
    fast = Laptop(tmp_path / "fast", "王五", "3201003")
    slow = Laptop(tmp_path / "slow", "王五", "3201003")
    _pull(fast, central_url, monkeypatch, one_by_one=False)
    _pull(slow, central_url, monkeypatch, one_by_one=True)
    _assert_same(fast.db, slow.db)
    assert fast.json("tally") == slow.json("tally") == b.json("tally", "--scope", "central",
                                                              "--central", central_url)
    assert fast.json("record", "list", "--search", "复查") == slow.json(
        "record", "list", "--search", "复查")


def test_a_laptop_holding_part_of_the_district_pulls_the_rest_alike(
        tmp_path: Path, central_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    a, b = _district(tmp_path, central_url)
    fast = Laptop(tmp_path / "fast", "王五", "3201003")
    _pull(fast, central_url, monkeypatch, one_by_one=False)
    _more_work(tmp_path, central_url, a, b)
    (tmp_path / "slow").mkdir()
    with Database(fast.db) as held:  # the same laptop twice: its database copied
        copy_database(held, tmp_path / "slow" / "fieldlog.db")
    slow = Laptop(tmp_path / "slow", "王五", "3201003", init=False)
    _pull(fast, central_url, monkeypatch, one_by_one=False)
    _pull(slow, central_url, monkeypatch, one_by_one=True)
    _assert_same(fast.db, slow.db)
    assert fast.json("tally") == b.json("tally", "--scope", "central", "--central", central_url)


def _inspection(record_id: str, entity: str) -> dict:
    return {"id": record_id, "rev": 1, "created_at": STAMP, "updated_at": STAMP,
            "inspector_id": "3201001", "device_id": "d1", "voided": False, "void_reason": None,
            "warnings": [], "campaign": "zhongqiu", "action": "equipment", "entity_id": entity,
            "place": None, "started_at": "2026-09-21T02:00:00Z", "day": "2026-09-21",
            "officers": [{"name": "张三", "badge": "3201001"}],
            "fields": {"equipment_types": ["电梯"]}, "findings": "正常", "measures": {},
            "result": "合格"}


STAMP = "2026-09-21T02:00:00Z"


def test_a_merge_whose_earlier_revisions_were_never_pulled_still_moves_facts(
        tmp_path: Path) -> None:
    """A merge revision is never written set-based, even as the first revision of its
    entity this laptop sees: applying it moves the loser's facts to the survivor."""
    def entity(record_id: str, name: str) -> dict:
        return {"id": record_id, "rev": 1, "created_at": STAMP, "updated_at": STAMP,
                "inspector_id": "3200000", "device_id": "d0", "voided": False,
                "void_reason": None, "warnings": [], "name": name}

    loser = entity("e-loser", "便民超市")
    merged = merge_revision(loser, "e-survivor", "同一门店", updated_at=STAMP)
    page = PullPage([Change("c1", "entity", "e-survivor", 1, entity("e-survivor", "城关超市")),
                     Change("c2", "inspection", "i1", 1, _inspection("i1", "e-loser")),
                     Change("c3", "entity", "e-loser", 2, merged, base="c0"),
                     Change("c4", "inspection", "i2", 1, _inspection("i2", "e-loser"))],
                    "e:4", False, "e")
    dbs = []
    for name, one_by_one in (("fast", False), ("slow", True)):
        ctx = open_context(tmp_path / f"{name}.db")
        side = LaptopSide(ctx)
        if one_by_one:
            side._runs = lambda changes: [(False, list(changes))]  # type: ignore[method-assign]
        assert side.apply_page(page).settled == 4
        ctx.close()
        dbs.append(tmp_path / f"{name}.db")
    fast, slow = tables(dbs[0]), tables(dbs[1])
    assert {k: v for k, v in fast.items() if k != "sync_state"} == {
        k: v for k, v in slow.items() if k != "sync_state"}
    assert fast["entity_merge"]
    keys = {row[2] for row in fast["tally_key"]}
    assert "e-survivor" in keys and "e-loser" not in keys


def _pull_progress(ctx_path: Path, url: str) -> list[int]:
    """What a sync reports of its pull: the changes pulled so far, once per page."""
    ctx = open_context(ctx_path)
    seen: list[int] = []
    try:
        run_sync(ctx, url, lambda phase, done, _total: seen.append(done) if phase == "pull"
                 else None)
    finally:
        ctx.close()
    return seen


def test_a_first_pull_reports_progress_page_by_page(tmp_path: Path, central_url: str,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    a, _b = _district(tmp_path, central_url)
    total = len(central_log(central_url))
    monkeypatch.setenv("FIELDLOG_SYNC_BATCH", "7")
    new = Laptop(tmp_path / "new", "王五", "3201003")
    assert _pull_progress(new.db, central_url) == [*range(7, total, 7), total]


def test_a_first_pull_asks_for_big_pages_and_later_ones_for_the_batch(
        tmp_path: Path, central_url: str) -> None:
    a = Laptop(tmp_path / "a", "张三", "3201001")
    a.add(1200)
    a.sync(central_url)
    total = len(central_log(central_url))
    assert total >= 1200
    new = Laptop(tmp_path / "new", "王五", "3201003")
    assert _pull_progress(new.db, central_url) == [total]  # one page of up to 5000
    a.add(1100)
    a.sync(central_url)
    more = len(central_log(central_url)) - total
    assert _pull_progress(new.db, central_url) == [1000, more]
