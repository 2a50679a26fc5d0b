"""A first day that works on any date: the routine pack when no campaign is running.

A record that names no campaign goes to the campaign running on the day it is dated,
else to the year-round routine pack; `campaign use` fixes one, `campaign use auto`
goes back. The sample registry ships as CSV and .xlsx with the same valid rows.
"""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from tests.conftest import OFFICERS, SUPERMARKET, Fieldlog
from tests.ui_support import SIZE, settle
from tui_app.domain import uscc
from tui_app.domain.pack import parse_pack
from tui_app.errors import PackError
from tui_app.services import record as record_service
from tui_app.services.context import open_context
from tui_app.ui.app import FieldLogApp

ROOT = Path(__file__).resolve().parent.parent
AFTER = dt.date(2026, 12, 2)  # the shipped campaign ended on 2026-10-08
DURING = dt.date(2026, 9, 21)


@pytest.fixture
def fresh(db_path: Path) -> Fieldlog:
    """`init` only: no campaign chosen, as on a new laptop."""
    run = Fieldlog(db_path)
    run("init", "--name", "张三", "--badge", "3201001", "--partner-name", "李四",
        "--partner-badge", "3201002")
    return run


def test_the_campaign_of_a_day(fresh: Fieldlog) -> None:
    with open_context(fresh.db) as ctx:
        assert ctx.chosen_campaign is None
        assert ctx.campaign_on(DURING) == "zhongqiu"
        assert ctx.campaign_on(dt.date(2026, 10, 8)) == "zhongqiu"
        assert ctx.campaign_on(dt.date(2026, 10, 9)) == "routine"
        assert ctx.campaign_on(AFTER) == "routine"
        assert ctx.campaign_on(dt.date(2031, 2, 1)) == "routine"  # no year is left out


def test_records_go_to_the_campaign_of_their_day(fresh: Fieldlog) -> None:
    fresh("record", "add", "--action", "food", "--place", "东街菜场", "--field", "place_type=其他")
    fresh("record", "add", "--action", "food", "--place", "东街菜场", "--at", "2026-09-21T10:00",
          "--field", "place_type=学校及周边", "--field", "festival_food=月饼")
    fresh("record", "add", "--action", "random", "--place", "西街五金店", "--at", "2026-12-02T09:00",
          "--field", "outcome=未发现问题")
    with open_context(fresh.db) as ctx:
        rows = ctx.db.conn.execute(
            "SELECT campaign, day FROM inspection ORDER BY started_at").fetchall()
    by_day = {day: campaign for campaign, day in rows}
    assert by_day["2026-09-21"] == "zhongqiu"
    assert by_day["2026-12-02"] == "routine"
    assert {campaign for campaign, _ in rows} <= {"zhongqiu", "routine"}
    assert fresh.json("tally", "--campaign", "zhongqiu")["tallies"]["food.inspections"] == 1


def test_a_record_that_names_its_campaign_is_checked_against_it(fresh: Fieldlog) -> None:
    with open_context(fresh.db) as ctx:
        raw = {"action": "food", "place": "东街菜场", "started_at": "2026-12-02T10:00",
               "officers": OFFICERS, "fields": {"place_type": "其他"}, "campaign": "zhongqiu"}
        with pytest.raises(Exception) as refused:
            record_service.add(ctx, "inspection", raw)
        assert "不在行动期间" in str(refused.value.problems[0].message())  # type: ignore[attr-defined]
        saved = record_service.add(ctx, "inspection", {**raw, "campaign": "routine"})
        assert record_service.show(ctx, saved.id)[1]["campaign"] == "routine"


def test_campaign_use_fixes_one_and_auto_goes_back(fresh: Fieldlog) -> None:
    assert "日常监管" in fresh("campaign", "use", "routine").stdout
    fresh("record", "add", "--action", "food", "--place", "东街菜场", "--at", "2026-09-21T10:00",
          "--field", "place_type=其他")
    assert fresh.json("tally")["campaign"] == "routine"
    assert fresh.json("tally")["tallies"]["food.inspections"] == 1
    fresh("campaign", "use", "zhongqiu")
    refused = fresh("record", "add", "--action", "food", "--place", "东街菜场",
                    "--at", "2026-12-02T10:00", "--field", "place_type=其他", ok=False)
    assert refused.exit_code == 1 and "不在行动期间" in refused.stderr
    fresh("campaign", "use", "auto")
    with open_context(fresh.db) as ctx:
        assert ctx.chosen_campaign is None


def test_routine_figures_run_over_the_calendar_year(fresh: Fieldlog) -> None:
    fresh("campaign", "use", "routine")
    result = fresh.json("tally", "--to", "2026-12-02")
    assert (result["from"], result["to"]) == ("2026-01-01", "2026-12-02")
    listed = fresh("campaign", "list").stdout
    assert "全年" in listed and "routine" in listed


def test_a_year_round_period_and_english_value_labels_are_checked(tmp_path: Path) -> None:
    text = (ROOT / "tui_app/packs/routine.toml").read_text(encoding="utf-8")
    pack = parse_pack(text, "routine.toml")
    assert pack.year_round and pack.covers(dt.date(2040, 6, 1))
    assert pack.value_labels["已办结"] == "concluded"
    for bad, key in ((text.replace('period = "year-round"', 'period = "always"'),
                      "pack.bad_period_text"),
                     (text.replace('"登记事项" = ', '"登记事向" = '), "pack.unknown_label_value"),
                     (text.replace('id = "routine"', 'id = "auto"'), "pack.reserved_id")):
        with pytest.raises(PackError) as refused:
            parse_pack(bad, "bad.toml")
        assert refused.value.key == key


def test_the_sample_registry_holds_a_dozen_valid_entities(fresh: Fieldlog) -> None:
    from openpyxl import load_workbook

    with (ROOT / "samples/registry-sample.csv").open(encoding="utf-8-sig", newline="") as handle:
        from_csv = list(csv.reader(handle))
    sheet = load_workbook(ROOT / "samples/registry-sample.xlsx", read_only=True).active
    from_xlsx = [[str(v) for v in row] for row in sheet.iter_rows(values_only=True)]
    assert from_csv == from_xlsx and len(from_csv) == 13
    assert all(uscc.problem(row[1]) is None for row in from_csv[1:])
    assert "新增 12" in fresh("entity", "import", str(ROOT / "samples/registry-sample.xlsx")).stdout
    assert "未变 12" in fresh("entity", "import", str(ROOT / "samples/registry-sample.csv")).stdout
    assert "城关镇好又" in fresh("entity", "search", SUPERMARKET["uscc"][:9]).stdout


async def test_the_dashboard_says_when_it_falls_back_to_routine(fresh: Fieldlog) -> None:
    moment = dt.datetime(2026, 12, 2, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
    app = FieldLogApp(fresh.db, clock=lambda: moment)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        headline = str(app.screen.query_one("#headline").render())
        assert "日常监管" in headline and "没有进行中的专项行动" in headline
        assert "2026-01-01" in headline
        await pilot.press("1")
        await settle(pilot)
        assert "双随机抽查" in str(app.screen.query_one(".screen-title").render())
