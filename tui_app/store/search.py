"""The records list's text filter, answered from indexes instead of a scan.

What a text `q` finds in a list of inspections (cases, complaints, activities):
- records whose free text (findings, summary, note) contains `q`, when `q` has three
  characters or more: the trigram index of migration 006 finds those, Chinese included;
- records of an entity whose name contains `q`, or whose pinyin initials start with it
  ('hl' finds 华联超市): the entity table is small, so it is read directly.
A one- or two-character `q` matches entity names and initials only: a trigram index
cannot find it in free text, and reading a million findings is what this avoids.
`q` is a literal: `%`, `_` and quotes are characters, not patterns.

Two plans give the same rows. When the hits are few (the usual case: a name, a rare
word), they are gathered from the indexes and sorted. When they are many, the list is
read in its own order with the plain predicate, and the first page is found within its
first rows. `reference_clause` is that plain predicate; the tests hold both plans to it.
"""

from __future__ import annotations

import sqlite3
from typing import Any

TEXT_COLUMN = {"inspection": "findings", "case": "summary", "complaint": "summary",
               "activity": "note"}
INDEXED_FROM = 3  # a trigram index finds substrings of three characters or more
DENSE = 5000  # more hits than this: read the list in order instead of sorting the hits


def like_literal(text: str) -> str:
    """`text` for a LIKE … ESCAPE '\\' pattern, matching itself only."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _contains(text: str) -> str:
    """A LIKE pattern (with ESCAPE '\\') for "contains `text` literally"."""
    return f"%{like_literal(text)}%"


def _starts(text: str) -> str:
    return _contains(text)[1:]


def _phrase(text: str) -> str:
    """An FTS5 query for the literal `text`: with trigrams, a phrase is a substring."""
    return '"' + text.replace('"', '""') + '"'


def _in_text(text: str) -> bool:
    return len(text) >= INDEXED_FROM


def _entity_match(alias: str, text: str) -> tuple[str, list[Any]]:
    return (f"({alias}.name LIKE ? ESCAPE '\\' OR {alias}.initials LIKE ? ESCAPE '\\')",
            [_contains(text), _starts(text.lower())])


def reference_clause(kind: str, table: str, text: str) -> tuple[str, list[Any]]:
    """The plain predicate (entity joined as `e`): what the index plan must agree with."""
    sql, params = _entity_match("e", text)
    if _in_text(text):
        sql = f"({sql[1:-1]} OR {table}.{TEXT_COLUMN[kind]} LIKE ? ESCAPE '\\')"
        params.append(_contains(text))
    return sql, params


def hits(kind: str, table: str, text: str, *, distinct: bool = True) -> tuple[str, list[Any]]:
    """SELECT of the rowids of `table` that match, from the indexes only (a record found
    by its text and by its entity comes once, unless `distinct` is off)."""
    where, params = _entity_match("m", text)
    sql = (f"SELECT {table}.rowid FROM {table} WHERE {table}.entity_id IN "
           f"(SELECT m.id FROM entity AS m WHERE {where})")
    if _in_text(text):
        union = "UNION" if distinct else "UNION ALL"
        sql = f"SELECT rowid FROM {kind}_text WHERE {kind}_text MATCH ? {union} {sql}"
        params = [_phrase(text), *params]
    return sql, params


def is_dense(conn: sqlite3.Connection, kind: str, table: str, text: str,
             dense: int = DENSE) -> bool:
    """Do more than `dense` rows match? Counted from the indexes, stopping at `dense`."""
    sql, params = hits(kind, table, text, distinct=False)
    found = conn.execute(f"SELECT COUNT(*) FROM ({sql} LIMIT ?)", [*params, dense + 1])
    return found.fetchone()[0] > dense


def indexed_source(kind: str, table: str, text: str) -> tuple[str, list[Any]]:
    """A FROM clause that starts at the hits and looks each row up by rowid (CROSS JOIN
    keeps SQLite from reading the list's index in order and probing the hits instead)."""
    sql, params = hits(kind, table, text)
    return f"({sql}) AS hit CROSS JOIN {table} ON {table}.rowid = hit.rowid", params
