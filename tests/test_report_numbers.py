"""The trade's number style: 余 counts, 万元 money, percent, dates (pure functions)."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tui_app.report.numbers import approx, cn_date, month_day, percent, wan, wan_approx, yuan


@pytest.mark.parametrize(("n", "text"), [
    (0, "0"), (1, "1"), (9, "9"),            # under 10: always exact
    (10, "10"), (11, "10余"), (56, "50余"), (99, "90余"), (50, "50"),
    (100, "100"), (105, "100余"), (213, "210余"), (210, "210"), (999, "990余"),
    (1000, "1000"), (1234, "1200余"), (1200, "1200"), (9999, "9900余"),
    (12345, "12000余"), (120000, "120000"), (123456, "120000余"),
])
def test_approx_counts(n: int, text: str) -> None:
    assert approx(n) == text


@given(st.integers(min_value=0, max_value=10**9))
def test_approx_never_overstates_and_keeps_two_figures(n: int) -> None:
    text = approx(n)
    shown = int(text.removesuffix("余"))
    assert shown <= n
    assert shown > 0 or n == 0  # never a misleading "0余": 7 is written 7
    assert text.endswith("余") == (shown != n)
    if n >= 100:
        assert len(str(shown).rstrip("0")) <= 2
        assert n - shown < 10 ** (len(str(n)) - 2)
    elif n >= 10:
        assert n - shown < 10


@pytest.mark.parametrize(("fen", "text"), [
    (5_340_000, "5.34万元"),      # 53,400 元
    (5_000_000, "5万元"),
    (5_300_000, "5.3万元"),
    (5_345_000, "5.35万元"),      # half up
    (5_344_999, "5.34万元"),
    (123_456_789, "123.46万元"),
    (100_000, "0.1万元"),         # 1,000 元
    (5_000, "0.01万元"),          # 50 元 rounds up to 0.01
    (4_000, "40元"),              # would be 0.00万元: written in 元
    (4_050, "40.5元"),
    (0, "0万元"),
])
def test_wan(fen: int, text: str) -> None:
    assert wan(fen) == text


@pytest.mark.parametrize(("fen", "text"), [
    (5_340_000, "5.3万余元"),     # 53,400 元
    (5_399_999, "5.3万余元"),     # truncated, never rounded up
    (5_300_000, "5.3万元"),       # exact: no 余
    (5_000_000, "5万元"),
    (5_000_001, "5万余元"),
    (100_000, "0.1万元"),         # 1,000 元
    (85_600, "850余元"),          # below 1,000 元: the count rule in 元
    (85_000, "850元"),
    (85_050, "850余元"),          # 850.50 元
    (550, "5.5元"),
    (500, "5元"),
    (0, "0万元"),
])
def test_wan_approx(fen: int, text: str) -> None:
    assert wan_approx(fen) == text


@given(st.integers(min_value=100_000, max_value=10**12))
def test_wan_approx_never_overstates(fen: int) -> None:
    text = wan_approx(fen)
    from decimal import Decimal

    shown = Decimal(text.removesuffix("万余元").removesuffix("万元")) * 1_000_000
    assert shown <= fen < shown + 100_000
    assert ("余" in text) == (shown != fen)


@pytest.mark.parametrize(("value", "decimals", "text"), [
    (58.3, 1, "58.3"), (58.0, 1, "58.0"), (100.0, 0, "100"), (66.67, 2, "66.67"),
    (0.0, 1, "0.0"), (12.25, 1, "12.3"),
])
def test_percent(value: float, decimals: int, text: str) -> None:
    assert percent(value, decimals) == text


def test_dates_and_yuan() -> None:
    assert cn_date(dt.date(2026, 10, 8)) == "2026年10月8日"
    assert month_day(dt.date(2026, 9, 1)) == "9月1日"
    assert str(yuan(5_340_050)) == "53400.5"
