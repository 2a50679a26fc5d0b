"""A demo database: one synthetic but realistic week of the "中秋守护" campaign.

A newcomer should see tallies and a report at once, without typing a record. The
demo lives in its own file (`paths.demo_db()`), marked with the setting `demo=1`, and
is refused when it would be the inspector's real database. Every record goes through
`record.add` (the same validation as the form), so demo data is valid data; a seeded
random generator makes the content the same on every run, which tests rely on.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tui_app.domain import uscc
from tui_app.domain.pack import CASE_STATUSES, COMPLAINT_STATUSES, Pack
from tui_app.errors import FieldLogError
from tui_app.services import record as record_service
from tui_app.services import tally as tally_service
from tui_app.services.context import Context, open_context
from tui_app.store.records import ListQuery

SEED = 20260921
# The demo week starts a week into the campaign, as if the newcomer joined mid-way.
WEEK_OFFSET = 7
RECORD_KINDS = ("entity", "inspection", "case", "complaint", "activity")

DIVISION = "341124"  # the county's administrative division code inside every USCC
TOWNS = ("城关镇", "东湖街道", "新华街道", "西山镇", "南塘镇", "青石镇", "白沙镇", "临江镇",
         "桃源乡", "北河乡")
STREETS = ("东街", "西街", "南门", "北关", "人民路", "解放路", "建设路", "中山路", "文化路",
           "滨江路", "新华路", "府前街")
BRANDS = ("好又多", "惠民", "家家乐", "万家福", "联华", "佳佳", "百佳", "兴隆", "福满多", "金源",
          "鑫达", "宏发", "顺发", "利民", "喜洋洋", "华联", "天天", "红旗", "永安", "恒昌", "盛世",
          "如意", "康泰", "同心")
SURNAMES = ("王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴", "徐", "孙")
PAIRS = (
    ({"name": "王建国", "badge": "3405001"}, {"name": "李明", "badge": "3405002"}),
    ({"name": "张伟", "badge": "3405011"}, {"name": "刘芳", "badge": "3405012"}),
    ({"name": "陈强", "badge": "3405021"}, {"name": "赵丽", "badge": "3405022"}),
)
SETTINGS = {
    "demo": "1",
    "inspector_name": "王建国", "badge": "3405001", "inspector_id": "3405001",
    "partner_name": "李明", "partner_badge": "3405002", "unit": "区市场监督管理局",
}


@dataclass(frozen=True)
class Archetype:
    """A kind of business in the registry: how it is named, registered and inspected."""

    key: str
    category: str
    count: int
    names: tuple[str, ...]  # templates: {town} {street} {brand} {surname}
    kind: str  # 企业 | 个体工商户 | 医疗机构 | 事业单位
    actions: tuple[str, ...]


ARCHETYPES = (
    Archetype("supermarket", "食品销售", 40, ("{town}{brand}超市", "{brand}便利店({street}店)",
              "{brand}生活超市"), "企业", ("food", "product", "price", "epidemic")),
    Archetype("market", "集中交易市场", 10, ("{town}农贸市场",), "企业",
              ("food", "fraud", "price", "epidemic")),
    Archetype("coldchain", "冷链食品经营", 15, ("{brand}冷冻食品批发部", "{town}{brand}冷库"),
              "企业", ("food", "fraud", "epidemic")),
    Archetype("restaurant", "餐饮服务", 35,
              ("{surname}记饭店", "{brand}农家乐", "{town}{brand}酒楼"), "个体工商户",
              ("food", "epidemic")),
    Archetype("bakery", "食品生产", 10, ("{brand}月饼坊", "{brand}食品厂"), "企业", ("food",)),
    Archetype("pharmacy", "药品零售", 40, ("仁和大药房({street}店)", "老百姓大药房({street}店)",
              "益丰大药房({street}店)", "{brand}药店", "{town}康宁药店"), "企业",
              ("drug", "price", "epidemic")),
    Archetype("hospital", "医疗机构", 20, ("县人民医院", "县中医院", "县妇幼保健院", "{town}卫生院",
              "{town}社区卫生服务中心", "{surname}氏诊所"), "医疗机构", ("drug", "equipment")),
    Archetype("gas", "燃气经营", 12, ("华润燃气液化气站", "{town}液化气站", "中石化{street}加气站",
              "{brand}燃气有限公司"), "企业", ("equipment", "product")),
    Archetype("elevator", "电梯使用单位", 25, ("{brand}大酒店", "{brand}物业管理有限公司",
              "{brand}购物广场"), "企业", ("equipment",)),
    Archetype("factory", "工业生产", 20, ("{brand}机械制造有限公司", "{brand}纺织有限公司",
              "{brand}建材有限公司"), "企业", ("equipment",)),
    Archetype("scenic", "旅游景区", 5, ("青石山风景区", "桃源古镇景区", "临江湿地公园",
              "{town}欢乐谷游乐园"), "企业", ("equipment", "price")),
    Archetype("appliance", "家电销售", 20, ("{brand}家电商场", "{brand}五金电器店"), "个体工商户",
              ("product",)),
    Archetype("ebike", "电动车销售", 12, ("{brand}电动车行", "雅迪电动车({street}店)"),
              "个体工商户", ("product",)),
    Archetype("fireworks", "烟花爆竹经营", 6, ("{town}烟花爆竹批发部",), "企业", ("product",)),
    Archetype("liquor", "烟酒零售", 20, ("{brand}名烟名酒店", "{street}烟酒商行"), "个体工商户",
              ("price",)),
    Archetype("fishery", "水产渔具", 15, ("{surname}记水产店", "{brand}渔具店"), "个体工商户",
              ("fraud",)),
    Archetype("health", "保健食品销售", 10, ("{brand}健康生活馆", "{brand}养生体验馆"), "企业",
              ("fraud",)),
)
ACTION_WEIGHTS = {"food": 30, "drug": 15, "equipment": 13, "product": 12, "fraud": 10, "price": 10,
                  "epidemic": 10}


@dataclass
class Business:
    """A registry entity as the generator knows it (its name is how records refer to it)."""

    name: str
    arch: Archetype
    town: str
    vaccinates: bool = False
    insured: bool = True
    seen_elevators: bool = False  # its elevators were checked before (insurance may turn)


@dataclass(frozen=True)
class DemoResult:
    """What `build` did: where the demo is, whether it was filled now, and its figures."""

    path: Path
    created: bool
    counts: dict[str, int]
    tallies: tally_service.TallyResult


def demo_window(pack: Pack, days: int) -> list[dt.date]:
    """`days` consecutive campaign days, starting a week in when the period allows it."""
    length = (pack.period_to - pack.period_from).days + 1
    if not 1 <= days <= length:
        raise FieldLogError("demo.bad_days", days=days, max=length)
    start = min(pack.period_from + dt.timedelta(days=WEEK_OFFSET),
                pack.period_to - dt.timedelta(days=days - 1))
    return [start + dt.timedelta(days=i) for i in range(days)]


def build(path: Path, real_db: Path, *, reset: bool, days: int) -> DemoResult:
    """Fill the demo database at `path` (once; again with `reset`) and return its figures."""
    if path.resolve() == real_db.resolve():
        raise FieldLogError("demo.same_as_real", path=str(path))
    if path.exists():
        with open_context(path) as ctx:
            _refuse_unless_demo(ctx, path)
            demo_window(ctx.pack(), days)  # a bad --days must not cost the old demo
        if reset:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)
    with open_context(path) as ctx:
        created = ctx.settings.get("demo") != "1"
        if created:
            with ctx.db.transaction():
                ctx.update_settings({**SETTINGS, "campaign": ctx.campaign_id})
                fill(ctx, demo_window(ctx.pack(), days), random.Random(SEED))
        return DemoResult(path, created, counts(ctx), tally_service.compute(ctx))


def _refuse_unless_demo(ctx: Context, path: Path) -> None:
    """A database holding records but not marked demo is somebody's work: never touch it."""
    if ctx.settings.get("demo") != "1" and any(counts(ctx).values()):
        raise FieldLogError("demo.not_demo", path=str(path))


