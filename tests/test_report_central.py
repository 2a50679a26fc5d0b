"""`fieldlog report --scope central`: the district's report from the central store.

Two laptops each log part of the hand-counted fixture campaign (tests/report_fixture.py)
and sync; the central report must equal the local report of the whole campaign exactly,
on each central engine. A laptop that has not pulled yet reports only its own work.
"""

from __future__ import annotations

import json
from pathlib import Path

from tests.report_fixture import LIQUOR, SHOPS, VOIDED_ID, records
from tests.sync_support import Laptop
from tests.test_report_output import PERIOD, expected_text

ENTITIES = len(SHOPS) + len(LIQUOR)


def _import(laptop: Laptop, name: str, lines: list[dict]) -> None:
    path = laptop.folder / name
    path.write_text("\n".join(json.dumps(x, ensure_ascii=False) for x in lines), "utf-8")
    laptop("import", str(path))


def _report(laptop: Laptop, *args: str) -> str:
    return laptop("report", *PERIOD, "--format", "txt", *args).stdout


def test_central_report_of_two_laptops_equals_the_whole_campaign(tmp_path: Path,
                                                                 central_url: str) -> None:
    lines = records()
    entities, work = lines[:ENTITIES], lines[ENTITIES:]
    assert all(x["type"] == "entity" for x in entities) and work[0]["type"] != "entity"
    a = Laptop(tmp_path / "a", "张三", "3201001")
    b = Laptop(tmp_path / "b", "李四", "3201002")
    # the registry travels through the central store, so both laptops visit the same shops
    _import(a, "entities.jsonl", entities)
    a.sync(central_url)
    b.sync(central_url)
    half = len(work) // 2
    _import(a, "part1.jsonl", work[:half])
    _import(b, "part2.jsonl", work[half:])
    a("record", "void", VOIDED_ID, "--reason", "重复录入")
    a.sync(central_url)
    b.sync(central_url)  # pushes its half, pulls a's

    central = ("--scope", "central", "--central", central_url)
    assert _report(a, *central) == expected_text()
    assert _report(b, *central) == expected_text()
    assert _report(b) == expected_text()  # b has pulled everything
    mine = _report(a)  # a has not pulled b's half yet
    assert mine != expected_text()
    assert mine.splitlines()[0] == expected_text().splitlines()[0]  # same report, fewer figures
    a.sync(central_url)
    assert _report(a) == expected_text()
    # periods that cut through the distinct tallies (家) count the same both ways
    for period in (("--from", "2026-09-14", "--to", "2026-09-23"),
                   ("--from", "2026-09-24", "--to", "2026-10-06")):
        assert (b("report", *period, "--format", "txt", *central).stdout
                == b("report", *period, "--format", "txt").stdout)

    # every format goes the same way; docx holds the same paragraphs
    md = a("report", *PERIOD, *central).stdout
    assert md == a("report", *PERIOD).stdout
    out = tmp_path / "central.docx"
    a("report", *PERIOD, *central, "--format", "docx", "-o", str(out))
    from docx import Document

    texts = [p.text for p in Document(str(out)).paragraphs]
    assert texts == [line for line in expected_text().splitlines() if line]


def test_central_report_with_a_bad_or_missing_central_is_one_clear_line(tmp_path: Path) -> None:
    a = Laptop(tmp_path / "a", "张三", "3201001")
    cases = {
        "ftp://central.example/x": "ftp://central.example/x",
        str(tmp_path / "nowhere" / "central.db"): "nowhere",
        "postgresql://postgres@127.0.0.1:1/test?connect_timeout=2": "127.0.0.1:1",
    }
    for url, shown in cases.items():
        result = a("report", "--scope", "central", "--central", url, ok=False)
        assert result.exit_code == 1, result.output
        assert result.stdout == ""
        assert result.stderr.count("\n") == 1 and shown in result.stderr, result.stderr
        assert "Traceback" not in result.stderr
    unset = a("report", "--scope", "central", ok=False)
    assert unset.exit_code == 1 and unset.stderr.count("\n") == 1, unset.stderr
