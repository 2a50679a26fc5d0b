"""One entity everywhere: derived ids, identical content is a duplicate, figures count 家 once.

Three laptops import the same registry (no ids in it), visit shared entities and sync to
the central store on each engine: one central entity per USCC, no conflict, and every
家 figure is the number of distinct USCCs visited.
"""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any

import pytest

from tests.sync_support import Laptop, assert_converged, central_conflicts
from tui_app.domain.identity import ENTITY_NAMESPACE, entity_id, entity_key, normalise_name
from tui_app.domain.uscc import check_char
from tui_app.store.records import ListQuery
from tui_app.sync.central import Known, decide
from tui_app.sync.central import open_central as open_store
from tui_app.sync.protocol import Change


def uscc(n: int, prefix: str = "91320100") -> str:
    first = f"{prefix}{n:09d}"
    return first + check_char(first)


# name, USCC, category; the first three are pharmacies, the last two use special equipment
REGISTRY = [(f"仁和大药房第{i}店", uscc(i), "药店") for i in range(1, 4)] + [
    (f"金陵酒店{i}", uscc(10 + i), "特种设备使用单位") for i in range(1, 3)]


def registry_csv(folder: Path) -> Path:
    path = folder / "名录.csv"
    lines = ["名称,统一社会信用代码,类别,乡镇（街道）"]
    lines += [f"{name},{code},{category},城关镇" for name, code, category in REGISTRY]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def visit(laptop: Laptop, code: str, action: str, fields: dict[str, Any], day: int) -> None:
    laptop.count += 1
    line = {"type": "inspection", "action": action, "entity": code,
            "started_at": f"2026-09-{day}T10:{laptop.count:02d}",
            "officers": [{"name": "张三", "badge": "3201001"}, {"name": "李四", "badge": "3201002"}],
            "fields": fields}
    path = laptop.folder / f"visit{laptop.count}.jsonl"
    path.write_text(json.dumps(line, ensure_ascii=False), encoding="utf-8")
    laptop("import", str(path))


PHARMACY = {"unit_type": "药店"}
EQUIPMENT = {"equipment_types": ["锅炉"]}


def central_entities(url: str) -> list[dict[str, Any]]:
    store = open_store(url)
    try:
        store.materialize()
        return store.page(ListQuery(kind="entity", limit=10_000))
    finally:
        store.close()


def test_an_entity_id_is_derived_from_its_uscc_or_its_normalised_name() -> None:
    code = uscc(7)
    for args in ((code, None, None), (None, "老王水果摊", "河西乡")):
        assert entity_id(*args) == str(uuid.uuid5(ENTITY_NAMESPACE, entity_key(*args)))
    assert entity_id(code, "甲", "城关镇") == entity_id(f" {code.lower()} ", "乙", None)
    assert entity_id(code, "甲", None) != entity_id(uscc(8), "甲", None)
    assert normalise_name("好又多（东街店）") == normalise_name("好又多 (东街店)")
    assert normalise_name("ＡＢＣ超市、二部") == normalise_name("abc超市,二部")
    without = entity_id(None, "老王水果摊", "河西乡")
    assert without == entity_id("", "老王 水果摊", " 河西乡")
    assert without != entity_id(None, "老王水果摊", "城关镇")  # another township, another place


def _entity_change(change_id: str, who: str, rev: int = 1, name: str = "甲",
                   base: str | None = None) -> Change:
    body = {"id": "e1", "rev": rev, "name": name, "uscc": None, "inspector_id": who,
            "device_id": f"dev-{who}", "created_at": f"t-{who}", "updated_at": f"t-{who}"}
    return Change(change_id, "entity", "e1", rev, body, base)


def test_identical_content_is_a_duplicate_and_different_content_a_conflict() -> None:
    first = _entity_change("c-a", "a")
    known = Known(slots={("e1", 1): "c-a"}, held={"c-a": first})
    same, other = _entity_change("c-b", "b"), _entity_change("c-c", "c", name="乙")
    edit = _entity_change("c-b2", "b", rev=2, name="丙", base="c-b")
    results = decide([same, other, edit], "b", known).results
    assert [r.status for r in results] == ["duplicate", "stale", "applied"]
    assert results[0].kept_change_id == "c-a" and results[0].current == first
    # without the holder's content at hand the rule cannot call it a duplicate
    assert decide([same], "b", Known(slots={("e1", 1): "c-a"})).results[0].status == "stale"


def _three_laptops(tmp_path: Path) -> list[Laptop]:
    return [Laptop(tmp_path / f"l{i}", f"人{i}", f"320100{i}") for i in range(3)]


