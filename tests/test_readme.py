"""README's marked command blocks run as shown, on a fresh database.

A block is run when the line just before its opening fence is the marker
`<!-- readme-test -->` (an HTML comment, invisible on GitHub). Blocks without it are
not run: those that open the app, serve (`fieldlog serve`), or name a path the reader
fills in. Each line of a marked block that starts with `fieldlog` is run as its own
process with the installed `fieldlog` command, from the repository's folder (where
README's relative paths point), against the test's own database (FIELDLOG_DB); a
trailing `# comment` is dropped. Every command must exit 0.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MARKER = "<!-- readme-test -->"
BLOCK = re.compile(rf"^{re.escape(MARKER)}\n```[a-z]*\n(.*?)^```", re.S | re.M)


def marked_commands(text: str) -> list[str]:
    commands = []
    for block in BLOCK.findall(text):
        for line in block.splitlines():
            line = line.split("  #", 1)[0].strip()
            if line.startswith("fieldlog "):
                commands.append(line)
    return commands


def fieldlog_command() -> list[str]:
    script = shutil.which("fieldlog", path=str(Path(sys.executable).parent))
    return [script] if script else [sys.executable, "-m", "tui_app"]


def test_the_marker_finds_the_first_steps() -> None:
    commands = marked_commands((ROOT / "README.md").read_text(encoding="utf-8"))
    assert commands[0].startswith("fieldlog init")
    assert any("entity import samples/" in c for c in commands)
    assert not any(c.startswith("fieldlog serve") or "<" in c for c in commands)


def test_every_marked_command_runs_as_shown(tmp_path: Path) -> None:
    env = {**os.environ, "FIELDLOG_DB": str(tmp_path / "readme.db"), "PYTHONDONTWRITEBYTECODE": "1"}
    for command in marked_commands((ROOT / "README.md").read_text(encoding="utf-8")):
        args = [*fieldlog_command(), *shlex.split(command)[1:]]
        done = subprocess.run(args, cwd=ROOT, env=env, capture_output=True, text=True, timeout=60,
                              stdin=subprocess.DEVNULL)
        assert done.returncode == 0, f"{command}\n{done.stdout}\n{done.stderr}"
        assert "Traceback" not in done.stderr
