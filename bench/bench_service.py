"""The HTTP sync service under load (DESIGN.md §7): laptops pushing at once through
`fieldlog serve --workers N` into PostgreSQL, beside a raw COPY of the same rows.

Each simulated laptop has its own token and pushes its own records in batches, all at
the same time, through the real client transport (`sync/http_client.py`) over loopback.
Reported: records/s end to end (first request to last answer), the p50/p95 latency of
one batch, and a raw COPY of the same rows in the same run (the floor). Then every
record is checked to be stored exactly once, and the time the service's catch-up takes
after the burst to bring the district figures up to the log is reported (it waits for
pushes to pause). Target ≥ 20k records/s, p95 ≤ 1 s.

    python bench/bench_service.py [--laptops 20] [--records 5000] [--batch 500]
                                  [--workers 2] [--pg URL] [--json FILE]
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import uuid
from dataclasses import dataclass, field

import figures
from bench_sync import batches, make_changes, raw_copy

from tui_app.services import service
from tui_app.sync.central import initialise
from tui_app.sync.http_client import HttpCentral
from tui_app.sync.protocol import Change

PG_DEFAULT = "postgresql://postgres@127.0.0.1:5432/test"


@dataclass
class Run:
    seconds: float = 0.0
    latencies: list[float] = field(default_factory=list)
    statuses: dict[str, int] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)


def laptop_changes(inspector: str, n: int) -> list[Change]:
    """N new inspections of one inspector, as its laptop's outbox holds them."""
    return [Change(c.change_id, c.kind, c.record_id, 1, {**c.body, "inspector_id": inspector})
            for c in make_changes(n)]


