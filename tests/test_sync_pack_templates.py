"""A bureau's edited 执法文书 templates travel with its pack: published with it as blobs
(by hash, verified), fetched by every laptop that pulls the pack, on central SQLite,
PostgreSQL and through the HTTP service; bytes that do not match their hash are refused."""

from __future__ import annotations

import hashlib
from pathlib import Path

import httpx
import pytest

from tests.evidence_support import docx_text, edited_pack
from tests.service_support import Service, issue
from tests.sync_support import Laptop
from tui_app.services.context import PACKS_DIR
from tui_app.sync.central import open_central, pack_change_id
from tui_app.sync.protocol import PACK_KIND, Change
from tui_app.sync.templates import pulled_manifest

TEMPLATE = "zhongqiu/现场检查笔录.docx"


def _print(laptop: Laptop, out: Path) -> str:
    """A food visit in the bureau's campaign, its 现场检查笔录 printed and read back."""
    laptop("campaign", "use", "siming")
    laptop("record", "add", "--action", "food", "--place", "城关镇好又多超市",
           "--at", "2026-09-21T10:30", "--officer", "张三:3201001", "--officer", "李四:3201002",
           "--field", "place_type=其他")
    rid = laptop.json("record", "list")[0]["id"]
    laptop("doc", rid, "--kind", "inspection_record", "-o", str(out))
    return docx_text(out)


def _template_sha(pack_file: Path) -> str:
    return hashlib.sha256((pack_file.parent / TEMPLATE).read_bytes()).hexdigest()


def test_an_edited_template_reaches_a_laptop_that_pulled_the_pack(tmp_path: Path,
                                                                 central_url: str) -> None:
    bureau = Laptop(tmp_path / "bureau", "局", "3200000")
    bureau("campaign", "import", str(edited_pack(tmp_path / "v1", "本局第一版：")))
    bureau.sync(central_url)
    b = Laptop(tmp_path / "b", "王五", "3201003")
    b.sync(central_url)
    assert "本局第一版：城关镇好又多超市" in _print(b, tmp_path / "one.docx")
    # the bureau edits the template again (the pack's TOML unchanged): a new version
    second = edited_pack(tmp_path / "v2", "本局第二版：")
    bureau("campaign", "import", str(second))
    out = bureau.sync(central_url).stdout
    assert "sent 1" in out  # only the edited template's bytes
    b.sync(central_url)
    text = _print(b, tmp_path / "two.docx")
    assert "本局第二版：城关镇好又多超市" in text and "本局第一版" not in text
    store = open_central(central_url)
    try:
        assert b"".join(store.read_blob(_template_sha(second))) == \
            (second.parent / TEMPLATE).read_bytes()
    finally:
        store.close()


def test_a_pack_version_without_templates_keeps_the_ones_a_laptop_has(
        tmp_path: Path, central_url: str) -> None:
    """A bureau's script publishes the pack's TOML again, naming no templates: laptops go
    on printing with the templates they fetched (they used to drop them all)."""
    bureau = Laptop(tmp_path / "bureau", "局", "3200000")
    pack = edited_pack(tmp_path / "v1", "本局：")
    bureau("campaign", "import", str(pack))
    bureau.sync(central_url)
    b = Laptop(tmp_path / "b", "王五", "3201003")
    b.sync(central_url)
    source = pack.read_text(encoding="utf-8").replace('zh = "中秋守护"', 'zh = "中秋守护（二版）"', 1)
    store = open_central(central_url)
    try:
        [result] = store.push("3200000", "script", [Change(
            pack_change_id("siming", source), PACK_KIND, "siming", 0,
            {"source": source, "origin": "script"})])
        assert result.status == "applied"
    finally:
        store.close()
    b.sync(central_url)
    assert "中秋守护（二版）" in b("--lang", "zh", "campaign", "show", "siming").stdout
    assert "本局：城关镇好又多超市" in _print(b, tmp_path / "b.docx")


