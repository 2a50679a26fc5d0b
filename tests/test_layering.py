"""The layering DESIGN.md asks for, proven in a fresh interpreter (as Harlequin does)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path


def _modules_after(imports: str) -> set[str]:
    code = f"import sys\n{imports}\nprint('\\n'.join(sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return set(out.stdout.split())


def test_cli_and_lower_layers_never_load_textual() -> None:
    loaded = _modules_after(
        "import tui_app.cli, tui_app.domain.pack, tui_app.domain.records, tui_app.domain.tally, "
        "tui_app.store.records, tui_app.services.record, tui_app.services.importer, "
        "tui_app.services.tally"
    )
    assert not any(m == "textual" or m.startswith("textual.") for m in loaded)


def test_domain_loads_no_sqlite() -> None:
    loaded = _modules_after(
        "import tui_app.domain.pack, tui_app.domain.records, tui_app.domain.tally, "
        "tui_app.domain.uscc, tui_app.domain.values, tui_app.domain.ids"
    )
    assert "sqlite3" not in loaded and "_sqlite3" not in loaded


def test_faces_call_services_never_the_store_sync_or_report() -> None:
    """cli/ and ui/ are thin: SQL and rules live below them, reached through services."""
    import ast

    import tui_app

    root = Path(tui_app.__file__).parent
    offenders = []
    for face in ("cli", "ui"):
        for path in (root / face).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                names = ([node.module or ""] if isinstance(node, ast.ImportFrom)
                         else [a.name for a in node.names] if isinstance(node, ast.Import) else [])
                for name in names:
                    if name.split(".")[:2] in (["tui_app", "store"], ["tui_app", "sync"],
                                               ["tui_app", "report"]) or "sqlite3" in name:
                        offenders.append(f"{path.relative_to(root)}: {name}")
    assert offenders == []


def test_the_dashboard_start_loads_only_what_it_shows(tmp_path) -> None:  # noqa: ANN001
    """The app's start (its imports, opening the database, the first snapshot) leaves
    out what it does not show: the official calendar (only an open case or complaint is
    timed), entity identity and merges (a facts rebuild), and an unused shipped pack's
    parse (a later start finds both installed as shipped; with a campaign chosen, only
    its pack is read)."""
    from tui_app.services.context import open_context

    db = tmp_path / "start.db"
    with open_context(db) as first:  # the first start installs the packs
        first.update_settings({"campaign": "zhongqiu"})
    code = (
        "import datetime as dt, sys\n"
        "import tui_app.ui.app\n"
        "from tui_app.domain import pack\n"
        "from tui_app.services import context, dashboard\n"
        f"ctx = context.open_context({str(db)!r})\n"
        "dashboard.snapshot(ctx, dt.date(2026, 9, 21))\n"
        "print(pack._parsed_text.cache_info().misses)\n"
        "print('\\n'.join(sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    parses, *loaded = out.stdout.split()
    assert parses == "1"  # the chosen campaign's pack only
    assert {"chinese_calendar", "tui_app.domain.identity", "tui_app.store.merges"}.isdisjoint(loaded)


# What a `fieldlog tally` (local or central) has no use for: the other commands' modules
# (each command is loaded lazily, tui_app/cli/__init__.py), the heavy libraries of the
# paths that use them (reports, ledgers, PostgreSQL, HTTP, pinyin, the official
# calendar) and the blob machinery a store only needs to receive files.
NOT_FOR_A_TALLY = (
    "tui_app.cli.campaign", "tui_app.cli.records", "tui_app.cli.report", "tui_app.cli.sync",
    "tui_app.cli.evidence", "tui_app.cli.service", "tui_app.services.campaign",
    "tui_app.services.attachments", "tui_app.services.report", "tui_app.services.sync",
    "docx", "jinja2", "openpyxl", "psycopg", "httpx", "pypinyin", "chinese_calendar",
    "fastapi", "textual", "importlib.resources", "tui_app.store.blobs", "concurrent.futures",
)


def _command_modules(args: list[str], out: Path) -> set[str]:
    """The modules a fresh `fieldlog ARGS` process has loaded when it exits."""
    code = ("import atexit, pathlib, runpy, sys\n"
            f"atexit.register(lambda: pathlib.Path({str(out)!r}).write_text('\\n'.join(sys.modules)))\n"
            f"sys.argv = ['fieldlog', *{args!r}]\n"
            "runpy.run_module('tui_app', run_name='__main__')\n")
    subprocess.run([sys.executable, "-c", code], capture_output=True, check=True)
    return set(out.read_text().split())


def test_a_tally_command_loads_only_its_own_path(tmp_path: Path) -> None:
    """`fieldlog tally`, over the laptop and over a central SQLite file, leaves out the
    modules of NOT_FOR_A_TALLY (an eager import added back anywhere on the path fails
    here), and still answers."""
    from click.testing import CliRunner

    from tui_app.cli import cli

    db, url = tmp_path / "laptop.db", f"sqlite:///{tmp_path / 'central.db'}"
    for args in (["central", "init", url], ["--db", str(db), "campaign", "use", "zhongqiu"]):
        assert CliRunner().invoke(cli, args).exit_code == 0
    for args in (["tally", "--format", "json"],
                 ["tally", "--scope", "central", "--central", url, "--format", "json"]):
        loaded = _command_modules(["--db", str(db), *args], tmp_path / "modules.txt")
        assert "tui_app.cli.tally" in loaded
        unwanted = sorted(m for m in loaded for name in NOT_FOR_A_TALLY
                          if m == name or m.startswith(name + "."))
        assert unwanted == [], args
