"""Hypothesis fuzzing of what reads hostile input: the pack loader (and its template),
the USCC check, the JSONL importer and the CLI's option parsers. Whatever comes in, the
answer is a value or a FieldLogError (or click's usage error), never another exception."""

from __future__ import annotations

import datetime as dt
import json
import tomllib
from pathlib import Path
from typing import Any

import click
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from tui_app.cli import cli
from tui_app.cli.common import day_option, parse_officers, parse_pairs
from tui_app.domain import uscc
from tui_app.domain.pack import _Parser, parse_pack
from tui_app.domain.records import fields_from_text, seized_from_text
from tui_app.domain.values import BadValue, from_text, parse_yuan
from tui_app.errors import FieldLogError
from tui_app.report.template import _render
from tui_app.services import importer
from tui_app.services.context import open_context, shipped_packs

FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
SLOW_FUZZ = settings(max_examples=40, deadline=None,
                     suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])

SHIPPED = tomllib.loads(shipped_packs()["zhongqiu.toml"])
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(max_size=30),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4),
    max_leaves=20,
)
toml_values = st.recursive(
    st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20)
    | st.dates(min_value=dt.date(1990, 1, 1), max_value=dt.date(2100, 1, 1)),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=10,
)


def _paths(tree: Any, prefix: tuple = ()) -> list[tuple]:
    """Every key path into a TOML tree (dict keys and list indexes)."""
    found = [prefix] if prefix else []
    if isinstance(tree, dict):
        for key, value in tree.items():
            found += _paths(value, (*prefix, key))
    elif isinstance(tree, list):
        for i, value in enumerate(tree):
            found += _paths(value, (*prefix, i))
    return found


PATHS = _paths(SHIPPED)


def _mutated(path: tuple, value: Any) -> dict[str, Any]:
    tree = json.loads(json.dumps(SHIPPED, default=str))  # a deep copy (dates become text)
    tree["campaign"]["period"] = dict(SHIPPED["campaign"]["period"])
    node = tree
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    return tree


@FUZZ
@given(st.sampled_from(PATHS), toml_values)
def test_a_pack_with_any_value_anywhere_is_parsed_or_refused(path: tuple, value: Any) -> None:
    try:
        _Parser("fuzz.toml", _mutated(path, value), "").pack()
    except FieldLogError:
        pass


@FUZZ
@given(st.text(max_size=300))
def test_any_pack_text_is_parsed_or_refused(text: str) -> None:
    try:
        parse_pack(text, "fuzz.toml")
    except FieldLogError:
        pass


template_parts = st.sampled_from(["{{", "}}", "{%", "%}", "for x in range(9)", "endfor", "if", "endif",
                                  "food.officers", "|wan", "|pct(2)", "(", ")", "*", "'A'", "~", "9",
                                  "include 'x'", "set ns = namespace(a=1)", "ns.a", " ", "\n", "**"])
whole_statements = st.sampled_from([
    "{% include 'x' %}", "{% import 'x' as m %}", "{% extends 'x' %}", "{{ 1 / 0 }}", "{{ 'A' * 999999999 }}",
    "{% for i in range(99999) %}{% for j in range(99999) %}{% endfor %}{% endfor %}", "{{ nope.x }}",
    "{{ campaign.name|wan }}", "{{ campaign.name|center(999999999) }}", "{{ 7 ** 7777777 }}",
    "{{ ((((((((((((((((((((((((((1)))))))))))))))))))))))))) }}", "{% macro m() %}{{ m() }}{% endmacro %}{{ m() }}",
    "{{ campaign.__class__ }}", "{{ [1] * 9999999 }}", "{{ campaign.name }}",
])


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(whole_statements | template_parts | st.text(max_size=5), max_size=12).map("".join))
def test_any_report_template_renders_or_is_refused(template: str) -> None:
    try:
        _render("fuzz.toml", "template", template, {"campaign": {"name": "x"}})
    except FieldLogError:
        pass


@FUZZ
@given(st.text(max_size=25) | st.from_regex(r"[0-9A-Z]{18}", fullmatch=True))
def test_the_uscc_check_answers_every_string(code: str) -> None:
    found = uscc.problem(uscc.normalize(code))
    assert found is None or found.kind
    uscc.entity_kind(uscc.normalize(code))


@pytest.fixture(scope="module")
def fuzz_ctx(tmp_path_factory: pytest.TempPathFactory):
    folder = tmp_path_factory.mktemp("fuzz")
    ctx = open_context(folder / "fuzz.db")
    yield ctx, folder
    ctx.close()


