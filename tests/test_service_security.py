"""The sync service lets no one in where they do not belong, and nothing bad in at all.

One real `fieldlog serve` over a central SQLite file for the module (and the owner rule
on PostgreSQL too); every refused request must leave the central row counts as they were.
"""

from __future__ import annotations

import gzip
import json
import sqlite3
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner

from tests.service_support import Service, issue
from tests.sync_support import Laptop, central_log
from tui_app.cli import cli
from tui_app.services.context import shipped_packs

ENDPOINTS = [("GET", "/v1/epoch"), ("POST", "/v1/push"), ("GET", "/v1/pull"),
             ("GET", "/v1/packs"), ("POST", "/v1/packs"), ("POST", "/v1/entities"),
             ("POST", "/v1/records/x/owner"), ("GET", "/v1/snapshot"),
             ("GET", "/v1/blobs/" + "0" * 64)]
TABLES = ("change", "conflict", "record_owner", "owner_event", "token")  # `current` is derived


class Setup:
    def __init__(self, folder: Path) -> None:
        self.store = f"sqlite:///{folder / 'central.db'}"
        result = CliRunner().invoke(cli, ["central", "init", self.store], catch_exceptions=False)
        assert result.exit_code == 0, result.output
        self.service = Service(self.store, folder / "svc",
                               extra=("--max-body-mb", "1", "--max-batch", "100"))
        self.a = issue(self.store, "3201001")
        self.b = issue(self.store, "3201009")
        self.bureau = issue(self.store, "3200000", role="bureau")

    def counts(self) -> dict[str, int]:
        conn = sqlite3.connect(self.store[len("sqlite:///"):])
        try:
            return {t: conn.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0] for t in TABLES}
        finally:
            conn.close()

    def call(self, method: str, path: str, token: str | None = None, **kwargs: object
             ) -> httpx.Response:
        headers = dict(kwargs.pop("headers", {}) or {})  # type: ignore[call-overload]
        if token:
            headers["Authorization"] = f"Bearer {token}"
        return httpx.request(method, self.service.url + path, headers=headers, timeout=30,
                             **kwargs)  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def setup(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Setup]:
    made = Setup(tmp_path_factory.mktemp("security"))
    with made.service:
        yield made


def _record(inspector: str, record_id: str | None = None, rev: int = 1,
            base: str | None = None) -> dict[str, object]:
    rid = record_id or str(uuid.uuid4())
    return {"change_id": str(uuid.uuid4()), "kind": "inspection", "record_id": rid, "rev": rev,
            "base": base, "body": {"id": rid, "rev": rev, "inspector_id": inspector,
                                   "campaign": "zhongqiu", "action": "food",
                                   "started_at": "2026-09-21T10:00", "day": "2026-09-21"}}


def _refused_unchanged(setup: Setup, response: httpx.Response, before: dict[str, int],
                       status: int) -> dict[str, object]:
    assert response.status_code == status, response.text
    body = response.json()
    assert isinstance(body, dict) and body["error"]
    counts = setup.counts()
    counts.pop("token"), before.pop("token", None)
    assert counts == {k: v for k, v in before.items() if k != "token"}
    return body


@pytest.mark.parametrize(("method", "path"), ENDPOINTS)
def test_every_endpoint_wants_a_good_token(setup: Setup, method: str, path: str) -> None:
    expired = issue(setup.store, "3201001", expires=1)
    revoked = issue(setup.store, "3201001")
    conn = sqlite3.connect(setup.store[len("sqlite:///"):])
    with conn:
        conn.execute("UPDATE token SET expires_at = '2020-01-01T00:00:00Z' WHERE id = ?",
                     (expired.split(".")[1],))
    conn.close()
    token_id = revoked.split(".")[1]
    assert CliRunner().invoke(cli, ["token", "revoke", "--store", setup.store, token_id]
                              ).exit_code == 0
    wrong_secret = setup.a[:-4] + ("AAAA" if not setup.a.endswith("AAAA") else "BBBB")
    cases = {None: "missing", "nonsense": "invalid", wrong_secret: "invalid",
             expired: "expired", revoked: "revoked"}
    for token, reason in cases.items():
        before = setup.counts()
        response = setup.call(method, path, token,
                              json={"device_id": "d", "changes": [_record("3201001")]}
                              if method == "POST" else None)
        body = _refused_unchanged(setup, response, before, 401)
        assert body["detail"] == reason
        assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert setup.call("GET", "/healthz").json()["status"] == "ok"


def test_revocation_holds_from_the_next_request(setup: Setup) -> None:
    token = issue(setup.store, "3201001")
    assert setup.call("GET", "/v1/epoch", token).status_code == 200
    listed = CliRunner().invoke(cli, ["token", "list", "--store", setup.store,
                                      "--format", "json"]).stdout
    mine = next(t for t in json.loads(listed) if t["id"] == token.split(".")[1])
    assert mine["last_used_at"] and "secret" not in json.dumps(mine)
    CliRunner().invoke(cli, ["token", "revoke", "--store", setup.store, mine["id"]])
    assert setup.call("GET", "/v1/epoch", token).status_code == 401


