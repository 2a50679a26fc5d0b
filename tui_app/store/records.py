"""Record revisions in the local database: the write path and the reads that page.

A write is one transaction: the record's current row, its revision (history), its
outbox change (for sync) and its tally facts. A record without its outbox row, or
tallies that disagree with the records, cannot exist.
"""

from __future__ import annotations

import json
import sqlite3
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from tui_app.domain.tally import Delta, MarkRow
from tui_app.store import search
from tui_app.store.db import Database
from tui_app.store.search import like_literal

if TYPE_CHECKING:  # merges loads only for a facts rebuild, not with every start
    from tui_app.store.merges import Conn

TABLES = {
    "entity": "entity",
    "inspection": "inspection",
    "case": '"case"',
    "complaint": "complaint",
    "activity": "activity",
}
JSON_COLUMNS = {"officers", "fields", "measures", "warnings", "attachments", "documents"}
LIST_COLUMNS = {"officers", "warnings", "attachments"}  # JSON lists; the others are objects
# The order in which a list shows records of each kind: newest first.
LIST_ORDER = {
    "inspection": "started_at",
    "case": "filed_on",
    "complaint": "received_at",
    "activity": "day",
    "entity": "name",
}


def _columns(conn: sqlite3.Connection, kind: str) -> list[str]:
    return [row[1] for row in conn.execute(f"PRAGMA table_info({TABLES[kind]})")]


class _ColumnCache:
    """Column names per table, read again only when the schema changed (a migration,
    possibly mid-upgrade on this very connection) or for another connection."""

    def __init__(self) -> None:
        self._cache: dict[tuple[int, str, int], list[str]] = {}

    def get(self, conn: sqlite3.Connection, kind: str) -> list[str]:
        key = (id(conn), kind, conn.execute("PRAGMA schema_version").fetchone()[0])
        if key not in self._cache:
            self._cache[key] = _columns(conn, kind)
        return self._cache[key]


_COLUMNS = _ColumnCache()


# Encoders made once: `json.dumps` with options builds a new encoder on every call,
# which cost a pulled page more than its SQL did. The same text as json.dumps gives.
_encode = json.JSONEncoder(ensure_ascii=False).encode
_encode_sorted = json.JSONEncoder(ensure_ascii=False, sort_keys=True).encode


def to_row(body: Mapping[str, Any], columns: Iterable[str]) -> list[Any]:
    """A body (nested JSON-able dict) → values for the table's columns, in order."""
    values = []
    for col in columns:
        value = body.get(col)
        if col in JSON_COLUMNS:
            value = _encode(value if value is not None else ([] if col in LIST_COLUMNS else {}))
        elif isinstance(value, bool):
            value = int(value)
        values.append(value)
    return values


def from_row(row: sqlite3.Row | tuple, columns: list[str]) -> dict[str, Any]:
    """A table row → the body dict (JSON columns parsed, voided as bool)."""
    body = dict(zip(columns, row, strict=True))
    for col in JSON_COLUMNS & body.keys():
        body[col] = json.loads(body[col]) if body[col] else None
    body["voided"] = bool(body.get("voided"))
    return body


@dataclass(frozen=True)
class Change:
    """One revision on its way to the store: the kind, the full row and its change id."""

    kind: str
    body: dict[str, Any]
    change_id: str


def write(db: Database, change: Change, tallies: Delta, *, outbox: bool = True) -> None:
    """Store a revision: current row (if newer), history, outbox, tallies; one transaction."""
    with db.transaction():
        write_in(db.conn, change, tallies, outbox=outbox)


def write_in(conn: sqlite3.Connection, change: Change, tallies: Delta, *,
             outbox: bool = True) -> None:
    """`write` inside the caller's transaction (a migration step has its own)."""
    body = change.body
    revision = _revision_row(change)
    columns = _COLUMNS.get(conn, change.kind)
    conn.execute(_upsert_sql(change.kind, columns), to_row(body, columns))
    conn.execute(REVISION_SQL, revision)
    if outbox:
        conn.execute(
            "INSERT INTO outbox (change_id, kind, record_id, rev, body, created_at) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            (change.change_id, change.kind, body["id"], body["rev"], revision[4],
             body["updated_at"]),
        )
    apply(conn, tallies)


