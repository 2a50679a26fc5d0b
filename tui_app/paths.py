"""Where FieldLog keeps its files: the platform's data directory unless told otherwise."""

from __future__ import annotations

import os
from pathlib import Path

APP = "fieldlog"
PACKS_DIR = Path(__file__).resolve().parent / "packs"  # the shipped packs, inside the package


def data_dir() -> Path:
    from platformdirs import user_data_path

    return user_data_path(APP, appauthor=False)


def default_db() -> Path:
    """`FIELDLOG_DB` wins over the platform default, so tests and scripts can redirect it."""
    env = os.environ.get("FIELDLOG_DB")
    return Path(env) if env else data_dir() / "fieldlog.db"


def demo_db() -> Path:
    """The demo lives in its own file: it never touches the inspector's real records."""
    env = os.environ.get("FIELDLOG_DEMO_DB")
    return Path(env) if env else data_dir() / "demo.db"
