"""Every DESIGN.md §7 target in one run: each bench as a subprocess, then ONE table.

    .venv/bin/python bench/run_all.py            # DESIGN sizes, ~20–30 min on 2 cores
    .venv/bin/python bench/run_all.py --quick    # small sizes: a smoke run of the whole chain

DESIGN §7 states most targets as ratios against an anchor measured on the same machine
(a bare Textual app, `import click, sqlite_utils`, a raw `executemany`, a raw COPY),
because absolute times on a shared 2-core machine move with its load. The benches run
one after another, never in parallel, so each ratio's two sides see the same machine.
Each bench writes its key figures with `--json`; `build_rows` turns them into the
table, which is printed and written to bench/out/summary.md and summary.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
OUT = HERE / "out"
PG_DEFAULT = "postgresql://postgres@127.0.0.1:5432/test"

# bench name → (script, arguments at DESIGN sizes, arguments for --quick)
BENCHES: dict[str, tuple[str, list[str], list[str]]] = {
    "local": ("bench_local.py", ["--rows", "1000000"],
              ["--rows", "20000", "--entities", "500", "--saves", "50", "--runs", "3", "--starts", "3"]),
    "sync": ("bench_sync.py", ["--records", "100000", "--pg-big", "1000000"],
             ["--records", "5000", "--pg-big", "20000"]),
    "report_central": ("bench_report_central.py", ["--rows", "1000000", "--first-pull"],
                       ["--rows", "20000", "--first-pull"]),
    "report_central_10m": ("bench_report_central.py", ["--rows", "10000000", "--bulk-derive"],
                           ["--rows", "30000", "--bulk-derive"]),
    "report": ("bench_report.py", ["--rows", "1000000"], ["--rows", "20000"]),
    "tui": ("bench_tui.py", [], ["--quick", "--runs", "2"]),
    "service": ("bench_service.py", ["--laptops", "20", "--records", "5000"],
                ["--laptops", "4", "--records", "1000"]),
    "registry": ("bench_registry.py", ["--entities", "200000"], ["--entities", "5000"]),
    "attach": ("bench_attach.py", ["--photos", "200", "--mb", "3"], ["--photos", "20", "--mb", "3"]),
    "ledgers": ("bench_ledgers.py", ["--rows", "1000000"], ["--rows", "20000"]),
    "scale": ("bench_scale.py", ["--ns", "1", "2", "4", "8", "16", "--records", "2000"],
              ["--ns", "1", "2", "--records", "500"]),
}
OK, MISSED, NONE = "✓", "✗", "—"


@dataclass(frozen=True)
class Row:
    """One line of the summary: a DESIGN §7 target and what this run made of it."""

    what: str
    target: str
    measured: str
    anchor: str
    ratio: str
    verdict: str  # ✓, ✗, or — when there is nothing to judge (not built, not measured)


Figures = dict[str, dict[str, float]]


def _get(figures: Figures, bench: str, *names: str) -> list[float] | None:
    """The named figures of one bench, or None when the bench did not produce them all."""
    found = figures.get(bench) or {}
    if not all(name in found for name in names):
        return None
    return [found[name] for name in names]


def _row(what: str, target: str, values: list[float] | None, why_missing: str,
         judge: Callable[..., tuple[str, str, str, bool]]) -> Row:
    """A Row from `judge(*values) -> (measured, anchor, ratio, met)`, or a not-measured Row."""
    if values is None:
        return Row(what, target, f"not measured ({why_missing})", NONE, NONE, NONE)
    measured, anchor, ratio, met = judge(*values)
    return Row(what, target, measured, anchor, ratio, OK if met else MISSED)


def build_rows(figures: Figures, notes: dict[str, str] | None = None) -> list[Row]:
    """Every DESIGN §7 row, in its order, from the benches' flat figures.

    `figures` maps a bench name (the keys of BENCHES, plus "cli" for the Textual probe)
    to the dict that bench wrote with --json; `notes` says why a bench gave nothing
    (failed, PostgreSQL unreachable), shown in place of a figure.
    """
    notes = notes or {}

    def why(bench: str) -> str:
        return notes.get(bench, "bench gave no figure")

    pg_note = notes.get("pg", "PostgreSQL part not run")
    return [
        _row("`fieldlog` start to a usable dashboard, 100k records",
             "≤ 1.3× a bare Textual app's start (issue 10; DESIGN said 1.5×)",
             _get(figures, "tui", "fieldlog_start_s", "bare_textual_s", "start_ratio", "start_rows"),
             why("tui"),
             lambda ours, bare, ratio, rows: (f"{ours:.2f} s ({rows:,.0f} records)",
                                              f"bare Textual app {bare:.2f} s", f"{ratio:.2f}×",
                                              ratio <= 1.3)),
        _row("CLI commands that need no TUI (`sync`, `tally`, `import`) never import Textual",
             "no `textual` module loaded", _get(figures, "cli", "textual_modules", "commands"), why("cli"),
             lambda loaded, commands: (f"{loaded:.0f} Textual modules in {commands:.0f} commands",
                                       NONE, NONE, loaded == 0)),
        _row("CLI start: `fieldlog tally --format json`, 1M rows",
             "≤ 0.2 s = 2× the `import click, sqlite_utils` anchor (0.1 s)",
             _get(figures, "local", "start_fieldlog_s", "start_imports_s", "start_ratio"), why("local"),
             lambda ours, bare, ratio: (f"{ours:.3f} s", f"`import click, sqlite_utils` {bare:.3f} s",
                                        f"{ratio:.2f}×", ratio <= 2.0)),
        _row("save one inspection, 1M rows in the local DB", "p95 ≤ 5 ms, tallies updated",
             _get(figures, "local", "save_p95_ms", "save_p50_ms"), why("local"),
             lambda p95, p50: (f"p95 {p95:.2f} ms (p50 {p50:.2f} ms)",
                               "one WAL commit ≈ 25–150 µs (DESIGN; not re-measured)", NONE, p95 <= 5.0)),
        _row("tallies for a campaign, 1M rows", "≤ 20 ms",
             _get(figures, "local", "tally_ms"), why("local"),
             lambda ms: (f"{ms:.2f} ms", "covering-index GROUP BY 72 ms (DESIGN; not re-measured)", NONE,
                         ms <= 20.0)),
        _row("push 100k records to a central SQLite file", "≤ 2× a raw `executemany` of the same rows",
             _get(figures, "sync", "sqlite_push_s", "sqlite_raw_executemany_s", "sqlite_ratio", "records"),
             why("sync"),
             lambda push, raw, ratio, n: (f"{push:.2f} s ({n / push:,.0f} records/s, {n:,.0f} records)",
                                          f"raw executemany {raw:.2f} s", f"{ratio:.2f}×", ratio <= 2.0)),
        _row("push 100k records into PostgreSQL directly", "≥ 50k records/s",
             _get(figures, "sync", "pg_records_per_s", "pg_raw_copy_rows_per_s", "pg_ratio"),
             pg_note if "sync" in figures else why("sync"),
             lambda rate, copy, ratio: (f"{rate:,.0f} records/s", f"raw COPY {copy:,.0f} rows/s",
                                        f"{ratio:.2f}× COPY's time", rate >= 50_000)),
        _row("push through the HTTP service into PostgreSQL",
             "≥ 20k records/s, p95 of a 500-record batch ≤ 1 s",
             _get(figures, "service", "service_records_per_s", "batch_p95_s", "raw_copy_rows_per_s",
                  "service_ratio", "records", "workers"),
             why("service"),
             lambda rate, p95, copy, ratio, n, workers: (
                 f"{rate:,.0f} records/s, p95 {p95 * 1000:.0f} ms ({n:,.0f} records from 20 laptops "
                 f"at once, {workers:.0f} workers)", f"raw COPY {copy:,.0f} rows/s",
                 f"{ratio:.2f}× COPY's time", rate >= 20_000 and p95 <= 1.0)),
        _row("report for 1M central rows — central SQLite", "≤ 1 s",
             _get(figures, "report_central", "sqlite_report_cli_s", "sqlite_tallies_s", "sqlite_rows"),
             why("report_central"),
             lambda cli, tallies, rows: (f"{cli:.2f} s whole command ({rows:,.0f} rows; tallies "
                                         f"{tallies * 1000:.0f} ms)", NONE, NONE, cli <= 1.0)),
        _row("report for 1M central rows — PostgreSQL", "≤ 1 s",
             _get(figures, "report_central", "pg_report_cli_s", "pg_tallies_s", "pg_rows"),
             pg_note if "report_central" in figures else why("report_central"),
             lambda cli, tallies, rows: (f"{cli:.2f} s whole command ({rows:,.0f} rows; tallies "
                                         f"{tallies * 1000:.0f} ms)", NONE, NONE, cli <= 1.0)),
        _row("TUI memory with 1M local rows", "≤ 200 MB RSS",
             _get(figures, "tui", "rss_mb", "memory_rows"), why("tui"),
             lambda rss, rows: (f"{rss:.0f} MB ({rows:,.0f} records)", NONE, NONE, rss <= 200)),
        _row("(also) first open of each entry form", "≤ 150 ms",
             _get(figures, "tui", "form_open_max_ms", "form_open_cold_ms", "forms"), why("tui"),
             lambda most, cold, n: (f"max {most:.0f} ms over {n:.0f} forms, built ahead while idle",
                                    f"built on demand right after start {cold:.0f} ms", NONE,
                                    most <= 150)),
        _row("(also) a routine entry typed in one burst after the form key", "every key lands",
             _get(figures, "tui", "burst_s", "burst_keys"), why("tui"),
             lambda seconds, keys: (f"{keys:.0f} keys, saved {seconds:.2f} s after the first",
                                    NONE, NONE, True)),
        _row("(also) report for 1M local rows, docs/report.md", "≤ 1 s",
             _get(figures, "report", "report_cli_s", "report_md_s", "rows"), why("report"),
             lambda cli, md, rows: (f"{cli:.2f} s whole command ({rows:,.0f} rows; report "
                                    f"{md * 1000:.0f} ms)", NONE, NONE, cli <= 1.0)),
        *issue12_rows(figures, why, pg_note),
        *[_row(f"merge a registry of 200k entities — {label} (issue 8)", "≤ 10 s",
               _get(figures, "registry", f"{engine}_merge_s", f"{engine}_first_s", "entities"),
               (pg_note if engine == "pg" and "registry" in figures else why("registry")),
               lambda merge, first, n: (f"{merge:.2f} s ({n:,.0f} entities; first import "
                                        f"{first:.2f} s)", NONE, NONE, merge <= 10.0))
          for engine, label in (("sqlite", "central SQLite"), ("pg", "PostgreSQL"))],
        *issue13_rows(figures, why, pg_note),
    ]


def issue12_rows(figures: Figures, why: Callable[[str], str], pg_note: str) -> list[Row]:
    """Issue 12's targets ("speed at district scale"), each beside its in-run anchor."""
    return [
        *(_row(f"push {label} records into PostgreSQL at COPY speed (issue 12)",
               "≤ 1.25× a raw COPY of the same rows, same run",
               _get(figures, "sync", f"{prefix}_push_s", f"{prefix}_raw_copy_s", f"{prefix}_ratio",
                    f"{prefix}_raw_copy_bare_s", f"{prefix}_records"),
               pg_note if "sync" in figures else why("sync"),
               lambda push, copy, ratio, bare, n: (
                   f"{push:.2f} s ({n / push:,.0f} records/s, {n:,.0f} records)",
                   f"raw COPY into a table like `change` {copy:.2f} s (into a bare keyed table "
                   f"{bare:.2f} s)", f"{ratio:.2f}×", ratio <= 1.25))
          for label, prefix in (("100k", "pg"), ("1M", "pgbig"))),
        *(_row(f"a new laptop's first full pull of a 1M-row district — {label} (issue 12)",
               "≤ 30 s, with progress page by page",
               _get(figures, "report_central", f"{engine}_first_pull_s",
                    f"{engine}_first_pull_anchor_s", f"{engine}_first_pull_changes"),
               pg_note if engine == "pg" and "report_central" in figures else why("report_central"),
               lambda pull, raw, n: (f"{pull:.1f} s, `fieldlog init` + `fieldlog sync` through the "
                                     f"district snapshot ({n:,.0f} changes)",
                                     f"the same rows read and executemany'd raw {raw:.1f} s",
                                     f"{pull / raw:.1f}×", pull <= 30.0))
          for engine, label in (("sqlite", "central SQLite"), ("pg", "PostgreSQL"))),
        *(row for engine, label in (("sqlite", "central SQLite"), ("pg", "PostgreSQL"))
          for row in central_10m_rows(figures, engine, label,
                                      pg_note if engine == "pg" and "report_central_10m" in figures
                                      else why("report_central_10m"))),
        _row("text filter of the records list, first page, 1M local rows (issue 12)", "≤ 100 ms",
             _get(figures, "local", "search_page_worst_ms", "search_scan_anchor_ms"), why("local"),
             lambda worst, scan: (f"{worst:.1f} ms, the slowest of six kinds of text",
                                  f"a plain scan of the list {scan:,.0f} ms", NONE, worst <= 100)),
        _row("full-campaign ledgers of 1M inspections to .xlsx (issue 12)", "≤ 60 s and ≤ 300 MB RSS",
             _get(figures, "ledgers", "export_s", "export_rss_mb", "anchor_s", "rows"), why("ledgers"),
             lambda s, rss, bare, n: (f"{s:.1f} s, {rss:.0f} MB ({n:,.0f} inspections)",
                                      f"xlsxwriter alone, same cells {bare:.1f} s", f"{s / bare:.2f}×",
                                      s <= 60 and rss <= 300)),
    ]


