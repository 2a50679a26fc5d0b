"""Every tally of the shipped pack against figures counted by hand, in three stages.

One small campaign is logged, then corrected by revisions, then cleaned by voids — the
way a week really goes. Each stage's figures were counted by hand from the records
below (the comments show the sums). The fixture holds what makes figures go wrong: an
entity visited twice (and by different officer pairs), an elevator user whose
insurance lapsed and one that took it out, seized heaters on two lines of one visit, a
revision that changes each figure, and voids. The same figures must come out of this
laptop and of the central store (SQLite and PostgreSQL) after sync.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from tests.sync_support import Laptop
from tui_app.domain.pack import parse_pack
from tui_app.services.context import shipped_packs

A = {"name": "张三", "badge": "3201001"}
B = {"name": "李四", "badge": "3201002"}
C = {"name": "王五", "badge": "3201003"}
D = {"name": "赵六", "badge": "3201004"}
ENTITIES = ["超市甲", "超市乙", "冷库丙", "便民店", "药店甲", "药店乙", "卫生院", "诊所", "诊所二",
            "液化气站", "商场", "医院", "酒店", "工厂", "电器店", "五金店", "电动车行", "会议点甲",
            "会议点乙", "水产店", "烟酒店1", "烟酒店2", "烟酒店3", "景区商店"]


def rid(n: int) -> str:
    return f"0192f6a0-0000-7000-8000-{n:012x}"


def visit(n: int, action: str, entity: str, at: str, officers: list[dict[str, str]],
          fields: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"type": "inspection", "id": rid(n), "action": action, "entity": entity,
            "started_at": at, "officers": officers, "fields": fields, **extra}


def heater(item: str, quantity: int, yuan: int, unit: str = "台") -> dict[str, Any]:
    return {"item": item, "unit": unit, "quantity": quantity, "value_fen": yuan * 100}


LINES: list[dict[str, Any]] = [
    *({"type": "entity", "name": name, "township": "城关镇"} for name in ENTITIES),
    # ---- food (F1–F4; F5 filed under 疫情防控 by mistake, moved to food by a revision)
    visit(1, "food", "超市甲", "2026-09-20T10:00", [A, B],
          {"place_type": "学校及周边", "cold_chain": True, "vaccinated_staff": 12}),
    visit(2, "food", "超市乙", "2026-09-20T14:00", [A, B],
          {"place_type": "农村集贸市场", "cold_chain": False}),
    visit(3, "food", "超市甲", "2026-09-21T09:00", [A, C],
          {"place_type": "学校及周边", "cold_chain": True, "vaccinated_staff": 8}),
    visit(4, "food", "冷库丙", "2026-09-22T09:30", [B, C],
          {"place_type": "食品批发市场", "cold_chain": True, "vaccinated_staff": 5}),
    visit(5, "epidemic", "便民店", "2026-09-23T09:00", [A, D], {"focus": ["农贸市场"]}),
    # ---- drug (药店甲 three times, twice by A+B and once by A+D)
    visit(11, "drug", "药店甲", "2026-09-23T10:00", [A, B], {"unit_type": "药店"}),
    visit(12, "drug", "药店乙", "2026-09-23T11:00", [A, B], {"unit_type": "药店"}),
    visit(13, "drug", "药店甲", "2026-09-24T10:00", [A, D], {"unit_type": "药店"}),
    visit(14, "drug", "卫生院", "2026-09-24T15:00", [A, D],
          {"unit_type": "医疗机构", "vaccination_site": True}),
    visit(15, "drug", "诊所", "2026-09-25T10:00", [B, D],
          {"unit_type": "医疗机构", "vaccination_site": False}),
    visit(16, "drug", "诊所二", "2026-09-25T14:00", [B, D], {"unit_type": "药店"}),
    # ---- equipment: 商场 insured on the 26th, lapsed on the 28th; 医院 uninsured on the
    # 27th, insured on the 29th; 酒店 insured
    visit(21, "equipment", "液化气站", "2026-09-26T09:00", [A, B],
          {"equipment_types": ["气瓶", "压力容器"], "gas_station": True},
          measures={"directives": 2, "sealed_units": 1}),
    visit(22, "equipment", "商场", "2026-09-26T14:00", [A, B],
          {"equipment_types": ["电梯"], "elevator_insured": True}, measures={"directives": 1}),
    visit(23, "equipment", "医院", "2026-09-27T09:00", [C, D],
          {"equipment_types": ["电梯", "锅炉"], "elevator_insured": False},
          measures={"sealed_units": 2}),
    visit(24, "equipment", "酒店", "2026-09-27T14:00", [C, D],
          {"equipment_types": ["电梯"], "elevator_insured": True}),
    visit(25, "equipment", "商场", "2026-09-28T10:00", [A, C],
          {"equipment_types": ["电梯"], "elevator_insured": False}),
    visit(26, "equipment", "医院", "2026-09-29T10:00", [C, D],
          {"equipment_types": ["电梯"], "elevator_insured": True}),
    visit(27, "equipment", "工厂", "2026-09-30T10:00", [A, B], {"equipment_types": ["锅炉"]}),
    {"type": "case", "id": rid(28), "action": "equipment", "case_type": "特种设备安全",
     "entity": "液化气站", "filed_on": "2026-09-27", "status": "调查", "summary": "气瓶未检"},
    {"type": "case", "id": rid(29), "action": "equipment", "case_type": "特种设备安全",
     "entity": "医院", "filed_on": "2026-09-28", "status": "立案", "summary": "锅炉超期"},
    # ---- product: heaters on two lines at 电器店, which is visited twice
    visit(31, "product", "电器店", "2026-09-29T10:00", [A, B],
          {"product_types": ["电取暖器"], "no_3c": True},
          measures={"seized": [heater("劣质电取暖器", 10, 15_600), heater("小太阳电取暖器", 5, 7_800)]}),
    visit(32, "product", "五金店", "2026-09-29T15:00", [A, B],
          {"product_types": ["电取暖器", "其他"], "sanwu": True},
          measures={"seized": [heater("电热板", 20, 10_000, "件"), heater("电源线", 50, 11_400, "根"),
                               heater("劣质电取暖器", 8, 8_600)]}),
    visit(33, "product", "电动车行", "2026-09-30T10:00", [A, C], {"product_types": ["电动自行车"]}),
    visit(34, "product", "电器店", "2026-10-01T10:00", [B, D], {"product_types": ["电取暖器"]},
          measures={"seized": [heater("电取暖器", 3, 1_200)]}),
    # ---- fraud: visits, notices (activities) and cases
    visit(41, "fraud", "会议点甲", "2026-10-01T19:00", [B, C],
          {"target": "非法会议营销", "place_kind": "会议营销场所"}),
    visit(42, "fraud", "会议点乙", "2026-10-02T19:00", [B, C],
          {"target": "非法会议营销", "place_kind": "会议营销场所"}),
    visit(43, "fraud", "水产店", "2026-10-02T09:00", [B, C],
          {"target": "长江禁捕打非断链", "place_kind": "水产经营户"}),
    {"type": "activity", "id": rid(44), "action": "fraud", "date": "2026-10-01",
     "activity_type": "张贴公告", "quantity": 30, "officers": [B, D], "place": "城关镇"},
    {"type": "activity", "id": rid(45), "action": "fraud", "date": "2026-10-03",
     "activity_type": "张贴公告", "quantity": 26, "officers": [C, D], "place": "滨江街道"},
    {"type": "activity", "id": rid(46), "action": "fraud", "date": "2026-10-03",
     "activity_type": "宣传", "quantity": 100, "officers": [C, D], "place": "滨江街道"},
    {"type": "case", "id": rid(47), "action": "fraud", "case_type": "虚假宣传", "entity": "会议点甲",
     "filed_on": "2026-10-02", "status": "决定", "fine_fen": 3_000_000, "confiscated_fen": 500_000,
     "summary": "夸大功效"},
    {"type": "case", "id": rid(48), "action": "fraud", "case_type": "虚假宣传", "entity": "会议点乙",
     "filed_on": "2026-10-03", "status": "结案", "fine_fen": 1_234_567, "summary": "虚构认证"},
    {"type": "case", "id": rid(49), "action": "fraud", "case_type": "非法会议营销",
     "entity": "水产店", "filed_on": "2026-10-04", "status": "决定", "fine_fen": 1_000_000,
     "summary": "会议营销"},
    # ---- complaints
    *({"type": "complaint", "id": rid(51 + i), "received_at": f"2026-09-{21 + i}T08:30",
       "channel": "12315热线", "summary": f"投诉{i + 1}", "status": status,
       **({"handled_at": f"2026-09-{22 + i}T17:00"} if status == "已办结" else {})}
      for i, status in enumerate(["已办结", "已办结", "处理中", "已受理", "待受理"])),
    # ---- price: 烟酒店1 twice; 景区商店 checked for scenic-spot prices (moved by a revision)
    visit(61, "price", "烟酒店1", "2026-10-05T09:00", [A, D], {"topic": "53度飞天茅台酒价格"}),
    visit(62, "price", "烟酒店2", "2026-10-05T10:00", [A, D], {"topic": "53度飞天茅台酒价格"}),
    visit(63, "price", "烟酒店3", "2026-10-05T11:00", [A, D], {"topic": "53度飞天茅台酒价格"}),
    visit(64, "price", "烟酒店1", "2026-10-06T09:00", [B, C], {"topic": "53度飞天茅台酒价格"}),
    visit(65, "price", "景区商店", "2026-10-06T16:00", [A, D], {"topic": "旅游景区价格"}),
]

# Stage 2: corrections, each a new revision (`record edit`).
REVISIONS: list[tuple[int, tuple[str, ...]]] = [
    (2, ("--officer", "张三:3201001", "--officer", "赵六:3201004",
         "--field", "cold_chain=是", "--field", "vaccinated_staff=4")),
    (5, ("--action", "food", "--field", "place_type=其他")),
    (12, ("--entity", "药店甲")),                       # the wrong pharmacy had been picked
    (15, ("--officer", "李四:3201002", "--officer", "王五:3201003", "--officer", "赵六:3201004",
          "--field", "vaccination_site=是")),
    (16, ("--field", "unit_type=医疗机构")),
    (21, ("--directives", "4", "--sealed", "0")),
    (24, ("--field", "equipment_types=锅炉")),           # 酒店's elevator was not checked
    (27, ("--entity", "液化气站")),
    (29, ("--set", "action=product", "--set", "case_type=产品质量")),
    (32, ("--seize", "电热板:件:20:10000", "--seize", "电源线:根:50:11400",
          "--seize", "劣质电取暖器:台:6:6450")),        # 6 heaters worth 6,450 元, not 8
    (33, ("--officer", "张三:3201001", "--officer", "王五:3201003", "--officer", "赵六:3201004")),
    (42, ("--field", "target=虚假宣传广告")),
    (43, ("--officer", "李四:3201002", "--officer", "王五:3201003", "--officer", "张三:3201001")),
    (45, ("--set", "quantity=40")),
    (48, ("--set", "fine_fen=2000000")),
    (53, ("--set", "status=已办结", "--set", "handled_at=2026-09-24T17:00")),
    (65, ("--field", "topic=53度飞天茅台酒价格")),
]
# Stage 3: mistakes voided.
VOIDS = [4, 14, 25, 28, 34, 41, 44, 47, 55, 62]

# The hand count: (logged, revised, voided). Money in fen, percent with one decimal.
FIGURES: dict[str, tuple[float, float, float]] = {
    # (A,20)(B,20)(A,21)(C,21)(B,22)(C,22); +(D,20) F2, +(A,23)(D,23) F5; −(B,22)(C,22) F4
    "food.officers": (6, 9, 7),
    "food.inspections": (4, 5, 4),            # F1–F4; + F5 moved to food; − F4
    "food.cold_chain": (3, 4, 3),             # F1 F3 F4; + F2; − F4
    "food.vaccinated": (25, 29, 24),          # 12 + 8 + 5; + 4 (F2); − 5 (F4)
    # (A,23)(B,23)(A,24)(D,24)(B,25)(D,25); + (C,25) D15; D14's day keeps D13's officers
    "drug.officers": (6, 7, 7),
    "drug.pharmacies": (3, 1, 1),             # 甲 乙 诊所二; 乙→甲, 诊所二→医疗机构
    "drug.medical": (2, 3, 2),                # 卫生院 诊所; + 诊所二; − 卫生院 (D14)
    "drug.vaccination_sites": (1, 2, 1),      # 卫生院; + 诊所 (D15); − 卫生院
    "equipment.units": (5, 4, 4),             # 站 商场 医院 酒店 工厂; 工厂→站; 商场 has D22
    "equipment.directives": (3, 5, 5),        # 2 + 1; 4 + 1
    "equipment.sealed": (3, 2, 2),            # 1 + 2; 0 + 2
    "equipment.cases": (2, 1, 0),             # C28 C29; C29 → product; − C28
    "equipment.elevator_units": (3, 2, 2),    # 商场 医院 酒店; 酒店 checked no elevator
    # as of the latest visit: 商场 lapsed (E25), 医院 insured (E26), 酒店 insured; 酒店 out;
    # E25 voided: 商场's latest is E22 again, insured
    "equipment.elevator_insured_units": (2, 1, 2),
    "equipment.elevator_insured_pct": (66.7, 50.0, 100.0),
    # (A,29)(B,29)(A,30)(C,30)(B,1)(D,1); + (D,30) P33; − (B,1)(D,1) P34
    "product.officers": (6, 7, 5),
    "product.heaters": (26, 24, 21),          # 10 + 5 + 8 + 3; 8 → 6; − 3 (P34)
    # 15,600 + 7,800 + 10,000 + 11,400 + 8,600 + 1,200 = 54,600 元; 8,600 → 6,450; − 1,200
    "product.goods_value": (5_460_000, 5_245_000, 5_125_000),
    # (B,1)(C,1)(B,2)(C,2) visits, (B,1)(D,1)(C,3)(D,3) activities; + (A,2) R43;
    # − R41 and T44: (B,1)(C,1)(D,1)
    "fraud.officers": (7, 8, 5),
    "fraud.notices": (56, 70, 40),            # 30 + 26; 26 → 40; − 30
    "fraud.illegal_marketing": (2, 1, 0),     # R41 R42; R42 → 虚假宣传广告; − R41
    # (30,000 + 5,000) + 12,345.67 元; 12,345.67 → 20,000; − K47
    "fraud.false_ad_penalties": (4_734_567, 5_500_000, 2_000_000),
    "complaints.received": (5, 5, 4),
    "complaints.handled": (2, 3, 3),
    "complaints.pending": (3, 2, 1),          # 处理中 已受理 待受理; Q53 handled; − Q55
    "price.units": (3, 4, 3),                 # 烟酒店1–3; + 景区商店; − 烟酒店2
}
# Counting every record of a kind, only adding or voiding one changes the figure.
NO_REVISION_CHANGES = {"complaints.received"}


def _log(laptop: Laptop) -> None:
    path = laptop.folder / "week.jsonl"
    path.write_text("\n".join(json.dumps(x, ensure_ascii=False) for x in LINES), "utf-8")
    laptop("import", str(path))


def _revise(laptop: Laptop) -> None:
    for n, options in REVISIONS:
        laptop("record", "edit", rid(n), *options)


def _void(laptop: Laptop) -> None:
    for n in VOIDS:
        laptop("record", "void", rid(n), "--reason", "录入错误")


STAGES = [("logged", _log), ("revised", _revise), ("voided", _void)]


def _expected(stage: int) -> dict[str, float]:
    return {tally_id: figures[stage] for tally_id, figures in FIGURES.items()}


def test_the_hand_count_covers_every_tally_and_each_changes_with_a_revision() -> None:
    pack = parse_pack(shipped_packs()["zhongqiu.toml"], "zhongqiu.toml")
    assert set(FIGURES) == {t.id for t in pack.tallies}
    unchanged = {tally_id for tally_id, (logged, revised, _v) in FIGURES.items()
                 if logged == revised}
    assert unchanged == NO_REVISION_CHANGES
    assert any(v != r for _l, r, v in FIGURES.values())


def test_every_tally_equals_the_hand_count_at_each_stage(tmp_path: Path) -> None:
    laptop = Laptop(tmp_path / "a", "张三", "3201001")
    for stage, (_name, step) in enumerate(STAGES):
        step(laptop)
        assert laptop.json("tally")["tallies"] == _expected(stage), STAGES[stage][0]
    # a full recount from the records gives the same figures as the incremental ones
    laptop("doctor", "--repair")
    assert laptop.json("tally")["tallies"] == _expected(2)


def test_the_report_reads_well_where_figures_fell_to_zero(tmp_path: Path) -> None:
    laptop = Laptop(tmp_path / "a", "张三", "3201001")
    for _name, step in STAGES:
        step(laptop)
    text = laptop("report", "--to", "2026-10-08", "--format", "txt").stdout
    assert "暂未发现非法会议营销活动" in text
    assert "立案查处" not in text and "0起" not in text
    assert "目前全区100.0%的电梯使用单位已经投保" in text
    assert "收缴劣质电取暖器21台件，货值5.1万余元" in text


def test_the_central_store_counts_the_same_at_each_stage(tmp_path: Path, central_url: str) -> None:
    laptop = Laptop(tmp_path / "a", "张三", "3201001")
    central = ("--scope", "central", "--central", central_url)
    for stage, (name, step) in enumerate(STAGES):
        step(laptop)
        laptop.sync(central_url)
        assert laptop.json("tally", *central)["tallies"] == _expected(stage), name
    # a period that ends before 商场's lapsed visit reads its state then (insured)
    early = ("--from", "2026-09-14", "--to", "2026-09-27")
    assert (laptop.json("tally", *early, *central)["tallies"]
            == laptop.json("tally", *early)["tallies"])


def _downgrade(url: str, statements: list[str]) -> None:
    """Run SQL on a central store directly (to take it back to an older release)."""
    if url.startswith("postgresql"):
        import psycopg

        with psycopg.connect(url, autocommit=True) as conn:
            for sql in statements:
                conn.execute(sql)
    else:
        import sqlite3

        conn = sqlite3.connect(url.removeprefix("sqlite://"), isolation_level=None)
        for sql in statements:
            conn.execute(sql)
        conn.close()


def test_a_central_store_of_the_last_release_recounts_with_the_new_pack(
        tmp_path: Path, central_url: str) -> None:
    """Before central migration 004 there was no `latest` and the figures were counted
    with the old pack: after `central init` they are the new pack's, from the records."""
    laptop = Laptop(tmp_path / "a", "张三", "3201001")
    _log(laptop)
    laptop.sync(central_url)
    _downgrade(central_url, [
        "DROP TABLE tally_latest", "DROP TABLE tally_latest_key",
        "DELETE FROM _migrations WHERE version = 4", "DELETE FROM meta WHERE k LIKE 'counted:%'",
        "UPDATE tally_fact SET n = n + 100",  # what an older pack had counted
    ])
    refused = laptop("tally", "--scope", "central", "--central", central_url, ok=False)
    assert refused.exit_code == 1 and "central init" in refused.output
    laptop("central", "init", central_url)
    central = laptop.json("tally", "--scope", "central", "--central", central_url)
    assert central["tallies"] == _expected(0)


