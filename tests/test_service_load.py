"""Twenty laptops pushing 5,000 records each at once through `serve --workers 2` into
PostgreSQL: every one of the 100,000 lands exactly once (bench/bench_service.py checks
it row by row and exits non-zero otherwise). Bounded: ~20 s on loopback."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.sync_support import PG_BASE

BENCH = Path(__file__).resolve().parents[1] / "bench"


@pytest.mark.slow
def test_twenty_laptops_at_once_land_exactly_once(tmp_path: Path, pg_url: str) -> None:
    del pg_url  # only to require (or skip without) PostgreSQL; the bench makes its own schema
    out = tmp_path / "service.json"
    done = subprocess.run([sys.executable, str(BENCH / "bench_service.py"), "--laptops", "20",
                           "--records", "5000", "--workers", "2", "--pg", PG_BASE,
                           "--json", str(out)], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    figures = json.loads(out.read_text(encoding="utf-8"))
    assert figures["records"] == 100_000 and figures["workers"] == 2
    assert "exactly once" in done.stdout