def test_inspector_cannot_push_anothers_records_whatever_the_payload_says(setup: Setup) -> None:
    mine = _record("3201001")
    assert setup.call("POST", "/v1/push", setup.a,
                      json={"device_id": "a", "changes": [mine]}).status_code == 200
    before = setup.counts()
    # b claims to be a (the payload's inspector id), and edits a's record at rev 2
    takeover = _record("3201001", mine["record_id"], 2, mine["change_id"])  # type: ignore[arg-type]
    own = _record("3201009")
    response = setup.call("POST", "/v1/push", setup.b,
                          json={"device_id": "b", "changes": [own, takeover]})
    body = _refused_unchanged(setup, response, before, 403)
    assert body["detail"] == [mine["record_id"]]  # the offending record ids; own not applied
    assert body["changes"][0]["reason"] == "not_owner"
    # a record stored first under b's name cannot be pushed by b's token for a either
    forged = _record("3201009")
    response = setup.call("POST", "/v1/push", setup.a, json={"device_id": "a", "changes": [forged]})
    _refused_unchanged(setup, response, setup.counts(), 403)
    # the owner's own edit still goes in
    edit = _record("3201001", mine["record_id"], 2, mine["change_id"])  # type: ignore[arg-type]
    answer = setup.call("POST", "/v1/push", setup.a, json={"device_id": "a", "changes": [edit]})
    assert answer.json()["results"][0]["status"] == "applied"


def test_only_the_bureau_publishes_packs_and_reassigns(setup: Setup) -> None:
    source = shipped_packs()["zhongqiu.toml"].replace("中秋守护", "中秋守护（局）", 1)
    before = setup.counts()
    _refused_unchanged(setup, setup.call("POST", "/v1/packs", setup.a, json={"source": source}),
                       before, 403)
    pack = {"change_id": str(uuid.uuid4()), "kind": "campaign_pack", "record_id": "zhongqiu",
            "rev": 0, "body": {"source": source, "origin": "x.toml"}}
    response = setup.call("POST", "/v1/push", setup.a, json={"device_id": "a", "changes": [pack]})
    assert _refused_unchanged(setup, response, before, 403)["changes"][0]["reason"] == "not_bureau"
    published = setup.call("POST", "/v1/packs", setup.bureau, json={"source": source})
    assert published.json()["results"][0]["status"] == "applied"
    assert [p["id"] for p in setup.call("GET", "/v1/packs", setup.a).json()] == ["zhongqiu"]

    record = _record("3201001")
    setup.call("POST", "/v1/push", setup.a, json={"device_id": "a", "changes": [record]})
    move = {"inspector_id": "3201009", "reason": "调岗"}
    path = f"/v1/records/{record['record_id']}/owner"
    _refused_unchanged(setup, setup.call("POST", path, setup.a, json=move), setup.counts(), 403)
    moved = setup.call("POST", path, setup.bureau, json=move)
    assert moved.json() == {"record_id": record["record_id"], "previous": "3201001",
                            "inspector_id": "3201009"}
    edit = _record("3201001", record["record_id"], 2, record["change_id"])  # type: ignore[arg-type]
    before = setup.counts()
    _refused_unchanged(setup, setup.call("POST", "/v1/push", setup.a,
                                         json={"device_id": "a", "changes": [edit]}), before, 403)
    now_b = setup.call("POST", "/v1/push", setup.b, json={"device_id": "b", "changes": [edit]})
    assert now_b.json()["results"][0]["status"] == "applied"
    assert setup.counts()["owner_event"] == 1