def counts(ctx: Context) -> dict[str, int]:
    """Current (non-voided) records per kind in the current campaign."""
    return {kind: record_service.total(ctx, ListQuery(kind=kind, campaign=ctx.campaign_id))
            for kind in RECORD_KINDS}


def fill(ctx: Context, days: list[dt.date], rng: random.Random) -> None:
    """Registry first, then each day's inspections, cases, complaints and activities."""
    registry = _registry(ctx, rng)
    by_action: dict[str, list[Business]] = {}
    for business in registry:
        for action in business.arch.actions:
            by_action.setdefault(action, []).append(business)
    for index, day in enumerate(days):
        flagged = _inspections(ctx, rng, day, by_action)
        _cases(ctx, rng, day, flagged, by_action, first=index == 0)
        _complaints(ctx, rng, day, registry, days_left=len(days) - 1 - index)
        _activities(ctx, rng, day)


# ------------------------------------------------------------------ registry


def make_uscc(rng: random.Random, prefix: str) -> str:
    """A code that passes GB 32100: prefix (91 企业, 92 个体, 12 事业), division, body, check."""
    body = prefix + DIVISION + "".join(rng.choice("0123456789") for _ in range(7))
    body += rng.choice("0123456789ABCDEFGHJKLMNPQRTUWXY") + rng.choice("0123456789")
    return body + uscc.check_char(body)


