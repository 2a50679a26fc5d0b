"""Databases made by the release before derived entity ids, with duplicates everywhere:
three laptops each gave the district registry random ids and synced, so the central
store holds every entity three times. Upgrading repairs them (local migration 004,
central 003 on both engines): one live entity per USCC, the merges recorded, no
conflict, and every 家 figure counts each place once, locally and district-wide."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.old_release import OldLaptop, write_central, write_laptop
from tests.sync_support import Laptop, assert_converged, central_conflicts
from tests.test_entity_identity import EQUIPMENT, PHARMACY, REGISTRY, central_entities
from tui_app.cli import cli
from tui_app.domain.identity import entity_id
from tui_app.sync.central import kind_of_url, sqlite_path

EXPECTED = {"drug.pharmacies": 2, "equipment.units": 1}


def _audit_rows(url: str) -> list[tuple[str, str, str]]:
    sql = "SELECT loser, survivor, reason FROM entity_merge ORDER BY loser"
    if kind_of_url(url) == "sqlite":
        conn = sqlite3.connect(str(sqlite_path(url)))
        try:
            return conn.execute(sql).fetchall()
        finally:
            conn.close()
    import psycopg

    with psycopg.connect(url) as conn:
        return conn.execute(sql).fetchall()


@pytest.mark.parametrize("engine", ["sqlite", "postgresql"])
def test_old_databases_with_duplicates_are_repaired(tmp_path: Path, engine: str,
                                                    request: pytest.FixtureRequest) -> None:
    url = (f"sqlite:///{tmp_path / 'central.db'}" if engine == "sqlite"
           else request.getfixturevalue("pg_url"))
    old = [OldLaptop(f"320100{i}") for i in range(3)]
    for laptop in old:
        for name, code, category in REGISTRY:
            laptop.register(name, code, category)
    plan = [(0, 0, "drug", PHARMACY), (1, 0, "drug", PHARMACY), (2, 0, "drug", PHARMACY),
            (0, 1, "drug", PHARMACY), (1, 3, "equipment", EQUIPMENT), (2, 1, "drug", PHARMACY),
            (2, 3, "equipment", EQUIPMENT)]
    for who, entity, action, fields in plan:
        old[who].visit(REGISTRY[entity][1], action, fields, 21 + who)
    unsynced = old[2].revisions[-2:]  # laptop 2's last two visits never reached the centre
    log = [(lap, rev) for lap in old for rev in lap.revisions if rev not in unsynced]
    epoch, cursor = write_central(url, log)
    laptops = []
    for i, lap in enumerate(old):
        write_laptop(tmp_path / f"l{i}" / "fieldlog.db", lap, [rev for _l, rev in log],
                     unsynced if i == 2 else [], epoch, cursor)
        laptops.append(Laptop(tmp_path / f"l{i}", lap.badge, lap.badge, init=False))

    # upgrading: each laptop's own figures count each place once before any sync
    for laptop in laptops:
        tallies = laptop.json("tally")["tallies"]
        assert {k: tallies[k] for k in EXPECTED} == EXPECTED
    assert CliRunner().invoke(cli, ["central", "init", url]).exit_code == 0
    for laptop in (*laptops, *laptops):
        result = laptop.sync(url)
        assert "conflicts 0" in result.output, result.output

    assert sorted(e["id"] for e in central_entities(url)) == sorted(
        entity_id(code, None, None) for _n, code, _c in REGISTRY)
    assert central_conflicts(url) == []
    audit = _audit_rows(url)
    assert len(audit) == 3 * len(REGISTRY)  # one row per merged record, with its reason
    assert {survivor for _l, survivor, _r in audit} == {e["id"] for e in central_entities(url)}
    assert all(reason for _l, _s, reason in audit)
    assert_converged(url, *laptops)
    central = laptops[0].json("tally", "--scope", "central", "--central", url)["tallies"]
    assert {k: central[k] for k in EXPECTED} == EXPECTED
    for laptop in laptops:
        assert laptop.json("tally")["tallies"] == central
        # the registry shows each place once; old ids still find it (history is kept)
        found = laptop.json("entity", "search", REGISTRY[0][0])
        assert [e["id"] for e in found] == [entity_id(REGISTRY[0][1], None, None)]