def test_three_laptops_one_registry_one_entity_per_uscc(tmp_path: Path, central_url: str) -> None:
    laptops = _three_laptops(tmp_path)
    csv = registry_csv(tmp_path)
    for laptop in laptops:
        laptop("entity", "import", str(csv))
    # pharmacy 1 is visited by all three teams, pharmacy 2 by two; hotel 1 by two, found
    # insured on the 22nd and uninsured on the 23rd (its latest state); hotel 2 insured
    insured, lapsed = ({"equipment_types": ["电梯"], "elevator_insured": flag} for flag in (True, False))
    plan = [(0, 0, "drug", PHARMACY), (1, 0, "drug", PHARMACY), (2, 0, "drug", PHARMACY),
            (0, 1, "drug", PHARMACY), (2, 1, "drug", PHARMACY),
            (1, 3, "equipment", insured), (2, 3, "equipment", lapsed), (0, 4, "equipment", insured)]
    for who, entity, action, fields in plan:
        visit(laptops[who], REGISTRY[entity][1], action, fields, 21 + who)
    for laptop in (*laptops, *laptops):
        result = laptop.sync(central_url)
        assert "conflicts 0" in result.output, result.output

    entities = central_entities(central_url)
    assert sorted(e["uscc"] for e in entities) == sorted(code for _n, code, _c in REGISTRY)
    assert central_conflicts(central_url) == []
    assert_converged(central_url, *laptops)
    expected = {"drug.pharmacies": 2, "equipment.units": 2, "equipment.elevator_units": 2,
                "equipment.elevator_insured_units": 1, "equipment.elevator_insured_pct": 50.0}
    central = laptops[0].json("tally", "--scope", "central", "--central", central_url)["tallies"]
    for laptop in laptops:
        local = laptop.json("tally")["tallies"]
        assert {k: local[k] for k in expected} == expected
        assert local == central


def test_an_entity_created_on_two_laptops_is_one_entity(tmp_path: Path, central_url: str) -> None:
    a, b, _c = _three_laptops(tmp_path)
    line = {"type": "entity", "name": "城关镇好又多超市", "uscc": uscc(42), "category": "食品销售"}
    for laptop in (a, b):
        path = laptop.folder / "new.jsonl"
        path.write_text(json.dumps(line, ensure_ascii=False), encoding="utf-8")
        laptop("import", str(path))
        visit(laptop, uscc(42), "drug", PHARMACY, 22)
    a.sync(central_url)
    second = b.sync(central_url)
    assert "duplicates 1" in second.output and "conflicts 0" in second.output, second.output
    a.sync(central_url)
    assert [e["uscc"] for e in central_entities(central_url)] == [uscc(42)]
    assert a.json("tally")["tallies"]["drug.pharmacies"] == 1
    assert_converged(central_url, a, b)

    # an edit after the duplicate builds on the central revision: no conflict
    b("entity", "import", str(_one_row_csv(b.folder, uscc(42), "城关镇好又多超市", "东街1号")))
    assert "conflicts 0" in b.sync(central_url).output
    assert central_entities(central_url)[0]["address"] == "东街1号"


def _one_row_csv(folder: Path, code: str, name: str, address: str) -> Path:
    path = folder / "one.csv"
    path.write_text(f"名称,统一社会信用代码,类别,住所\n{name},{code},食品销售,{address}\n",
                    encoding="utf-8")
    return path


def test_entity_edits_that_really_differ_stay_conflicts(tmp_path: Path, central_url: str) -> None:
    a, b, _c = _three_laptops(tmp_path)
    for laptop, address in ((a, "东街1号"), (b, "西街8号")):
        laptop("entity", "import", str(_one_row_csv(laptop.folder, uscc(5), "老字号", address)))
    a.sync(central_url)
    assert "conflicts 1" in b.sync(central_url).output
    [kept] = central_conflicts(central_url)
    assert [e["address"] for e in central_entities(central_url)] == ["东街1号"]
    assert b.json("conflicts")["conflicts"][0]["lost_body"]["address"] == "西街8号"
    assert kept


@pytest.mark.parametrize("name", ["老王水果摊", "老王 水果摊"])
def test_an_entity_without_uscc_is_keyed_on_name_and_township(fieldlog, tmp_path: Path,
                                                               name: str) -> None:
    path = tmp_path / "x.csv"
    path.write_text(f"名称,乡镇\n老王水果摊,河西乡\n{name},河西乡\n老王水果摊,城关镇\n",
                    encoding="utf-8")
    result = fieldlog("entity", "import", str(path))
    assert "新增 2" in result.stdout  # the second line is the first one's place again
    found = fieldlog.json("entity", "search", "水果")
    assert {e["id"] for e in found} == {entity_id(None, "老王水果摊", t) for t in ("河西乡", "城关镇")}