def start_service(url: str, workers: int) -> tuple[subprocess.Popen[bytes], str]:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    proc = subprocess.Popen([sys.executable, "-m", "tui_app", "serve", "--store", url, "--port",
                             str(port), "--workers", str(workers), "--rate", "100000"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    import httpx

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(base + "/healthz", timeout=1).status_code == 200:
                return proc, base
        except httpx.HTTPError:
            time.sleep(0.1)
    os.killpg(proc.pid, signal.SIGKILL)
    raise SystemExit("the service did not start")


def push_all(base: str, tokens: list[str], work: list[list[Change]], size: int) -> Run:
    """Every laptop pushes its batches at once, each on its own thread and connection."""
    run = Run()
    lock = threading.Lock()
    start = threading.Barrier(len(tokens) + 1)

    def laptop(token: str, changes: list[Change]) -> None:
        central = HttpCentral(base, token, timeout=120)
        try:
            central.epoch()
            start.wait()
            for batch in batches(changes, size):
                began = time.perf_counter()
                results = central.push("-", "bench", batch)
                took = time.perf_counter() - began
                with lock:
                    run.latencies.append(took)
                    for r in results:
                        run.statuses[r.status] = run.statuses.get(r.status, 0) + 1
        except Exception as exc:  # noqa: BLE001 - reported, and the run counts as failed
            with lock:
                run.errors.append(f"{type(exc).__name__}: {exc}")
            start.abort()
        finally:
            central.close()

    threads = [threading.Thread(target=laptop, args=pair) for pair in zip(tokens, work,
                                                                           strict=True)]
    for thread in threads:
        thread.start()
    start.wait()
    began = time.perf_counter()
    for thread in threads:
        thread.join()
    run.seconds = time.perf_counter() - began
    return run


def cpu_seconds(pid: int) -> float:
    """CPU time (user + system) of a process and its children that still run: the
    service's workers are the children of `serve`."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0.0
    try:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
        total += (int(fields[11]) + int(fields[12])) / ticks
        with open(f"/proc/{pid}/task/{pid}/children") as children:
            total += sum(cpu_seconds(int(child)) for child in children.read().split())
    except OSError:  # not Linux, or the process is gone: the diagnostic is left out
        pass
    return total


def caught_up_after(url: str, timeout: float = 300.0) -> float:
    """Seconds until the service's catch-up has brought the district figures up to the
    whole log (it runs once pushes pause, not inside the burst): the figures' own lag."""
    import psycopg

    began = time.perf_counter()
    with psycopg.connect(url, autocommit=True) as conn:
        last = conn.execute("SELECT xid::text || ':' || seq FROM change"
                            " ORDER BY xid DESC, seq DESC LIMIT 1").fetchone()[0]
        while time.perf_counter() - began < timeout:
            if conn.execute("SELECT v FROM meta WHERE k = 'materialized'").fetchone()[0] == last:
                return time.perf_counter() - began
            time.sleep(0.1)
    raise SystemExit("the district figures did not catch up")


def stored_once(url: str, work: list[list[Change]]) -> tuple[int, int]:
    """(rows in the central log, of them the records pushed, each counted once)."""
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        total = conn.execute("SELECT COUNT(*) FROM change").fetchone()[0]
        ids = [c.change_id for changes in work for c in changes]
        found = conn.execute("SELECT COUNT(DISTINCT change_id) FROM change"
                             " WHERE change_id = ANY(%s)", (ids,)).fetchone()[0]
    return total, found


def run_load(pg_base: str, laptops: int, records: int, size: int, workers: int,
             with_copy: bool = True) -> dict[str, float]:
    """One whole run in a fresh schema; the figures, after checking exactly-once."""
    import psycopg

    schema = f"fl_bench_{uuid.uuid4().hex[:10]}"
    admin = psycopg.connect(pg_base, autocommit=True)
    admin.execute(f"CREATE SCHEMA {schema}")
    url = f"{pg_base}?options=-csearch_path%3D{schema}"
    proc = None
    try:
        initialise(url)
        work = [laptop_changes(f"32010{i:02d}", records) for i in range(laptops)]
        copy_s = raw_copy(url, [c for changes in work for c in changes], size) if with_copy else 0
        tokens = [service.issue_token(url, f"32010{i:02d}")[1] for i in range(laptops)]
        proc, base = start_service(url, workers)
        client_cpu, service_cpu = time.process_time(), cpu_seconds(proc.pid)
        run = push_all(base, tokens, work, size)
        client_cpu = time.process_time() - client_cpu
        service_cpu = cpu_seconds(proc.pid) - service_cpu
        if run.errors:
            raise SystemExit(f"{len(run.errors)} laptop(s) failed: {run.errors[0]}")
        catch_up_s = caught_up_after(url)
        total, found = stored_once(url, work)
        n = laptops * records
        if (total, found, run.statuses.get("applied")) != (n, n, n):
            raise SystemExit(f"not exactly once: {total} rows, {found} of {n} found, "
                             f"answers {run.statuses}")
    finally:
        if proc is not None:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(timeout=30)
        admin.execute(f"DROP SCHEMA {schema} CASCADE")
        admin.close()
    latencies = sorted(run.latencies)
    p95 = latencies[max(0, int(len(latencies) * 0.95) - 1)]
    out = {"records": n, "laptops": laptops, "batch": size, "workers": workers,
           "service_s": run.seconds, "service_records_per_s": n / run.seconds,
           "batch_p50_s": statistics.median(latencies), "batch_p95_s": p95,
           "catch_up_s": catch_up_s, "client_cpu_s": client_cpu, "service_cpu_s": service_cpu}
    if with_copy:
        out.update(raw_copy_s=copy_s, raw_copy_rows_per_s=n / copy_s,
                   service_ratio=run.seconds / copy_s)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--laptops", type=int, default=20)
    parser.add_argument("--records", type=int, default=5000, help="records per laptop")
    parser.add_argument("--batch", type=int, default=500)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--pg", default=os.environ.get("FIELDLOG_TEST_PG", PG_DEFAULT))
    figures.add_option(parser)
    args = parser.parse_args()
    out = run_load(args.pg, args.laptops, args.records, args.batch, args.workers)
    print(f"service: {out['records']:,} records from {args.laptops} laptops in batches of "
          f"{args.batch} through {args.workers} workers: {out['service_s']:.2f} s = "
          f"{out['service_records_per_s']:,.0f} records/s (target >= 20,000); batch p50 "
          f"{out['batch_p50_s'] * 1000:.0f} ms, p95 {out['batch_p95_s'] * 1000:.0f} ms "
          f"(target <= 1000 ms); raw COPY of the same rows {out['raw_copy_s']:.2f} s "
          f"({out['raw_copy_rows_per_s']:,.0f} rows/s) = {out['service_ratio']:.2f}x its time; "
          f"every record stored exactly once; district figures caught up "
          f"{out['catch_up_s']:.1f} s after the last answer; CPU during the pushes: laptops "
          f"{out['client_cpu_s']:.1f} s, service {out['service_cpu_s']:.1f} s")
    figures.write(args.json, out)


if __name__ == "__main__":
    main()