def test_a_laptop_database_of_the_last_release_gets_its_latest_tallies(tmp_path: Path) -> None:
    import sqlite3

    laptop = Laptop(tmp_path / "a", "张三", "3201001")
    _log(laptop)
    conn = sqlite3.connect(laptop.db, isolation_level=None)
    for sql in ("DROP TABLE tally_latest", "DROP TABLE tally_latest_key",
                "DELETE FROM _migrations WHERE version = 5",
                "UPDATE campaign_pack SET source = source || '# the last release'"):
        conn.execute(sql)
    conn.close()
    assert laptop.json("tally")["tallies"] == _expected(0)


def test_records_with_retired_fields_still_import_edit_void_and_sync(tmp_path: Path,
                                                                     central_url: str) -> None:
    """has_elevators and heaters_confiscated, written before they were retired, are kept
    as they were and count nowhere: the figures come from 电梯 among the equipment checked
    and from the seized lines."""
    laptop = Laptop(tmp_path / "a", "张三", "3201001")
    old = [{"type": "entity", "name": "商场", "township": "城关镇"},
           {"type": "entity", "name": "电器店", "township": "城关镇"},
           visit(1, "equipment", "商场", "2026-09-26T14:00", [A, B],
                 {"equipment_types": ["锅炉"], "has_elevators": True, "elevator_insured": True}),
           visit(2, "product", "电器店", "2026-09-29T10:00", [A, B],
                 {"product_types": ["电取暖器"], "heaters_confiscated": 40},
                 measures={"seized": [heater("劣质电取暖器", 4, 1_000)]})]
    path = tmp_path / "old.jsonl"
    path.write_text("\n".join(json.dumps(x, ensure_ascii=False) for x in old), "utf-8")
    laptop("import", str(path))

    def figures(*scope: str) -> tuple[int, int, int]:
        values = laptop.json("tally", *scope)["tallies"]
        return (values["equipment.elevator_units"], values["equipment.elevator_insured_units"],
                values["product.heaters"])

    assert figures() == (0, 0, 4)
    laptop("record", "edit", rid(1), "--findings", "锅炉压力表未校验")
    laptop("record", "edit", rid(2), "--seize", "劣质电取暖器:台:5:1000")
    shown = laptop.json("record", "show", rid(1))["current"]["fields"]
    assert shown["has_elevators"] is True  # kept as it was, through the edit
    assert laptop.json("record", "show", rid(2))["current"]["fields"]["heaters_confiscated"] == 40
    assert figures() == (0, 0, 5)
    laptop.sync(central_url)
    assert figures("--scope", "central", "--central", central_url) == (0, 0, 5)
    laptop("record", "void", rid(2), "--reason", "录入错误")
    laptop.sync(central_url)
    assert figures("--scope", "central", "--central", central_url) == figures() == (0, 0, 0)


