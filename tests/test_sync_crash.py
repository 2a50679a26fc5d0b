"""Named crash points: a sync killed at each dangerous moment is completed by the next
sync, with nothing lost and nothing stored twice (both engines)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.sync_support import Laptop, assert_converged

RECORDS = 210  # three push batches and three pull pages of 100 (FIELDLOG_SYNC_BATCH)


@pytest.fixture(autouse=True)
def _small_batches(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FIELDLOG_SYNC_BATCH", "100")


@pytest.fixture(scope="module")
def templates(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Laptop databases made once per module and copied for each test."""
    folder = tmp_path_factory.mktemp("templates")
    a = Laptop(folder / "a", "张三", "3201001")
    ids = a.add(RECORDS)
    for rid in ids[:5]:
        a.edit(rid, "复查：已整改")
    b = Laptop(folder / "b", "王五", "3201009")
    b.add(10, badge="3201009")
    return {"a": a.db, "b": b.db}


def _copy(templates: dict[str, Path], tmp_path: Path) -> tuple[Laptop, Laptop]:
    laptops = []
    for name, badge in (("a", "3201001"), ("b", "3201009")):
        (tmp_path / name).mkdir()
        shutil.copy(templates[name], tmp_path / name / "fieldlog.db")
        laptop = Laptop.__new__(Laptop)
        Laptop.__init__(laptop, tmp_path / name, "x", badge)  # same db, init is idempotent
        laptops.append(laptop)
    return laptops[0], laptops[1]


@pytest.mark.parametrize("point", [
    # every point, on the first pass and (where the run has several) a later one
    "before_send:1", "before_send:3", "after_central_commit:1", "after_central_commit:2",
    "after_answer:2", "in_ack:1", "in_ack:3", "mid_pull:1", "mid_pull:3", "between_pages:2",
])
def test_crash_point_then_resync(templates: dict[str, Path], tmp_path: Path, central_url: str,
                                 point: str) -> None:
    a, b = _copy(templates, tmp_path)
    b.sync(central_url)
    crashed = a.sync_process(central_url, crash_at=point)
    assert crashed.returncode == 137, crashed.stderr  # it really died there
    done = a.sync_process(central_url)
    assert done.returncode == 0, done.stderr
    assert "conflicts 0" in done.stdout
    b.sync(central_url)
    assert_converged(central_url, a, b)
    again = a.sync_process(central_url)
    assert "pushed 0 (duplicates 0), pulled 0" in again.stdout
