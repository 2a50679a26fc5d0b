"""The ledgers (台账) a bureau keeps, read from the local record tables.

Each ledger is a stream of plain dicts keyed by column id, oldest first, without
voided records; turning ids into names and instants into local times is left to the
caller. Rows are produced by one SELECT per ledger with the entity joined in, and
yielded as read, so a ledger of a million rows never sits in memory at once.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from typing import Any

import orjson

from tui_app.store.db import Database

Row = dict[str, Any]


def parsed(text: str) -> Any:
    """A JSON column's value. orjson parses the ledgers' JSON about twice as fast as
    json (officers and measures of every row: 10 % of a 1M-row export's CPU); what it
    refuses and json reads (NaN, a lone surrogate) goes to json. The one difference:
    orjson reads an integer past 64 bits as a float, where input never lets one in
    (`values.MAX_NUMBER` is 10**12) and a sheet holds numbers as floats anyway."""
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError:
        return json.loads(text)

_ENTITY = "LEFT JOIN entity AS e ON e.id = r.entity_id"
_SCOPE = "r.campaign = ? AND r.day BETWEEN ? AND ? AND r.voided = 0"


# Below this share of a table's days the day index is worth it: at 1M inspections over 25
# days, index and scan tie for 2 days (8 %); for 7 days (28 %) the scan is 1.7× faster.
INDEX_SHARE = 0.1


def _scan_hint(db: Database, table: str, day_from: str, day_to: str) -> str:
    """`NOT INDEXED` when the period covers a tenth or more of a table's days, else nothing.

    Without ANALYZE statistics SQLite takes the (day, …) index for any day range, and
    for a whole campaign that means a table lookup per row in index order: 3–7× slower
    than reading the table straight through (1M inspections: the 统计报表 passes, and
    the 指令书台账 query at 3.3 s against 0.5 s). The first and last day come from the
    index (two probes), so the choice costs nothing and follows the data, not a guess.
    """
    first, last = db.conn.execute(
        f'SELECT MIN(day), MAX(day) FROM "{table}"').fetchone()
    if first is None:
        return ""
    span = (dt.date.fromisoformat(last) - dt.date.fromisoformat(first)).days + 1
    covered = (dt.date.fromisoformat(min(day_to, last))
               - dt.date.fromisoformat(max(day_from, first))).days + 1
    return "NOT INDEXED" if covered >= INDEX_SHARE * span else ""


def _officers(text: str | None) -> tuple[str, str]:
    officers = parsed(text) if text else []
    return ("、".join(o.get("name", "") for o in officers),
            "、".join(o.get("badge", "") for o in officers if o.get("badge")))


def _inspections(db: Database, campaign: str, day_from: str, day_to: str,
                 extra: str = "", more: str = "") -> Iterator[tuple[Any, ...]]:
    """Inspections of the period with their entity; `more` adds columns at the end."""
    hint = _scan_hint(db, "inspection", day_from, day_to)
    return db.conn.execute(
        "SELECT r.id, r.action, r.started_at, r.day, r.place, r.officers, r.fields, r.findings, "
        f"r.measures, r.result, e.name, e.uscc, e.township{more} "
        f"FROM inspection AS r {hint} {_ENTITY} WHERE {_SCOPE}{extra} "
        "ORDER BY r.started_at, r.id", (campaign, day_from, day_to))


def inspections(db: Database, campaign: str, day_from: str, day_to: str) -> Iterator[Row]:
    """检查台账: one row per inspection."""
    for (rid, action, started_at, day, place, officers, _fields, findings, measures, result,
         name, uscc, township, attachments, documents) in _inspections(
            db, campaign, day_from, day_to, more=", r.attachments, r.documents"):
        m = parsed(measures) if measures else {}
        names, badges = _officers(officers)
        evidence, numbers = _paperwork(attachments, documents)
        yield {
            "started_at": started_at, "day": day, "action": action, "entity": name or place,
            "uscc": uscc, "township": township, "officers": names, "badges": badges,
            "findings": findings, "rectification": bool(m.get("rectification_ordered")),
            "directives": m.get("directives", 0), "sealed": m.get("sealed_units", 0),
            "seized_value_fen": sum(i.get("value_fen", 0) for i in m.get("seized") or []),
            "result": result, "attachments": evidence, "doc_numbers": numbers, "id": rid,
        }


def _paperwork(attachments: str | None, documents: str | None) -> tuple[int, str]:
    """Live attachments counted, and the 文号 of the printed documents (most records have
    neither: their empty JSON is not parsed)."""
    count = 0
    if attachments and attachments != "[]":
        count = sum(1 for a in parsed(attachments) if not a.get("removed_at"))
    numbers = ""
    if documents and documents != "{}":
        numbers = "、".join(d["number"] for d in parsed(documents).values())
    return count, numbers


def cases(db: Database, campaign: str, day_from: str, day_to: str) -> Iterator[Row]:
    """案件台账: one row per case, by filing date."""
    cursor = db.conn.execute(
        "SELECT r.id, r.action, r.filed_on, r.case_type, r.status, r.fine_fen, r.confiscated_fen, "
        "r.goods_value_fen, r.summary, r.inspection_id, e.name, e.uscc "
        f'FROM "case" AS r {_ENTITY} WHERE {_SCOPE} ORDER BY r.filed_on, r.id',
        (campaign, day_from, day_to))
    return ({
        "filed_on": filed_on, "action": action, "case_type": case_type, "entity": name,
        "uscc": uscc, "status": status, "fine_fen": fine, "confiscated_fen": confiscated,
        "penalty_fen": fine + confiscated, "goods_value_fen": goods, "summary": summary,
        "inspection_id": inspection_id, "id": rid,
    } for (rid, action, filed_on, case_type, status, fine, confiscated, goods, summary,
           inspection_id, name, uscc) in cursor)


def complaints(db: Database, campaign: str, day_from: str, day_to: str) -> Iterator[Row]:
    """投诉举报台账: one row per complaint, by time received."""
    cursor = db.conn.execute(
        "SELECT r.id, r.action, r.received_at, r.channel, r.subject, r.summary, r.status, "
        f"r.handled_at, e.name FROM complaint AS r {_ENTITY} WHERE {_SCOPE} "
        "ORDER BY r.received_at, r.id",
        (campaign, day_from, day_to))
    return ({
        "received_at": received_at, "channel": channel, "entity": name or subject,
        "summary": summary, "status": status, "handled_at": handled_at, "action": action,
        "id": rid,
    } for rid, action, received_at, channel, subject, summary, status, handled_at, name in cursor)


def seizures(db: Database, campaign: str, day_from: str, day_to: str) -> Iterator[Row]:
    """查封扣押台账: equipment sealed (查封, 台) and goods seized (扣押) on inspections."""
    for (rid, action, _started, day, place, _officers_json, _fields, _findings, measures,
         _result, name, uscc, _township) in _inspections(
            db, campaign, day_from, day_to,
            " AND (json_extract(r.measures, '$.sealed_units') > 0"
            " OR json_array_length(r.measures, '$.seized') > 0)"):
        m = parsed(measures)
        base = {"day": day, "action": action, "entity": name or place, "uscc": uscc,
                "inspection_id": rid}
        if m.get("sealed_units"):
            yield {**base, "measure": "查封", "item": "特种设备", "unit": "台",
                   "quantity": m["sealed_units"], "value_fen": None}
        for item in m.get("seized") or []:
            yield {**base, "measure": "扣押", "item": item.get("item"), "unit": item.get("unit"),
                   "quantity": item.get("quantity", 0), "value_fen": item.get("value_fen", 0)}


def directives(db: Database, campaign: str, day_from: str, day_to: str) -> Iterator[Row]:
    """指令书台账: inspections that issued 特种设备安全监察指令书."""
    for (rid, action, _started, day, place, officers, fields, findings, measures, _result,
         name, uscc, _township) in _inspections(
            db, campaign, day_from, day_to,
            " AND json_extract(r.measures, '$.directives') > 0"):
        form = parsed(fields) if fields else {}
        equipment = form.get("equipment_types") or []
        yield {
            "day": day, "action": action, "entity": name or place, "uscc": uscc,
            "equipment": "、".join(equipment) if isinstance(equipment, list) else str(equipment),
            "directives": parsed(measures)["directives"], "findings": findings,
            "officers": _officers(officers)[0], "inspection_id": rid,
        }


_OFFICER_KEY = ("r.day || char(31) || COALESCE(NULLIF(json_extract(o.value, '$.badge'), ''), "
                "json_extract(o.value, '$.name'))")
_ENTITY_KEY = "COALESCE(r.entity_id, 'place:' || r.place)"
# The summary's scope, with numbered parameters so one statement can use it twice.
_SUMMARY_SCOPE = "r.campaign = ?1 AND r.day BETWEEN ?2 AND ?3 AND r.voided = 0"
_SEIZED_FEN = ("CASE WHEN json_array_length(r.measures, '$.seized') > 0 THEN "
               "(SELECT TOTAL(json_extract(s.value, '$.value_fen')) "
               "FROM json_each(r.measures, '$.seized') AS s) END")
TOTAL = ""  # the summary's key for the whole campaign (action ids are never empty)
def _inspection_figures(db: Database, params: tuple[str, str, str]) -> Iterator[tuple]:
    """One pass over the inspections: per action, then the campaign total (key TOTAL).

    The inner query folds the rows into one group per (action, entity); both the
    per-action figures and the total's distinct 家 are then read from those groups, so
    the table is read once however the figures are cut.
    """
    hint = _scan_hint(db, "inspection", params[1], params[2])
    groups = (
        f"SELECT r.action AS action, {_ENTITY_KEY} AS entity, COUNT(*) AS n, "
        "TOTAL(json_extract(r.measures, '$.rectification_ordered') = 1) AS rectified, "
        "TOTAL(json_extract(r.measures, '$.directives')) AS directives, "
        "TOTAL(json_extract(r.measures, '$.sealed_units')) AS sealed, "
        f"TOTAL({_SEIZED_FEN}) AS seized FROM inspection AS r {hint} "
        f"WHERE {_SUMMARY_SCOPE} GROUP BY 1, 2")
    # TOTAL(), not SUM(): the campaign row is 0, not NULL, when there is nothing to count
    sums = "TOTAL(n), {}, TOTAL(rectified), TOTAL(directives), TOTAL(sealed), TOTAL(seized)"
    return db.conn.execute(
        f"WITH g AS MATERIALIZED ({groups}) "
        f"SELECT action, {sums.format('COUNT(*)')} FROM g GROUP BY action UNION ALL "
        f"SELECT ?4, {sums.format('COUNT(DISTINCT entity)')} FROM g", (*params, TOTAL))


def _officer_days(db: Database, params: tuple[str, str, str]) -> Iterator[tuple]:
    """人次 per action and in total: officers turn out for inspections and activities alike.

    Each table is read once; UNION keeps one row per (action, officer, day), and the
    total counts an officer-day seen under two actions once.
    """
    parts = " UNION ".join(
        f"SELECT r.action AS action, {_OFFICER_KEY} AS officer_day FROM {table} AS r "
        f"{_scan_hint(db, table, params[1], params[2])}, json_each(r.officers) AS o "
        f"WHERE {_SUMMARY_SCOPE}" for table in ("inspection", "activity"))
    return db.conn.execute(
        f"WITH g AS MATERIALIZED ({parts}) SELECT action, COUNT(*) FROM g GROUP BY action "
        "UNION ALL SELECT ?4, COUNT(DISTINCT officer_day) FROM g", (*params, TOTAL))


def summary(db: Database, campaign: str, day_from: str, day_to: str) -> dict[str | None, Row]:
    """统计报表 figures per action (key = action id) and for the whole campaign (key TOTAL).

    Distinct figures (家, 人次) do not add up across actions: an entity or an
    officer-day seen under two actions is one in the campaign total, which is therefore
    counted directly, in the same pass as the actions' figures. Cases and complaints
    are plain counts and sums, so their total is the actions' sum.
    """
    params = (campaign, day_from, day_to)
    added = ("cases", "penalty_fen", "complaints")
    passes = [
        (("inspections", "entities", "rectified", "directives", "sealed", "seized_value_fen"),
         _inspection_figures(db, params)),
        (("officer_days",), _officer_days(db, params)),
        (added[:2], db.conn.execute(
            "SELECT r.action, COUNT(*), TOTAL(r.fine_fen + r.confiscated_fen) "
            f'FROM "case" AS r WHERE {_SUMMARY_SCOPE} GROUP BY r.action', params)),
        (added[2:], db.conn.execute(
            f"SELECT r.action, COUNT(*) FROM complaint AS r WHERE {_SUMMARY_SCOPE} "
            "GROUP BY r.action", params)),
    ]
    out: dict[str | None, Row] = {TOTAL: {}}
    for names, rows in passes:
        for action, *values in rows:
            out.setdefault(action, {}).update(zip(names, map(int, values), strict=True))
    for name in added:
        out[TOTAL][name] = sum(row.get(name, 0) for key, row in out.items() if key != TOTAL)
    return out
