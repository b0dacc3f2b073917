"""Swedish date phrases, read against an injected clock (Thursday 3 December 2026, 14:00)."""

from __future__ import annotations

from datetime import datetime

import pytest

from bot.natural_dates import DateProblem, Recurrence, split_recurring, split_when
from bot.swedish import long_datetime
from tests.conftest import STOCKHOLM

NOW = datetime(2026, 12, 3, 14, 0, tzinfo=STOCKHOLM)  # a Thursday


@pytest.mark.parametrize(("phrase", "expected", "rest"), [
    ("i morgon kl 9 Skicka kallelsen", "fredag 4 december 2026 kl. 09:00", "Skicka kallelsen"),
    ("imorgon 9.30 Ring", "fredag 4 december 2026 kl. 09:30", "Ring"),
    ("fredag 13.00 Möte", "fredag 4 december 2026 kl. 13:00", "Möte"),
    ("om två veckor Följ upp", "torsdag 17 december 2026 kl. 09:00", "Följ upp"),
    ("om 2 timmar Kaffe", "torsdag 3 december 2026 kl. 16:00", "Kaffe"),
    ("den 20 mars kl 11 Budget", "lördag 20 mars 2027 kl. 11:00", "Budget"),
    ("2026-12-11 09:00 Styrelsemöte", "fredag 11 december 2026 kl. 09:00", "Styrelsemöte"),
    ("nästa tisdag Hej", "tisdag 8 december 2026 kl. 09:00", "Hej"),
    ("tisdag Hej", "tisdag 8 december 2026 kl. 09:00", "Hej"),
    ("torsdag Hej", "torsdag 10 december 2026 kl. 09:00", "Hej"),  # today has passed 09:00
    ("torsdag kl 15 Hej", "torsdag 3 december 2026 kl. 15:00", "Hej"),
    ("kl 15 Hej", "torsdag 3 december 2026 kl. 15:00", "Hej"),
    ("kl 13 Hej", "fredag 4 december 2026 kl. 13:00", "Hej"),  # 13:00 today has passed
    ("den 1 Rapport", "fredag 1 januari 2027 kl. 09:00", "Rapport"),
    ("den 3 december kl 15 Idag", "torsdag 3 december 2026 kl. 15:00", "Idag"),
    ("31/1 Årsrapporter", "söndag 31 januari 2027 kl. 09:00", "Årsrapporter"),
    ("i övermorgon: Text", "lördag 5 december 2026 kl. 09:00", "Text"),
    ("om en månad X", "söndag 3 januari 2027 kl. 09:00", "X"),
])
def test_phrases(phrase: str, expected: str, rest: str) -> None:
    found = split_when(phrase, NOW, STOCKHOLM)
    assert found is not None, phrase
    when, text = found
    assert long_datetime(when.at) == expected
    assert text == rest
    assert when.at.tzinfo is STOCKHOLM


def test_nasta_tisdag_on_a_monday_is_next_week() -> None:
    monday = datetime(2026, 11, 30, 10, 0, tzinfo=STOCKHOLM)
    assert long_datetime(split_when("tisdag x", monday, STOCKHOLM)[0].at) == \
        "tisdag 1 december 2026 kl. 09:00"
    assert long_datetime(split_when("nästa tisdag x", monday, STOCKHOLM)[0].at) == \
        "tisdag 8 december 2026 kl. 09:00"


def test_summer_time_is_local() -> None:
    found = split_when("2027-06-10 09:00 x", NOW, STOCKHOLM)
    assert found[0].at.utcoffset().total_seconds() == 7200


@pytest.mark.parametrize("text", ["Skicka kallelsen", "om 3 sekunder x", "13 x", "mars x"])
def test_unreadable(text: str) -> None:
    assert split_when(text, NOW, STOCKHOLM) is None


def test_impossible_time_and_wrong_weekday_are_told() -> None:
    with pytest.raises(DateProblem) as problem:
        split_when("i morgon kl 25 x", NOW, STOCKHOLM)
    assert problem.value.what == "tid"
    with pytest.raises(DateProblem) as problem:
        split_when("fredag den 5 december x", NOW, STOCKHOLM)
    assert problem.value.what == "veckodag"
    assert problem.value.day.isoformat() == "2026-12-05"


def test_recurring_rules() -> None:
    rule, text = split_recurring("varje måndag kl 9 Veckans ärenden")
    assert (rule.unit, rule.value, rule.at.hour, text) == ("vecka", 0, 9, "Veckans ärenden")
    assert long_datetime(rule.next_after(NOW, STOCKHOLM)) == "måndag 7 december 2026 kl. 09:00"
    rule, text = split_recurring("varje månad den 1 Månadsrapport")
    assert long_datetime(rule.next_after(NOW, STOCKHOLM)) == "fredag 1 januari 2027 kl. 09:00"
    assert Recurrence.parse(rule.serialize()) == rule
    rule, _ = split_recurring("Varje månad den 31 kl 12 x")
    feb = rule.next_after(datetime(2027, 2, 1, tzinfo=STOCKHOLM), STOCKHOLM)
    assert long_datetime(feb) == "söndag 28 februari 2027 kl. 12:00"
    rule, _ = split_recurring("varje dag 08:15 x")
    assert long_datetime(rule.next_after(NOW, STOCKHOLM)) == "fredag 4 december 2026 kl. 08:15"
    assert split_recurring("i morgon x") is None
    with pytest.raises(ValueError):
        split_recurring("varje månad den 40 x")