def central_10m_rows(figures: Figures, engine: str, label: str, missing: str) -> list[Row]:
    """The district report and `tally --scope central` over 10M central rows, each beside
    a bare `SELECT count(*)` of the same current rows."""
    def count(seconds: float) -> str:
        return f"bare `SELECT count(*)` of the current rows {seconds * 1000:,.0f} ms"

    return [
        _row(f"district report at 10M central rows — {label} (issue 12)", "≤ 1 s",
             _get(figures, "report_central_10m", f"{engine}_report_cli_s",
                  f"{engine}_count_anchor_s", f"{engine}_rows"), missing,
             lambda cli, anchor, rows: (f"{cli:.2f} s, the whole `fieldlog report --scope central "
                                        f"--format docx` ({rows:,.0f} rows)", count(anchor),
                                        f"{cli / anchor:.2f}×", cli <= 1.0)),
        _row(f"`fieldlog tally --scope central` at 10M central rows — {label} (issue 12)",
             "≤ 200 ms",
             _get(figures, "report_central_10m", f"{engine}_tally_cli_s", f"{engine}_tallies_s",
                  f"{engine}_count_anchor_s"), missing,
             lambda cli, tallies, anchor: (f"{cli * 1000:.0f} ms, the whole command (its tallies "
                                           f"{tallies * 1000:.0f} ms)", count(anchor),
                                           f"{cli / anchor:.2f}×", cli <= 0.2)),
    ]


