"""What the benches share: the `--json FILE` option, a scratch PostgreSQL schema, and the
environment of the `fieldlog` processes they time.

`bench/run_all.py` runs each bench as a subprocess and reads these files to build one
table of DESIGN.md §7, so every figure a ratio needs, the in-run anchors included, is
written under a stable name (numbers only: no nesting for the runner to know about).
"""

from __future__ import annotations

import argparse
import json
import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

# Children cache their bytecode as an installed app does (pip compiles on install; an
# editable install writes __pycache__ on first run). A shell that sets
# PYTHONDONTWRITEBYTECODE would otherwise make FieldLog recompile its own modules on
# every start, which no user sees (~0.1 s of a `fieldlog tally` on this machine).
CHILD_ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def add_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", type=Path, metavar="FILE",
                        help="also write the key figures to FILE as a flat JSON dict")


def write(path: Path | None, figures: dict[str, float]) -> None:
    """Write `figures` (name → number) to `path`, if one was asked for."""
    if path is None:
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(figures, indent=2, sort_keys=True) + "\n", encoding="utf-8")


@contextmanager
def scratch_schema(base: str) -> Iterator[str]:
    """A URL into a fresh schema of the PostgreSQL at `base`, dropped afterwards: each run
    measures an empty central store and leaves nothing behind in the shared database."""
    import psycopg  # only the PostgreSQL runs need it

    schema = f"bench_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(base, autocommit=True) as admin:
        admin.execute(f"CREATE SCHEMA {schema}")
        try:
            yield f"{base}?options=-csearch_path%3D{schema}"
        finally:
            admin.execute(f"DROP SCHEMA {schema} CASCADE")
