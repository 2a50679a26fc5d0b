"""Bench: N simulated laptops syncing at once into one PostgreSQL central store (docs/scale.md).

Each simulated laptop is its own process with its own connection, as a laptop in the
evening peak: it pushes its day's records through the real sync path
(`CentralStore.push`, batches of --batch) and then pulls what is new. For each N the
run measures the total throughput (records pushed per second, and changes pushed +
pulled per second) and the p50/p95 of one push batch and of one whole sync (push, then
pull). Bounded: at most --max-n laptops, --records each, and --budget seconds per N (a
laptop stops early when the budget is spent, and says so).

    .venv/bin/python bench/bench_scale.py [--ns 1 2 4 8 16] [--records 2000] [--pg URL]
"""

from __future__ import annotations

import argparse
import multiprocessing
import statistics
import time

import figures
from bench_sync import make_changes

from tui_app.sync.central import initialise, open_central

PG_DEFAULT = "postgresql://postgres@127.0.0.1:5432/test"


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))] if ordered else 0.0


def laptop(args: tuple[str, int, int, int, float, float]) -> dict[str, object]:
    """One laptop's evening: push `records` in batches, then pull to the end (own process)."""
    url, index, records, batch, start_at, budget = args
    inspector = f"32{index:05d}"
    changes = make_changes(records, inspector=inspector, device=f"laptop-{index}")
    store = open_central(url)
    while time.time() < start_at:  # every laptop starts together: the evening peak
        time.sleep(0.001)
    pushes, pushed, began, began_at = [], 0, time.perf_counter(), time.time()
    try:
        for i in range(0, records, batch):
            if time.perf_counter() - began > budget:
                break
            t = time.perf_counter()
            results = store.push(inspector, f"laptop-{index}", changes[i:i + batch])
            pushes.append(time.perf_counter() - t)
            pushed += sum(r.status == "applied" for r in results)
        cursor, pulled = None, 0
        while time.perf_counter() - began <= budget:
            page = store.pull(cursor, 1000)
            pulled += len(page.changes)
            cursor = page.next_cursor
            if not page.more:
                break
    finally:
        store.close()
    return {"pushes": pushes, "pushed": pushed, "pulled": pulled,
            "sync_s": time.perf_counter() - began, "began": began_at, "ended": time.time()}


def run(url: str, n: int, records: int, batch: int, budget: float) -> dict[str, float]:
    initialise(url)
    start_at = time.time() + 3.0 + 0.2 * n  # time for every process to start and get ready
    with multiprocessing.get_context("spawn").Pool(n) as pool:
        done = pool.map(laptop, [(url, i, records, batch, start_at, budget) for i in range(n)])
    # from the first laptop's start to the last one's end: process starts are not counted
    wall = max(d["ended"] for d in done) - min(d["began"] for d in done)
    pushes = [p for d in done for p in d["pushes"]]
    syncs = [d["sync_s"] for d in done]
    pushed = sum(d["pushed"] for d in done)
    pulled = sum(d["pulled"] for d in done)
    return {"n": n, "pushed": pushed, "pulled": pulled, "wall_s": wall,
            "records_per_s": pushed / wall, "changes_per_s": (pushed + pulled) / wall,
            "push_p50_ms": statistics.median(pushes) * 1000, "push_p95_ms": _pct(pushes, 0.95) * 1000,
            "sync_p50_s": statistics.median(syncs), "sync_p95_s": _pct(syncs, 0.95),
            "complete": float(pushed == n * records)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ns", type=int, nargs="+", default=[1, 2, 4, 8, 16])
    parser.add_argument("--records", type=int, default=2000, help="records each laptop pushes")
    parser.add_argument("--batch", type=int, default=500)
    parser.add_argument("--budget", type=float, default=60.0, help="seconds per laptop, at most")
    parser.add_argument("--max-n", type=int, default=32)
    parser.add_argument("--pg", default=PG_DEFAULT)
    figures.add_option(parser)
    args = parser.parse_args()
    out: dict[str, float] = {}
    print(f"{'laptops':>8} {'records':>9} {'wall s':>8} {'pushed/s':>10} {'push p50':>9} "
          f"{'push p95':>9} {'sync p50':>9} {'sync p95':>9}")
    for n in [n for n in args.ns if n <= args.max_n]:
        with figures.scratch_schema(args.pg) as url:
            row = run(url, n, args.records, args.batch, args.budget)
        print(f"{n:>8} {row['pushed']:>9,.0f} {row['wall_s']:>8.2f} {row['records_per_s']:>10,.0f} "
              f"{row['push_p50_ms']:>7.0f}ms {row['push_p95_ms']:>7.0f}ms {row['sync_p50_s']:>8.2f}s "
              f"{row['sync_p95_s']:>8.2f}s  (+ {row['pulled']:,.0f} pulled: "
              f"{row['changes_per_s']:,.0f} changes/s in all)"
              + ("" if row["complete"] else "  (budget hit)"),
              flush=True)
        out.update({f"n{n}_{k}": v for k, v in row.items()})
    figures.write(args.json, out)


if __name__ == "__main__":
    main()
