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
