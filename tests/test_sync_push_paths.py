"""The PostgreSQL push (lookups in one statement, binary COPY, a fallback by change id)
answers exactly as the central SQLite file's simple path does, batch for batch."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from tui_app.cli import cli
from tui_app.domain.ids import new_id
from tui_app.errors import FieldLogError
from tui_app.sync import tokens
from tui_app.sync.central import open_central
from tui_app.sync.protocol import Change

INSPECTOR, DEVICE = "3201001", "dev-1"
OTHER = "3209999"  # another inspector of the district


def _change(record_id: str, rev: int, base: str | None = None, *, change_id: str | None = None,
            owner: str = INSPECTOR, findings: str = "现场检查未发现问题") -> Change:
    body = {"id": record_id, "rev": rev, "inspector_id": owner, "device_id": DEVICE,
            "campaign": "zhongqiu", "action": "food", "entity_id": None, "place": "城关镇农贸市场",
            "started_at": "2026-09-20T02:30:00Z", "day": "2026-09-20", "voided": False,
            "officers": [{"name": "张三", "badge": INSPECTOR}, {"name": "李四", "badge": "3201002"}],
            "fields": {}, "measures": {"seized": []}, "findings": findings, "result": "合格",
            "created_at": "2026-09-20T02:30:00Z", "updated_at": "2026-09-20T02:30:00Z"}
    return Change(change_id or new_id(), "inspection", record_id, rev, body, base)


def _scenario() -> list[tuple[str, list[Change]]]:
    """Batches, each with who pushes it, that meet every answer: applied, duplicate (in
    the batch and logged), stale (the slot is taken, or made on a version that lost),
    rejected (not the owner: of a new record, and of a stored one, pushed by another
    inspector), a replay of the lot, a change id reused under another record, and a
    change id kept aside re-sent as the first revision of a new record (stale: the id
    names the version kept aside, whatever record it now claims)."""
    r1, r2, r3 = new_id(), new_id(), new_id()
    first = _change(r1, 1)
    second = _change(r2, 1)
    edit = _change(r1, 2, first.change_id, findings="复查")
    rival = _change(r1, 2, first.change_id, findings="另一台电脑的复查")
    on_rival = _change(r1, 3, rival.change_id, findings="在输掉的版本上再改")
    foreign = _change(r3, 1, owner=OTHER)
    # kept aside too: a first version of a stored record, and a first version with a base
    first_rival = _change(r2, 1, findings="另一台电脑的首版")
    based = _change(new_id(), 1, new_id())
    batch_one = [first, second, first, edit, rival, on_rival, foreign, first_rival, based]
    reused = Change(second.change_id, "inspection", r3, 1, _change(r3, 1).body)
    intruder = _change(r1, 3, edit.change_id, owner=OTHER)  # r1 is INSPECTOR's
    r4 = new_id()
    aside_again = Change(first_rival.change_id, "inspection", r4, 1, _change(r4, 1).body)
    return [(INSPECTOR, batch) for batch in
            (batch_one, [_change(r2, 2, second.change_id)], batch_one, [reused])] + [
        (OTHER, [intruder, _change(new_id(), 1, owner=OTHER)]),
        (INSPECTOR, [aside_again, _change(new_id(), 1)])]


def _central(kind: str, tmp_path: Path, request: pytest.FixtureRequest) -> str:
    url = (f"sqlite:///{tmp_path / 'central.db'}" if kind == "sqlite"
           else request.getfixturevalue("pg_url"))
    assert CliRunner().invoke(cli, ["central", "init", url]).exit_code == 0
    return url


def _answers(url: str, batches: list[tuple[str, list[Change]]],
             traces: list[list[str]] | None = None) -> tuple[list, list]:
    """Each batch's answers, then the log and the conflicts; `traces` gets the paths
    each push took (`PgCentral.push_trace`: PostgreSQL only)."""
    store = open_central(url)
    try:
        answers = []
        for pusher, batch in batches:
            answers.append([(r.status, r.reason, r.kept_change_id,
                             r.current and r.current.change_id)
                            for r in store.push(pusher, DEVICE, batch)])
            if traces is not None:
                traces.append(store.push_trace)  # type: ignore[attr-defined]
        log, cursor = [], None
        while True:
            page = store.pull(cursor)
            log += [(c.change_id, c.record_id, c.rev, c.body) for c in page.changes]
            cursor = page.next_cursor
            if not page.more:
                break
        kept = sorted((c.change_id, c.kept_change_id) for c in store.conflicts())
    finally:
        store.close()
    return answers, [sorted(log), kept]


def test_postgresql_push_answers_as_the_sqlite_file_does(tmp_path: Path,
                                                         request: pytest.FixtureRequest) -> None:
    batches = _scenario()
    sqlite_answers, sqlite_state = _answers(_central("sqlite", tmp_path, request), batches)
    pg_answers, pg_state = _answers(_central("postgresql", tmp_path, request), batches)
    assert pg_answers == sqlite_answers
    assert pg_state == sqlite_state
    statuses = [[a[0] for a in batch] for batch in pg_answers]
    assert statuses[0] == ["applied", "applied", "duplicate", "applied", "stale", "stale", "rejected",
                           "stale", "stale"]
    assert statuses[1] == ["applied"]
    assert statuses[2] == ["duplicate", "duplicate", "duplicate", "duplicate", "stale", "stale",
                           "rejected", "stale", "stale"]
    assert statuses[3] == ["duplicate"]  # the id is logged, under another record
    assert [a[:2] for a in pg_answers[4]] == [("rejected", "not_owner"), ("applied", None)]
    assert statuses[5] == ["stale", "applied"]  # the id kept aside, under a new record
    log, kept = pg_state
    assert len(log) == 6 and len(kept) == 4


def _new_records_scenario() -> list[tuple[str, list[Change]]]:
    """Batches of first revisions that the log's keys decide (stored with no lookup), and
    ones they send back to the lookup: a replay, a record another laptop stored first
    (other content: stale; the same: a duplicate of it), a change id kept aside sent
    again for a new record; and ones that never try (a refusal, a next revision)."""
    one, two = _change(new_id(), 1), _change(new_id(), 1)
    rival = _change(one.record_id, 1, findings="另一台电脑的首版")
    same = Change(new_id(), "inspection", two.record_id, 1, two.body)
    fresh = new_id()
    again = Change(rival.change_id, "inspection", fresh, 1, _change(fresh, 1).body)
    return [(INSPECTOR, batch) for batch in (
        [one, two], [one, two], [_change(new_id(), 1), one, _change(new_id(), 1)],
        [rival, _change(new_id(), 1)], [same], [again],
        [_change(new_id(), 1, owner=OTHER)], [_change(one.record_id, 2, one.change_id)])] + [
        (OTHER, [two])]  # refused were it new, but logged: a duplicate


def test_new_records_skip_the_lookup_and_the_rest_fall_back_alike_on_both_engines(
        tmp_path: Path, request: pytest.FixtureRequest) -> None:
    batches = _new_records_scenario()
    traces: list[list[str]] = []
    sqlite = _answers(_central("sqlite", tmp_path, request), batches)
    pg = _answers(_central("postgresql", tmp_path, request), batches, traces)
    assert pg == sqlite
    assert [[a[0] for a in batch] for batch in pg[0]] == [
        ["applied", "applied"], ["duplicate", "duplicate"], ["applied", "duplicate", "applied"],
        ["stale", "applied"],
        ["duplicate"], ["stale"], ["rejected"], ["applied"], ["duplicate"]]
    assert traces == [
        ["new"],  # stored by the COPY alone
        ["new", "shared"],  # a replay: its first change id is logged
        ["new", "shared"],  # a logged change id inside: the COPY met it
        ["new", "shared", "exclusive"],  # the COPY met the record: a conflict
        ["new", "shared", "exclusive"],  # the same content: a duplicate of another id
        ["new", "shared", "exclusive"],  # the id was kept aside: the probe found it
        ["new", "shared"],  # refused as if new: the lookup may know better (a logged id)
        ["shared"],  # a next revision
        ["new", "shared"]]  # refused as if new, and the lookup knows better


def _moved_answers(url: str) -> tuple[list, list]:
    """Who may revise a record, before and after the bureau moves it: the owner is kept in
    the log (its first revision's pusher), a move in `record_owner` (`tokens.reassign`)."""
    record, entity = new_id(), new_id()
    first = _change(record, 1)
    shared = Change(new_id(), "entity", entity, 1, {"id": entity, "rev": 1, "name": "华联超市",
                                                    "inspector_id": OTHER})
    store = open_central(url)
    try:
        bureau, _secret = tokens.issue(store, "bureau-1", role="bureau")
        answers = [[r.status for r in store.push(INSPECTOR, DEVICE, [first, shared])]]
        with pytest.raises(FieldLogError):  # an entity belongs to no one: nothing to move
            tokens.reassign(store, entity, OTHER, bureau, "调岗")
        answers.append([r.reason for r in store.push(
            OTHER, DEVICE, [_change(record, 2, first.change_id, owner=OTHER)])])
        previous = tokens.reassign(store, record, OTHER, bureau, "调岗")
        again = tokens.reassign(store, record, OTHER, bureau, "复核")  # a moved record moves on
        answers.append([(r.status, r.reason) for r in store.push(INSPECTOR, DEVICE, [
            _change(record, 2, first.change_id, findings="原检查员的复查")])])
        answers.append([r.status for r in store.push(OTHER, DEVICE, [
            _change(record, 2, first.change_id, owner=OTHER, findings="新检查员的复查")])])
        moves = [(rid == record, who) for rid, who in
                 store.sql("SELECT record_id, inspector_id FROM record_owner")]
    finally:
        store.close()
    return answers, [previous, again, moves]


def test_owners_kept_in_the_log_and_moved_alike_on_both_engines(
        tmp_path: Path, request: pytest.FixtureRequest) -> None:
    sqlite = _moved_answers(_central("sqlite", tmp_path, request))
    pg = _moved_answers(_central("postgresql", tmp_path, request))
    assert pg == sqlite
    answers, (previous, again, moves) = pg
    assert answers == [["applied", "applied"], ["not_owner"], [("rejected", "not_owner")],
                       ["applied"]]
    assert (previous, again) == (INSPECTOR, OTHER)
    assert moves == [(True, OTHER)]  # first stores write no owner row: only the move


def _kind_answers(url: str) -> list:
    """A record's kind is its first revision's: a revision claiming another kind is
    refused, so no one revises another's inspection by calling it an entity (which no
    one owns), nor takes a shared entity for their own by calling it an inspection."""
    record, entity = new_id(), new_id()
    first = _change(record, 1)
    shared = Change(new_id(), "entity", entity, 1, {"id": entity, "rev": 1, "name": "华联超市",
                                                    "inspector_id": INSPECTOR})
    store = open_central(url)
    try:
        answers = [[r.status for r in store.push(INSPECTOR, DEVICE, [first, shared])]]
        as_entity = _change(record, 2, first.change_id, owner=OTHER, findings="冒充主体改写")
        as_entity = Change(as_entity.change_id, "entity", record, 2, as_entity.body,
                           first.change_id)
        claimed = _change(entity, 2, shared.change_id, owner=OTHER)
        answers.append([(r.status, r.reason) for r in store.push(OTHER, DEVICE,
                                                                 [as_entity, claimed])])
        renamed = Change(new_id(), "entity", entity, 2, {"id": entity, "rev": 2,
                                                         "name": "华联超市（改）",
                                                         "inspector_id": INSPECTOR},
                         shared.change_id)
        answers.append([r.status for r in store.push(INSPECTOR, DEVICE, [renamed])])
    finally:
        store.close()
    return answers


def test_a_revision_of_another_kind_is_refused_alike_on_both_engines(
        tmp_path: Path, request: pytest.FixtureRequest) -> None:
    sqlite = _kind_answers(_central("sqlite", tmp_path, request))
    pg = _kind_answers(_central("postgresql", tmp_path, request))
    assert pg == sqlite
    assert sqlite == [["applied", "applied"],
                      [("rejected", "kind_mismatch"), ("rejected", "kind_mismatch")],
                      ["applied"]]
