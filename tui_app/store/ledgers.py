"""The ledgers (台账) a bureau keeps, read from the local record tables.

Each ledger is a stream of plain dicts keyed by column id, oldest first, without
voided records; turning ids into names and instants into local times is left to the
caller. Rows are produced by one SELECT per ledger with the entity joined in, and
yielded as read, so a ledger of a million rows never sits in memory at once.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from tui_app.store.db import Database

Row = dict[str, Any]

_ENTITY = "LEFT JOIN entity AS e ON e.id = r.entity_id"
_SCOPE = "r.campaign = ? AND r.day BETWEEN ? AND ? AND r.voided = 0"


def _officers(text: str | None) -> tuple[str, str]:
    officers = json.loads(text) if text else []
    return ("、".join(o.get("name", "") for o in officers),
            "、".join(o.get("badge", "") for o in officers if o.get("badge")))


def _inspections(db: Database, campaign: str, day_from: str, day_to: str,
                 extra: str = "") -> Iterator[tuple[Any, ...]]:
    return db.conn.execute(
        "SELECT r.id, r.action, r.started_at, r.day, r.place, r.officers, r.fields, r.findings, "
        "r.measures, r.result, e.name, e.uscc, e.township "
        f"FROM inspection AS r {_ENTITY} WHERE {_SCOPE}{extra} ORDER BY r.started_at, r.id",
        (campaign, day_from, day_to))


def inspections(db: Database, campaign: str, day_from: str, day_to: str) -> Iterator[Row]:
    """检查台账: one row per inspection."""
    for (rid, action, started_at, day, place, officers, _fields, findings, measures, result,
         name, uscc, township) in _inspections(db, campaign, day_from, day_to):
        m = json.loads(measures) if measures else {}
        names, badges = _officers(officers)
        yield {
            "started_at": started_at, "day": day, "action": action, "entity": name or place,
            "uscc": uscc, "township": township, "officers": names, "badges": badges,
            "findings": findings, "rectification": bool(m.get("rectification_ordered")),
            "directives": m.get("directives", 0), "sealed": m.get("sealed_units", 0),
            "seized_value_fen": sum(i.get("value_fen", 0) for i in m.get("seized") or []),
            "result": result, "id": rid,
        }


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
        m = json.loads(measures)
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
        form = json.loads(fields) if fields else {}
        equipment = form.get("equipment_types") or []
        yield {
            "day": day, "action": action, "entity": name or place, "uscc": uscc,
            "equipment": "、".join(equipment) if isinstance(equipment, list) else str(equipment),
            "directives": json.loads(measures)["directives"], "findings": findings,
            "officers": _officers(officers)[0], "inspection_id": rid,
        }


_OFFICER_KEY = ("r.day || char(31) || COALESCE(NULLIF(json_extract(o.value, '$.badge'), ''), "
                "json_extract(o.value, '$.name'))")
_ENTITY_KEY = "COALESCE(r.entity_id, 'place:' || r.place)"
# Officers turn out for inspections and for activities (notices, patrols) alike.
_OFFICER_ROWS = ("(SELECT action, day, officers, campaign, voided FROM inspection UNION ALL "
                 "SELECT action, day, officers, campaign, voided FROM activity) AS r, "
                 "json_each(r.officers) AS o")
TOTAL = ""  # the summary's key for the whole campaign (action ids are never empty)


def summary(db: Database, campaign: str, day_from: str, day_to: str) -> dict[str | None, Row]:
    """统计报表 figures per action (key = action id) and for the whole campaign (key TOTAL).

    Counts and sums add up across actions, so the total is their sum. Distinct figures
    (家, 人次) do not: an entity or an officer-day seen under two actions is one in the
    campaign total, which is therefore counted directly.
    """
    params = (campaign, day_from, day_to)
    out: dict[str | None, Row] = {}
    queries = {
        ("inspections", "entities", "rectified", "directives", "sealed"):
            f"SELECT r.action, COUNT(*), COUNT(DISTINCT {_ENTITY_KEY}), "
            "TOTAL(json_extract(r.measures, '$.rectification_ordered') = 1), "
            "TOTAL(json_extract(r.measures, '$.directives')), "
            "TOTAL(json_extract(r.measures, '$.sealed_units')) "
            f"FROM inspection AS r WHERE {_SCOPE} GROUP BY r.action",
        ("seized_value_fen",):
            "SELECT r.action, TOTAL(json_extract(s.value, '$.value_fen')) FROM inspection AS r, "
            f"json_each(r.measures, '$.seized') AS s WHERE {_SCOPE} GROUP BY r.action",
        ("officer_days",):
            f"SELECT r.action, COUNT(DISTINCT {_OFFICER_KEY}) FROM {_OFFICER_ROWS} "
            f"WHERE {_SCOPE} GROUP BY r.action",
        ("cases", "penalty_fen"):
            "SELECT r.action, COUNT(*), TOTAL(r.fine_fen + r.confiscated_fen) "
            f'FROM "case" AS r WHERE {_SCOPE} GROUP BY r.action',
        ("complaints",):
            f"SELECT r.action, COUNT(*) FROM complaint AS r WHERE {_SCOPE} GROUP BY r.action",
    }
    for names, sql in queries.items():
        for action, *values in db.conn.execute(sql, params):
            out.setdefault(action, {}).update(zip(names, map(int, values), strict=True))
    figures = {name for names in queries for name in names}
    total = {name: sum(row.get(name, 0) for row in out.values()) for name in figures}
    total["entities"] = db.conn.execute(
        f"SELECT COUNT(DISTINCT {_ENTITY_KEY}) FROM inspection AS r WHERE {_SCOPE}", params,
    ).fetchone()[0]
    total["officer_days"] = db.conn.execute(
        f"SELECT COUNT(DISTINCT {_OFFICER_KEY}) FROM {_OFFICER_ROWS} WHERE {_SCOPE}", params,
    ).fetchone()[0]
    out[TOTAL] = total
    return out
