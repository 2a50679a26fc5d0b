"""Processes that write in a loop until killed, for the crash tests (test_crash_writes.py).

They run in children of a multiprocessing forkserver that has FieldLog imported
already, so a child is saving within milliseconds of its start and fifty kills take
seconds, not the half second of interpreter start each. Every write that returned is
reported on the pipe *after* it returned: what the parent received is what FieldLog
told the user was saved.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
from multiprocessing.connection import Connection
from pathlib import Path

import tui_app.cli  # noqa: F401 - preloaded in the forkserver
from tui_app.services import importer
from tui_app.services import record as record_service
from tui_app.services.context import open_context

OFFICERS = [{"name": "张三", "badge": "3201001"}, {"name": "李四", "badge": "3201002"}]


def inspection(n: int) -> dict[str, object]:
    return {"action": "food", "place": f"摊位{n}", "started_at": "2026-09-21T10:00",
            "officers": OFFICERS, "fields": {"place_type": "其他", "cold_chain": n % 2 == 0},
            "findings": f"第{n}次", "measures": {"directives": n % 3}}


def save_with_services(db: str, pipe: Connection, start: int) -> None:
    """Add inspections, edit every third and void every seventh, through the service API
    (what the app's forms call); report (id, rev) after each returned."""
    ctx = open_context(db)
    pipe.send(("ready", "", 0))
    n = start
    while True:
        saved = record_service.add(ctx, "inspection", inspection(n))
        pipe.send(("saved", saved.id, saved.rev))
        if n % 3 == 0:
            edited = record_service.edit(ctx, saved.id, {"findings": f"第{n}次（复查）"})
            pipe.send(("saved", edited.id, edited.rev))
        if n % 7 == 0:
            voided = record_service.void(ctx, saved.id, "录入重复")
            pipe.send(("saved", voided.id, voided.rev))
        n += 1


def save_with_cli(db: str, pipe: Connection, start: int) -> None:
    """`fieldlog record add` again and again in one process (each opens the database as
    the command does); report the id the command printed."""
    from tui_app.cli import cli

    pipe.send(("ready", "", 0))
    n = start
    while True:
        out = io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(io.StringIO()):
            try:
                cli.main(["--lang", "en", "--db", db, "record", "add", "--action", "food",
                          "--place", f"摊位{n}", "--at", "2026-09-21T10:00",
                          "--officer", "张三:3201001", "--officer", "李四:3201002",
                          "--field", "place_type=其他", "--findings", f"第{n}次"],
                         prog_name="fieldlog", standalone_mode=False)
            except SystemExit:
                pass
        printed = out.getvalue().split()
        if "Saved" in printed:
            pipe.send(("saved", printed[printed.index("Saved") + 2], 1))
        n += 1


def run_import(db: str, pipe: Connection, path: str) -> None:
    ctx = open_context(db)
    pipe.send(("ready", "", 0))
    report = importer.import_file(ctx, Path(path))
    pipe.send(("imported", str(report.added), int(report.committed)))
    os._exit(0)


def import_file(folder: Path, n: int, round_: int) -> Path:
    """`n` inspections with fresh UUIDs, one file per kill round."""
    import uuid

    path = folder / f"import-{round_}.jsonl"
    lines = [{"type": "inspection", "id": str(uuid.uuid4()), **inspection(i)} for i in range(n)]
    path.write_text("\n".join(json.dumps(x, ensure_ascii=False) for x in lines), encoding="utf-8")
    return path
