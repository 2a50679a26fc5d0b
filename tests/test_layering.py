"""The layering DESIGN.md asks for, proven in a fresh interpreter (as Harlequin does)."""

from __future__ import annotations

import subprocess
import sys


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
    from pathlib import Path

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
