"""The `--json FILE` option every bench shares: its key figures as one flat dict.

`bench/run_all.py` runs each bench as a subprocess and reads these files to build one
table of DESIGN.md §7, so every figure a ratio needs, the in-run anchors included, is
written under a stable name (numbers only: no nesting for the runner to know about).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path


def add_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", type=Path, metavar="FILE",
                        help="also write the key figures to FILE as a flat JSON dict")


def write(path: Path | None, figures: dict[str, float]) -> None:
    """Write `figures` (name → number) to `path`, if one was asked for."""
    if path is None:
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(figures, indent=2, sort_keys=True) + "\n", encoding="utf-8")
