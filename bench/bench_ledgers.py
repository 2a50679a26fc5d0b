"""Bench: the full-campaign ledgers of 1M inspections to .xlsx (issue 12: ≤ 60 s, ≤ 300 MB).

Fills a local database like bench_report.py does (1M inspections over the campaign's 25
days, with findings), then runs `fieldlog export --format xlsx` for the whole campaign in
a fresh process, timing it and sampling its peak RSS. The in-run anchor is xlsxwriter
alone (the writer the ledgers used before report/xlsx.py), in constant-memory mode,
writing as many rows of the same cells (the ledgers' first rows, repeated) with
`write_row` and no FieldLog logic at all: no reading, no formatting, no checks.

    .venv/bin/python bench/bench_ledgers.py [--rows 1000000] [--db PATH] [--keep]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import resource
import subprocess
import sys
import tempfile
import time
from itertools import cycle, islice
from pathlib import Path

import figures
from bench_report import add_db_arguments, filled_db

from tui_app.services import report as report_service
from tui_app.services.context import open_context

TARGET_S, TARGET_MB = 60.0, 300.0
END = dt.date(2026, 10, 8)
SAMPLE = 1000  # rows of each ledger the anchor repeats


def export_in_process(db: Path, out: Path) -> tuple[float, float, float]:
    """Seconds, peak RSS (MB) and CPU seconds of `fieldlog export` for the whole
    campaign, as a user runs it: a new process, measured from spawn to exit (RSS and
    CPU from the kernel's account of the waited-for child). On a shared machine the
    CPU time says what the wall time would be with the cores free."""
    command = [sys.executable, "-m", "tui_app", "--db", str(db), "export", "--format", "xlsx",
               "-o", str(out), "--to", END.isoformat()]
    started = time.perf_counter()
    subprocess.run(command, check=True, capture_output=True)
    seconds = time.perf_counter() - started
    child = resource.getrusage(resource.RUSAGE_CHILDREN)
    return seconds, child.ru_maxrss / 1024, child.ru_utime + child.ru_stime


def anchor(db: Path, out: Path) -> tuple[float, dict[str, int]]:
    """xlsxwriter alone (constant memory) writing the same number of rows per sheet,
    cycling through each ledger's first SAMPLE rows: the cost of the cells themselves."""
    import xlsxwriter

    ctx = open_context(db)
    try:
        span = report_service.period(ctx, None, None, END)
        tables = report_service.ledger_tables(ctx, span)
        shapes = []
        for tab in tables:
            count, sample = 0, []
            for row in tab.rows:
                if len(sample) < SAMPLE:
                    sample.append(row)
                count += 1
            shapes.append((tab.name, tab.headers, sample, count))
    finally:
        ctx.close()
    started = time.perf_counter()
    book = xlsxwriter.Workbook(str(out), {"constant_memory": True})
    for name, headers, sample, count in shapes:
        sheet = book.add_worksheet(name[:31])
        sheet.write_row(0, 0, headers)
        for r, row in enumerate(islice(cycle(sample), count) if sample else (), start=1):
            sheet.write_row(r, 0, row)
    book.close()
    return time.perf_counter() - started, {name: count for name, _h, _s, count in shapes}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_db_arguments(parser)
    figures.add_option(parser)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="fieldlog-ledgers-"))
    db = filled_db(args, folder)
    load = os.getloadavg()[0]
    seconds, rss, cpu = export_in_process(db, folder / "export.xlsx")
    size_mb = (folder / "export.xlsx").stat().st_size / 2**20
    bare, counts = anchor(db, folder / "anchor.xlsx")
    rows = next(iter(counts.values()), 0)  # the first sheet: 检查台账, one row per inspection
    print(f"`fieldlog export --format xlsx`, whole campaign ({rows:,} inspections; "
          f"{sum(counts.values()):,} rows in all): {seconds:.1f} s ({cpu:.1f} s of CPU, load "
          f"{load:.1f} at its start), peak RSS {rss:.0f} MB, {size_mb:.0f} MB file "
          f"(targets ≤ {TARGET_S:.0f} s, ≤ {TARGET_MB:.0f} MB)")
    print(f"anchor: xlsxwriter alone writing the same rows: {bare:.1f} s "
          f"(the whole export takes {seconds / bare:.2f}× its time)")
    figures.write(args.json, {"rows": rows, "all_rows": sum(counts.values()),
                              "export_s": seconds, "export_cpu_s": cpu,
                              "load": load, "export_rss_mb": rss, "file_mb": size_mb,
                              "anchor_s": bare, "ratio": seconds / bare})
    if not args.keep:
        for path in folder.iterdir():
            path.unlink()
        folder.rmdir()


if __name__ == "__main__":
    main()
