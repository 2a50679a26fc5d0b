"""The bureau publishes the entity registry through the sync service (`POST /v1/entities`,
`fieldlog entity import FILE --central https://…` with a bureau token); laptops pull it.
Only a bureau token may, every row is checked as a local import checks it, and a request
is stored all or nothing."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import httpx
import pytest

from tests.service_support import Service, issue
from tests.sync_support import Laptop, central_log

SAMPLE = Path(__file__).resolve().parents[1] / "samples" / "registry-sample.csv"
GOOD = {"name": "城关镇好又多超市", "uscc": "91110108551385082Q", "township": "城关镇"}


def _log_size(url: str) -> int:
    return len(central_log(url))


def _post(service: Service, token: str, payload: object) -> httpx.Response:
    return httpx.post(service.url + "/v1/entities", json=payload, timeout=30,
                      headers={"Authorization": f"Bearer {token}"})


def test_bureau_publishes_the_registry_and_a_laptop_pulls_it(
        tmp_path: Path, central_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    with Service(central_url, tmp_path / "svc") as service:
        bureau = Laptop(tmp_path / "bureau", "局", "3200000")
        monkeypatch.setenv("FIELDLOG_TOKEN", issue(central_url, "3200000", role="bureau"))
        shown = bureau("entity", "import", str(SAMPLE), "--central", service.url)
        assert "added 12" in shown.stdout
        assert _log_size(central_url) == 12
        again = bureau("entity", "import", str(SAMPLE), "--central", service.url)
        assert "unchanged 12" in again.stdout and _log_size(central_url) == 12

        monkeypatch.delenv("FIELDLOG_TOKEN")
        a = Laptop(tmp_path / "a", "张三", "3201001")
        a("init", "--central", service.url, "--token", issue(central_url, "3201001"))
        assert a("sync").exit_code == 0
        found = a.json("entity", "search", "好又多")
        assert [e["uscc"] for e in found] == ["91110108551385082Q"]
        conn = sqlite3.connect(a.db)
        assert conn.execute("SELECT COUNT(*) FROM entity").fetchone()[0] == 12
        conn.close()


def test_an_inspector_token_is_refused_and_nothing_changes(
        tmp_path: Path, pg_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    from click.testing import CliRunner

    from tui_app.cli import cli

    assert CliRunner().invoke(cli, ["central", "init", pg_url]).exit_code == 0
    with Service(pg_url, tmp_path / "svc") as service:
        inspector = issue(pg_url, "3201001")
        response = _post(service, inspector, {"device_id": "d", "entities": [GOOD]})
        assert response.status_code == 403 and response.json()["error"] == "bureau_only"
        laptop = Laptop(tmp_path / "a", "张三", "3201001")
        monkeypatch.setenv("FIELDLOG_TOKEN", inspector)
        refused = laptop("entity", "import", str(SAMPLE), "--central", service.url, ok=False)
        assert refused.exit_code == 1 and "bureau token" in refused.stderr
        assert "Traceback" not in refused.output
        assert _log_size(pg_url) == 0


def test_bad_rows_are_422_naming_the_field_and_store_nothing(tmp_path: Path, pg_url: str) -> None:
    from click.testing import CliRunner

    from tui_app.cli import cli

    assert CliRunner().invoke(cli, ["central", "init", pg_url]).exit_code == 0
    with Service(pg_url, tmp_path / "svc", extra=("--max-batch", "10")) as service:
        bureau = issue(pg_url, "3200000", role="bureau")
        bad_uscc = {"name": "坏码超市", "uscc": "91110108551385082X"}
        cases = [
            ({"device_id": "d", "entities": [GOOD, bad_uscc]}, ["body", "entities", 1, "uscc"]),
            ({"device_id": "d", "entities": [GOOD, {"name": ""}]}, ["body", "entities", 1, "name"]),
            ({"device_id": "d", "entities": [{"name": 5}]}, ["body", "entities", 0, "name"]),
            ({"device_id": "d", "entities": [GOOD | {"owner": "x"}]},
             ["body", "entities", 0, "owner"]),
            ({"device_id": "d", "entities": [GOOD], "inspector_id": "x"}, ["body", "inspector_id"]),
            ({"device_id": "d", "entities": [{"name": "a\u0000b"}]}, ["body", "entities", 0, "name"]),
            ({"device_id": "d", "entities": []}, ["body", "entities"]),
        ]
        for payload, loc in cases:
            response = _post(service, bureau, payload)
            assert response.status_code == 422, (payload, response.text)
            assert response.json()["error"] == "invalid"
            assert loc in [e["loc"] for e in response.json()["detail"]], response.text
        too_many = [{"name": f"店{i}"} for i in range(11)]
        assert _post(service, bureau, {"device_id": "d", "entities": too_many}).status_code == 413
        assert _log_size(pg_url) == 0
        # the check character may be overridden, as `entity import --accept-bad-uscc` does
        overridden = _post(service, bureau, {"device_id": "d", "entities": [
            bad_uscc | {"uscc_override": True}]})
        assert overridden.json() == {"added": 1, "revised": 0, "unchanged": 0}
