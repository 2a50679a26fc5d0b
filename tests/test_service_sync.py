"""Laptops syncing through the real sync service (`fieldlog serve` in a subprocess), on a
SQLite and a PostgreSQL central store: the same outcome as syncing directly."""

from __future__ import annotations

from pathlib import Path

from tests.service_support import Service, issue
from tests.sync_support import Laptop, assert_converged


def test_two_laptops_through_the_service(tmp_path: Path, central_url: str) -> None:
    with Service(central_url, tmp_path / "svc") as service:
        a = Laptop(tmp_path / "a", "张三", "3201001")
        b = Laptop(tmp_path / "b", "王五", "3201009")
        a("init", "--central", service.url, "--token", issue(central_url, "3201001"))
        b("init", "--central", service.url, "--token", issue(central_url, "3201009"))
        ids = a.add(30, day=21)
        b.add(20, badge="3201009", day=22)
        a.edit(ids[0], "复查")
        for laptop in (a, b, a):
            assert laptop("sync").exit_code == 0
        assert_converged(central_url, a, b)
        central = a.json("tally", "--scope", "central", "--central", central_url)
        assert central["tallies"]["food.inspections"] == 50
        assert central == a.json("tally") == b.json("tally")
        log = service.access_log()
        pushes = [line for line in log if line["route"] == "/v1/push"]
        assert pushes and all(line["status"] == 200 and line["token"] for line in pushes)
        assert sum(int(line["records"]) for line in pushes) >= 51  # every change, once at least
        assert not any("fl1." in str(line) for line in log)  # never a token in the log


def test_help_lists_serve_and_token() -> None:
    from click.testing import CliRunner

    from tui_app.cli import cli

    shown = CliRunner().invoke(cli, ["--lang", "en", "--help"]).output
    assert "serve " in shown and "token " in shown


def test_local_settings_keep_no_password_and_the_token_private(tmp_path: Path) -> None:
    a = Laptop(tmp_path / "a", "张三", "3201001")
    assert a.db.stat().st_mode & 0o777 == 0o600  # a new database is its user's only
    a.db.chmod(0o644)
    shown = a("init", "--central", "postgresql://bureau:s3cret@10.0.0.5/fieldlog",
              "--token", "fl1.abcdef012345.very-secret-part")
    assert "s3cret" not in shown.output and "very-secret-part" not in shown.output
    assert "~/.pgpass" in shown.stderr
    assert "postgresql://bureau@10.0.0.5/fieldlog" in shown.stdout
    assert a.db.stat().st_mode & 0o777 == 0o600  # narrowed once a token is kept in it
    assert b"s3cret" not in a.db.read_bytes()


def test_pg_migration_makes_a_least_privilege_role_serve_can_use(tmp_path: Path,
                                                                 pg_url: str) -> None:
    import psycopg
    from click.testing import CliRunner

    from tui_app.cli import cli

    with_password = pg_url.replace("postgres@", "postgres:pw-not-shown@")
    created = CliRunner().invoke(cli, ["central", "init", with_password])
    assert created.exit_code == 0 and "pw-not-shown" not in created.output
    as_service = pg_url + "%20-crole%3Dfieldlog_service"
    token = issue(pg_url, "3201001")
    with Service(as_service, tmp_path / "svc") as service:
        a = Laptop(tmp_path / "a", "张三", "3201001")
        a("init", "--central", service.url, "--token", token)
        a.add(5)
        a("sync")
        assert_converged(pg_url, a)
    with psycopg.connect(as_service, autocommit=True) as conn:
        for statement in ("CREATE TABLE sneaky (x int)", "DELETE FROM change",
                          "UPDATE change SET body = '{}'", "TRUNCATE current"):
            try:
                conn.execute(statement)
            except psycopg.errors.InsufficientPrivilege:
                continue
            raise AssertionError(f"the service role may run: {statement}")
    # a second store in the same cluster: the role exists already, migrating still works
    second = "fl_second_" + tmp_path.name[-8:].replace("-", "_")
    admin = psycopg.connect(pg_url.split("?")[0], autocommit=True)
    try:
        admin.execute(f"CREATE SCHEMA {second}")
        url = pg_url.split("?")[0] + f"?options=-csearch_path%3D{second}"
        assert CliRunner().invoke(cli, ["central", "init", url]).exit_code == 0
    finally:
        admin.execute(f"DROP SCHEMA IF EXISTS {second} CASCADE")
        admin.close()


def test_attachments_and_document_numbers_through_the_service(tmp_path: Path,
                                                             central_url: str) -> None:
    """Blobs go up in chunks through the service, are verified centrally, never twice;
    a killed upload resumes; document-number blocks come from the store via the service."""
    import hashlib

    from tests.evidence_support import photo
    from tui_app.sync.blobs import CHUNK
    from tui_app.sync.central import open_central

    with Service(central_url, tmp_path / "svc") as service:
        a = Laptop(tmp_path / "a", "张三", "3201001")
        a("init", "--central", service.url, "--token", issue(central_url, "3201001"))
        [record_id] = a.add(1)
        photos = [photo(tmp_path / f"p{i}.jpg", noise=2 * CHUNK + 1000 * i) for i in range(2)]
        a("attach", record_id, *map(str, photos))
        killed = a.sync_process(service.url, crash_at="mid_blob:4")  # 2nd blob, 1st chunk done
        assert killed.returncode == 137
        first = a("sync")
        assert "sent" in first.stdout
        chunks = [line for line in service.access_log() if line["route"] == "/v1/blobs/{sha256}"]
        total = sum(p.stat().st_size for p in photos)
        assert sum(int(line["bytes"]) for line in chunks) == total  # resumed, not resent
        again = a("sync")
        assert len([line for line in service.access_log()
                    if line["route"] == "/v1/blobs/{sha256}"]) == len(chunks)  # nothing twice
        assert again.exit_code == 0
    store = open_central(central_url)
    try:
        for path in photos:
            sha = hashlib.sha256(path.read_bytes()).hexdigest()
            assert b"".join(store.read_blob(sha)) == path.read_bytes()
        blocks = store.sql("SELECT inspector_id FROM doc_block")
    finally:
        store.close()
    assert blocks and {row[0] for row in blocks} == {"3201001"}  # the token's inspector
