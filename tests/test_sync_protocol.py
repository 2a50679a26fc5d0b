"""Sync through `fieldlog sync` between laptops and a central store, on both engines."""

from __future__ import annotations

from pathlib import Path

from tests.sync_support import Laptop, central_conflicts, central_log


def _laptops(tmp_path: Path) -> tuple[Laptop, Laptop, Laptop]:
    """Inspector 3201001 on two devices (office PC and field laptop), and inspector 3201009."""
    return (Laptop(tmp_path / "a", "张三", "3201001"), Laptop(tmp_path / "a2", "张三", "3201001"),
            Laptop(tmp_path / "b", "王五", "3201009"))


def _two_inspectors_synced(tmp_path: Path, central_url: str, a_adds: int) -> tuple[Laptop, Laptop]:
    """Inspector 3201001 (laptop a) with `a_adds` records and 3201009 (b) with two, both pushed."""
    a, _a2, b = _laptops(tmp_path)
    a.add(a_adds)
    b.add(2, badge="3201009")
    a.sync(central_url)
    b.sync(central_url)
    return a, b


def test_laptops_with_overlapping_edits_converge(tmp_path: Path, central_url: str) -> None:
    a, a2, b = _laptops(tmp_path)
    ids_a = a.add(5)
    ids_b = b.add(3, badge="3201009")
    for laptop in (a, b, a2, a):
        laptop.sync(central_url)
    assert set(a2.records()) == set(ids_a) | set(ids_b)

    # the same record edited on two devices from the same revision
    a.edit(ids_a[0], "A 的复查意见")
    a2.edit(ids_a[0], "A2 的复查意见")
    a2.edit(ids_a[1], "第一次修改")
    a2.edit(ids_a[1], "第二次修改")
    b.edit(ids_b[0], "B 修改")
    first = a.sync(central_url)
    assert "pushed 1" in first.output
    second = a2.sync(central_url)
    assert "conflicts 1" in second.output, second.output
    for laptop in (b, a, a2, b):
        laptop.sync(central_url)

    # every laptop holds the same records, revisions and content as the central store
    assert a.records() == a2.records() == b.records()
    assert a.records()[ids_a[0]] == (2, "A 的复查意见")  # first committed centrally wins
    assert a2.history(ids_a[0]) == [(1, "正常"), (2, "A 的复查意见")]
    assert a.records()[ids_a[1]] == (3, "第二次修改")
    log = central_log(central_url)
    assert len(log) == len({c for c, _r, _v in log}) == 8 + 1 + 2 + 1
    assert len({(r, v) for _c, r, v in log}) == len(log)

    # the losing version is kept centrally and on the laptop that made it, never dropped
    kept = central_conflicts(central_url)
    assert len(kept) == 1
    shown = a2.json("conflicts")
    assert [c["lost_change_id"] for c in shown["conflicts"]] == kept
    assert shown["conflicts"][0]["lost_body"]["findings"] == "A2 的复查意见"
    assert a2.json("conflicts", "--scope", "central", "--central", central_url)[0]["change_id"] \
        == kept[0]

    # a second sync changes nothing anywhere
    before = central_log(central_url)
    again = a2.sync(central_url)
    assert "pushed 0 (duplicates 0), pulled 0, conflicts 0" in again.output
    assert central_log(central_url) == before


def test_pulled_work_counts_in_local_tallies(tmp_path: Path, central_url: str) -> None:
    a, b = _two_inspectors_synced(tmp_path, central_url, 4)
    tallies = b.json("tally")["tallies"]
    assert tallies["food.inspections"] == 6
    a.sync(central_url)
    assert a.json("tally")["tallies"] == tallies


def test_foreign_record_is_refused_and_quarantined(tmp_path: Path, central_url: str) -> None:
    a, _a2, b = _laptops(tmp_path)
    ids = a.add(1)
    a.sync(central_url)
    b.sync(central_url)
    b.edit(ids[0], "别人改的")
    result = b.sync(central_url, ok=False)
    assert result.exit_code == 1
    assert "belongs to another inspector" in result.stderr
    assert "quarantine" in result.stderr
    shown = b.json("conflicts")
    assert [q["reason"] for q in shown["quarantine"]] == ["not_owner"]
    assert b.records()[ids[0]] == (1, "正常")  # back to what the central store holds
    # set aside, so the next sync is clean and the central record is untouched
    assert b.sync(central_url).exit_code == 0
    assert [v for _c, r, v in central_log(central_url) if r == ids[0]] == [1]


