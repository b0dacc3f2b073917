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


AUDIT_NOW = datetime(2026, 11, 24, 10, 0, tzinfo=STOCKHOLM)  # the audit's probes: a Tuesday


@pytest.mark.parametrize(("phrase", "expected", "rest"), [
    # a number after a month-date is no year: it stays in the text
    ("den 20 mars 15 ärenden att ta upp", "lördag 20 mars 2027 kl. 09:00",
     "15 ärenden att ta upp"),
    ("20 mars 10 punkter", "lördag 20 mars 2027 kl. 09:00", "10 punkter"),
    # a year only as four digits or as d/m/yy
    ("20 mars 2027 X", "lördag 20 mars 2027 kl. 09:00", "X"),
    ("31/1/27 X", "söndag 31 januari 2027 kl. 09:00", "X"),
    ("11.12.2026 X", "fredag 11 december 2026 kl. 09:00", "X"),
    # ordinals are day numbers
    ("den 20:e mars kl 11 Budget", "lördag 20 mars 2027 kl. 11:00", "Budget"),
    ("den 1:a december kl 9 A", "tisdag 1 december 2026 kl. 09:00", "A"),
    ("den 3:e december A", "torsdag 3 december 2026 kl. 09:00", "A"),
    ("fredag den 27:e A", "fredag 27 november 2026 kl. 09:00", "A"),
    # four digits after kl
    ("i morgon kl 1330 A", "onsdag 25 november 2026 kl. 13:30", "A"),
    ("i morgon kl 930 A", "onsdag 25 november 2026 kl. 09:30", "A"),
    # a weekday in a later week
    ("tisdag nästa vecka A", "tisdag 1 december 2026 kl. 09:00", "A"),
    ("tisdag om två veckor A", "tisdag 8 december 2026 kl. 09:00", "A"),
    # a colon says the number belongs to the text
    ("11 december: 13 Kommunhuset", "fredag 11 december 2026 kl. 09:00", "13 Kommunhuset"),
])
def test_audit_probes(phrase: str, expected: str, rest: str) -> None:
    when, text = split_when(phrase, AUDIT_NOW, STOCKHOLM)
    assert (long_datetime(when.at), text) == (expected, rest)


def test_a_bare_ordinal_is_read_with_den_or_a_month() -> None:
    when, text = split_when("den 20:e A", AUDIT_NOW, STOCKHOLM)
    assert (long_datetime(when.at), text) == ("söndag 20 december 2026 kl. 09:00", "A")
    assert split_when("1:a mars A", AUDIT_NOW, STOCKHOLM)[0].at.date().isoformat() == \
        "2027-03-01"


@pytest.mark.parametrize(("phrase", "number", "date_words"), [
    ("11 december 13 Kommunhuset", "13", "11 december"),
    ("fredag 13 Ring revisorn", "13", "fredag"),
    ("i morgon 9 A", "9", "i morgon"),
    ("den 20 mars 9 Stadshuset", "9", "den 20 mars"),
    ("11 december 13", "13", "11 december"),
    ("2026-12-11 09:00-10:00 A", "09:00-10:00", "2026-12-11"),
])
def test_a_bare_number_after_a_date_is_asked_about(phrase: str, number: str,
                                                   date_words: str) -> None:
    with pytest.raises(DateProblem) as problem:
        split_when(phrase, AUDIT_NOW, STOCKHOLM)
    assert (problem.value.what, problem.value.text, problem.value.phrase) == \
        ("klockslag", number, date_words)


def test_an_unreadable_kl_is_not_put_into_the_text() -> None:
    with pytest.raises(DateProblem) as problem:
        split_when("i morgon kl 9am A", AUDIT_NOW, STOCKHOLM)
    assert (problem.value.what, problem.value.text) == ("tid", "kl 9am")


@pytest.mark.parametrize("phrase", [
    "om 9999999 dagar A", "om 99999999999 minuter A", "om 99999999 timmar X",
    "om 100 år A", "den 31 december 9999 A", "om 11 år A"])
def test_too_far_ahead_is_told_not_crashed(phrase: str) -> None:
    with pytest.raises(DateProblem) as problem:
        split_when(phrase, AUDIT_NOW, STOCKHOLM)
    assert problem.value.what == "för_långt"


def test_ten_years_ahead_is_still_fine() -> None:
    when, _ = split_when("om 10 år A", AUDIT_NOW, STOCKHOLM)
    assert long_datetime(when.at) == "måndag 24 november 2036 kl. 09:00"