def _registry(ctx: Context, rng: random.Random) -> list[Business]:
    """~300 entities with unique, plausible names; some 个体工商户 predate the USCC."""
    registry: list[Business] = []
    seen: set[str] = set()
    for arch in ARCHETYPES:
        made = 0
        for _attempt in range(arch.count * 20):
            if made == arch.count:
                break
            town = rng.choice(TOWNS)
            name = rng.choice(arch.names).format(town=town, street=rng.choice(STREETS),
                                                 brand=rng.choice(BRANDS),
                                                 surname=rng.choice(SURNAMES))
            if name in seen:
                continue
            seen.add(name)
            made += 1
            raw: dict[str, Any] = {
                "name": name, "kind": arch.kind, "category": arch.category, "township": town,
                "address": f"{town}{rng.choice(STREETS)}{rng.randint(1, 299)}号",
                "contact": f"0550-{rng.randint(6000000, 6999999)}",
            }
            if arch.kind == "个体工商户":
                if rng.random() < 0.6:
                    raw["uscc"] = make_uscc(rng, "92")
            else:
                raw["uscc"] = make_uscc(rng, "12" if arch.kind == "医疗机构" and "诊所" not in name
                                    else "91")
            record_service.add(ctx, "entity", raw)
            registry.append(Business(name, arch, town,
                                     vaccinates=arch.key == "hospital" and "诊所" not in name,
                                     insured=rng.random() < 0.8))
    return registry


# ------------------------------------------------------------------ inspections


def _at(day: dt.date, minutes: int) -> str:
    """A local wall-clock time on `day`, `minutes` after 08:30."""
    moment = dt.datetime.combine(day, dt.time(8, 30)) + dt.timedelta(minutes=minutes)
    return moment.strftime("%Y-%m-%dT%H:%M")


def _inspections(ctx: Context, rng: random.Random, day: dt.date,
                 by_action: dict[str, list[Business]]) -> dict[str, list[tuple[str, Business]]]:
    """30–60 inspections; returns the ones with problems per action (cases start there)."""
    flagged: dict[str, list[tuple[str, Business]]] = {}
    actions = list(ACTION_WEIGHTS)
    total = rng.randint(30, 60)
    clock = [0] * len(PAIRS)
    for number in range(total):
        action = rng.choices(actions, weights=list(ACTION_WEIGHTS.values()))[0]
        business = rng.choice(by_action[action])
        pair = number % len(PAIRS)
        clock[pair] += rng.randint(15, 40)
        fields, measures, findings = BUILDERS[action](rng, business)
        raw = {
            "action": action, "entity": business.name, "started_at": _at(day, clock[pair] % 540),
            "officers": list(PAIRS[pair]), "fields": fields, "measures": measures,
            "findings": findings or "未发现问题",
            "result": "责令限期整改" if measures.get("rectification_ordered") else "检查合格",
        }
        saved = record_service.add(ctx, "inspection", raw)
        if findings:
            flagged.setdefault(action, []).append((saved.id, business))
    return flagged


def _some(rng: random.Random, choices: tuple[str, ...]) -> list[str]:
    """The first choice (what defines the place) plus a random few of the others."""
    return [choices[0], *rng.sample(choices[1:], rng.randint(0, len(choices) - 1))]


def _issue(rng: random.Random, chance: float, texts: tuple[str, ...]) -> str:
    return rng.choice(texts) if rng.random() < chance else ""


Built = tuple[dict[str, Any], dict[str, Any], str]  # form fields, measures, findings


