"""`tui_app.ui` costs nothing until `run` is called (the CLI imports it for `fieldlog ui`)."""

from __future__ import annotations

import subprocess
import sys


def test_importing_the_ui_package_loads_no_textual() -> None:
    code = "import sys, tui_app.ui\nprint(any(m.split('.')[0] == 'textual' for m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
