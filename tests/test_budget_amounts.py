"""Swedish amounts: parsing to exact öre and printing with no-break spaces."""

from __future__ import annotations

import pytest

from bot.commands.budget.amounts import AmountError, parse_amount
from bot.swedish import amount, amount_ore

NBSP = "\u00a0"


@pytest.mark.parametrize(("text", "ore"), [
    ("455 000", 45_500_000),
    ("455000", 45_500_000),
    ("455\u00a0000", 45_500_000),
    ("455\u202f000", 45_500_000),
    ("404 315,57", 40_431_557),
    ("-227 223", -22_722_300),
    ("\u2212227 223", -22_722_300),
    ("(227 223)", -22_722_300),
    ("455 000 kr", 45_500_000),
    ("455 000 kronor", 45_500_000),
    ("455 000 SEK", 45_500_000),
    ("374 448:-", 37_444_800),
    ("1,2 mkr", 120_000_000),
    ("1.2 Mkr", 120_000_000),
    ("455 tkr", 45_500_000),
    ("37,5 tkr", 3_750_000),
    ("1.234.567", 123_456_700),
    ("455.000", 45_500_000),  # a dot between groups of three is a thousands separator
    ("1.500", 150_000),
    ("1.234.567,50", 123_456_750),
    ("1.500 mkr", 150_000_000),  # with a unit the dot is a decimal point
    ("119684.43", 11_968_443),
    ("0", 0),
    ("5 034 000", 503_400_000),
])
def test_parse(text: str, ore: int) -> None:
    assert parse_amount(text) == ore


@pytest.mark.parametrize("text", ["", "kr", "12x", "45 50", "1,234", "1,2 gkr", "abc",
                                  "1,2,3", "10 00 000", "99999999999999 kr", "455,000",
                                  "1234.500", "12.3456"])
def test_parse_rejects(text: str) -> None:
    with pytest.raises(AmountError):
        parse_amount(text)


def test_three_digits_after_a_comma_are_refused_with_both_readings() -> None:
    with pytest.raises(AmountError) as error:
        parse_amount("455,000")
    assert error.value.reason == ("oklart om kommat skiljer tusental eller decimaler; skriv "
                                  "455 000 för tusental, högst två decimaler för öre")
    with pytest.raises(AmountError) as error:
        parse_amount("1234.500")
    assert "oklart om punkten" in error.value.reason and "1 234 500" in error.value.reason


def test_print_with_no_break_spaces_and_ore_only_when_any() -> None:
    assert amount_ore(45_500_000) == f"455{NBSP}000{NBSP}kr"
    assert amount_ore(11_968_443) == f"119{NBSP}684,43{NBSP}kr"
    assert amount_ore(-22_722_300) == f"-227{NBSP}223{NBSP}kr"
    assert amount_ore(50) == f"0,50{NBSP}kr"
    assert amount(1_234_567) == f"1{NBSP}234{NBSP}567{NBSP}kr"
    assert amount(999) == f"999{NBSP}kr"
    assert amount(12.5, decimals=True) == f"12,50{NBSP}kr"
    assert amount(0) == f"0{NBSP}kr"