def write_many_in(conn: sqlite3.Connection, changes: Sequence[Change], tallies: Delta) -> None:
    """Many revisions without outbox rows (a pulled page's new records), inside the
    caller's transaction: the same statements as `write_in`, one executemany per table
    (rows of a table in the order given), and the revisions' summed tally change once.

    The result equals `write_in` change by change when no two changes are of one record
    and `tallies` is the merge of their deltas (`domain.tally.merge`): facts add up, and
    the `latest` marks of distinct records never replace one another."""
    by_kind: dict[str, list[Change]] = {}
    for change in changes:
        by_kind.setdefault(change.kind, []).append(change)
    for kind, group in by_kind.items():
        columns = _COLUMNS.get(conn, kind)
        conn.executemany(_upsert_sql(kind, columns), [to_row(c.body, columns) for c in group])
    conn.executemany(REVISION_SQL, [_revision_row(c) for c in changes])
    apply(conn, tallies)


REVISION_SQL = "INSERT INTO revision (id, rev, kind, change_id, body) VALUES (?, ?, ?, ?, ?)"


def _upsert_sql(kind: str, columns: Sequence[str]) -> str:
    """The current row's upsert: a revision replaces it only when it is newer."""
    placeholders = ", ".join("?" for _ in columns)
    updates = ", ".join(f"{c} = excluded.{c}" for c in columns if c != "id")
    return (f"INSERT INTO {TABLES[kind]} ({', '.join(columns)}) VALUES ({placeholders}) "
            f"ON CONFLICT (id) DO UPDATE SET {updates} WHERE excluded.rev > rev")


def _revision_row(change: Change) -> tuple[Any, ...]:
    body = change.body
    return (body["id"], body["rev"], change.kind, change.change_id, _encode_sorted(body))


def apply(conn: sqlite3.Connection, tallies: Delta) -> None:
    """A save's whole change to the tallies: additive facts and `latest` marks."""
    apply_facts(conn, tallies.facts)
    apply_marks(conn, tallies.gone, tallies.added)


def _spelled(statement: str, mark: str) -> str:
    """`statement` with the driver's placeholder `mark` for each `?`."""
    return statement if mark == "?" else statement.replace("?", mark)


def apply_facts(conn: Conn, facts: Mapping[tuple[str, str, str, str], int],
                mark: str = "?") -> None:
    """Add fact deltas ((campaign, tally, day, key) → n) and drop rows that reach zero.

    Keyed facts also move their campaign-wide row in `tally_key` (see store/tallies.py).
    The central stores keep the same tables: `conn` is then theirs (a psycopg cursor
    with mark "%s"), as for `store.merges`.
    """
    if not facts:
        return
    rows = [(*fact, n) for fact, n in facts.items()]
    conn.executemany(_spelled(
        "INSERT INTO tally_fact (campaign, tally_id, day, key, n) VALUES (?, ?, ?, ?, ?) "
        "ON CONFLICT (campaign, tally_id, day, key) DO UPDATE SET n = tally_fact.n + excluded.n",
        mark), rows)
    conn.executemany(_spelled(
        "DELETE FROM tally_fact WHERE campaign = ? AND tally_id = ? AND day = ? AND key = ? AND n = 0",
        mark), [row[:4] for row in rows])
    keyed: Counter[tuple[str, str, str]] = Counter()
    for (campaign, tally_id, _day, key), n in facts.items():
        if key:
            keyed[(campaign, tally_id, key)] += n
    key_rows = [(*k, n) for k, n in keyed.items() if n]
    conn.executemany(_spelled(
        "INSERT INTO tally_key (campaign, tally_id, key, n) VALUES (?, ?, ?, ?) "
        "ON CONFLICT (campaign, tally_id, key) DO UPDATE SET n = tally_key.n + excluded.n",
        mark), key_rows)
    conn.executemany(_spelled(
        "DELETE FROM tally_key WHERE campaign = ? AND tally_id = ? AND key = ? AND n = 0",
        mark), [row[:3] for row in key_rows])


def apply_marks(conn: Conn, gone: Iterable[MarkRow], added: Iterable[MarkRow],
                mark: str = "?") -> None:
    """Delete, then insert, rows of `latest` tallies; then renew the latest row of every
    key they touched (one primary-key seek each), so a whole-campaign read finds it.
    (A central store's handle and mark serve as for `apply_facts`.)"""
    gone, added = list(gone), list(added)
    if not gone and not added:
        return
    conn.executemany(_spelled(
        "DELETE FROM tally_latest WHERE campaign = ? AND tally_id = ? AND key = ? AND moment = ? "
        "AND record_id = ? AND day = ?", mark), [row[:6] for row in gone])
    conn.executemany(_spelled(
        "INSERT INTO tally_latest (campaign, tally_id, key, moment, record_id, day, state)"
        " VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (campaign, tally_id, key, day, moment,"
        " record_id) DO UPDATE SET state = excluded.state", mark), added)
    renew_latest_keys(conn, sorted({row[:3] for row in gone + added}), mark)