def issue13_rows(figures: Figures, why: Callable[[str], str], pg_note: str) -> list[Row]:
    """Issue 13's target: attaching and syncing photos against `cp` and a raw upload."""
    return [
        _row("(issue 13) attach + sync 200 photos of 3 MB — central SQLite",
             "≤ 1.5× `cp` + raw upload; a second sync sends 0 blob bytes",
             _get(figures, "attach", "sqlite_attach_s", "sqlite_sync_s", "cp_s", "sqlite_raw_upload_s",
                  "sqlite_ratio", "sqlite_second_blob_bytes", "durable_copies_s"), why("attach"),
             lambda attach, sync, cp, raw, ratio, again, durable: (
                 f"attach {attach:.2f} s + sync {sync:.2f} s; second sync {again:.0f} blob bytes",
                 f"`cp` {cp:.2f} s + raw copy {raw:.2f} s (flushed to disk: {durable:.2f} s)",
                 f"{ratio:.2f}×", ratio <= 1.5 and again == 0)),
        _row("(issue 13) attach + sync 200 photos of 3 MB — PostgreSQL",
             "≤ 1.5× `cp` + raw upload; a second sync sends 0 blob bytes",
             _get(figures, "attach", "pg_attach_s", "pg_sync_s", "cp_s", "pg_raw_upload_s", "pg_ratio",
                  "pg_second_blob_bytes"),
             pg_note if "attach" in figures else why("attach"),
             lambda attach, sync, cp, raw, ratio, again: (
                 f"attach {attach:.2f} s + sync {sync:.2f} s; second sync {again:.0f} blob bytes",
                 f"`cp` {cp:.2f} s + raw INSERT {raw:.2f} s", f"{ratio:.2f}×",
                 ratio <= 1.5 and again == 0)),
    ]


