"""The service's catch-up waits for the pushes of every worker to pause, not only its own.

A worker that is not poked (its laptops are done) while another worker's pushes still
move the store's log must not re-read the log yet: that took the cores from the pushes
still coming in. A real store on each engine; the "other worker" is a second connection
pushing, as another `serve` process would.
"""

from __future__ import annotations

import threading
import time
import uuid

from tui_app.sync.central import open_central
from tui_app.sync.protocol import Change
from tui_app.sync.server import CatchUp


def _change(inspector: str) -> Change:
    rid = str(uuid.uuid4())
    return Change(str(uuid.uuid4()), "inspection", rid, 1,
                  {"id": rid, "rev": 1, "inspector_id": inspector, "campaign": "zhongqiu",
                   "action": "food", "started_at": "2026-09-21T10:00", "day": "2026-09-21"})


def _read(url: str, what: str) -> str:
    """The store's catch-up watermark ("materialized") or its log's head ("head")."""
    store = open_central(url)
    try:
        if what == "head":
            return store.log_head()
        return str(store.sql("SELECT v FROM meta WHERE k = 'materialized'")[0][0])
    finally:
        store.close()


def test_catch_up_waits_while_another_workers_pushes_move_the_log(central_url: str) -> None:
    start = _read(central_url, "materialized")
    catch_up = CatchUp(central_url, quiet=0.3, longest=30)
    catch_up.start()
    pushing = threading.Event()
    pushing.set()

    def other_worker() -> None:
        other = open_central(central_url, catch_up_on_push=False)
        try:
            while pushing.is_set():
                other.push("3201001", "other-worker", [_change("3201001")])
                time.sleep(0.05)
        finally:
            other.close()

    thread = threading.Thread(target=other_worker)
    try:
        thread.start()
        catch_up.poke()  # this worker's one push, then it goes quiet
        time.sleep(1.5)  # five times `quiet`: the old catch-up had read the log by now
        assert _read(central_url, "head") != ""  # the other worker did push meanwhile
        assert _read(central_url, "materialized") == start
        pushing.clear()
        thread.join()
        head, deadline = _read(central_url, "head"), time.monotonic() + 10
        while _read(central_url, "materialized") != head and time.monotonic() < deadline:
            time.sleep(0.1)
        assert _read(central_url, "materialized") == head
    finally:
        pushing.clear()
        thread.join()
        catch_up.stop()


def test_the_log_head_is_empty_then_the_newest_changes_position(central_url: str) -> None:
    """Both engines answer `log_head` as the read model says: "" on an empty log, then
    the newest change's position, which is what a pull cursor ends with."""
    assert _read(central_url, "head") == ""
    store = open_central(central_url, catch_up_on_push=False)
    try:
        store.push("3201001", "laptop-a", [_change("3201001")])
        first = store.log_head()
        store.push("3201001", "laptop-a", [_change("3201001")])
        second = store.log_head()
        page = store.pull(None, 10)
    finally:
        store.close()
    assert first and second != first
    assert page.next_cursor == f"{page.epoch}:{second}" and len(page.changes) == 2
