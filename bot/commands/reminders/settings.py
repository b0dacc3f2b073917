"""The capability's config keys, read from the raw [[forbund]] and [[forbund.organ]] tables
with bot.config.Reader so every error names its key."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, time, timedelta
from typing import Any

from bot.config import Config, ConfigError, ForbundConfig, OrganConfig, Reader


@dataclass(frozen=True)
class DeadlineRule:
    """A yearly deadline of a förbund: its day, and how many days before to remind."""

    key: str  # arsrapport | arsredovisning | delarsrapport | verksamhetsplan
    month: int
    day: int
    days_before: tuple[int, ...]
    per: tuple[int, int] | None = None  # delårsrapport: the month and day it is made up to

    def on(self, year: int) -> date:
        return _day(year, self.month, self.day)

    def per_on(self, year: int) -> date | None:
        """The balance day of the report fastställd on `on(year)`: the last `per` on or
        before it ("per den 30 juni 2027" for 31 augusti 2027)."""
        if self.per is None:
            return None
        day, deadline = _day(year, *self.per), self.on(year)
        return day if day <= deadline else _day(year - 1, *self.per)


def _day(year: int, month: int, day: int) -> date:
    try:
        return date(year, month, day)
    except ValueError:  # 29 februari in a common year
        return date(year, month, 28)


# key: (month, day, reminder days). Årsrapport: the insatser's reports for last year.
DEADLINE_DEFAULTS: dict[str, tuple[int, int, tuple[int, ...]]] = {
    "arsrapport": (1, 31, (30, 14, 7, 1)),
    "arsredovisning": (3, 31, (30, 7)),
    # The delårsrapport per 30 juni is no deadline on 30 juni: styrelsen fastställer it
    # after the summer (seed 003: 1 september 2021). `datum` is that day, `per` the balance day.
    "delarsrapport": (8, 31, (14, 7)),
    "verksamhetsplan": (11, 30, (30, 7)),
}
PER_DEFAULTS: dict[str, tuple[int, int]] = {"delarsrapport": (6, 30)}
RENAMED = {"delarsbokslut": "delarsrapport"}
MEETING_OFFSETS_DEFAULT = ("7 dagar", "1 dag", "1 timme")
REMINDER_TIME_DEFAULT = time(9, 0)
_OFFSET = re.compile(r"^(\d{1,3})\s*(dagar|dag|d|timmar|timme|tim|h|minuter|minut|min)$")
_MONTH_DAY = re.compile(r"^(\d{2})-(\d{2})$")


@dataclass(frozen=True)
class ForbundSettings:
    deadlines: tuple[DeadlineRule, ...]
    reminder_time: time


def _reader(config: Config, fc: ForbundConfig) -> Reader:
    return Reader(fc.raw, f"forbund[{config.forbund.index(fc)}]", config.source)


def forbund_settings(config: Config, fc: ForbundConfig) -> ForbundSettings:
    """`frister_klockan` and `[forbund.frister.<namn>]` of one förbund (its `insatser` are
    bot.config's: they go into the register, which says who owes an årsrapport)."""
    r = _reader(config, fc)
    clock = r.str("frister_klockan", "09:00")
    match = re.match(r"^(\d{1,2})[:.](\d{2})$", clock)
    if not match or int(match.group(1)) > 23 or int(match.group(2)) > 59:
        raise r.fail("frister_klockan", "inte_klockslag", text=clock)
    table = fc.raw.get("frister", {})
    frister = Reader(table, r.key("frister"), config.source)
    renamed = [k for k in table if k in RENAMED]
    if renamed:
        # Not read silently: its old "datum" (06-30) meant the balance day, not the
        # day styrelsen fastställer the report.
        raise frister.fail(renamed[0], "frist_bytt_namn", nytt=RENAMED[renamed[0]])
    unknown = [k for k in table if k not in DEADLINE_DEFAULTS]
    if unknown:
        names = ", ".join(DEADLINE_DEFAULTS)
        raise frister.fail(unknown[0], "okänd_frist", kända=names)
    rules = []
    for key, (month, day, days) in DEADLINE_DEFAULTS.items():
        sub = Reader(table.get(key, {}), frister.key(key), config.source)
        if not _bool(sub, "aktiv", True):
            continue
        at = _month_day(sub, "datum", (month, day))
        per = _month_day(sub, "per", PER_DEFAULTS[key]) if key in PER_DEFAULTS else None
        if per is None and "per" in sub.table:
            raise sub.fail("per", "per_bara_delarsrapport")
        rules.append(DeadlineRule(key, *at, _days(sub, "dagar_fore", days), per))
    return ForbundSettings(tuple(rules), time(int(match.group(1)), int(match.group(2))))


def meeting_offsets(config: Config, fc: ForbundConfig, oc: OrganConfig) -> list[timedelta]:
    """`sammantrade_paminnelser = ["7 dagar", "1 dag", "1 timme"]` of an organ."""
    path = f"forbund[{config.forbund.index(fc)}].organ[{fc.organs.index(oc)}]"
    r = Reader(oc.raw, path, config.source)
    if "sammantrade_paminnelser" not in oc.raw:
        values = list(MEETING_OFFSETS_DEFAULT)
    else:
        values = oc.raw["sammantrade_paminnelser"]
        if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
            raise r.fail("sammantrade_paminnelser", "inte_lista_tider")
    offsets = []
    for value in values:
        offset = parse_offset(value)
        if offset is None:
            raise r.fail("sammantrade_paminnelser", "okänd_tid_före", text=value)
        offsets.append(offset)
    return sorted(set(offsets), reverse=True)


def parse_offset(text: str) -> timedelta | None:
    match = _OFFSET.match(text.strip().casefold())
    if not match:
        return None
    n, unit = int(match.group(1)), match.group(2)
    if unit.startswith("d"):
        return timedelta(days=n)
    if unit.startswith(("t", "h")):
        return timedelta(hours=n)
    return timedelta(minutes=n)


def _month_day(r: Reader, name: str, default: tuple[int, int]) -> tuple[int, int]:
    text = r.str(name, f"{default[0]:02d}-{default[1]:02d}")
    md = _MONTH_DAY.match(text)
    if not md or not _valid_month_day(int(md.group(1)), int(md.group(2))):
        raise r.fail(name, "inte_månad_dag", text=text)
    return int(md.group(1)), int(md.group(2))


def _bool(r: Reader, name: str, default: bool) -> bool:
    value: Any = r.table.get(name, default)
    if not isinstance(value, bool):
        raise r.fail(name, "inte_sant_falskt_kort")
    return value


def _days(r: Reader, name: str, default: tuple[int, ...]) -> tuple[int, ...]:
    value: Any = r.table.get(name, list(default))
    if not isinstance(value, list) or not all(
            isinstance(v, int) and not isinstance(v, bool) and 0 <= v <= 365 for v in value):
        raise r.fail(name, "inte_lista_dagar")
    return tuple(sorted(set(value), reverse=True))


def _valid_month_day(month: int, day: int) -> bool:
    try:
        date(2024, month, day)  # a leap year, so 02-29 is allowed
    except ValueError:
        return False
    return True


def validate(config: Config) -> None:
    """Read every key once at start-up, so a mistake stops the bot with a clear message."""
    for fc in config.forbund:
        forbund_settings(config, fc)
        for oc in fc.organs:
            meeting_offsets(config, fc, oc)


def find_forbund(config: Config, key: str) -> ForbundConfig | None:
    return next((f for f in config.forbund if f.key == key), None)


def config_insatser(config: Config, forbund_key: str) -> tuple[str, ...]:
    """The insatser the config names for a förbund (`insatser = [...]`): they owe an
    årsrapport even before the budget register knows them."""
    fc = find_forbund(config, forbund_key)
    return forbund_settings(config, fc).insatser if fc else ()


def find_organ(config: Config, forbund_key: str, organ_key: str
               ) -> tuple[ForbundConfig, OrganConfig] | None:
    fc = find_forbund(config, forbund_key)
    if fc is None:
        return None
    oc = next((o for o in fc.organs if o.key == organ_key), None)
    return (fc, oc) if oc else None


__all__ = ["ConfigError", "DeadlineRule", "ForbundSettings", "config_insatser",
           "forbund_settings", "meeting_offsets", "parse_offset", "validate"]