def markdown(rows: list[Row]) -> str:
    lines = ["| what | target | measured | in-run anchor | ratio | |", "| --- | --- | --- | --- | --- | --- |"]
    lines += [f"| {r.what} | {r.target} | {r.measured} | {r.anchor} | {r.ratio} | {r.verdict} |" for r in rows]
    return "\n".join(lines)


# ------------------------------------------------------------------ running


def pg_reachable(url: str) -> str | None:
    """None when PostgreSQL answers at `url`, else why not (one line)."""
    import psycopg

    try:
        with psycopg.connect(url, connect_timeout=3) as conn:
            conn.execute("SELECT 1")
    except psycopg.Error as error:
        return f"PostgreSQL unreachable at {url}: {str(error).strip().splitlines()[0]}"
    return None


def run_bench(name: str, argv: list[str], folder: Path) -> tuple[dict[str, float] | None, str, float]:
    """Run one bench (its output passes through); its figures, a note, and its seconds."""
    script, *_ = BENCHES[name]
    out = folder / f"{name}.json"
    command = [sys.executable, str(HERE / script), *argv, "--json", str(out)]
    print(f"\n=== {name}: {' '.join(command[1:])}", flush=True)
    started = time.perf_counter()
    result = subprocess.run(command, cwd=HERE.parent)
    seconds = time.perf_counter() - started
    if result.returncode != 0 or not out.exists():
        return None, f"{script} failed (exit {result.returncode})", seconds
    return json.loads(out.read_text(encoding="utf-8")), "", seconds


