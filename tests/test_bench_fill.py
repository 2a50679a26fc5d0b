"""bench/bench_report_central.py fills a 10M-row district's derived tables in bulk
(`derive_sqlite`, `derive_pg`) instead of running the catch-up over 10M changes: on a
small district that repeats its block as the 10M one does, that fill must equal what
`services.central.catch_up` derives from the same log, table for table, on each engine.
"""

from __future__ import annotations

import importlib
import sys
import uuid
from pathlib import Path

import psycopg
import pytest

from tests.sync_support import PG_BASE, pg_schema_url
from tui_app.services import central as central_service
from tui_app.sync.central import open_central

BENCH = Path(__file__).resolve().parents[1] / "bench"
DERIVED = ("current", "tally_fact", "tally_key", "tally_latest", "tally_latest_key", "meta")
# each store mints its own epoch; the watermark names its own log's last row (below)
OWN = {"meta": " WHERE k NOT IN ('epoch', 'materialized')"}
ROWS, BLOCK = 2400, 800  # three blocks, as 10M is ten


@pytest.fixture
def bench(monkeypatch: pytest.MonkeyPatch):  # noqa: ANN201 - the bench module
    monkeypatch.syspath_prepend(str(BENCH))
    yield importlib.import_module("bench_report_central")
    sys.modules.pop("bench_report_central", None)


def _tables(url: str) -> dict[str, list[tuple]]:
    store = open_central(url)
    try:
        watermark = store.sql("SELECT v FROM meta WHERE k = 'materialized'")[0][0]
        assert watermark == store.log_head()
        return {table: sorted(store.sql(f"SELECT * FROM {table}{OWN.get(table, '')}"), key=repr)
                for table in DERIVED}
    finally:
        store.close()


def _store(bench, engine: str, tmp_path: Path, name: str,  # noqa: ANN001
           request: pytest.FixtureRequest) -> str:
    """A fresh store on `engine` holding the bench's log (no derived rows yet); its URL."""
    if engine == "sqlite":
        path = tmp_path / f"{name}.db"
        bench.fill_sqlite(path, ROWS, BLOCK)
        return f"sqlite:///{path}"
    url = pg_schema_url(f"fl_{uuid.uuid4().hex[:12]}")
    request.getfixturevalue("pg_url")  # PostgreSQL is up (or the test is skipped)
    admin = psycopg.connect(PG_BASE, autocommit=True)
    schema = url.rsplit("%3D", 1)[1]
    admin.execute(f"CREATE SCHEMA {schema}")
    request.addfinalizer(lambda: (admin.execute(f"DROP SCHEMA {schema} CASCADE"), admin.close()))
    bench.fill_pg(url, ROWS, BLOCK)
    return url


@pytest.mark.parametrize("engine", ["sqlite", "postgresql"])
def test_the_bulk_fill_equals_the_catch_up(bench, engine: str, tmp_path: Path,  # noqa: ANN001
                                           request: pytest.FixtureRequest) -> None:
    caught = _store(bench, engine, tmp_path, "caught", request)
    bulk = _store(bench, engine, tmp_path, "bulk", request)
    assert central_service.catch_up(caught) == ROWS + 1000  # the inspections and entities
    if engine == "sqlite":
        bench.derive_sqlite(Path(bulk.removeprefix("sqlite:///")), ROWS, BLOCK)
    else:
        bench.derive_pg(bulk, ROWS, BLOCK)
    want, got = _tables(caught), _tables(bulk)
    for table in DERIVED:
        assert got[table] == want[table], table
    assert len(want["current"]) == ROWS + 1000 and want["tally_latest"] and want["tally_key"]
    assert central_service.catch_up(bulk) == 0  # nothing left for a read to catch up
    tallies = central_service.compute_tallies(bulk, "zhongqiu", bench.START, bench.END)
    assert tallies.values["food.inspections"] == bench.food_visits(ROWS, BLOCK)
