"""Central migration 003 (SQLite): one entity identity; see tui_app/sync/repair.py."""

from tui_app.sync import repair


def upgrade(conn):  # noqa: ANN001, ANN201 - the runner's sqlite3 connection
    repair.upgrade(conn, "?")