def test_a_malformed_pulled_manifest_names_nothing() -> None:
    """What a hand-edited store could hand a laptop: no traceback, nothing expected."""
    named = [TEMPLATE]
    good = {TEMPLATE: {"sha256": "ab" * 32, "size": 10}}
    assert pulled_manifest({"templates": good}, named) == {TEMPLATE: ("ab" * 32, 10)}
    for bad in ({TEMPLATE: {"sha256": "zz", "size": 10}}, {TEMPLATE: {"size": 10}},
                {TEMPLATE: "x"}, {"../../x.docx": {"sha256": "ab" * 32, "size": 10}}, [1]):
        assert pulled_manifest({"templates": bad}, named) is None, bad
    assert pulled_manifest({}, named) is None


def _tamper(url: str, sha: str) -> None:
    """Other bytes under the template's hash, straight in the central store."""
    if url.startswith("sqlite"):
        from tui_app.sync.central import sqlite_path

        path = sqlite_path(url).with_name("central.blobs") / sha[:2] / sha
        path.write_bytes(path.read_bytes().replace(b"word/", b"WORD/", 1))
        return
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("UPDATE blob_chunk SET data = overlay(data PLACING '\\x00'::bytea FROM 100)"
                     " WHERE sha256 = %s", (sha,))


def test_a_tampered_template_is_refused_with_a_message(tmp_path: Path, central_url: str) -> None:
    bureau = Laptop(tmp_path / "bureau", "局", "3200000")
    pack_file = edited_pack(tmp_path / "pack", "本局：")
    bureau("campaign", "import", str(pack_file))
    bureau.sync(central_url)
    _tamper(central_url, _template_sha(pack_file))
    b = Laptop(tmp_path / "b", "王五", "3201003")
    refused = b.sync(central_url, ok=False)
    assert refused.exit_code == 1 and "Traceback" not in refused.output
    assert "do not match its hash" in refused.stderr and _template_sha(pack_file)[:12] in refused.stderr
    printed = b("doc", "x", ok=False)  # nothing installed: no print with other bytes
    assert printed.exit_code == 1
    b("campaign", "use", "siming")
    b("record", "add", "--action", "food", "--place", "某店", "--at", "2026-09-21T10:30",
      "--officer", "张三:3201001", "--officer", "李四:3201002", "--field", "place_type=其他")
    rid = b.json("record", "list")[0]["id"]
    waiting = b("doc", rid, "--kind", "inspection_record", "-o", str(tmp_path / "x.docx"), ok=False)
    assert "has not been fetched" in waiting.stderr and not (tmp_path / "x.docx").exists()


def test_a_store_logs_no_pack_whose_templates_it_lacks(central_url: str) -> None:
    source = (PACKS_DIR / "zhongqiu.toml").read_text(encoding="utf-8")
    absent = {TEMPLATE: {"sha256": "ab" * 32, "size": 1000}}
    bad = {"zhongqiu/其他.docx": {"sha256": "ab" * 32, "size": 1000}}
    store = open_central(central_url)
    try:
        results = store.push("3200000", "dev", [
            Change(pack_change_id("zhongqiu", source, absent), PACK_KIND, "zhongqiu", 0,
                   {"source": source, "origin": "x", "templates": absent}),
            Change(pack_change_id("zhongqiu", source, bad), PACK_KIND, "zhongqiu", 0,
                   {"source": source, "origin": "x", "templates": bad})])
        assert [(r.status, r.reason) for r in results] == [("rejected", "templates_missing"),
                                                           ("rejected", "bad_templates")]
        assert store.pack_source("zhongqiu") is None
    finally:
        store.close()


@pytest.fixture
def sqlite_central(tmp_path: Path) -> str:
    from click.testing import CliRunner

    from tui_app.cli import cli

    url = f"sqlite:///{tmp_path / 'central.db'}"
    assert CliRunner().invoke(cli, ["central", "init", url]).exit_code == 0
    return url


