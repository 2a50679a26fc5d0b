"""The Textual face of FieldLog: `run(db_path)` opens the app.

Textual is imported only inside `run`, so importing `tui_app.ui` (or anything next
to it) costs nothing for the CLI commands that never open the app.
"""

from __future__ import annotations

from pathlib import Path


def run(db_path: Path) -> None:
    """Open the app on the local database at `db_path` until the inspector quits."""
    from tui_app.ui.app import FieldLogApp

    FieldLogApp(db_path).run()
