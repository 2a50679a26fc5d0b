"""Report templates are pack data: bad ones are refused with the key to fix, safely."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

PACK = '''
[campaign]
id = "mini"
name = "小行动"
period = {{ from = 2026-09-01, to = 2026-09-30 }}
unit = "县市场监督管理局"

[[actions]]
id = "food"
name = "食品"
fields = [{{ id = "cold_chain", type = "bool", label = "冷链" }}]

[[tallies]]
id = "food.visits"
label = "检查"
unit = "户次"
count = {{ record = "inspection", action = "food" }}

[[tallies]]
id = "food.seized"
label = "货值"
unit = "万元"
sum = {{ record = "inspection", action = "food", field = "seized_value_fen" }}

{report}
'''


def pack_file(tmp_path: Path, report: str) -> Path:
    path = tmp_path / "mini.toml"
    path.write_text(PACK.format(report=report), encoding="utf-8")
    return path


def test_a_pack_template_renders_with_filters_and_constants(fieldlog, tmp_path: Path) -> None:
    path = pack_file(tmp_path, '''
[report]
title = "{{ campaign.name }}情况"
signature = ["{{ campaign.unit }}"]
template = """
截至{{ report.to|month_day }}，检查{{ food.visits }}户次，
货值{{ food.seized }}（{{ food.seized|wan_approx }}），热线{{ const.hotline }}。
"""
[report.constants]
hotline = "12315"
''')
    fieldlog("campaign", "import", str(path))
    fieldlog("campaign", "use", "mini")
    fieldlog("record", "add", "--action", "food", "--place", "城关集市",
             "--at", "2026-09-05T10:00", "--seize", "电热板:件:3:53400")
    text = fieldlog("report", "--campaign", "mini", "--to", "2026-09-10",
                    "--format", "txt").stdout
    assert text == ("小行动情况\n\n"
                    "截至9月10日，检查1户次，货值5.34万元（5.3万余元），热线12315。\n\n"
                    "县市场监督管理局\n")


@pytest.mark.parametrize(("report", "message"), [
    ('[report]\ntemplate = "检查{{ food.vists }}户次"',
     "报告模板引用了不存在的名称"),
    ('[report]\ntemplate = "检查{{ food.visits|wan }}"',
     "报告模板的过滤器用错了对象：wan: food.visits (户次)"),
    ('[report]\ntemplate = "{% if %}"', "报告模板写法有误"),
    ('[report]\ntemplate = "{{ const.meeting|month_day }}"', "报告模板引用了不存在的名称"),
    ('[report]\ntemplate = "{{ food.visits.__class__.__mro__ }}"', "报告模板不能访问程序内部"),
])
def test_a_bad_template_is_refused_at_import(fieldlog, tmp_path: Path, report: str,
                                             message: str) -> None:
    path = pack_file(tmp_path, report)
    result = fieldlog("campaign", "import", str(path), ok=False)
    assert result.exit_code == 1
    assert str(path) in result.stderr and "[report] template" in result.stderr
    assert message in result.stderr
    assert "Traceback" not in result.output


def test_the_sandbox_keeps_python_out(fieldlog, tmp_path: Path) -> None:
    path = pack_file(tmp_path, '[report]\ntemplate = "{{ cycler.__init__.__globals__.os }}"')
    result = fieldlog("campaign", "import", str(path), ok=False)
    assert result.exit_code == 1
    assert "报告模板" in result.stderr and "module" not in result.stderr


def test_a_pack_without_template_says_so_in_english(fieldlog, tmp_path: Path) -> None:
    fieldlog("campaign", "import", str(pack_file(tmp_path, "")))
    result = fieldlog("--lang", "en", "report", "--campaign", "mini", ok=False)
    assert result.exit_code == 1
    assert "the pack has no report template" in result.stderr


def test_cli_start_loads_no_report_engines() -> None:
    code = ("import sys, tui_app.cli, tui_app.services.report, tui_app.report.ledgers\n"
            "print(' '.join(m for m in ('textual', 'docx', 'jinja2', 'openpyxl', "
            "'rustpy_xlsxwriter') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def _filled(template: str, values: dict[str, int]) -> str:
    """The mini pack's template filled in-process with the given figures."""
    import datetime as dt

    from tui_app.domain.pack import parse_pack
    from tui_app.report.template import fill

    pack = parse_pack(PACK.format(report=f'[report]\ntemplate = """{template}"""'), "mini.toml")
    return fill(pack, values, dt.date(2026, 9, 1), dt.date(2026, 9, 30)).body


ZERO_WORDING = ('检查{{ food.visits|clause("{}户次", zero="暂未开展检查") }}'
                '{{ food.seized|clause("，查扣物品货值{wan_approx}") }}'
                '{{ food.visits|clause("，共检查{approx}家") }}。'
                '{% if food.seized %}有查扣。{% else %}无查扣。{% endif %}')


@pytest.mark.parametrize(("values", "text"), [
    ({"food.visits": 0, "food.seized": 0}, "检查暂未开展检查。无查扣。"),
    ({"food.visits": 7, "food.seized": 0}, "检查7户次，共检查7家。无查扣。"),
    ({"food.visits": 56, "food.seized": 5_340_000},
     "检查56户次，查扣物品货值5.3万余元，共检查50余家。有查扣。"),
])
def test_clause_gives_the_wording_at_zero_and_approx_never_says_0余(values, text) -> None:
    assert _filled(ZERO_WORDING, values) == text


@pytest.mark.parametrize(("template", "message"), [
    ('{{ food.visits|clause("共检查{aprox}家") }}', "{aprox}"),
    ('{{ food.visits|clause("共检查{wan}家") }}', "wan: food.visits"),
    ('{{ food.visits|clause("检查{}户次", zero="检查{}户次") }}', "zero wording"),
    ('{{ food.visits|clause(3) }}', "clause"),
])
def test_a_bad_clause_is_refused_at_import_whatever_the_figures(fieldlog, tmp_path: Path,
                                                                template: str, message: str) -> None:
    """Import fills the template with zeros: the wording for non-zero is checked too."""
    path = pack_file(tmp_path, f'[report]\ntemplate = """{template}"""')
    result = fieldlog("campaign", "import", str(path), ok=False)
    assert result.exit_code == 1 and "[report] template" in result.stderr
    assert message in result.stderr and "Traceback" not in result.output


def test_the_shipped_report_reads_well_with_nothing_logged(fieldlog) -> None:
    """No `0` figure in a sentence that states a result; the usual wording instead."""
    text = fieldlog("report", "--to", "2026-10-08", "--format", "txt").stdout
    for zero in ("罚没0", "共检查0", "0余", "查封0台", "指令书0份", "立案查处0起", "货值0",
                 "收缴劣质电取暖器0", "公告0份", "0%的电梯使用单位", "接种单位0家"):
        assert zero not in text, zero
    assert "暂未发现非法会议营销活动" in text and "暂未接到投诉举报" in text
    assert "推动实施投保电梯安全责任险。" in text
