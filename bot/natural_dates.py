"""Dates and times as people write them in Swedish chat: "i morgon kl 9", "fredag 13.00",
"om två veckor", "den 20 mars kl 11", "2026-12-11 09:00", "nästa tisdag", and recurring
"varje måndag kl 9", "varje månad den 1".

Everything is read in the organ's time zone against an injected `now`, preferring the
future. The fixed forms (today/tomorrow, weekdays, "om N dagar", "den N") are read here,
since dateparser gets several of them wrong in Swedish ("den 1" lands in the past, "nästa
tisdag" is not understood); dates with a month ("20 mars", "31/1", "2027-01-31") go to
dateparser with languages=["sv"]. A time of day is taken out first ("kl 9", "13.00");
without one a reminder is set at 09:00.

Weekday rules: "tisdag" is the coming tuesday (today if the time is still ahead);
"nästa tisdag" is the tuesday of next week.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo

import dateparser

DEFAULT_TIME = time(9, 0)
MAX_WORDS = 8  # the longest date phrase tried at the start of a command

WEEKDAYS = {"måndag": 0, "tisdag": 1, "onsdag": 2, "torsdag": 3, "fredag": 4,
            "lördag": 5, "söndag": 6, "mån": 0, "tis": 1, "ons": 2, "tors": 3, "fre": 4,
            "lör": 5, "sön": 6}
MONTHS = ["januari", "februari", "mars", "april", "maj", "juni", "juli", "augusti",
          "september", "oktober", "november", "december"]
MONTH_WORDS = set(MONTHS) | {m[:3] for m in MONTHS} | {"sept", "okt"}
NUMBER_WORDS = {"en": 1, "ett": 1, "två": 2, "tre": 3, "fyra": 4, "fem": 5, "sex": 6,
                "sju": 7, "åtta": 8, "nio": 9, "tio": 10, "elva": 11, "tolv": 12}
UNITS = {"minut": "minutes", "minuter": "minutes", "min": "minutes",
         "timme": "hours", "timmar": "hours", "tim": "hours",
         "dag": "days", "dagar": "days", "vecka": "weeks", "veckor": "weeks",
         "månad": "months", "månader": "months", "år": "years"}

_WD = "|".join(sorted(WEEKDAYS, key=len, reverse=True))
_TIME = re.compile(
    r"(?:\b(?:kl|klockan)\.?\s*(?P<h>\d{1,2})(?:[:.](?P<m>\d{2}))?\b"
    r"|(?<![\d./-])(?P<h2>\d{1,2})[:.](?P<m2>\d{2})(?![\d./-]))")
_RELATIVE = re.compile(r"^om\s+(?P<n>\d+)\s+(?P<unit>[a-zåäö]+)$")
_WEEKDAY = re.compile(rf"^(?:(?P<next>nästa|kommande)\s+|på\s+)?(?P<wd>{_WD})(?:en)?$")
_DAY_OF_MONTH = re.compile(r"^den\s+(?P<d>\d{1,2})(?::?e|:?a)?$")
_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_RECURRING = re.compile(
    rf"^varje\s+(?:(?P<day>dag)|(?P<wd>{_WD})|månad\s+den\s+(?P<md>\d{{1,2}})(?::?e|:?a)?)"
    r"(?:\s+(?:(?:kl|klockan)\.?\s*(?P<h>\d{1,2})(?:[:.](?P<m>\d{2}))?"
    r"|(?P<h2>\d{1,2})[:.](?P<m2>\d{2})))?(?=\s|$)\s*(?P<rest>.*)$", re.DOTALL | re.IGNORECASE)


class DateProblem(ValueError):
    """The text is a date but an impossible one: 'kl 25', 'fredag den 5 december' when
    the 5th is a saturday. `what` is "tid" or "veckodag"; `day` the date it would be."""

    def __init__(self, what: str, text: str, day: date | None = None) -> None:
        super().__init__(what)
        self.what = what
        self.text = text
        self.day = day


@dataclass(frozen=True)
class When:
    """A point in time read from text, and whether the text said the time of day."""

    at: datetime
    has_time: bool


def _normalize(text: str) -> str:
    text = " ".join(text.casefold().replace(",", " ").split())
    text = re.sub(r"\bimorgon\b", "i morgon", text)
    text = re.sub(r"\bidag\b", "i dag", text)
    text = re.sub(r"\biövermorgon\b", "i övermorgon", text)
    words = "|".join(NUMBER_WORDS)
    units = "|".join(UNITS)
    return re.sub(rf"\b({words})\s+(?=({units})\b)",
                  lambda m: f"{NUMBER_WORDS[m.group(1)]} ", text)


def _clock(hour: str | None, minute: str | None) -> time | None:
    h, m = int(hour or 0), int(minute or 0)
    if h > 23 or m > 59:
        return None
    return time(h, m)


def _add_months(day: date, months: int) -> date:
    month0 = day.month - 1 + months
    year, month = day.year + month0 // 12, month0 % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def parse_when(text: str, now: datetime, tz: tzinfo,
               default_time: time = DEFAULT_TIME) -> When | None:
    """The whole of `text` as one point in time, or None if it is not (only) a date."""
    s = _normalize(text).strip(" .:;–-")
    if not s or len(s) > 80:
        return None
    local_now = now.astimezone(tz)
    today = local_now.date()
    relative = _RELATIVE.match(s)
    if relative and relative.group("unit") in UNITS:
        n, unit = int(relative.group("n")), UNITS[relative.group("unit")]
        if unit in ("minutes", "hours"):
            at = (local_now + timedelta(**{unit: n})).replace(second=0, microsecond=0)
            return When(at, True)
    clock: time | None = None
    match = _TIME.search(s)
    if match:
        clock = _clock(match.group("h") or match.group("h2"), match.group("m") or match.group("m2"))
        if clock is None:
            raise DateProblem("tid", match.group(0))
        s = (s[:match.start()] + " " + s[match.end():]).strip()
        s = " ".join(s.split())
    day = _read_day(s, local_now, today, clock or default_time, tz)
    if day is None:
        return None
    if day == "time-only":
        if clock is None:
            return None
        at = datetime.combine(today, clock, tzinfo=tz)
        if at <= local_now:
            at = datetime.combine(today + timedelta(days=1), clock, tzinfo=tz)
        return When(at, True)
    assert isinstance(day, date)
    return When(datetime.combine(day, clock or default_time, tzinfo=tz), clock is not None)


def _read_day(s: str, local_now: datetime, today: date, clock: time,
              tz: tzinfo) -> date | str | None:
    if s in ("", "i dag"):
        return "time-only" if s == "" else today
    if s == "i morgon":
        return today + timedelta(days=1)
    if s in ("i övermorgon", "övermorgon"):
        return today + timedelta(days=2)
    relative = _RELATIVE.match(s)
    if relative:
        unit = UNITS.get(relative.group("unit"))
        n = int(relative.group("n"))
        if unit == "days":
            return today + timedelta(days=n)
        if unit == "weeks":
            return today + timedelta(weeks=n)
        if unit == "months":
            return _add_months(today, n)
        if unit == "years":
            return _add_months(today, 12 * n)
        return None
    weekday = _WEEKDAY.match(s)
    if weekday:
        wd = WEEKDAYS[weekday.group("wd")]
        if weekday.group("next"):
            monday_next = today + timedelta(days=7 - today.weekday())
            return monday_next + timedelta(days=wd)
        ahead = (wd - today.weekday()) % 7
        if ahead == 0 and datetime.combine(today, clock, tzinfo=tz) <= local_now:
            ahead = 7
        return today + timedelta(days=ahead)
    dom = _DAY_OF_MONTH.match(s)
    if dom:
        n = int(dom.group("d"))
        if not 1 <= n <= 31:
            return None
        for months in range(0, 3):
            first = _add_months(today.replace(day=1), months)
            if n <= calendar.monthrange(first.year, first.month)[1]:
                candidate = first.replace(day=n)
                if candidate > today or (candidate == today and datetime.combine(
                        today, clock, tzinfo=tz) > local_now):
                    return candidate
        return None
    iso = _ISO.match(s)
    if iso:
        try:
            return date(*(int(g) for g in iso.groups()))
        except ValueError:
            return None
    return _dateparser_day(s, local_now)


def _dateparser_day(s: str, local_now: datetime) -> date | None:
    """Dates with a month: '20 mars', 'den 20 mars 2027', '31/1', 'fredag den 5 december'."""
    words = re.findall(r"[a-zåäö]+", s)
    if not words and not re.search(r"\d+[/.]\d+", s):
        return None  # a bare number is no date
    allowed = MONTH_WORDS | {"den"} | set(WEEKDAYS)
    if any(w not in allowed for w in words) or not re.search(r"\d", s):
        return None
    weekday_named = [w for w in words if w in WEEKDAYS]
    s_clean = " ".join(w for w in s.split() if w not in WEEKDAYS and w != "den")
    base = local_now.replace(hour=0, minute=0, second=0, microsecond=0, tzinfo=None)
    parsed = dateparser.parse(s_clean, languages=["sv"], settings={
        "PREFER_DATES_FROM": "future", "RELATIVE_BASE": base, "DATE_ORDER": "DMY",
        "PREFER_DAY_OF_MONTH": "first", "REQUIRE_PARTS": ["day", "month"]})
    if parsed is None:
        return None
    day = parsed.date()
    today = local_now.date()
    if not re.search(r"\d{4}", s) and day.year > today.year:
        # dateparser skips today's date when "future" is preferred; today may still be ahead.
        try:
            this_year = day.replace(year=today.year)
        except ValueError:
            this_year = None
        if this_year is not None and this_year >= today:
            day = this_year
    if weekday_named and WEEKDAYS[weekday_named[0]] != day.weekday():
        raise DateProblem("veckodag", s, day)
    return day


def split_when(text: str, now: datetime, tz: tzinfo,
               default_time: time = DEFAULT_TIME) -> tuple[When, str] | None:
    """The longest date phrase at the start of `text`, and the text after it."""
    words = text.split()
    for n in range(min(len(words), MAX_WORDS), 0, -1):
        when = parse_when(" ".join(words[:n]), now, tz, default_time)
        if when is not None:
            rest = " ".join(words[n:]).lstrip(":–- ").strip()
            return when, rest
    return None


# Recurring reminders.

@dataclass(frozen=True)
class Recurrence:
    """'dag', 'vecka' (weekday 0 = måndag) or 'månad' (day of month), at a time."""

    unit: str
    value: int
    at: time

    def serialize(self) -> str:
        clock = f"{self.at.hour:02d}:{self.at.minute:02d}"
        return f"dag:{clock}" if self.unit == "dag" else f"{self.unit}:{self.value}:{clock}"

    @classmethod
    def parse(cls, text: str) -> Recurrence | None:
        parts = text.split(":")
        try:
            if parts[0] == "dag" and len(parts) == 3:
                return cls("dag", 0, time(int(parts[1]), int(parts[2])))
            if parts[0] in ("vecka", "månad") and len(parts) == 4:
                return cls(parts[0], int(parts[1]), time(int(parts[2]), int(parts[3])))
        except ValueError:
            return None
        return None

    def next_after(self, moment: datetime, tz: tzinfo) -> datetime:
        """The first occurrence strictly after `moment`."""
        local = moment.astimezone(tz)
        day = local.date()
        for _ in range(0, 800):
            if self._matches(day):
                at = datetime.combine(day, self.at, tzinfo=tz)
                if at > local:
                    return at
            day += timedelta(days=1)
        raise ValueError(f"no occurrence of {self.serialize()}")

    def _matches(self, day: date) -> bool:
        if self.unit == "dag":
            return True
        if self.unit == "vecka":
            return day.weekday() == self.value
        last = calendar.monthrange(day.year, day.month)[1]
        return day.day == min(self.value, last)  # "den 31" is the last day in short months


def split_recurring(text: str) -> tuple[Recurrence, str] | None:
    """'varje måndag kl 9 Text' -> (weekly on monday 09:00, 'Text'); None if not 'varje …'.
    Raises ValueError for a day of month or time that cannot be."""
    match = _RECURRING.match(text.strip())
    if match is None:
        return None
    hour, minute = match.group("h") or match.group("h2"), match.group("m") or match.group("m2")
    clock = _clock(hour, minute) if hour else DEFAULT_TIME
    if clock is None:
        raise ValueError("tid")
    if match.group("day"):
        rule = Recurrence("dag", 0, clock)
    elif match.group("wd"):
        rule = Recurrence("vecka", WEEKDAYS[match.group("wd").casefold()], clock)
    else:
        day = int(match.group("md"))
        if not 1 <= day <= 31:
            raise ValueError("dag")
        rule = Recurrence("månad", day, clock)
    return rule, match.group("rest").lstrip(":–- ").strip()
