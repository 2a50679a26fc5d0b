"""Tally definitions (人次, 户次, 家, sums, ratios) and incremental facts == recomputed facts."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import write_jsonl
from tui_app.services import record as record_service
from tui_app.services import tally as tally_service
from tui_app.services.context import open_context

A = {"name": "张三", "badge": "A1"}
B = {"name": "李四", "badge": "B2"}
C = {"name": "王五", "badge": "C3"}
SHOP = {"type": "entity", "name": "东街药店", "uscc": "91110108551385082Q"}
CLINIC = {"type": "entity", "name": "城关卫生院", "uscc": "914403001922038216"}


def drug(at: str, entity: str, officers: list, unit_type: str = "药店", site: bool = False) -> dict:
    return {"type": "inspection", "action": "drug", "entity": entity, "started_at": at,
            "officers": officers, "fields": {"unit_type": unit_type, "vaccination_site": site}}


def test_officer_days_distinct_entities_and_visits(fieldlog, tmp_path: Path) -> None:
    lines = [
        SHOP, CLINIC,
        # day 1: A+B visit the shop twice and the clinic once → 2 人次 (A, B on that day)
        drug("2026-09-21T09:00", SHOP["uscc"], [A, B]),
        drug("2026-09-21T11:00", SHOP["uscc"], [A, B]),
        drug("2026-09-21T15:00", CLINIC["uscc"], [A, B], "医疗机构", True),
        # day 2: A+C at the shop again → 2 more 人次; still 1 pharmacy (家)
        drug("2026-09-22T09:30", SHOP["uscc"], [A, C]),
        # late evening local time is still day 2 (UTC would be day 3)
        drug("2026-09-22T23:30", SHOP["uscc"], [A, C]),
    ]
    fieldlog("import", str(write_jsonl(tmp_path / "d.jsonl", *lines)))
    values = fieldlog.json("tally")["tallies"]
    assert values["drug.officers"] == 4
    assert values["drug.pharmacies"] == 1
    assert values["drug.medical"] == 1 and values["drug.vaccination_sites"] == 1
    day2 = fieldlog.json("tally", "--from", "2026-09-22", "--to", "2026-09-22")
    assert day2["tallies"]["drug.officers"] == 2 and day2["from"] == "2026-09-22"


def test_ratio_percent_one_decimal(fieldlog, tmp_path: Path) -> None:
    entities = [{"type": "entity", "name": f"电梯单位{i}"} for i in range(3)]
    lines = [*entities] + [
        {"type": "inspection", "action": "equipment", "entity": f"电梯单位{i}",
         "started_at": "2026-09-23T10:00", "officers": [A, B],
         "fields": {"equipment_types": ["电梯"], "elevator_insured": i == 0},
         "measures": {"directives": 1, "sealed_units": 2}}
        for i in range(3)
    ]
    fieldlog("import", str(write_jsonl(tmp_path / "e.jsonl", *lines)))
    values = fieldlog.json("tally")["tallies"]
    assert values["equipment.elevator_insured_pct"] == 33.3
    assert values["equipment.units"] == 3 and values["equipment.directives"] == 3
    assert values["equipment.sealed"] == 6
    table = fieldlog("tally").stdout
    assert "33.3" in table and "电梯使用单位投保率" in table
    english = fieldlog("--lang", "en", "tally").stdout
    assert "Elevator users insured" in english


def test_bad_tally_dates(fieldlog) -> None:
    result = fieldlog("tally", "--from", "9/21", ok=False)
    assert result.exit_code == 2 and "2026-09-21" in result.output


RAW = st.fixed_dictionaries({
    "day": st.integers(14, 30),
    "action": st.sampled_from(["food", "drug"]),
    "entity": st.sampled_from(["东街药店", "城关卫生院"]),
    "officers": st.sampled_from([[A, B], [A, C], [B]]),
    "flag": st.booleans(),
})
OPS = st.lists(st.tuples(st.sampled_from(["add", "edit", "void"]), RAW, st.integers(0, 50)),
               min_size=1, max_size=12)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ops=OPS)
def test_incremental_tallies_equal_a_full_recount(tmp_path_factory, ops) -> None:
    """Whatever sequence of adds, edits and voids: stored facts == facts rebuilt from rows."""
    path = tmp_path_factory.mktemp("h") / "h.db"
    with open_context(path) as ctx:
        for entity in (SHOP, CLINIC):
            record_service.add(ctx, "entity", {k: v for k, v in entity.items() if k != "type"})
        ids: list[str] = []
        for op, raw, pick in ops:
            fields = ({"place_type": "其他", "cold_chain": raw["flag"]} if raw["action"] == "food"
                      else {"unit_type": "药店" if raw["flag"] else "医疗机构"})
            data = {"action": raw["action"], "entity": raw["entity"], "officers": raw["officers"],
                    "started_at": f"{dt.date(2026, 9, raw['day'])}T10:00", "fields": fields}
            live = [i for i in ids if not record_service.show(ctx, i)[1]["voided"]]
            if op == "add" or not live:
                ids.append(record_service.add(ctx, "inspection", data).id)
            elif op == "edit":
                record_service.edit(ctx, live[pick % len(live)], data)
            else:
                record_service.void(ctx, live[pick % len(live)], "测试作废")
        incremental = tally_service.compute(ctx).values
        tally_service.rebuild_facts(ctx, "zhongqiu")
        assert tally_service.compute(ctx).values == incremental
