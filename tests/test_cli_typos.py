"""Typos are caught with one clear line and exit 1, never a silent success; click's own
words follow the language; `--lang` is taken anywhere on the line."""

from __future__ import annotations

import re
from pathlib import Path

from click.testing import CliRunner

from tests.conftest import OFFICERS, SUPERMARKET, Fieldlog, write_jsonl
from tui_app.cli import cli, hoist_lang

RECORD = "0192a000-0000-7000-8000-00000000000a"


def _seed(fieldlog: Fieldlog, tmp_path: Path) -> None:
    fieldlog("import", str(write_jsonl(tmp_path / "one.jsonl", SUPERMARKET, {
        "type": "inspection", "id": RECORD, "action": "food", "entity": SUPERMARKET["name"],
        "started_at": "2026-09-21T10:00", "officers": OFFICERS,
        "fields": {"place_type": "其他"}})))


def test_a_db_in_a_folder_that_does_not_exist(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere" / "x.db"
    result = CliRunner().invoke(cli, ["--db", str(missing), "tally"])
    assert result.exit_code == 1
    assert "不存在" in result.stderr and "--db" in result.stderr
    assert not missing.parent.exists()  # nothing was created


def test_backup_into_a_missing_folder(fieldlog: Fieldlog, tmp_path: Path) -> None:
    result = fieldlog("backup", "-o", str(tmp_path / "nowhere" / "b.db"), ok=False)
    assert result.exit_code == 1 and "-o" in result.stderr


def test_an_unknown_set_key_is_refused(fieldlog: Fieldlog, tmp_path: Path) -> None:
    _seed(fieldlog, tmp_path)
    result = fieldlog("record", "edit", RECORD, "--set", "bogus=1", ok=False)
    assert result.exit_code == 1
    assert "bogus" in result.stderr and "findings" in result.stderr
    assert "内容未变" not in result.stdout


def test_an_unknown_central_scheme_is_not_stored(fieldlog: Fieldlog) -> None:
    result = fieldlog("init", "--central", "ftp://x", ok=False)
    assert result.exit_code == 1 and "ftp://x" in result.stderr
    assert "ftp" not in fieldlog("init").stdout


def test_reversed_dates_are_refused_everywhere_alike(fieldlog: Fieldlog, tmp_path: Path) -> None:
    _seed(fieldlog, tmp_path)
    reversed_period = ("--from", "2026-10-01", "--to", "2026-09-20")
    for command in (("tally",), ("record", "list"), ("report",), ("export", "-o",
                                                                   str(tmp_path / "x.xlsx"))):
        result = fieldlog(*command, *reversed_period, ok=False)
        assert result.exit_code == 1, command
        assert "晚于" in result.stderr, command


def test_clicks_own_words_in_chinese_and_english(fieldlog: Fieldlog) -> None:
    usage = fieldlog("tally", "--bogus", ok=False)
    assert usage.exit_code == 2
    assert "没有这个选项" in usage.stderr and "用法" in usage.stderr
    assert "No such option" not in usage.stderr
    assert "tally [选项]" in usage.stderr and "OPTIONS" not in usage.stderr
    helped = fieldlog("--help").stdout
    assert "显示本帮助并退出" in helped and "Show this message" not in helped
    assert " [选项] [命令] [参数]..." in helped
    assert "record [选项] 命令 [参数]..." in fieldlog("record", "--help").stdout
    english = fieldlog("--lang", "en", "tally", "--bogus", ok=False)
    assert "No such option" in english.stderr and "tally [OPTIONS]" in english.stderr
    assert "record [OPTIONS] COMMAND [ARGS]..." in fieldlog(
        "--lang", "en", "record", "--help").stdout


def test_help_columns_line_up_in_terminal_cells(fieldlog: Fieldlog) -> None:
    """`-o, --output 路径`: a Chinese metavar takes two cells a character, and its help
    text still starts in the column of every other option's."""
    from rich.cells import cell_len

    rows = [re.match(r"(  -.*?\s{2,})\S", line) for line in
            fieldlog("report", "--help").stdout.splitlines() if line.startswith("  -")]
    starts = {cell_len(row.group(1)) for row in rows if row}
    assert any(row and "路径" in row.group(1) for row in rows)
    assert len(starts) == 1, rows


def test_lang_anywhere_on_the_line(fieldlog: Fieldlog) -> None:
    assert hoist_lang(["tally", "--lang", "en", "--from", "x"]) == ["--lang", "en", "tally",
                                                                   "--from", "x"]
    assert hoist_lang(["import", "--", "--lang"]) == ["import", "--", "--lang"]
    shown = fieldlog("campaign", "list", "--lang", "en").stdout
    assert "Period" in shown or "period" in shown


def test_every_option_has_help_text() -> None:
    import click

    missing = []

    def walk(command: click.Command, path: str) -> None:
        missing.extend(f"{path} {p.opts[0]}" for p in command.params
                       if isinstance(p, click.Option) and not p.help and not p.hidden)
        for name, sub in getattr(command, "commands", {}).items():
            walk(sub, f"{path} {name}")

    walk(cli, "fieldlog")
    assert missing == []


def test_validation_names_the_option_typed(fieldlog: Fieldlog) -> None:
    bad_number = fieldlog("record", "add", "--action", "food", "--place", "东街",
                          "--field", "place_type=其他", "--field", "samples=abc", ok=False)
    assert "--field samples:" in bad_number.stderr and "fields." not in bad_number.stderr
    outside = fieldlog("record", "add", "--action", "food", "--place", "东街", "--at",
                       "2026-12-01T10:00", "--field", "place_type=其他", ok=False)
    assert "--at:" in outside.stderr and "started_at" not in outside.stderr


def test_record_show_reads_as_a_person_would(fieldlog: Fieldlog, tmp_path: Path) -> None:
    _seed(fieldlog, tmp_path)
    fieldlog("record", "edit", RECORD, "--findings", "冷柜温度正常")
    shown = CliRunner().invoke(cli, ["--db", str(fieldlog.db), "record", "show", RECORD],
                               terminal_width=160).stdout
    assert "城关镇好又多超市" in shown and "2026-09-21 10:00" in shown
    assert "重点场所" in shown and "检查情况" in shown
    for raw in ("entity_id", "started_at", "False", "{'", "Z "):
        assert raw not in shown


def test_command_lists_show_a_whole_first_sentence_in_80_cells(fieldlog: Fieldlog) -> None:
    """A Chinese help text has no `. ` and no spaces for click to cut at: click listed
    `central snapshot` as a bare `...`. Every command of every group shows words, cut
    after a clause with "…" when long, and the line stays within 80 cells."""
    from rich.cells import cell_len

    groups = [[], *([name] for name in ("campaign", "entity", "record", "case", "complaint",
                                        "activity", "attachment", "central", "token"))]
    for lang in ("zh", "en"):
        for group in groups:
            shown = fieldlog("--lang", lang, *group, "--help").stdout.splitlines()
            listed = shown[next(i for i, line in enumerate(shown)
                                if line.strip() in ("命令:", "Commands:")) + 1:]
            for line in listed:
                name, _, words = line.strip().partition(" ")
                assert words.strip() not in ("", "...", "…"), (lang, group, line)
                assert cell_len(line) <= 80, (lang, group, line)
    assert "snapshot  为新笔记本生成全区快照" in fieldlog("central", "--help").stdout
