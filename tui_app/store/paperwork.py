"""Local state of the 执法文书: packs' templates (imported, or pulled and fetched by hash)
and the 文号 blocks.

A block is a range of numbers of one series (a number pattern) in one year that the
central store handed this laptop; numbers are taken from it in order, and without a
block a device-prefixed local sequence keeps numbers unique all the same.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping

from tui_app.store.db import Database


def put_templates(db: Database, pack_id: str, files: Mapping[str, bytes]) -> None:
    with db.transaction() as conn:
        conn.execute("DELETE FROM pack_template WHERE pack_id = ?", (pack_id,))
        conn.execute("DELETE FROM pack_template_due WHERE pack_id = ?", (pack_id,))
        conn.executemany("INSERT INTO pack_template (pack_id, path, content) VALUES (?, ?, ?)",
                         [(pack_id, path, content) for path, content in files.items()])


def template(db: Database, pack_id: str, path: str) -> bytes | None:
    row = db.conn.execute("SELECT content FROM pack_template WHERE pack_id = ? AND path = ?",
                          (pack_id, path)).fetchone()
    return bytes(row[0]) if row else None


def templates(db: Database, pack_id: str) -> dict[str, bytes]:
    return {path: bytes(content) for path, content in db.conn.execute(
        "SELECT path, content FROM pack_template WHERE pack_id = ?", (pack_id,))}


def expect_templates(db: Database, pack_id: str, wanted: Mapping[str, tuple[str, int]]) -> None:
    """A pulled pack names these templates (path → hash, size): the ones held with other
    bytes (or not named) go, the rest are due (inside the caller's transaction)."""
    held = templates(db, pack_id)
    db.conn.execute("DELETE FROM pack_template_due WHERE pack_id = ?", (pack_id,))
    for path, content in list(held.items()):
        if path not in wanted or hashlib.sha256(content).hexdigest() != wanted[path][0]:
            db.conn.execute("DELETE FROM pack_template WHERE pack_id = ? AND path = ?",
                            (pack_id, path))
            held.pop(path)
    db.conn.executemany(
        "INSERT INTO pack_template_due (pack_id, path, sha256, size) VALUES (?, ?, ?, ?)",
        [(pack_id, path, sha, size) for path, (sha, size) in wanted.items() if path not in held])


def due(db: Database) -> list[tuple[str, int]]:
    return db.conn.execute("SELECT DISTINCT sha256, size FROM pack_template_due "
                           "ORDER BY sha256").fetchall()


def is_due(db: Database, pack_id: str, path: str) -> bool:
    return db.conn.execute("SELECT 1 FROM pack_template_due WHERE pack_id = ? AND path = ?",
                           (pack_id, path)).fetchone() is not None


def install(db: Database, sha256: str, content: bytes) -> None:
    """Fetched bytes (checked against `sha256`) become every due template of that hash."""
    with db.transaction() as conn:
        conn.execute("INSERT INTO pack_template (pack_id, path, content) SELECT pack_id, path, ? "
                     "FROM pack_template_due WHERE sha256 = ? ON CONFLICT (pack_id, path) DO "
                     "UPDATE SET content = excluded.content", (content, sha256))
        conn.execute("DELETE FROM pack_template_due WHERE sha256 = ?", (sha256,))


def left_in_blocks(db: Database, series: str, year: int) -> int:
    return db.conn.execute(
        "SELECT COALESCE(SUM(last - next + 1), 0) FROM doc_block WHERE series = ? AND year = ? "
        "AND next <= last", (series, year)).fetchone()[0]


def highest(db: Database, series: str, year: int) -> int:
    """The last number of any block held, so a restored central store cannot hand it again."""
    return db.conn.execute("SELECT COALESCE(MAX(last), 0) FROM doc_block WHERE series = ? AND year = ?",
                           (series, year)).fetchone()[0]


def add_block(db: Database, series: str, year: int, first: int, last: int, epoch: str) -> None:
    with db.transaction() as conn:
        conn.execute("INSERT INTO doc_block (series, year, first, last, next, epoch) "
                     "VALUES (?, ?, ?, ?, ?, ?)", (series, year, first, last, first, epoch))


def take_from_block(db: Database, series: str, year: int) -> int | None:
    """The next number of the oldest block with one left (inside the caller's transaction)."""
    row = db.conn.execute(
        "SELECT first, next FROM doc_block WHERE series = ? AND year = ? AND next <= last "
        "ORDER BY first LIMIT 1", (series, year)).fetchone()
    if row is None:
        return None
    db.conn.execute("UPDATE doc_block SET next = next + 1 WHERE series = ? AND year = ? AND first = ?",
                    (series, year, row[0]))
    return row[1]


def take_local(db: Database, series: str, year: int) -> int:
    """The next number of this laptop's own sequence for `series` (no block at hand)."""
    key = f"docseq:{year}:{series}"
    row = db.conn.execute("SELECT v FROM setting WHERE k = ?", (key,)).fetchone()
    n = int(row[0]) + 1 if row else 1
    db.conn.execute("INSERT INTO setting (k, v) VALUES (?, ?) ON CONFLICT (k) DO UPDATE SET v = excluded.v",
                    (key, str(n)))
    return n
