"""A small campaign whose report figures were counted by hand (see FIGURES).

Every record is written out below so the expected figures can be checked by reading:
five food visits to three shops, five drug visits, five equipment visits, three
product visits with seizures, fraud visits, notices and cases, complaints, and twelve
Moutai price checks. One extra food visit is voided and must count nowhere.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

A = {"name": "张三", "badge": "3201001"}
B = {"name": "李四", "badge": "3201002"}
C = {"name": "王五", "badge": "3201003"}
D = {"name": "赵六", "badge": "3201004"}

VOIDED_ID = "0192f6a0-0000-7000-8000-0000000000f6"

SHOPS = ["城关超市", "便民超市", "冷链仓储店", "仁和药店", "百姓药店", "镇卫生院", "个体诊所",
         "液化气站", "新世纪商场", "县人民医院", "滨江酒店", "明亮电器店", "五金店", "电动车行",
         "会议营销点甲", "会议营销点乙", "水产店", "景区商店"]
LIQUOR = [f"烟酒店{i}" for i in range(1, 13)]


def _visit(action: str, entity: str, at: str, officers: list[dict[str, str]],
           fields: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"type": "inspection", "action": action, "entity": entity, "started_at": at,
            "officers": officers, "fields": fields, **extra}


def records() -> list[dict[str, Any]]:
    """Entities, then every record of the fixture campaign, as import lines."""
    lines: list[dict[str, Any]] = [
        {"type": "entity", "name": name, "kind": "个体工商户", "township": "城关镇"}
        for name in SHOPS + LIQUOR
    ]
    lines += [
        # food: 5 visits, officer-days (A,20)(B,20)(A,21)(C,21)(B,22)(C,22) = 6,
        # cold chain 3 visits, 12 + 8 + 5 = 25 staff vaccinated
        _visit("food", "城关超市", "2026-09-20T10:00", [A, B],
               {"place_type": "学校及周边", "cold_chain": True, "vaccinated_staff": 12}),
        _visit("food", "便民超市", "2026-09-20T14:00", [A, B],
               {"place_type": "农村集贸市场", "cold_chain": False}),
        _visit("food", "城关超市", "2026-09-21T09:00", [A, C],
               {"place_type": "学校及周边", "cold_chain": True, "vaccinated_staff": 8}),
        _visit("food", "冷链仓储店", "2026-09-22T09:30", [B, C],
               {"place_type": "食品批发市场", "cold_chain": True, "vaccinated_staff": 5}),
        _visit("food", "便民超市", "2026-09-22T15:00", [B, C], {"place_type": "旅游景区"}),
        {**_visit("food", "冷链仓储店", "2026-09-23T09:00", [A, D],
                  {"place_type": "其他", "cold_chain": True, "vaccinated_staff": 40}),
         "id": VOIDED_ID},
        # drug: officer-days (A,23)(B,23)(A,24)(D,24)(B,25)(D,25) = 6; pharmacies 2,
        # medical institutions 2, of which vaccination sites 1
        _visit("drug", "仁和药店", "2026-09-23T10:00", [A, B], {"unit_type": "药店"}),
        _visit("drug", "百姓药店", "2026-09-23T11:00", [A, B], {"unit_type": "药店"}),
        _visit("drug", "仁和药店", "2026-09-24T10:00", [A, D], {"unit_type": "药店"}),
        _visit("drug", "镇卫生院", "2026-09-24T15:00", [A, D],
               {"unit_type": "医疗机构", "vaccination_site": True}),
        _visit("drug", "个体诊所", "2026-09-25T10:00", [B, D],
               {"unit_type": "医疗机构", "vaccination_site": False}),
        # equipment: 4 users, directives 2 + 1 = 3, sealed 1 + 2 = 3; elevator users 3
        # (商场, 医院, 酒店: 电梯 among the equipment checked). Insured as of the latest
        # visit: 酒店 only — 商场 was insured on the 26th but its insurance had lapsed at
        # the visit on the 28th, 医院 is not insured → 1 of 3 = 33.3 %
        _visit("equipment", "液化气站", "2026-09-26T09:00", [A, B],
               {"equipment_types": ["气瓶", "压力容器"], "gas_station": True},
               findings="气瓶未按期检验", measures={"directives": 2, "sealed_units": 1}),
        _visit("equipment", "新世纪商场", "2026-09-26T14:00", [A, B],
               {"equipment_types": ["电梯"], "elevator_insured": True},
               findings="电梯维保记录不全", measures={"directives": 1}),
        _visit("equipment", "县人民医院", "2026-09-27T09:00", [C, D],
               {"equipment_types": ["电梯", "锅炉"], "elevator_insured": False},
               measures={"sealed_units": 2, "rectification_ordered": True}),
        _visit("equipment", "滨江酒店", "2026-09-27T14:00", [C, D],
               {"equipment_types": ["电梯"], "elevator_insured": True}),
        _visit("equipment", "新世纪商场", "2026-09-28T10:00", [A, C],
               {"equipment_types": ["电梯"], "elevator_insured": False}),
        # product: officer-days (A,29)(B,29)(A,30)(C,30) = 4; heaters from the seized lines
        # whose item contains 电取暖器: 10 + 5 (two lines at 明亮电器店) + 8 = 23;
        # goods seized 15,600 + 7,800 + 10,000 + 11,400 + 8,600 = 53,400 元 → 5.3万余元
        _visit("product", "明亮电器店", "2026-09-29T10:00", [A, B],
               {"product_types": ["电取暖器"], "no_3c": True},
               measures={"seized": [
                   {"item": "劣质电取暖器", "unit": "台", "quantity": 10, "value_fen": 1_560_000},
                   {"item": "小太阳电取暖器", "unit": "台", "quantity": 5, "value_fen": 780_000}]}),
        _visit("product", "五金店", "2026-09-29T15:00", [A, B],
               {"product_types": ["电取暖器", "其他"], "sanwu": True},
               measures={"seized": [
                   {"item": "电热板", "unit": "件", "quantity": 20, "value_fen": 1_000_000},
                   {"item": "电源线", "unit": "根", "quantity": 50, "value_fen": 1_140_000},
                   {"item": "劣质电取暖器", "unit": "台", "quantity": 8, "value_fen": 860_000}]}),
        _visit("product", "电动车行", "2026-09-30T10:00", [A, C],
               {"product_types": ["电动自行车"]}),
        # fraud: officer-days from visits (B,1)(C,1)(B,2)(C,2) and notices (D,1)(C,3)(D,3) = 7;
        # illegal sales meetings 2; notices 30 + 26 = 56 → 50余份
        _visit("fraud", "会议营销点甲", "2026-10-01T19:00", [B, C],
               {"target": "非法会议营销", "place_kind": "会议营销场所"}),
        _visit("fraud", "会议营销点乙", "2026-10-02T19:00", [B, C],
               {"target": "非法会议营销", "place_kind": "会议营销场所"}),
        _visit("fraud", "水产店", "2026-10-02T09:00", [B, C],
               {"target": "长江禁捕打非断链", "place_kind": "水产经营户"}),
        {"type": "activity", "action": "fraud", "date": "2026-10-01", "activity_type": "张贴公告",
         "quantity": 30, "officers": [B, D], "place": "城关镇"},
        {"type": "activity", "action": "fraud", "date": "2026-10-03", "activity_type": "张贴公告",
         "quantity": 26, "officers": [C, D], "place": "滨江街道"},
        {"type": "activity", "action": "fraud", "date": "2026-10-03", "activity_type": "宣传",
         "quantity": 100, "officers": [C, D], "place": "滨江街道"},
        # cases: equipment 2; false advertising 30,000 + 5,000 + 12,345.67 = 47,345.67 元 → 4.73万元
        {"type": "case", "action": "equipment", "case_type": "特种设备安全", "entity": "液化气站",
         "filed_on": "2026-09-27", "status": "调查", "summary": "使用未经检验的气瓶"},
        {"type": "case", "action": "equipment", "case_type": "特种设备安全",
         "entity": "县人民医院", "filed_on": "2026-09-28", "status": "立案",
         "summary": "锅炉超期未检"},
        {"type": "case", "action": "fraud", "case_type": "虚假宣传", "entity": "会议营销点甲",
         "filed_on": "2026-10-02", "status": "决定", "fine_fen": 3_000_000,
         "confiscated_fen": 500_000, "goods_value_fen": 800_000, "summary": "夸大保健品功效"},
        {"type": "case", "action": "fraud", "case_type": "虚假宣传", "entity": "会议营销点乙",
         "filed_on": "2026-10-03", "status": "结案", "fine_fen": 1_234_567,
         "summary": "虚构产品认证"},
        {"type": "case", "action": "fraud", "case_type": "非法会议营销", "entity": "水产店",
         "filed_on": "2026-10-04", "status": "决定", "fine_fen": 1_000_000,
         "summary": "非法会议营销"},
    ]
    # complaints: 7 received, 4 handled, 3 pending
    statuses = ["已办结", "已办结", "处理中", "已办结", "已受理", "已办结", "处理中"]
    for i, status in enumerate(statuses):
        lines.append({"type": "complaint", "received_at": f"2026-09-{21 + i}T08:{10 + i}",
                      "channel": "12315热线" if i % 2 == 0 else "网络",
                      "entity": SHOPS[i], "summary": f"投诉举报事项{i + 1}", "status": status,
                      **({"handled_at": f"2026-09-{22 + i}T17:00"} if status == "已办结" else {})})
    # price: 12 distinct shops checked for Moutai prices → 10余家; one scenic check not counted
    for i, shop in enumerate(LIQUOR):
        lines.append(_visit("price", shop, f"2026-10-0{5 + i % 3}T{9 + i % 8:02d}:00", [A, D],
                            {"topic": "53度飞天茅台酒价格", "price_tags_ok": i % 4 != 0}))
    lines.append(_visit("price", "景区商店", "2026-10-06T16:00", [A, D], {"topic": "旅游景区价格"}))
    return lines


# The seed report's `*` in order, counted by hand from the records above.
FIGURES = [
    "2026", "9", "8", "9", "11", "9", "25",      # year, meeting dates (pack constants)
    "6", "5", "3", "25",                          # food
    "6", "2", "2", "1",                           # drug
    "4", "3", "3", "2", "33.3",                   # equipment
    "4", "3", "23", "5.3",                        # product (3C), 货值 5.3万余元
    "7", "50", "2", "4.73", "7", "4", "3",        # fraud, complaints
    "53", "10",                                   # price
    "12315",                                      # hotline
]
TITLE = "关于2026年中秋节期间市场监管工作情况的汇报"
SIGNATURE = ["区市场监督管理局", "2026年10月8日"]

SEED = Path(__file__).parent / "data" / "seed_report.txt"


def expected_body() -> list[str]:
    """The seed report's paragraphs with every `*` replaced by its hand-counted figure."""
    text = SEED.read_text(encoding="utf-8").strip()
    parts = text.split("*")
    assert len(parts) == len(FIGURES) + 1
    filled = parts[0] + "".join(f + p for f, p in zip(FIGURES, parts[1:], strict=True))
    return filled.splitlines()