line_objects = st.fixed_dictionaries(
    {"type": st.sampled_from(["inspection", "entity", "case", "complaint", "activity", "void", "x"])},
    optional={"id": st.uuids().map(str) | st.text(max_size=10), "action": st.sampled_from(["food", "drug", 3]),
              "entity": json_values, "started_at": st.text(max_size=20) | st.sampled_from(["2026-09-21T10:00"]),
              "officers": json_values, "fields": json_values, "measures": json_values,
              "findings": json_values, "name": json_values, "uscc": json_values, "reason": json_values,
              "filed_on": json_values, "received_at": json_values, "summary": json_values},
)
hostile_lines = st.sampled_from([b"[" * 100_000, b'{"type": "inspection", "findings": "\\u0000"}',
                                 b'{"type": "entity", "name": "\\ud800"}', b"\xff\xfe{}", b"{" * 5000,
                                 b'{"type": "inspection", "id": "1; DROP TABLE x"}'])
lines = st.lists(line_objects.map(lambda o: json.dumps(o).encode()) | st.binary(max_size=40) | hostile_lines
                 | json_values.map(lambda v: json.dumps(v).encode()), min_size=1, max_size=6)


@SLOW_FUZZ
@given(lines, st.booleans())
def test_any_jsonl_file_is_imported_or_refused_line_by_line(fuzz_ctx, data: list[bytes], skip_bad: bool) -> None:
    ctx, folder = fuzz_ctx
    path = folder / "fuzz.jsonl"
    path.write_bytes(b"\n".join(data))
    try:
        report = importer.import_file(ctx, path, skip_bad=skip_bad)
    except FieldLogError:
        return
    for error in report.errors:
        assert all(p.message() for p in error.problems)


@FUZZ
@given(st.lists(st.text(max_size=15), max_size=4), st.text(max_size=12), st.text(max_size=30))
@example([], "", "Infinity")
@example([], "", "9E+999999999")
@example([], "", "sNaN")
@example([], "", "货:台:9999999999999999999999:1")
def test_the_option_parsers_answer_every_text(pairs: list[str], day: str, seized: str) -> None:
    for call in (lambda: parse_pairs(pairs, "--field"), lambda: parse_officers(pairs),
                 lambda: day_option(day, "--from"), lambda: seized_from_text(seized),
                 lambda: parse_yuan(seized)):
        try:
            call()
        except (click.BadParameter, FieldLogError, BadValue):
            pass


@FUZZ
@given(st.dictionaries(st.sampled_from(["place_type", "cold_chain", "vaccinated_staff", "bogus"]),
                       st.text(max_size=12), max_size=4))
def test_form_fields_typed_as_text_are_parsed_or_refused(texts: dict[str, str]) -> None:
    pack = parse_pack(shipped_packs()["zhongqiu.toml"], "zhongqiu.toml")
    try:
        fields_from_text(pack, "food", texts)
    except FieldLogError:
        pass
    for form_field in pack.action("food").fields:
        for text in texts.values():
            try:
                from_text(form_field, text)
            except BadValue:
                pass


cli_values = st.text(max_size=12) | st.sampled_from(["2026-09-21T10:00", "-1", "9" * 30, "=", ":", "%", ""])


@SLOW_FUZZ
@given(st.lists(st.tuples(st.sampled_from(["--action", "--entity", "--place", "--at", "--officer", "--field",
                                           "--findings", "--directives", "--sealed", "--seize", "--result"]),
                          cli_values), max_size=6))
@example([("--directives", "9" * 30), ("--action", "food"), ("--place", "x"), ("--at", "2026-09-21T10:00")])
@example([("--seize", "货:台:1:Infinity"), ("--action", "food"), ("--place", "x"), ("--at", "2026-09-21T10:00")])
def test_record_add_answers_any_options_with_a_message(fuzz_ctx, options: list[tuple[str, str]]) -> None:
    _ctx, folder = fuzz_ctx
    args = [part for option in options for part in option]
    result = CliRunner().invoke(cli, ["--db", str(folder / "cli.db"), "record", "add", *args])
    assert result.exit_code in (0, 1, 2), result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert "内部错误" not in result.output and "Traceback" not in result.output


@SLOW_FUZZ
@given(st.lists(st.sampled_from(["--from", "--to", "--date", "--limit", "--page", "--action", "--text"]), max_size=3),
       st.lists(cli_values, min_size=3, max_size=3))
@example(["--page"], ["9" * 30, "", ""])
@example(["--text"], ["00\x00", "", ""])  # a NUL stopped the FTS5 query
def test_record_list_answers_any_options_with_a_message(fuzz_ctx, options: list[str], values: list[str]) -> None:
    _ctx, folder = fuzz_ctx
    args = [part for pair in zip(options, values, strict=False) for part in pair]
    result = CliRunner().invoke(cli, ["--db", str(folder / "cli.db"), "record", "list", *args])
    assert result.exit_code in (0, 1, 2), result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)


def test_fuzz_file_paths_are_not_left_behind(tmp_path: Path) -> None:
    """The importer fuzz writes only in its own temporary folder (nothing in the repo)."""
    assert not (Path(__file__).parent / "fuzz.jsonl").exists()