def renew_latest_keys(conn: Conn, keys: Iterable[tuple[str, str, str]], mark: str = "?") -> None:
    """`tally_latest_key` rows of (campaign, tally, key): that key's latest mark, or none."""
    keys = list(keys)
    conn.executemany(_spelled(
        "DELETE FROM tally_latest_key WHERE campaign = ? AND tally_id = ? AND key = ?", mark), keys)
    conn.executemany(_spelled(
        "INSERT INTO tally_latest_key (campaign, tally_id, key, day, state) "
        "SELECT campaign, tally_id, key, day, state FROM tally_latest "
        "WHERE campaign = ? AND tally_id = ? AND key = ? "
        "ORDER BY day DESC, moment DESC, record_id DESC LIMIT 1", mark), keys)


def get(db: Database, kind: str, record_id: str) -> dict[str, Any] | None:
    columns = _COLUMNS.get(db.conn, kind)
    row = db.conn.execute(
        f"SELECT {', '.join(columns)} FROM {TABLES[kind]} WHERE id = ?", (record_id,)
    ).fetchone()
    return from_row(row, columns) if row else None


def find(db: Database, record_id: str) -> tuple[str, dict[str, Any]] | None:
    """Which kind a record id belongs to, with its current row; ids are unique across kinds."""
    row = db.conn.execute("SELECT kind FROM revision WHERE id = ? LIMIT 1", (record_id,)).fetchone()
    if row is None:
        return None
    body = get(db, row[0], record_id)
    return (row[0], body) if body else None


def find_by_fragment(db: Database, fragment: str, limit: int = 2) -> list[str]:
    """Ids starting or ending with `fragment`: lists show an id's last characters."""
    rows = db.conn.execute(
        r"SELECT DISTINCT id FROM revision WHERE (id >= ? AND id < ?) OR id LIKE ? ESCAPE '\' LIMIT ?",
        (fragment, fragment + "\uffff", f"%{like_literal(fragment)}", limit),
    )
    return [r[0] for r in rows]


def history(db: Database, record_id: str) -> list[dict[str, Any]]:
    """Every revision of a record, oldest first (enforcement history stays readable)."""
    rows = db.conn.execute(
        "SELECT body FROM revision WHERE id = ? ORDER BY rev", (record_id,)
    ).fetchall()
    return [json.loads(r[0]) for r in rows]


@dataclass(frozen=True)
class ListQuery:
    """A page of records: filters plus limit/offset (lists never load every row)."""

    kind: str = "inspection"
    campaign: str | None = None
    day_from: str | None = None
    day_to: str | None = None
    action: str | None = None
    entity_id: str | None = None
    text: str | None = None
    include_voided: bool = False
    limit: int = 50
    offset: int = 0


def _where(query: ListQuery, text: tuple[str, list[Any]] | None = None) -> tuple[str, list[Any]]:
    """The WHERE clause of a list query; `text` is the text filter's predicate, if any."""
    table = "e" if query.kind == "entity" else TABLES[query.kind]
    filters: list[tuple[Any, str]] = [(query.entity_id, "entity_id = ?")]
    if query.kind != "entity":  # an entity has no campaign, day or action
        filters = [(query.campaign, "campaign = ?"), (query.day_from, "day >= ?"),
                   (query.day_to, "day <= ?"), (query.action, "action = ?"), *filters]
    clauses = [f"{table}.{test}" for value, test in filters if value]
    params = [value for value, _test in filters if value]
    if not query.include_voided:
        clauses.append(f"{table}.voided = 0")
    if text:
        clauses.append(text[0])
        params += text[1]
    return (" WHERE " + " AND ".join(clauses)) if clauses else "", params


def _entity_text(text: str) -> tuple[str, list[Any]]:
    like = f"%{like_literal(text)}%"
    return r"(e.name LIKE ? ESCAPE '\' OR e.address LIKE ? ESCAPE '\')", [like, like]


