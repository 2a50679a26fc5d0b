"""Shared fixtures: every test gets its own database and never touches the user's files."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from tui_app.cli import cli
from tui_app.i18n import set_lang
from tui_app.services.context import Context, open_context

# The sync tests' fixtures: a central store on each engine (tests/sync_support.py).
pytest_plugins = ["tests.sync_support"]


@pytest.fixture(autouse=True)
def _isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FIELDLOG_DB", str(tmp_path / "fieldlog.db"))
    monkeypatch.setenv("FIELDLOG_DEMO_DB", str(tmp_path / "demo.db"))
    monkeypatch.delenv("FIELDLOG_LANG", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    set_lang("zh")  # the language is process-wide: a test run in English must not leak


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "fieldlog.db"


class Fieldlog:
    """Runs `fieldlog` as a user does, against the test's own database."""

    def __init__(self, db: Path) -> None:
        self.db = db
        self.runner = CliRunner()

    def __call__(self, *args: str, ok: bool = True, stdin: str | None = None) -> Result:
        result = self.runner.invoke(cli, ["--db", str(self.db), *args], input=stdin,
                                    catch_exceptions=False)
        if ok:
            assert result.exit_code == 0, result.output
        return result

    def json(self, *args: str) -> object:
        return json.loads(self(*args, "--format", "json").stdout)


@pytest.fixture
def fieldlog(db_path: Path) -> Fieldlog:
    run = Fieldlog(db_path)
    run("init", "--name", "张三", "--badge", "3201001", "--partner-name", "李四",
        "--partner-badge", "3201002")
    return run


@pytest.fixture
def ctx(db_path: Path) -> Iterator[Context]:
    context = open_context(db_path)
    yield context
    context.close()


def write_jsonl(path: Path, *lines: object) -> Path:
    path.write_text("\n".join(json.dumps(line, ensure_ascii=False) if not isinstance(line, str)
                              else line for line in lines) + "\n", encoding="utf-8")
    return path


OFFICERS = [{"name": "张三", "badge": "3201001"}, {"name": "李四", "badge": "3201002"}]
SUPERMARKET = {"type": "entity", "name": "城关镇好又多超市", "uscc": "91110108551385082Q",
               "category": "食品销售", "township": "城关镇"}
PHARMACY = {"type": "entity", "name": "仁和大药房", "uscc": "914403001922038216", "category": "药店"}
