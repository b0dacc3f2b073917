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
from datetime import UTC, date, datetime, time, timedelta, tzinfo

DEFAULT_TIME = time(9, 0)
MAX_WORDS = 8  # the longest date phrase tried at the start of a command
MAX_YEARS_AHEAD = 10  # further ahead is a typing mistake, not a reminder

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
    r"(?:\b(?:kl|klockan)\.?\s*(?P<h>\d{1,2})(?:[:.]?(?P<m>\d{2}))?\b"
    r"|(?<![\d./-])(?P<h2>\d{1,2})[:.](?P<m2>\d{2})(?![\d./-]))")
_RELATIVE = re.compile(r"^om\s+(?P<n>\d+)\s+(?P<unit>[a-zåäö]+)$")
_WEEKDAY = re.compile(
    rf"^(?:(?P<next>nästa|kommande)\s+|på\s+)?(?P<wd>{_WD})(?:en)?"
    r"(?:\s+(?:(?P<next_week>nästa\s+vecka)|om\s+(?P<weeks>\d{1,2})\s+veckor?))?$")
_DAY_OF_MONTH = re.compile(rf"^(?:(?P<wd>{_WD})(?:en)?\s+)?den\s+(?P<d>\d{{1,2}})(?::?e|:?a)?$")
_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_RECURRING = re.compile(
    rf"^varje\s+(?:(?P<day>dag)|(?P<wd>{_WD})|månad\s+den\s+(?P<md>\d{{1,2}})(?::?e|:?a)?)"
    r"(?:\s+(?:(?:kl|klockan)\.?\s*(?P<h>\d{1,2})(?:[:.](?P<m>\d{2}))?"
    r"|(?P<h2>\d{1,2})[:.](?P<m2>\d{2})))?(?=\s|$)\s*(?P<rest>.*)$", re.DOTALL | re.IGNORECASE)


class DateProblem(ValueError):
    """The text is a date but an impossible or unclear one. `what` is
    "tid" ('kl 25'), "veckodag" ('fredag den 5 december' when the 5th is a saturday),
    "finns_inte" (a local time skipped when the clock is put forward), "för_långt"
    (more than MAX_YEARS_AHEAD years ahead) or "klockslag" (a bare number after a date:
    '11 december 13 …' may mean 13:00). `day` is the date it would be, `at` the moment."""

    def __init__(self, what: str, text: str, day: date | None = None,
                 at: datetime | None = None, phrase: str = "") -> None:
        super().__init__(what)
        self.what = what
        self.text = text
        self.day = day
        self.at = at
        self.phrase = phrase  # "klockslag": the date words before the number


@dataclass(frozen=True)
class When:
    """A point in time read from text, and whether the text said the time of day."""

    at: datetime
    has_time: bool


def _normalize(text: str) -> str:
    text = " ".join(text.casefold().replace(",", " ").split())
    # ordinals are day numbers: "den 20:e mars", "1:a", "3e" -> "20", "1", "3"
    text = re.sub(r"\b(\d{1,2}):?[ea]\b", r"\1", text)
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


def _local(day: date, clock: time, tz: tzinfo, text: str) -> datetime:
    """`clock` on `day` in `tz`; a time the clock skips (02:30 on the night summer
    time starts) is refused rather than silently moved."""
    at = datetime.combine(day, clock, tzinfo=tz)
    back = at.astimezone(UTC).astimezone(tz)
    if (back.date(), back.hour, back.minute) != (day, clock.hour, clock.minute):
        raise DateProblem("finns_inte", text, day, at)
    return at


def parse_when(text: str, now: datetime, tz: tzinfo,
               default_time: time = DEFAULT_TIME) -> When | None:
    """The whole of `text` as one point in time, or None if it is not (only) a date.
    Raises DateProblem for an impossible time or date, or one too far ahead."""
    s = _normalize(text).strip(" .:;–-")
    if not s or len(s) > 80:
        return None
    local_now = now.astimezone(tz)
    try:
        when = _parse(s, local_now, tz, default_time)
    except DateProblem:
        raise
    except (OverflowError, ValueError):  # "om 9999999 dagar": beyond what a date can hold
        raise DateProblem("för_långt", s) from None
    if when is not None and when.at > _add_years(local_now, MAX_YEARS_AHEAD):
        raise DateProblem("för_långt", s, when.at.date(), when.at)
    return when


def _add_years(moment: datetime, years: int) -> datetime:
    try:
        return moment.replace(year=moment.year + years)
    except ValueError:  # 29 February
        return moment.replace(year=moment.year + years, day=28)


