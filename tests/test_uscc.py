"""统一社会信用代码 (GB 32100-2015): the check character, and refusal with an override."""

from __future__ import annotations

import pytest

from tests.conftest import write_jsonl
from tui_app.domain import uscc

VALID = ["91110108551385082Q", "914403001922038216", "91440300708461136T", "9135021359498494XQ",
         "123502001549897397", "91350503MA31DKY80A"]


@pytest.mark.parametrize("code", VALID)
def test_real_codes_pass(code: str) -> None:
    assert uscc.problem(code) is None


def test_wrong_check_character_names_position_and_expected() -> None:
    problem = uscc.problem("91110108551385082R")
    assert problem is not None
    assert (problem.kind, problem.position, problem.found, problem.expected) == ("check", 18, "R", "Q")


def test_forbidden_letters_and_length() -> None:
    assert uscc.problem("9111010855138508IQ").kind == "char"
    assert uscc.problem("9111010855138508IQ").position == 17
    assert uscc.problem("911101085513850").kind == "length"


def test_normalize_and_kind() -> None:
    assert uscc.normalize(" 91110108 551385082q ") == "91110108551385082Q"
    assert uscc.entity_kind("92330106MA2YYY018L") == "个体工商户"


def test_import_refuses_bad_check_character_until_confirmed(fieldlog, tmp_path) -> None:
    bad = {"type": "entity", "name": "某某商行", "uscc": "91110108551385082R"}
    path = write_jsonl(tmp_path / "e.jsonl", bad)
    refused = fieldlog("import", str(path), ok=False)
    assert refused.exit_code == 1
    assert "第 1 行" in refused.stderr and "第 18 位" in refused.stderr and "“Q”" in refused.stderr
    assert fieldlog.json("entity", "search", "某某") == []

    write_jsonl(path, {**bad, "uscc_override": True})
    accepted = fieldlog("import", str(path))
    assert "校验位不符" in accepted.stderr
    [entity] = fieldlog.json("entity", "search", "某某")
    assert entity["uscc"] == "91110108551385082R"
    assert "uscc.check_overridden" in entity["warnings"]


def test_message_in_english(fieldlog, tmp_path) -> None:
    path = write_jsonl(tmp_path / "e.jsonl", {"type": "entity", "name": "X", "uscc": "91110108551385082R"})
    result = fieldlog("--lang", "en", "import", str(path), ok=False)
    assert "should be 'Q', not 'R'" in result.stderr
    assert "line 1" in result.stderr