def test_limits_and_bad_input_are_4xx_with_json_and_change_nothing(setup: Setup) -> None:
    before = setup.counts()
    huge = {"device_id": "a", "changes": [_record("3201001") | {"body": {"x": "y" * 2_000_000}}]}
    _refused_unchanged(setup, setup.call("POST", "/v1/push", setup.a, json=huge), before, 413)
    bomb = gzip.compress(b'{"device_id": "a", "changes": [' + b" " * 50_000_000 + b"]}")
    assert len(bomb) < 100_000
    _refused_unchanged(setup, setup.call("POST", "/v1/push", setup.a, content=bomb,
                                         headers={"Content-Encoding": "gzip",
                                                  "Content-Type": "application/json"}),
                       before, 413)
    batch = {"device_id": "a", "changes": [_record("3201001") for _ in range(101)]}
    _refused_unchanged(setup, setup.call("POST", "/v1/push", setup.a, json=batch), before, 413)
    for content in (b"{not json", b"[]", b'{"device_id": 5, "changes": []}',
                    b'{"device_id": "a", "changes": [{"change_id": 1}]}',
                    b'{"device_id": "a", "changes": [], "inspector_id": "3201009"}',
                    b'{"device_id": "a\\u0000", "changes": []}',
                    json.dumps({"device_id": "a", "changes": [
                        _record("3201001") | {"rev": "two"}]}).encode(),
                    json.dumps({"device_id": "a", "changes": [
                        _record("3201001") | {"body": {"t": "\ud800"}}]}).encode()):
        response = setup.call("POST", "/v1/push", setup.a, content=content,
                              headers={"Content-Type": "application/json"})
        body = _refused_unchanged(setup, response, before, 422)
        assert body["error"] == "invalid" and body["detail"][0]["loc"]
    not_gzip = setup.call("POST", "/v1/push", setup.a, content=b"plain",
                          headers={"Content-Encoding": "gzip"})
    _refused_unchanged(setup, not_gzip, before, 400)
    for params in ({"limit": "0"}, {"limit": "x"}, {"cursor": "z" * 300}):
        _refused_unchanged(setup, setup.call("GET", "/v1/pull", setup.a, params=params),
                           before, 422)
    junk = setup.call("GET", "/v1/pull", setup.a, params={"cursor": "a:99999999999999999999999"})
    assert junk.status_code == 200  # a cursor it cannot read means "from the start"


def test_a_body_the_store_cannot_keep_is_422_naming_it(setup: Setup) -> None:
    """JSON nested deeper than the store's encoder goes parses, but cannot be stored:
    the change's `body` is named, and nothing of the batch is written."""
    before = setup.counts()
    deep = _record("3201001") | {"body": {"x": [[[]]]}}
    content = json.dumps({"device_id": "a", "changes": [_record("3201001"), deep]}).encode()
    content = content.replace(b"[[[]]]", b"[" * 300 + b"]" * 300)
    body = _refused_unchanged(setup, setup.call("POST", "/v1/push", setup.a, content=content,
                                                headers={"Content-Type": "application/json"}),
                              before, 422)
    assert body["error"] == "invalid" and body["detail"][0]["loc"] == ["body", "changes", 1,
                                                                       "body"]


def test_gzip_push_within_the_limit_is_accepted(setup: Setup) -> None:
    batch = {"device_id": "a", "changes": [_record("3201001") for _ in range(50)]}
    response = setup.call("POST", "/v1/push", setup.a, content=gzip.compress(
        json.dumps(batch).encode()), headers={"Content-Encoding": "gzip",
                                              "Content-Type": "application/json"})
    assert [r["status"] for r in response.json()["results"]] == ["applied"] * 50


def test_rate_limit_is_429_with_retry_after(tmp_path: Path) -> None:
    store = f"sqlite:///{tmp_path / 'central.db'}"
    CliRunner().invoke(cli, ["central", "init", store], catch_exceptions=False)
    token = issue(store, "3201001")
    with Service(store, tmp_path / "svc", extra=("--rate", "1")) as service:
        statuses = [httpx.get(service.url + "/v1/epoch", timeout=10,
                              headers={"Authorization": f"Bearer {token}"}) for _ in range(5)]
    limited = [r for r in statuses if r.status_code == 429]
    assert limited and all(int(r.headers["Retry-After"]) >= 1 for r in limited)
    assert limited[0].json()["error"] == "rate_limited"


def test_foreign_edit_over_http_is_quarantined_not_stuck(tmp_path: Path, central_url: str) -> None:
    """On both engines: b's laptop edits a's record; the service refuses the batch (403),
    the laptop sets that change aside and the rest of its work still goes in."""
    with Service(central_url, tmp_path / "svc") as service:
        a = Laptop(tmp_path / "a", "张三", "3201001")
        b = Laptop(tmp_path / "b", "王五", "3201009")
        a("init", "--central", service.url, "--token", issue(central_url, "3201001"))
        b("init", "--central", service.url, "--token", issue(central_url, "3201009"))
        ids = a.add(2)
        a("sync")
        b("sync")
        b.edit(ids[0], "别人改的")
        mine = b.add(3, badge="3201009")
        refused = b("sync", ok=False)
        assert refused.exit_code == 1 and "belongs to another inspector" in refused.stderr
        assert [q["reason"] for q in b.json("conflicts")["quarantine"]] == ["not_owner"]
        assert b("sync").exit_code == 0
        log = central_log(central_url)
        assert [v for _c, r, v in log if r == ids[0]] == [1]
        assert {r for _c, r, _v in log} >= set(mine)
        # a laptop whose badge is not the token's inspector is told before anything is sent
        c = Laptop(tmp_path / "c", "赵六", "3201077")
        c("init", "--central", service.url, "--token", issue(central_url, "3201001"))
        c.add(1)
        wrong = c("sync", ok=False)
        assert wrong.exit_code == 1 and "belongs to inspector 3201001" in wrong.stderr
