"""A hypothesis state machine: laptops add, edit and sync in any order; after everyone
syncs twice, every laptop and the central store hold the same content, on both engines.

Laptops 0 and 1 belong to one inspector (office PC and field laptop: their edits of the
same record conflict); laptop 2 is another inspector (its edits of the others' records
are refused and quarantined). Both paths must still converge.
"""

from __future__ import annotations

import shutil
import tempfile
import uuid
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, rule, run_state_machine_as_test

from tests.sync_support import PG_BASE, Laptop, assert_converged, pg_schema_url
from tui_app.cli import cli

BADGES = ("3201001", "3201001", "3201009")


def machine_for(engine: str) -> type[RuleBasedStateMachine]:
    class Sync(RuleBasedStateMachine):
        @initialize()
        def start(self) -> None:
            self.folder = Path(tempfile.mkdtemp(prefix="fl-sm-"))
            self.schema = None
            if engine == "sqlite":
                self.url = f"sqlite:///{self.folder / 'central.db'}"
            else:
                self.schema = f"fl_{uuid.uuid4().hex[:12]}"
                self._admin(f"CREATE SCHEMA {self.schema}")
                self.url = pg_schema_url(self.schema)
            assert CliRunner().invoke(cli, ["central", "init", self.url]).exit_code == 0
            self.laptops = [Laptop(self.folder / str(i), f"人{i}", badge)
                            for i, badge in enumerate(BADGES)]
            self.held: list[set[str]] = [set(), set(), set()]  # records each laptop has
            self.central: set[str] = set()
            self.edits = 0
            # a common starting point: every laptop holds laptop 0's first records
            self.add(0, 2)
            for who in range(3):
                self.sync(who)

        def _admin(self, sql: str) -> None:
            import psycopg

            with psycopg.connect(PG_BASE, autocommit=True) as conn:
                conn.execute(sql)

        @rule(who=st.integers(0, 2), n=st.integers(1, 3))
        def add(self, who: int, n: int) -> None:
            self.held[who] |= set(self.laptops[who].add(n, badge=BADGES[who]))

        def _edit(self, who: int, record_id: str) -> None:
            self.edits += 1
            self.laptops[who].edit(record_id, f"修改{self.edits}")

        @rule(who=st.integers(0, 2), pick=st.integers(0, 10_000))
        def edit(self, who: int, pick: int) -> None:
            held = sorted(self.held[who])
            if held:
                self._edit(who, held[pick % len(held)])

        @rule(pick=st.integers(0, 10_000), other=st.sampled_from([1, 2]))
        def edit_on_two_laptops(self, pick: int, other: int) -> None:
            """The same record edited on laptop 0 and on another before either syncs."""
            both = sorted(self.held[0] & self.held[other])
            if both:
                for who in (0, other):
                    self._edit(who, both[pick % len(both)])

        @rule(who=st.integers(0, 2))
        def sync(self, who: int) -> None:
            result = self.laptops[who].sync(self.url, ok=False)
            assert result.exit_code in (0, 1), result.output
            assert "Traceback" not in result.output
            self.central |= self.held[who]
            self.held[who] |= self.central

        def teardown(self) -> None:
            try:
                if getattr(self, "laptops", None):
                    for laptop in self.laptops * 2:
                        laptop.sync(self.url, ok=False)
                    records = [laptop.records() for laptop in self.laptops]
                    assert records[0] == records[1] == records[2]
                    assert set(records[0]) == set().union(*self.held)
                    assert_converged(self.url, *self.laptops)
            finally:
                if self.schema:
                    self._admin(f"DROP SCHEMA {self.schema} CASCADE")
                shutil.rmtree(self.folder, ignore_errors=True)

    return Sync


@pytest.mark.parametrize("engine", ["sqlite", "postgresql"])
def test_edits_and_syncs_in_any_order_converge(engine: str, request: pytest.FixtureRequest) -> None:
    if engine == "postgresql":
        request.getfixturevalue("pg_url")  # skips (or fails under FIELDLOG_REQUIRE_PG) when down
    run_state_machine_as_test(machine_for(engine), settings=settings(
        max_examples=8, stateful_step_count=10, deadline=None, derandomize=True,
        suppress_health_check=list(HealthCheck)))