def _food(rng: random.Random, b: Business) -> Built:
    place = {"market": ("农村集贸市场", "城乡结合部农贸市场"), "coldchain": ("食品批发市场",),
             "restaurant": ("农村集体聚餐场所", "旅游景区", "其他"),
             "supermarket": ("学校及周边", "其他")}.get(b.arch.key, ("其他",))
    cold = b.arch.key == "coldchain" or (
        b.arch.key in ("market", "supermarket") and rng.random() < 0.3)
    fields: dict[str, Any] = {
        "place_type": rng.choice(place), "cold_chain": cold,
        "festival_food": ["月饼"] if b.arch.key == "bakery"
        else rng.sample(["月饼", "肉制品", "水产品", "酒类"], rng.randint(1, 2)),
        "samples": rng.choice([0, 0, 1, 2, 3]),
    }
    if cold:
        fields["vaccinated_staff"] = rng.randint(0, 12)
    findings = _issue(rng, 0.2, ("部分月饼标签标识不全", "冷链食品进货查验记录不全",
                                 "个别食品超过保质期未下架", "从业人员健康证过期"))
    measures: dict[str, Any] = {"rectification_ordered": bool(findings)}
    if findings == "个别食品超过保质期未下架":
        quantity = rng.randint(3, 30)
        measures["seized"] = [{"item": "过期食品", "unit": "件", "quantity": quantity,
                               "value_fen": quantity * rng.randint(800, 5000)}]
    return fields, measures, findings


DRUG_ISSUES = ["疫苗管理不到位", "“一退两抗”药品购买登记不全", "未要求顾客戴口罩", "未测体温"]


def _drug(rng: random.Random, b: Business) -> Built:
    pharmacy = b.arch.key == "pharmacy"
    fields: dict[str, Any] = {"unit_type": "药店" if pharmacy else "医疗机构",
                              "vaccination_site": b.vaccinates}
    issues = rng.sample(DRUG_ISSUES, rng.randint(1, 2)) if rng.random() < 0.25 else []
    if issues:
        fields["issues"] = issues
    return fields, {"rectification_ordered": bool(issues)}, "、".join(issues)


EQUIPMENT = {
    "gas": ("气瓶", "压力容器", "压力管道"),
    "elevator": ("电梯", "锅炉"),
    "factory": ("锅炉", "压力容器", "起重机械", "场（厂）内专用机动车辆", "压力管道"),
    "scenic": ("大型游乐设施", "电梯"),
    "hospital": ("电梯", "锅炉", "压力容器"),
}


INSURANCE_TURNS = 0.25  # chance that an elevator user's insurance lapsed (or was taken out) since


def _equipment(rng: random.Random, b: Business) -> Built:
    kinds = EQUIPMENT[b.arch.key]
    types = _some(rng, kinds)
    elevators = "电梯" in types
    if elevators and b.seen_elevators and rng.random() < INSURANCE_TURNS:
        b.insured = not b.insured  # the latest visit's finding is what the report counts
    b.seen_elevators |= elevators
    fields: dict[str, Any] = {"equipment_types": types, "gas_station": b.arch.key == "gas"}
    if elevators:
        fields["elevator_insured"] = b.insured
    findings = _issue(rng, 0.3, ("气瓶超期未检", "电梯维保记录缺失", "锅炉操作人员无证上岗",
                                 "压力容器安全阀未校验"))
    measures: dict[str, Any] = {"rectification_ordered": bool(findings),
                                "directives": 1 if findings else 0}
    if findings and rng.random() < 0.4:
        measures["sealed_units"] = rng.randint(1, 3)
    return fields, measures, findings


PRODUCTS = {
    "appliance": (("电取暖器", "商用燃气灶具"), ("劣质电取暖器", "台", 12000, 30000)),
    "ebike": (("电动自行车",), ("非法改装电动自行车", "辆", 80000, 200000)),
    "fireworks": (("烟花爆竹",), ("不合格烟花爆竹", "箱", 5000, 20000)),
    "supermarket": (("食品相关产品", "电取暖器"), ("无3C标志电取暖器", "台", 10000, 25000)),
    "gas": (("商用燃气灶具", "危险化学品及包装物"), ("不合格燃气灶具", "台", 20000, 60000)),
}


