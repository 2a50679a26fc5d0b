"""Bench: the campaign report over 1M local rows (DESIGN target: report ≤ 1 s).

Fills a fresh local database quickly (executemany straight into the record tables,
tally facts worked out by `domain.tally` exactly as a save would, summed, then
written once), then times what `fieldlog report` does: tallies for the period and the
filled template, as Markdown and as .docx. It also times the whole command in a fresh
process, as a user would run it, the 统计报表 summary over the whole campaign and over two
days, and the ledger export of two days to .xlsx. The machine is shared, so the slower
figures are the median of 3 runs.

    .venv/bin/python bench/bench_report.py [--rows 1000000] [--db PATH] [--keep]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import figures

from tui_app.domain import tally as tally_rules
from tui_app.services import report as report_service
from tui_app.services.context import open_context
from tui_app.store import ledgers as ledger_store
from tui_app.store import records as store

TARGET_S = 1.0
START = dt.date(2026, 9, 14)
DAYS = 25
OFFICERS = [{"name": f"执法{i:03d}", "badge": f"32{i:05d}"} for i in range(60)]
META = ("2026-09-14T00:00:00Z", "2026-09-14T00:00:00Z", "bench", "bench-device")


def _fields(rnd: random.Random, action: str) -> tuple[dict, dict]:
    """Form fields and measures typical of each action (what tallies filter on)."""
    measures: dict = {"rectification_ordered": rnd.random() < 0.1, "directives": 0,
                      "sealed_units": 0, "seized": []}
    if action == "food":
        fields = {"place_type": rnd.choice(["学校及周边", "农村集贸市场", "旅游景区", "其他"]),
                  "cold_chain": rnd.random() < 0.3, "vaccinated_staff": rnd.randrange(0, 5)}
    elif action == "drug":
        unit = rnd.choice(["药店", "医疗机构", "其他"])
        fields = {"unit_type": unit, "vaccination_site": unit == "医疗机构" and rnd.random() < 0.3}
    elif action == "equipment":
        elevators = rnd.random() < 0.5
        fields = {"equipment_types": ["电梯"] if elevators else ["锅炉"]}
        if elevators:
            fields["elevator_insured"] = rnd.random() < 0.6
        measures["directives"] = int(rnd.random() < 0.05)
        measures["sealed_units"] = int(rnd.random() < 0.02)
    elif action == "product":
        fields = {"product_types": ["电取暖器"]}
        if rnd.random() < 0.05:
            measures["seized"] = [{"item": "电热板", "unit": "件", "quantity": 2,
                                   "value_fen": rnd.randrange(1000, 500_000)},
                                  {"item": "劣质电取暖器", "unit": "台", "quantity": rnd.randrange(1, 3),
                                   "value_fen": rnd.randrange(1000, 50_000)}]
    elif action == "fraud":
        fields = {"target": rnd.choice(["非法会议营销", "长江禁捕打非断链", "其他"])}
    elif action == "price":
        fields = {"topic": rnd.choice(["53度飞天茅台酒价格", "旅游景区价格", "其他"])}
    else:
        fields = {"focus": ["冷链食品"]}
    return fields, measures


def fill(db_path: Path, rows: int, seed: int = 7) -> float:
    """Write `rows` inspections (and their tally facts) into a fresh database."""
    started = time.perf_counter()
    ctx = open_context(db_path)
    ctx.update_settings({"campaign": "zhongqiu"})  # 中秋守护's report, whatever today's date
    pack = ctx.pack()
    rnd = random.Random(seed)
    actions = [a.id for a in pack.actions]
    entities = [f"bench-entity-{i:06d}" for i in range(max(1000, rows // 50))]
    conn = ctx.db.conn
    with ctx.db.transaction():
        conn.executemany(
            "INSERT INTO entity (id, rev, created_at, updated_at, inspector_id, device_id, name, "
            "kind) VALUES (?, 1, ?, ?, ?, ?, ?, '个体工商户')",
            [(e, *META, f"市场主体{i}") for i, e in enumerate(entities)])
    facts: Counter[tuple[str, str, str]] = Counter()
    marks: list[tally_rules.MarkRow] = []
    batch: list[tuple] = []
    sql = ("INSERT INTO inspection (id, rev, created_at, updated_at, inspector_id, device_id, "
           "campaign, action, entity_id, started_at, day, officers, fields, measures) "
           "VALUES (?, 1, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
    for n in range(rows):
        action = actions[n % len(actions)]
        day = (START + dt.timedelta(days=rnd.randrange(DAYS))).isoformat()
        pair = rnd.sample(OFFICERS, 2)
        fields, measures = _fields(rnd, action)
        body = {"id": f"bench-{n:08d}", "campaign": pack.id, "action": action,
                "entity_id": rnd.choice(entities), "day": day, "started_at": f"{day}T02:00:00Z",
                "officers": pair, "fields": fields, "measures": measures}
        facts.update(tally_rules.facts(pack, "inspection", body))
        marks.extend(tally_rules.mark_rows(pack.id, tally_rules.marks(pack, "inspection", body)))
        batch.append((body["id"], *META, pack.id, action, body["entity_id"],
                      body["started_at"], day, json.dumps(pair, ensure_ascii=False),
                      json.dumps(fields, ensure_ascii=False),
                      json.dumps(measures, ensure_ascii=False)))
        if len(batch) == 50_000:
            with ctx.db.transaction():
                conn.executemany(sql, batch)
            batch.clear()
    with ctx.db.transaction():
        conn.executemany(sql, batch)
        conn.executemany(
            "INSERT INTO tally_fact (campaign, tally_id, day, key, n) VALUES (?, ?, ?, ?, ?)",
            tally_rules.fact_rows(pack.id, facts.items()))
        store.apply_marks(conn, [], marks)
    ctx.close()
    return time.perf_counter() - started


def add_db_arguments(parser: argparse.ArgumentParser) -> None:
    """--rows, --db and --keep: the benches that measure a filled local database."""
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--db", type=Path, help="a database to measure (filled when missing)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary files")


def filled_db(args: argparse.Namespace, folder: Path) -> Path:
    """--db, else `folder`/bench.db, filled with --rows inspections when it does not exist:
    a database made once can be measured again without filling it again."""
    db = args.db or folder / "bench.db"
    if not db.exists():
        print(f"filling {args.rows:,} inspections into {db} ...", flush=True)
        print(f"  filled in {fill(db, args.rows):.1f} s", flush=True)
    return db


def _median(fn, runs: int = 5) -> float:  # noqa: ANN001 - any callable
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_db_arguments(parser)
    figures.add_option(parser)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="fieldlog-bench-"))
    db_path = filled_db(args, folder)
    ctx = open_context(db_path)
    end = dt.date(2026, 10, 8)
    rows = ctx.db.conn.execute("SELECT COUNT(*) FROM inspection").fetchone()[0]
    facts = ctx.db.conn.execute("SELECT COUNT(*) FROM tally_fact").fetchone()[0]
    report = report_service.local(ctx, day_to=end)
    md_s = _median(lambda: report_service.local(ctx, day_to=end).markdown())
    docx_s = _median(lambda: report.write(folder / "bench.docx", "docx"))
    two_days = START + dt.timedelta(days=1)
    whole_s = _median(lambda: ledger_store.summary(ctx.db, ctx.campaign_id, START.isoformat(),
                                                   end.isoformat()), runs=3)
    summary_2d_s = _median(lambda: ledger_store.summary(
        ctx.db, ctx.campaign_id, START.isoformat(), two_days.isoformat()), runs=3)
    export_s = _median(lambda: report_service.export(
        ctx, "xlsx", folder / "ledgers.xlsx", day_from=START, day_to=two_days), runs=3)
    exported = ctx.db.conn.execute(
        "SELECT COUNT(*) FROM inspection WHERE day BETWEEN ? AND ?",
        (START.isoformat(), two_days.isoformat())).fetchone()[0]
    ctx.close()
    command = [sys.executable, "-m", "tui_app", "--db", str(db_path), "report", "--to",
               end.isoformat(), "--format", "docx", "-o", str(folder / "cli.docx")]
    cli_s = _median(lambda: subprocess.run(command, check=True, capture_output=True,
                                           env=figures.CHILD_ENV), runs=3)
    print(f"rows: {rows:,} inspections, {facts:,} tally facts")
    print(f"report (tallies + template → Markdown), median of 5: {md_s * 1000:.1f} ms")
    print(f"report as .docx (python-docx), median of 5:          {docx_s * 1000:.1f} ms")
    print(f"`fieldlog report --format docx` in a new process, median of 3: {cli_s * 1000:.0f} ms")
    print(f"target ≤ {TARGET_S:.1f} s: whole command at {cli_s / TARGET_S:.2f}× the target")
    print(f"统计报表 over the whole campaign, median of 3: {whole_s:.2f} s")
    print(f"统计报表 over two days, median of 3:           {summary_2d_s:.2f} s")
    print(f"ledgers of two days ({exported:,} inspections) to .xlsx, median of 3: {export_s:.1f} s "
          f"({exported / export_s:,.0f} rows/s)")
    figures.write(args.json, {"rows": rows, "tally_facts": facts, "report_md_s": md_s,
                              "report_docx_s": docx_s, "report_cli_s": cli_s,
                              "summary_campaign_s": whole_s, "summary_two_days_s": summary_2d_s,
                              "export_two_days_s": export_s})
    if not args.keep and args.db is None:
        for path in folder.iterdir():
            path.unlink()
        folder.rmdir()


if __name__ == "__main__":
    main()