def test_unreachable_central_changes_nothing(tmp_path: Path) -> None:
    a = Laptop(tmp_path / "a", "张三", "3201001")
    a.add(2)
    before = a.records()
    missing = f"sqlite:///{tmp_path / 'share' / 'central.db'}"
    result = a.sync(missing, ok=False)
    assert result.exit_code == 1
    assert len(result.stderr.strip().splitlines()) == 1
    assert "Nothing was changed here" in result.stderr
    pg_down = a.sync("postgresql://postgres@127.0.0.1:1/test?connect_timeout=2", ok=False)
    assert pg_down.exit_code == 1 and "Cannot reach the central store" in pg_down.stderr
    assert "Traceback" not in pg_down.output
    assert a.records() == before
    assert not (tmp_path / "share").exists()


def test_central_url_from_init_and_environment(tmp_path: Path, central_url: str,
                                               monkeypatch) -> None:  # noqa: ANN001
    a = Laptop(tmp_path / "a", "张三", "3201001")
    a.add(1)
    assert "No central store set" in a("sync", ok=False).stderr
    monkeypatch.setenv("FIELDLOG_CENTRAL", central_url)
    assert "pushed 1" in a("sync").output
    monkeypatch.delenv("FIELDLOG_CENTRAL")
    a("init", "--central", central_url)
    assert "pushed 0" in a("sync").output


def test_restored_central_store_gets_everything_back(tmp_path: Path, central_url: str) -> None:
    a, b = _two_inspectors_synced(tmp_path, central_url, 3)
    before = sorted(central_log(central_url))
    # the bureau restores an empty backup and marks it with a new epoch
    if central_url.startswith("sqlite"):
        Path(central_url[len("sqlite://"):]).unlink()
    else:
        import psycopg

        with psycopg.connect(central_url, autocommit=True) as conn:
            tables = [r[0] for r in conn.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")]
            conn.execute("DROP TABLE " + ", ".join(tables))  # every table, whoever added it
    a("central", "init", central_url, "--new-epoch")
    assert "afresh" in a.sync(central_url).output
    assert "afresh" in b.sync(central_url).output
    a.sync(central_url)
    assert sorted(central_log(central_url)) == before
    assert a.records() == b.records()


def test_cli_start_loads_neither_psycopg_nor_textual() -> None:
    import subprocess
    import sys

    code = ("import sys, tui_app.cli, tui_app.services.sync, tui_app.sync.client, "
            "tui_app.sync.sqlite_central; print('\\n'.join(sys.modules))")
    loaded = set(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                                check=True).stdout.split())
    assert "psycopg" not in loaded
    assert not any(m == "textual" or m.startswith("textual.") for m in loaded)


def test_awkward_text_travels_intact(tmp_path: Path, central_url: str) -> None:
    a = Laptop(tmp_path / "a", "张三", "3201001")
    b = Laptop(tmp_path / "b", "王五", "3201009")
    ids = a.add(1)
    text = 'tab\there, line\nbreak, back\\slash \\N, "quote", 中文，emoji 🥮'
    a.edit(ids[0], text)
    a.sync(central_url)
    b.sync(central_url)
    assert b.records()[ids[0]] == (2, text)


def test_what_a_sync_screen_needs(tmp_path: Path, central_url: str) -> None:
    from tui_app.services import central_link
    from tui_app.services import sync as sync_service
    from tui_app.services.context import open_context

    a = Laptop(tmp_path / "a", "张三", "3201001")
    a.add(3)
    assert central_link.is_reachable(central_url, timeout=5)
    assert not central_link.is_reachable(f"sqlite:///{tmp_path / 'none.db'}", timeout=5)
    assert not central_link.is_reachable("postgresql://postgres@127.0.0.1:1/x", timeout=5)
    seen: list[tuple[str, int, int | None]] = []
    with open_context(a.db) as ctx:
        assert sync_service.unsynced_count(ctx) == 3
        assert sync_service.last_sync(ctx) is None
        summary = sync_service.run_sync(ctx, central_url, lambda *p: seen.append(p))
        assert (summary.pushed, summary.complete) == (3, True)
        assert sync_service.unsynced_count(ctx) == 0
        assert sync_service.last_sync(ctx) is not None
    assert ("push", 3, 3) in seen and any(phase == "pull" for phase, *_ in seen)


def test_postgresql_without_its_schema_is_one_clear_line(tmp_path: Path, pg_url: str) -> None:
    a = Laptop(tmp_path / "a", "张三", "3201001")
    missing = pg_url.replace("fl_", "nope_")
    result = a("central", "init", missing, ok=False)
    assert result.exit_code == 1
    assert "The central store" in result.stderr and "Traceback" not in result.output
    assert len(result.stderr.strip().splitlines()) == 1