def test_through_the_service_only_a_bureau_publishes_templates(tmp_path: Path,
                                                               sqlite_central: str) -> None:
    with Service(sqlite_central, tmp_path / "svc") as service:
        inspector = Laptop(tmp_path / "a", "张三", "3201001")
        a_token = issue(sqlite_central, "3201001")
        inspector("init", "--central", service.url, "--token", a_token)
        forged = edited_pack(tmp_path / "forged", "冒充：")
        inspector("campaign", "import", str(forged))
        refused = inspector("sync", ok=False)
        assert refused.exit_code == 1 and "bureau" in refused.stderr
        answer = httpx.get(f"{service.url}/v1/blobs/{_template_sha(forged)}",
                           headers={"Authorization": f"Bearer {a_token}"})
        assert answer.status_code == 404  # uploaded, perhaps, but no pack names it

        bureau = Laptop(tmp_path / "bureau", "局", "3200000")
        bureau("init", "--central", service.url,
               "--token", issue(sqlite_central, "3200000", role="bureau"))
        bureau("campaign", "import", str(edited_pack(tmp_path / "pack", "本局：")))
        bureau("sync")
        b = Laptop(tmp_path / "b", "王五", "3201003")
        b("init", "--central", service.url, "--token", issue(sqlite_central, "3201003"))
        b("sync")
        assert "本局：城关镇好又多超市" in _print(b, tmp_path / "b.docx")
        fetched = [line for line in service.access_log() if line["route"] == "/v1/blobs/{sha256}"
                   and line["method"] == "GET"]
        assert [line["status"] for line in fetched] == [404] + [200] * 5  # each template once


def test_a_template_over_the_attachment_limit_is_refused_at_import(fieldlog,
                                                                   tmp_path: Path) -> None:
    """Templates travel as blobs, so the attachments' size limit holds for them too."""
    fieldlog("init", "--attach-max-mb", "0.01")
    refused = fieldlog("campaign", "import", str(edited_pack(tmp_path, "本局：")), ok=False)
    assert refused.exit_code == 1 and "Traceback" not in refused.output
    assert ".docx" in refused.stderr and "0.01 MB" in refused.stderr
    assert "siming" not in fieldlog("campaign", "list").stdout


def test_a_pack_posted_to_the_service_carries_its_templates(tmp_path: Path,
                                                            sqlite_central: str) -> None:
    """POST /v1/packs (a bureau's script, no laptop): the templates go first by hash, and
    a pack naming one the store does not hold is refused until it has been uploaded."""
    pack = edited_pack(tmp_path / "pack", "接口：")
    files = {path.relative_to(pack.parent).as_posix(): path.read_bytes()
             for path in sorted((pack.parent / "zhongqiu").glob("*.docx"))}
    manifest = {path: {"sha256": hashlib.sha256(data).hexdigest(), "size": len(data)}
                for path, data in files.items()}
    upload = {"source": pack.read_text(encoding="utf-8"), "origin": "pack.toml",
              "templates": manifest}
    with Service(sqlite_central, tmp_path / "svc") as service:
        bureau = {"Authorization": f"Bearer {issue(sqlite_central, '3200000', role='bureau')}"}
        early = httpx.post(f"{service.url}/v1/packs", json=upload, headers=bureau).json()
        assert [(r["status"], r["reason"]) for r in early["results"]] == [
            ("rejected", "templates_missing")]
        for path, data in files.items():
            sha = manifest[path]["sha256"]
            put = httpx.put(f"{service.url}/v1/blobs/{sha}", content=data, headers=bureau)
            assert put.json() == {"received": len(data)}
            done = httpx.post(f"{service.url}/v1/blobs/{sha}/finish",
                              json={"size": len(data)}, headers=bureau)
            assert done.json() == {"kept": True}
        wrong = {path: {**entry, "size": entry["size"] + 1} for path, entry in manifest.items()}
        misstated = httpx.post(f"{service.url}/v1/packs", json={**upload, "templates": wrong},
                               headers=bureau).json()
        assert [(r["status"], r["reason"]) for r in misstated["results"]] == [
            ("rejected", "templates_missing")]  # no laptop could fetch it at that size
        published = httpx.post(f"{service.url}/v1/packs", json=upload, headers=bureau).json()
        assert published["results"][0]["status"] == "applied"
        b = Laptop(tmp_path / "b", "王五", "3201003")
        b("init", "--central", service.url, "--token", issue(sqlite_central, "3201003"))
        b("sync")
        assert "接口：城关镇好又多超市" in _print(b, tmp_path / "b.docx")