TEXTUAL_FREE_COMMANDS = (["tally", "--format", "json"], ["sync"], ["import", "--help"])


def textual_probe(folder: Path) -> dict[str, float]:
    """Start each no-TUI command with `-X importtime` and count Textual modules it loads."""
    loaded = 0
    for command in TEXTUAL_FREE_COMMANDS:
        result = subprocess.run([sys.executable, "-X", "importtime", "-m", "tui_app", "--db",
                                 str(folder / "probe.db"), *command], capture_output=True, text=True)
        loaded += len(re.findall(r"\|\s+textual(?:\.\S+)?\s*$", result.stderr, flags=re.MULTILINE))
    return {"textual_modules": loaded, "commands": len(TEXTUAL_FREE_COMMANDS)}


def _load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes, for a smoke run")
    parser.add_argument("--pg", default=PG_DEFAULT, help="PostgreSQL URL (scratch schemas are dropped)")
    parser.add_argument("--only", nargs="+", choices=list(BENCHES), help="run only these benches")
    parser.add_argument("--out", type=Path, default=OUT, help="where summary.md and summary.json go")
    args = parser.parse_args()
    pg_problem = pg_reachable(args.pg)
    notes: dict[str, str] = {"pg": pg_problem or ""}
    if pg_problem:
        print(f"note: {pg_problem}; the PostgreSQL parts are skipped", flush=True)
    figures: Figures = {}
    seconds: dict[str, float] = {}
    loads: dict[str, str] = {}  # each bench's start: the machine is shared, its load moves the figures
    load_before = _load()
    began = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="fieldlog-run-all-") as name:
        folder = Path(name)
        figures["cli"] = textual_probe(folder)
        for bench, (_, full, quick) in BENCHES.items():
            if args.only and bench not in args.only:
                notes[bench] = "not asked for (--only)"
                continue
            argv = list(quick if args.quick else full)
            if bench in ("sync", "registry", "attach") and pg_problem:
                argv.append("--no-pg")
            if bench == "scale" and pg_problem:
                notes[bench] = pg_problem
                continue
            if bench in ("report_central", "report_central_10m", "registry", "attach") \
                    and not pg_problem:
                argv += ["--pg", args.pg]
            if bench == "service":
                if pg_problem:
                    notes[bench] = pg_problem
                    continue
                argv += ["--pg", args.pg]
            loads[bench] = _load()
            found, note, seconds[bench] = run_bench(bench, argv, folder)
            if found is None:
                notes[bench] = note
            else:
                figures[bench] = found
    rows = build_rows(figures, notes)
    table = markdown(rows)
    command = " ".join([".venv/bin/python bench/run_all.py", *sys.argv[1:]])
    meta = {"command": command, "when": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
            "machine": f"{os.cpu_count()} CPUs, {platform.platform()}, Python {platform.python_version()}",
            "load_before": load_before, "load_after": _load(),
            "minutes": round((time.perf_counter() - began) / 60, 1),
            "bench_seconds": {k: round(v, 1) for k, v in seconds.items()}, "load_at_bench_start": loads}
    header = (f"`{command}` — finished {meta['when']}; {meta['machine']}; load average (1/5/15 min) "
              f"{load_before} before, {meta['load_after']} after; {meta['minutes']} min in all")
    print(f"\n{header}\n\n{table}")
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "summary.md").write_text(f"{header}\n\n{table}\n", encoding="utf-8")
    (args.out / "summary.json").write_text(
        json.dumps({"meta": meta, "notes": notes, "figures": figures, "rows": [asdict(r) for r in rows]},
                   ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(f"\nwritten: {args.out / 'summary.md'}, {args.out / 'summary.json'}")


if __name__ == "__main__":
    main()
