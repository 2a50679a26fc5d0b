"""The records list's text filter answers from its index (migration 006) exactly as a
plain scan of the rows would, on the demo's week, before and after edits and voids."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from tests.conftest import Fieldlog
from tui_app.services.context import open_context
from tui_app.store import records as store
from tui_app.store import search
from tui_app.store.db import Database

KINDS = ("inspection", "case", "complaint", "activity")


@pytest.fixture
def demo(fieldlog: Fieldlog, tmp_path: Path) -> Fieldlog:
    fieldlog("demo")
    return Fieldlog(tmp_path / "demo.db")


def _ascii_lower(text: str) -> str:
    """LIKE's case rule: ASCII letters only."""
    return "".join(ch.lower() if ch.isascii() else ch for ch in text)


def _scanned(db: Database, kind: str, text: str, include_voided: bool) -> list[str]:
    """The list's ids in order, filtered in Python from every row: the definition."""
    rows = store.page(db, store.ListQuery(kind=kind, include_voided=include_voided, limit=10**6))
    initials = dict(db.conn.execute("SELECT id, initials FROM entity"))
    wanted = _ascii_lower(text)

    def hit(row: dict) -> bool:
        name = row.get("entity_name") or ""
        if wanted in _ascii_lower(name) or (initials.get(row.get("entity_id")) or "").startswith(
                text.lower()):
            return True
        body = row.get(search.TEXT_COLUMN[kind]) or ""
        return len(text) >= search.INDEXED_FROM and wanted in _ascii_lower(body)

    return [r["id"] for r in rows if hit(r)]


def _listed(db: Database, kind: str, text: str, include_voided: bool,
            plan: str | None) -> tuple[list[str], int]:
    query = store.ListQuery(kind=kind, text=text, include_voided=include_voided, limit=10**6)
    ids = [r["id"] for r in store.page(db, query, plan=plan)]
    first = store.page(db, store.ListQuery(kind=kind, text=text, include_voided=include_voided,
                                           limit=7, offset=3), plan=plan)
    assert [r["id"] for r in first] == ids[3:10]  # paging agrees with the whole list
    return ids, store.count(db, query, plan=plan)


def _queries(db_path: Path) -> list[str]:
    """Texts a user types: parts of names and findings (1 to 6 characters), initials,
    characters LIKE treats as patterns, quotes, and what matches nothing."""
    conn = sqlite3.connect(db_path)
    names = [r[0] for r in conn.execute("SELECT name FROM entity ORDER BY id LIMIT 40")]
    texts = [r[0] for r in conn.execute(
        "SELECT findings FROM inspection WHERE length(findings) > 6 GROUP BY findings LIMIT 6")]
    texts += [r[0] for r in conn.execute("SELECT summary FROM complaint LIMIT 3")]
    initials = [r[0] for r in conn.execute("SELECT initials FROM entity WHERE initials != '' LIMIT 3")]
    conn.close()
    found = {names[0][:1], names[1][:2], names[2][1:4], names[3][-3:], names[5]}
    found |= {t[:3] for t in texts} | {t[2:7] for t in texts} | {t[:2] for t in texts[:2]}
    found |= {i[:2] for i in initials} | {i.upper() for i in initials}
    found |= {"%", "_期", "50%", '"', "'a", "不存在的文字", "超市"}
    return sorted(found)


def _agree(db_path: Path) -> int:
    """Every query, kind and plan gives the plain scan's rows; returns how many matched."""
    matched = 0
    ctx = open_context(db_path)
    try:
        for text in _queries(db_path):
            for kind in KINDS:
                for include_voided in (False, True):
                    expected = _scanned(ctx.db, kind, text, include_voided)
                    for plan in (None, "index", "scan"):
                        ids, total = _listed(ctx.db, kind, text, include_voided, plan)
                        assert ids == expected, (text, kind, include_voided, plan)
                        assert total == len(expected), (text, kind, include_voided, plan)
                    matched += len(expected)
    finally:
        ctx.close()
    return matched


@pytest.mark.slow
def test_index_finds_what_a_scan_finds_through_edits_and_voids(demo: Fieldlog) -> None:
    assert _agree(demo.db) > 0
    rows = demo.json("record", "list", "--from", "2026-09-14", "--to", "2026-10-08",
                     "--limit", "10000")
    edited, voided = rows[0], rows[1]
    demo("record", "edit", edited["id"], "--findings", "发现过期月饼，已责令下架")
    demo("record", "void", voided["id"], "--reason", "录入错误")
    assert _agree(demo.db) > 0
    found = demo.json("record", "list", "--search", "过期月饼", "--from", "2026-09-14",
                      "--to", "2026-10-08")
    assert edited["id"] in [r["id"] for r in found]
    old = edited["findings"]
    if old and len(old) >= 3 and old not in "发现过期月饼，已责令下架":
        still = [r["id"] for r in demo.json("record", "list", "--search", old, "--from",
                                             "2026-09-14", "--to", "2026-10-08", "--limit", "10000")]
        assert edited["id"] not in still or old in (edited.get("entity_name") or "")


def test_short_text_matches_entity_names_and_initials(demo: Fieldlog) -> None:
    conn = sqlite3.connect(demo.db)
    name, initials = conn.execute(
        "SELECT e.name, e.initials FROM inspection AS r JOIN entity AS e ON e.id = r.entity_id"
        " WHERE e.initials != '' LIMIT 1").fetchone()
    conn.close()
    week = ("--from", "2026-09-14", "--to", "2026-10-08", "--limit", "10000")
    by_initials = demo.json("record", "list", "--search", initials[:2], *week)
    assert by_initials and all(r["entity_name"] for r in by_initials)
    assert name in {r["entity_name"] for r in by_initials}
    assert {r["entity_name"] for r in demo.json("record", "list", "--search", name[:1], *week)} \
        >= {name}


def test_upgrading_an_older_database_builds_the_index(demo: Fieldlog) -> None:
    week = ("--from", "2026-09-14", "--to", "2026-10-08", "--limit", "10000")
    conn = sqlite3.connect(demo.db, isolation_level=None)
    text = conn.execute("SELECT substr(findings, 1, 4) FROM inspection"
                        " WHERE length(findings) > 6 LIMIT 1").fetchone()[0]
    conn.close()
    before = demo.json("record", "list", "--search", text, *week)
    conn = sqlite3.connect(demo.db, isolation_level=None)
    for kind in KINDS:
        conn.execute(f"DROP TABLE {kind}_text")
        for event in ("insert", "update", "delete"):
            conn.execute(f"DROP TRIGGER {kind}_text_{event}")
    conn.execute("DELETE FROM _migrations WHERE version = 6")
    conn.close()
    assert demo.json("record", "list", "--search", text, *week) == before
    assert before


def test_a_stale_list_query_stops_and_the_next_one_runs(demo: Fieldlog) -> None:
    from tui_app.services import record as record_service

    ctx = open_context(demo.db)
    try:
        query = store.ListQuery(kind="inspection", text="超市", include_voided=True, limit=50)
        with pytest.raises(record_service.Interrupted):
            record_service.page(ctx, query, lambda: True)
        with pytest.raises(record_service.Interrupted):
            record_service.total(ctx, query, lambda: True)
        assert record_service.page(ctx, query, lambda: False) == store.page(ctx.db, query)
        assert record_service.total(ctx, query) == store.count(ctx.db, query)
    finally:
        ctx.close()