def _product(rng: random.Random, b: Business) -> Built:
    kinds, (item, unit, low, high) = PRODUCTS[b.arch.key]
    fields: dict[str, Any] = {"product_types": _some(rng, kinds)}
    findings = _issue(rng, 0.3, ("销售无3C认证产品", "销售三无产品", "产品质量不合格"))
    measures: dict[str, Any] = {"rectification_ordered": bool(findings)}
    if findings:
        fields["no_3c"] = findings == "销售无3C认证产品"
        fields["sanwu"] = findings == "销售三无产品"
        measures["seized"] = [_seized_line(rng, item, unit, low, high)]
        if b.arch.key == "appliance" and rng.random() < 0.5:
            # an appliance shop often hands over two kinds of heater: two lines, one figure
            measures["seized"].append(_seized_line(rng, "小太阳电取暖器", unit, low // 2, high // 2))
    return fields, measures, findings


def _seized_line(rng: random.Random, item: str, unit: str, low: int, high: int) -> dict[str, Any]:
    """One seized-goods line: the goods, how many, their value (fen) at low–high each."""
    quantity = rng.randint(2, 15)
    return {"item": item, "unit": unit, "quantity": quantity,
            "value_fen": quantity * rng.randint(low, high)}


FRAUD = {
    "fishery": ("长江禁捕打非断链", ("水产经营户", "渔具店", "餐饮单位")),
    "health": ("非法会议营销", ("会议营销场所",)),
    "market": ("知识产权双打", ("农贸市场",)),
    "coldchain": ("冷链食品联合双打", ("水产经营户", "其他")),
}


def _fraud(rng: random.Random, b: Business) -> Built:
    target, places = FRAUD[b.arch.key]
    if b.arch.key == "health" and rng.random() < 0.4:
        target = "虚假宣传广告"
    findings = _issue(rng, 0.35, {"长江禁捕打非断链": ("销售来源不明的长江野生鱼", "收购禁用渔具"),
                                  "非法会议营销": ("以免费体检为名组织老年人会议营销",),
                                  "虚假宣传广告": ("宣传保健食品具有治疗功效",),
                                  "知识产权双打": ("销售假冒注册商标月饼礼盒",),
                                  "冷链食品联合双打": ("进口冷链食品无检疫证明",)}[target])
    fields = {"target": target, "place_kind": rng.choice(places)}
    return fields, {"rectification_ordered": bool(findings)}, findings


PRICE = {"liquor": "53度飞天茅台酒价格", "scenic": "旅游景区价格", "market": "农副产品价格",
         "supermarket": "农副产品价格", "pharmacy": "防疫物资价格"}


def _price(rng: random.Random, b: Business) -> Built:
    ok = rng.random() < 0.85
    fields = {"topic": PRICE[b.arch.key], "price_tags_ok": ok}
    return fields, {"rectification_ordered": not ok}, "" if ok else "未按规定明码标价"


FOCUS = {"coldchain": ("冷链食品", "进口食品", "冷冻冷藏肉制品"),
         "market": ("农贸市场", "海鲜产品"), "supermarket": ("进口食品", "冷冻冷藏肉制品"),
         "pharmacy": ("药品",),
         "restaurant": ("海鲜产品", "冷链食品")}


def _epidemic(rng: random.Random, b: Business) -> Built:
    focus = FOCUS[b.arch.key]
    ok = rng.random() < 0.9
    fields = {"focus": _some(rng, focus), "ten_rules_ok": ok}
    return fields, {"rectification_ordered": not ok}, "" if ok else "未落实“十条规定”进货查验要求"


BUILDERS = {"food": _food, "drug": _drug, "equipment": _equipment, "product": _product,
            "fraud": _fraud, "price": _price, "epidemic": _epidemic}


# ------------------------------------------------------------------ cases, complaints, activities

CASES = {  # action → (case type, fine range in yuan, summary, the kinds of business it concerns)
    "equipment": ("特种设备安全", (10000, 50000), "使用未经定期检验的特种设备", ()),
    "fraud": ("虚假宣传", (20000, 100000), "宣传保健食品具有治疗功效，构成虚假宣传", ("health",)),
    "product": ("产品质量", (5000, 30000), "销售不合格产品", ()),
    "food": ("食品安全", (2000, 20000), "经营超过保质期的食品", ()),
    "price": ("价格违法", (1000, 10000), "不按规定明码标价", ()),
}


def _cases(ctx: Context, rng: random.Random, day: dt.date,
           flagged: dict[str, list[tuple[str, Business]]],
           by_action: dict[str, list[Business]], first: bool) -> None:
    """A few cases, filed from the day's findings or from a clue (a complaint, a tip-off).

    The first day always files an equipment and a false-advertising case, so every
    tally of the pack shows a figure even in a short demo.
    """
    for action, (case_type, (low, high), summary, archs) in CASES.items():
        if rng.random() >= (1.0 if first and action in ("equipment", "fraud") else 0.35):
            continue
        found = [(i, b) for i, b in flagged.get(action, []) if not archs or b.arch.key in archs]
        if found:
            inspection_id, business = rng.choice(found)
        else:
            inspection_id = None
            business = rng.choice([b for b in by_action[action]
                                   if not archs or b.arch.key in archs])
        fine = rng.randint(low, high) // 100 * 100
        clue = day - dt.timedelta(days=rng.randint(0, 3))
        record_service.add(ctx, "case", {
            "action": action, "entity": business.name, "inspection_id": inspection_id,
            "case_type": case_type, "clue_on": clue.isoformat(), "filed_on": day.isoformat(),
            "status": rng.choice(CASE_STATUSES[:3]), "fine_fen": fine * 100,
            "confiscated_fen": rng.randint(0, fine // 2) * 100,
            "goods_value_fen": rng.randint(500, 20000) * 100,
            "summary": f"{business.name}{summary}",
        })


CHANNELS = ("12315热线", "网络", "来信", "来访")
COMPLAINTS = (  # (action, subject, summary)
    ("food", "月饼质量", "购买的月饼有异味，怀疑变质"),
    ("food", "过期食品", "超市销售过期食品"),
    ("price", "价格欺诈", "节日期间商品标价与结算价不一致"),
    ("price", "景区收费", "景区停车场乱收费"),
    ("drug", "药店服务", "药店未按规定登记购药信息"),
    ("equipment", "电梯故障", "小区电梯多次困人"),
    ("fraud", "虚假宣传", "保健品宣传能治病，老人被骗购买"),
    ("product", "产品质量", "购买的电取暖器使用时冒烟"),
)


def _complaints(ctx: Context, rng: random.Random, day: dt.date, registry: list[Business],
                days_left: int) -> None:
    """3–8 complaints; older ones are more often finished (已办结) than the latest, and a
    few still wait to be accepted (待受理), so the demo shows the acceptance reminder."""
    for _ in range(rng.randint(3, 8)):
        action, subject, summary = rng.choice(COMPLAINTS)
        received = _at(day, rng.randint(0, 540))
        status = rng.choices(COMPLAINT_STATUSES,
                             weights=(1, 1, 2, 6) if days_left >= 2 else (2, 3, 3, 1))[0]
        raw = {"action": action, "received_at": received,
               "channel": rng.choices(CHANNELS, weights=(6, 4, 1, 1))[0],
               "subject": subject, "summary": summary, "status": status}
        if rng.random() < 0.6:
            raw["entity"] = rng.choice([b for b in registry if action in b.arch.actions]).name
        if status == "已办结":
            raw["handled_at"] = _at(day + dt.timedelta(days=rng.randint(1, 2)), rng.randint(0, 540))
        record_service.add(ctx, "complaint", raw)


def _activities(ctx: Context, rng: random.Random, day: dt.date) -> None:
    """Posting fishing-ban notices every day, plus publicity and training now and then."""
    pair = list(PAIRS[rng.randrange(len(PAIRS))])
    town = rng.choice(TOWNS)
    record_service.add(ctx, "activity", {
        "action": "fraud", "activity_type": "张贴公告", "quantity": rng.randint(20, 80),
        "place": f"{town}沿江码头及农贸市场", "officers": pair, "date": day.isoformat(),
        "note": "张贴长江禁捕公告"})
    if rng.random() < 0.5:
        record_service.add(ctx, "activity", {
            "action": rng.choice(("food", "drug")), "activity_type": "宣传",
            "quantity": rng.randint(100, 500), "place": f"{rng.choice(TOWNS)}文化广场",
            "officers": list(PAIRS[rng.randrange(len(PAIRS))]), "date": day.isoformat(),
            "note": "发放食品药品安全宣传资料（份）"})
    if rng.random() < 0.2:
        record_service.add(ctx, "activity", {
            "action": "equipment", "activity_type": "培训", "quantity": rng.randint(20, 60),
            "place": "区市场监督管理局会议室", "officers": pair, "date": day.isoformat(),
            "note": "特种设备使用单位安全管理人员培训（人）"})
