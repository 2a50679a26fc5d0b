"""The fast read paths give the answers the records give.

Distinct tallies (家) are counted from campaign-wide keys when the period holds all
their facts and from daily facts otherwise; `record list` counts without the entity
join and sorts by day first. Each is checked against a count made from the records
themselves, on the demo's week, before and after edits and voids.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import Fieldlog

Row = dict
DISTINCT: dict[str, tuple[str, Callable[[Row], bool]]] = {
    "drug.pharmacies": ("drug", lambda f: f.get("unit_type") == "药店"),
    "drug.medical": ("drug", lambda f: f.get("unit_type") == "医疗机构"),
    "drug.vaccination_sites": ("drug", lambda f: f.get("unit_type") == "医疗机构"
                               and f.get("vaccination_site") is True),
    "equipment.units": ("equipment", lambda f: True),
    "equipment.elevator_units": ("equipment", lambda f: "电梯" in f.get("equipment_types", [])),
    "price.units": ("price", lambda f: f.get("topic") == "53度飞天茅台酒价格"),
}
# the whole campaign and the demo week hold every fact (campaign-wide keys); the others do not
PERIODS = [(), ("--from", "2026-09-21", "--to", "2026-09-27"),
           ("--from", "2026-09-22", "--to", "2026-09-24"),
           ("--from", "2026-09-25", "--to", "2026-09-25")]


@pytest.fixture
def demo(fieldlog: Fieldlog, tmp_path: Path) -> Fieldlog:
    fieldlog("demo")
    return Fieldlog(tmp_path / "demo.db")


def _inspections(demo: Fieldlog, period: tuple[str, ...]) -> list[Row]:
    return demo.json("record", "list", *(period or ("--from", "2026-09-14", "--to", "2026-10-08")),
                     "--limit", "10000")


def _from_records(rows: list[Row]) -> dict[str, int]:
    return {tally_id: len({r["entity_id"] for r in rows
                           if r["action"] == action and keep(r["fields"])})
            for tally_id, (action, keep) in DISTINCT.items()}


def _insured_now(rows: list[Row]) -> int:
    """Elevator users whose latest visit in the period (that checked 电梯) found them insured."""
    latest: dict[str, Row] = {}
    for r in sorted(rows, key=lambda r: (r["started_at"], r["id"])):
        if r["action"] == "equipment" and "电梯" in r["fields"].get("equipment_types", []):
            latest[r["entity_id"]] = r
    return sum(r["fields"].get("elevator_insured") is True for r in latest.values())


def _tallies(demo: Fieldlog, period: tuple[str, ...]) -> dict[str, int]:
    values = demo.json("tally", *period)["tallies"]
    return {tally_id: values[tally_id] for tally_id in (*DISTINCT, LATEST)}


LATEST = "equipment.elevator_insured_units"


def _agree(demo: Fieldlog) -> dict[str, int]:
    for period in PERIODS:
        rows = _inspections(demo, period)
        assert _tallies(demo, period) == {**_from_records(rows), LATEST: _insured_now(rows)}, period
    return _tallies(demo, ())


def test_distinct_tallies_agree_with_the_records_through_edits_and_voids(demo: Fieldlog) -> None:
    before = _agree(demo)
    assert all(before.values())

    # The pharmacy with the fewest drug inspections disappears when all of them are voided.
    rows = [r for r in _inspections(demo, ()) if r["action"] == "drug"
            and r["fields"]["unit_type"] == "药店"]
    visits: dict[str, list[str]] = {}
    for r in rows:
        visits.setdefault(r["entity_id"], []).append(r["id"])
    ids = min(visits.values(), key=len)
    for record_id in ids:
        demo("record", "void", record_id, "--reason", "录入错误")
    voided = _agree(demo)
    assert voided["drug.pharmacies"] == before["drug.pharmacies"] - 1

    # An edit moves a hospital visit's facts: it is now a pharmacy visit on the same day.
    hospital = next(r for r in _inspections(demo, ()) if r["action"] == "drug"
                    and r["fields"]["unit_type"] == "医疗机构")
    demo("record", "edit", hospital["id"], "--action", "drug", "--field", "unit_type=药店",
         "--field", "vaccination_site=否")
    edited = _agree(demo)
    assert edited["drug.pharmacies"] == voided["drug.pharmacies"] + 1

    # Voiding the visit that found an elevator user's insurance changed brings back the
    # state its visit before had found (`latest`, from the campaign-wide rows or a period's).
    visits: dict[str, list[Row]] = {}
    for r in sorted(_inspections(demo, ()), key=lambda r: (r["started_at"], r["id"])):
        if r["action"] == "equipment" and "电梯" in r["fields"].get("equipment_types", []):
            visits.setdefault(r["entity_id"], []).append(r)
    turned = next(v for v in visits.values() if len(v) > 1 and v[-1]["fields"]["elevator_insured"]
                  != v[-2]["fields"]["elevator_insured"])
    demo("record", "void", turned[-1]["id"], "--reason", "录入错误")
    step = 1 if turned[-2]["fields"]["elevator_insured"] else -1
    assert _agree(demo)[LATEST] == edited[LATEST] + step


def test_record_list_counts_and_orders_like_the_records(demo: Fieldlog) -> None:
    week = ("--from", "2026-09-21", "--to", "2026-09-27")
    rows = demo.json("record", "list", *week, "--limit", "10000")
    assert [r["started_at"] for r in rows] == sorted((r["started_at"] for r in rows), reverse=True)
    first_page = demo.json("record", "list", *week)
    assert [r["id"] for r in first_page] == [r["id"] for r in rows[:50]]

    def total(*args: str) -> int:
        title = demo("record", "list", *args).stdout
        return int(re.search(r"共 (\d+) 条", title).group(1))

    assert total(*week) == len(rows)
    assert total("--date", "2026-09-23", "--action", "drug") == sum(
        r["day"] == "2026-09-23" and r["action"] == "drug" for r in rows)
    assert total(*week, "--text", "大药房") == sum(
        "大药房" in (r["entity_name"] or "") or "大药房" in (r["findings"] or "") for r in rows)
    demo("record", "void", rows[0]["id"], "--reason", "重复录入")
    assert total(*week) == len(rows) - 1


def test_upgrading_an_older_database_fills_the_campaign_keys(demo: Fieldlog) -> None:
    before = demo.json("tally")
    # Take the database back to before migration 003 (the schema a user may still have).
    conn = sqlite3.connect(demo.db, isolation_level=None)
    conn.execute("DROP TABLE tally_key")
    conn.execute("DROP INDEX inspection_campaign_list")
    conn.execute("DELETE FROM _migrations WHERE version = 3")
    conn.close()
    assert demo.json("tally") == before
    conn = sqlite3.connect(demo.db)
    keys = conn.execute("SELECT campaign, tally_id, key, n FROM tally_key ORDER BY 1, 2, 3")
    from_facts = conn.execute(
        "SELECT campaign, tally_id, key, SUM(n) FROM tally_fact WHERE key != '' "
        "GROUP BY campaign, tally_id, key ORDER BY 1, 2, 3")
    assert keys.fetchall() == from_facts.fetchall()
    conn.close()