def test_the_registry_comes_from_the_bureau(tmp_path: Path, central_url: str) -> None:
    bureau = Laptop(tmp_path / "bureau", "科室", "3200000")
    csv = registry_csv(tmp_path)
    result = bureau("entity", "import", str(csv), "--central", central_url)
    assert "added 5, revised 0, unchanged 0" in result.output, result.output
    again = bureau("entity", "import", str(csv), "--central", central_url)
    assert "added 0, revised 0, unchanged 5" in again.output

    a, b, _c = _three_laptops(tmp_path)
    for laptop in (a, b):  # no local import: the registry arrives with the first sync
        laptop.sync(central_url)
        assert len(laptop.json("entity", "search", "仁和")) == 3
    # a laptop's inline-created entity reaches the others, under the same identity
    line = {"type": "entity", "name": "城关镇好又多超市", "uscc": uscc(42), "category": "食品销售"}
    path = a.folder / "new.jsonl"
    path.write_text(json.dumps(line, ensure_ascii=False), encoding="utf-8")
    a("import", str(path))
    visit(a, uscc(42), "drug", PHARMACY, 21)
    visit(b, REGISTRY[0][1], "drug", PHARMACY, 21)
    for laptop in (a, b, a):
        assert "conflicts 0" in laptop.sync(central_url).output
    assert [e["id"] for e in b.json("entity", "search", "好又多")] == [entity_id(uscc(42), None, None)]
    assert b.json("tally")["tallies"]["drug.pharmacies"] == 2
    assert_converged(central_url, a, b)

    # a corrected registry revises what changed; a bad row refuses the whole file
    moved = registry_csv(tmp_path).read_text(encoding="utf-8").replace("城关镇\n", "河西乡\n", 1)
    csv.write_text(moved + "坏代码商行,91110108551385082R,药店,城关镇\n", encoding="utf-8")
    refused = bureau("entity", "import", str(csv), "--central", central_url, ok=False)
    assert "line 7" in refused.output and "check character" in refused.output, refused.output
    csv.write_text(moved, encoding="utf-8")
    assert "added 0, revised 1, unchanged 4" in bureau("entity", "import", str(csv), "--central",
                                                       central_url).output
    b.sync(central_url)
    assert b.json("entity", "search", REGISTRY[0][0])[0]["township"] == "河西乡"


def test_the_bureau_merges_two_records_of_one_place(tmp_path: Path, central_url: str) -> None:
    a, b, _c = _three_laptops(tmp_path)
    for laptop, name in ((a, "老王水果摊"), (b, "老王水果店")):  # one stall, typed two ways
        path = laptop.folder / "e.jsonl"
        path.write_text(json.dumps({"type": "entity", "name": name, "township": "河西乡"},
                                   ensure_ascii=False), encoding="utf-8")
        laptop("import", str(path))
        visit(laptop, name, "drug", PHARMACY, 22)
    for laptop in (a, b, a):
        laptop.sync(central_url)
    assert a.json("tally")["tallies"]["drug.pharmacies"] == 2
    loser, survivor = (entity_id(None, name, "河西乡") for name in ("老王水果店", "老王水果摊"))

    refused = a("entity", "merge", loser, loser, "--reason", "同一摊位", "--central", central_url,
                ok=False)
    assert "into itself" in refused.output
    merged = a("entity", "merge", loser, survivor, "--reason", "同一摊位，名称录入不一致",
               "--central", central_url)
    assert "Merged" in merged.output
    central = a.json("tally", "--scope", "central", "--central", central_url)["tallies"]
    assert central["drug.pharmacies"] == 1
    again = a("entity", "merge", loser, survivor, "--reason", "x", "--central", central_url, ok=False)
    assert "already merged" in again.output
    for laptop in (a, b):
        laptop.sync(central_url)
        assert laptop.json("tally")["tallies"] == central  # on laptops after their pull
        assert [e["id"] for e in laptop.json("entity", "search", "老王")] == [survivor]
    history = b.json("record", "show", loser)["revisions"]  # a recorded event, not a rewrite
    assert [(r["rev"], r["voided"]) for r in history] == [(1, False), (2, True)]
    assert history[1]["merged_into"] == survivor and "名称录入不一致" in history[1]["void_reason"]
    visit(b, "老王水果店", "drug", PHARMACY, 23)  # the old name still finds the place
    b.sync(central_url)
    assert b.json("tally")["tallies"]["drug.pharmacies"] == 1
    assert b.json("tally", "--scope", "central", "--central", central_url)["tallies"][
        "drug.pharmacies"] == 1


def test_the_forms_new_entity_is_the_registered_one(tmp_path: Path) -> None:
    """The picker's ctrl+e form saves through `entry.submit`: on two laptops the same
    USCC gives one id, and on a laptop that has it already, nothing new is written."""
    from tui_app.services import entry as entry_service
    from tui_app.services.context import open_context
    from tui_app.ui.screens.entry import ENTITY_SPECS

    specs = {spec.path: spec.field for spec in ENTITY_SPECS}
    values = {"name": "城关镇好又多超市", "uscc": uscc(42).lower(), "category": "食品销售"}
    ids = []
    for name in ("a", "b", "b"):
        ctx = open_context(tmp_path / f"{name}.db")
        try:
            ids.append(entry_service.submit(ctx, "entity", specs, {k: v for k, v in values.items()
                                                                   if k in specs}).id)
            revisions = ctx.db.conn.execute("SELECT COUNT(*) FROM revision").fetchone()[0]
        finally:
            ctx.close()
    assert ids == [entity_id(uscc(42), None, None)] * 3
    assert revisions == 1