def test_a_caught_up_central_read_takes_no_write_lock(tmp_path: Path, central_url: str) -> None:
    """A read of a store with nothing to catch up (`SqlCentral._caught_up`) neither waits
    for the store's write lock nor takes it: the tallies come while another session holds
    it (SQLite: the file's RESERVED lock; PostgreSQL: the catch-up's advisory lock), the
    same figures as the laptop's. A store with changes to catch up would wait for it."""
    laptop = Laptop(tmp_path / "a", "张三", "3201001")
    _log(laptop)
    laptop.sync(central_url)
    central = ("--scope", "central", "--central", central_url)
    assert laptop.json("tally", *central)["tallies"] == _expected(0)  # caught up by the sync
    answers: list[dict[str, Any]] = []
    reader = threading.Thread(target=lambda: answers.append(laptop.json("tally", *central)))
    with _holding_write_lock(central_url):
        reader.start()
        reader.join(timeout=20)
        answered_meanwhile = not reader.is_alive()
    reader.join()  # a read that waited for the lock ends once it is released
    assert answered_meanwhile and answers[0]["tallies"] == _expected(0)


def test_a_campaign_counted_with_another_pack_is_recounted_with_nothing_new_in_the_log(
        tmp_path: Path, central_url: str) -> None:
    """The shortcut of a caught-up read still checks the pack each campaign was counted
    with: a store counted with an older pack (its hash in `meta`, wrong figures) is
    recounted by the next read although its log holds nothing new."""
    laptop = Laptop(tmp_path / "a", "张三", "3201001")
    _log(laptop)
    laptop.sync(central_url)
    _downgrade(central_url, ["UPDATE meta SET v = 'an older pack' WHERE k = 'counted:zhongqiu'",
                             "UPDATE tally_fact SET n = n + 100"])
    central = laptop.json("tally", "--scope", "central", "--central", central_url)
    assert central["tallies"] == _expected(0)


@contextmanager
def _holding_write_lock(url: str) -> Iterator[None]:
    """Another session holding what a central store's catch-up must take to write."""
    if url.startswith("postgresql"):
        import psycopg

        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute("SELECT pg_advisory_lock(hashtext(current_schema() || 'materialize'))")
            yield
        return
    import sqlite3

    conn = sqlite3.connect(url.removeprefix("sqlite://"), isolation_level=None, timeout=0)
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield
    finally:
        conn.rollback()
        conn.close()