def _sources(db: Database, query: ListQuery, *, counting: bool,
             plan: str | None = None) -> tuple[str, str, list[Any]]:
    """FROM and WHERE clauses (with their parameters) for a page or a count.

    A text filter over records is answered from the search index (store/search.py): its
    hits drive the query, unless they are so many that reading the list in its own
    order finds a page sooner (never for a count, which reads every match either way).
    `plan` forces "index", "scan" or "reference" (the plain predicate), for the tests.
    A NUL in the text is dropped: no key, argument or form can enter one, and SQLite's
    full-text query parser would stop at it ("unterminated string")."""
    kind, text = query.kind, (query.text or "").replace("\x00", "")
    if kind == "entity":
        where, params = _where(query, _entity_text(text) if text else None)
        return _from(kind), where, params
    table = TABLES[kind]
    if not text:
        where, params = _where(query)
        return (TABLES[kind] if counting else _from(kind)), where, params
    if plan is None:
        plan = "index" if counting or not search.is_dense(db.conn, kind, table, text) else "scan"
    if plan == "index":
        source, source_params = search.indexed_source(kind, table, text)
        where, params = _where(query)
        return f"{source} LEFT JOIN entity AS e ON e.id = {table}.entity_id", where, \
            [*source_params, *params]
    where, params = _where(query, search.reference_clause(kind, table, text))
    return _from(kind), where, params


def _from(kind: str) -> str:
    """FROM clause with the entity joined as `e` (an entity row is its own `e`)."""
    if kind == "entity":
        return "entity AS e"
    table = TABLES[kind]
    return f"{table} LEFT JOIN entity AS e ON e.id = {table}.entity_id"


def page(db: Database, query: ListQuery, *, plan: str | None = None) -> list[dict[str, Any]]:
    """One page of current rows, newest first, each with `entity_name` joined in."""
    table = "e" if query.kind == "entity" else TABLES[query.kind]
    columns = _COLUMNS.get(db.conn, query.kind)
    source, where, params = _sources(db, query, counting=False, plan=plan)
    order = LIST_ORDER[query.kind]
    direction = "" if query.kind == "entity" else " DESC"
    select = ", ".join(f"{table}.{c}" for c in columns)
    # Records sort by their local day first (the same order, as the day follows the time):
    # then the list index (campaign, voided, day, …) serves the order without a sort.
    by_day = f"{table}.day{direction}, " if query.kind != "entity" and order != "day" else ""
    sql = (
        f"SELECT {select}, e.name FROM {source}{where} "
        f"ORDER BY {by_day}{table}.{order}{direction}, {table}.id{direction} LIMIT ? OFFSET ?"
    )
    rows = db.conn.execute(sql, [*params, query.limit, query.offset]).fetchall()
    result = []
    for row in rows:
        body = from_row(row[:-1], columns)
        body["entity_name"] = row[-1]
        result.append(body)
    return result


def count(db: Database, query: ListQuery, *, plan: str | None = None) -> int:
    """How many rows `page` can show. The entity is joined only when the text filter needs
    it: the join costs a lookup per row and keeps the count off its covering index."""
    source, where, params = _sources(db, query, counting=True, plan=plan)
    return db.conn.execute(f"SELECT COUNT(*) FROM {source}{where}", params).fetchone()[0]


def search_entities(db: Database, text: str, limit: int = 20) -> list[dict[str, Any]]:
    """Entities whose name contains `text`, whose pinyin initials or USCC start with it."""
    text = text.strip()
    if not text:
        return []
    columns = _COLUMNS.get(db.conn, "entity")
    like = like_literal(text)  # % and _ typed by the user are characters, not wildcards
    rows = db.conn.execute(
        f"SELECT {', '.join(columns)} FROM entity WHERE voided = 0 AND "
        r"(name LIKE ? ESCAPE '\' OR initials LIKE ? ESCAPE '\' OR uscc LIKE ? ESCAPE '\') "
        r"ORDER BY (uscc = ?) DESC, (name = ?) DESC, (initials LIKE ? ESCAPE '\') DESC, "
        "length(name), name LIMIT ?",
        (f"%{like}%", f"{like.lower()}%", f"{like.upper()}%", text.upper(), text,
         f"{like.lower()}%", limit),
    ).fetchall()
    return [from_row(r, columns) for r in rows]


def resolve_entity(db: Database, ref: str) -> str | None:
    """An entity id from a USCC or an exact name (import files name entities so); a
    merged entity resolves to its survivor."""
    row = db.conn.execute(
        "SELECT COALESCE(m.survivor, e.id) FROM entity AS e LEFT JOIN entity_merge AS m "
        "ON m.loser = e.id WHERE (e.voided = 0 OR m.survivor IS NOT NULL) "
        "AND (e.uscc = ? OR e.name = ? OR e.id = ?) ORDER BY e.voided, (e.uscc = ?) DESC LIMIT 1",
        (ref.upper(), ref, ref, ref.upper()),
    ).fetchone()
    return row[0] if row else None