def _parse(s: str, local_now: datetime, tz: tzinfo, default_time: time) -> When | None:
    today = local_now.date()
    relative = _RELATIVE.match(s)
    if relative and relative.group("unit") in UNITS:
        n, unit = int(relative.group("n")), UNITS[relative.group("unit")]
        if n > MAX_YEARS_AHEAD * 366 * 24 * 60:
            raise DateProblem("för_långt", s)
        if unit in ("minutes", "hours"):
            # real elapsed time: added in UTC, so a night when the clock changes counts right.
            # The seconds are kept: "om 1 minut" at 14:00:56 is 14:01:56, not four seconds away.
            at = (local_now.astimezone(UTC) + timedelta(**{unit: n})).astimezone(tz)
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
        return When(_local(at.date(), clock, tz, s), True)
    assert isinstance(day, date)
    return When(_local(day, clock or default_time, tz, s), clock is not None)


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
        weeks = 1 if weekday.group("next") or weekday.group("next_week") else 0
        if weekday.group("weeks"):
            # "tisdag om två veckor": the tuesday of the week two weeks from now
            if weekday.group("next"):
                return None
            weeks = int(weekday.group("weeks"))
        if weeks:
            monday = today - timedelta(days=today.weekday()) + timedelta(weeks=weeks)
            return monday + timedelta(days=wd)
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
                    if dom.group("wd") and WEEKDAYS[dom.group("wd")] != candidate.weekday():
                        raise DateProblem("veckodag", s, candidate)
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
    if not _date_shape(s_clean):
        return None
    import dateparser  # only here: most dates are read without it, and it costs 5 MiB

    base = local_now.replace(hour=0, minute=0, second=0, microsecond=0, tzinfo=None)
    parsed = dateparser.parse(s_clean, languages=["sv"], settings={
        "PREFER_DATES_FROM": "future", "RELATIVE_BASE": base, "DATE_ORDER": "DMY",
        "PREFER_DAY_OF_MONTH": "first", "REQUIRE_PARTS": ["day", "month"]})
    if parsed is None:
        return None
    if parsed.time() != time(0, 0):
        return None  # dateparser read a time we did not take out: not a date alone
    day = parsed.date()
    today = local_now.date()
    if not _has_year(s_clean) and day.year > today.year:
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


_NUMERIC_DATE = re.compile(r"^\d{1,2}[/.]\d{1,2}(?:[/.](?:\d{2}|\d{4}))?$")


def _date_shape(s: str) -> bool:
    """A day and month, and a year only as four digits or as the third part of d/m/yy:
    "20 mars", "20 mars 2027", "mars 20", "31/1", "31/1/27", "11.12.2026". A bare
    number after the month ("20 mars 15 ärenden") is no year, and stays in the text."""
    tokens = s.split()
    if len(tokens) == 1:
        return bool(_NUMERIC_DATE.match(tokens[0]))
    months = [t for t in tokens if t in MONTH_WORDS]
    numbers = [t for t in tokens if t not in MONTH_WORDS]
    if len(months) != 1 or not all(t.isdigit() for t in numbers):
        return False
    return (len(numbers) == 1 and len(numbers[0]) <= 2) or (
        len(numbers) == 2 and len(numbers[0]) <= 2 and len(numbers[1]) == 4
        and tokens[-1] == numbers[1])


def _has_year(s: str) -> bool:
    return bool(re.search(r"\d{4}", s) or re.search(r"\d[/.]\d{1,2}[/.]\d{2}$", s))


_BARE_HOUR = re.compile(r"^(\d{1,2})(?:[:.]\d{2})?(?=$|\D)")


def split_when(text: str, now: datetime, tz: tzinfo,
               default_time: time = DEFAULT_TIME) -> tuple[When, str] | None:
    """The longest date phrase at the start of `text`, and the text after it.

    A number right after a date without a time is ambiguous: "fredag 13 Ring revisorn"
    may mean 13:00, so that raises DateProblem("klockslag") asking for "kl 13". It reads
    as part of the text only when a lowercase word follows ("den 20 mars 15 ärenden"), or
    after a colon ("11 december: 13 …")."""
    words = text.split()
    for n in range(min(len(words), MAX_WORDS), 0, -1):
        when = parse_when(" ".join(words[:n]), now, tz, default_time)
        if when is not None:
            rest = " ".join(words[n:]).lstrip(":–- ").strip()
            if not when.has_time and not words[n - 1].endswith((":", "–", "-")):
                _check_no_clock_follows(words[:n], words[n:], when)
            return when, rest
    return None


def _check_no_clock_follows(date_words: list[str], after: list[str], when: When) -> None:
    if not after:
        return
    first = after[0].casefold()
    if re.match(r"^(?:kl|klockan)\.?(?:\d|$)", first):
        # "kl 9am", "kl 25": a time we could not read must not end up in the text
        raise DateProblem("tid", " ".join(after[:2]))
    hour = _BARE_HOUR.match(after[0])
    if hour is None or int(hour.group(1)) > 23:
        return
    count = after[0].isdigit() and len(after) > 1 and after[1][:1].islower()
    if not count:
        raise DateProblem("klockslag", after[0], when.at.date(), when.at,
                          phrase=" ".join(date_words))


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
