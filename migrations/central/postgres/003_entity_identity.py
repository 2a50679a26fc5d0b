"""Central migration 003 (PostgreSQL): one entity identity; see tui_app/sync/repair.py."""

from tui_app.sync import repair


def upgrade(cur):  # noqa: ANN001, ANN201 - the runner's psycopg cursor
    repair.upgrade(cur, "%s")
