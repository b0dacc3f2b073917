"""Swedish presentation of dates, times and amounts, used by the templates."""

from __future__ import annotations

import math
from datetime import date, datetime, time
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

# The matching keys live with the store that matches on them; re-exported for the commands.
from storage.folding import fold as fold
from storage.folding import search_key as search_key

WEEKDAYS = ["måndag", "tisdag", "onsdag", "torsdag", "fredag", "lördag", "söndag"]
MONTHS = [
    "januari", "februari", "mars", "april", "maj", "juni",
    "juli", "augusti", "september", "oktober", "november", "december",
]


def long_date(value: date | datetime) -> str:
    """'fredag 31 januari 2025'."""
    if isinstance(value, datetime):
        value = value.date()
    return f"{WEEKDAYS[value.weekday()]} {value.day} {MONTHS[value.month - 1]} {value.year}"


def day_month_year(value: date | datetime) -> str:
    """'30 juni 2027': after "per den" and "den", where a weekday does not belong."""
    if isinstance(value, datetime):
        value = value.date()
    return f"{value.day} {MONTHS[value.month - 1]} {value.year}"


def definite_date(value: date | datetime) -> str:
    """'onsdagen den 6 april 2022': a date in running text ("inget sammanträde …")."""
    if isinstance(value, datetime):
        value = value.date()
    return f"{WEEKDAYS[value.weekday()]}en den {day_month_year(value)}"


def clock(value: time | datetime) -> str:
    """'09:00'."""
    return f"{value.hour:02d}:{value.minute:02d}"


def long_datetime(value: datetime) -> str:
    """'fredag 11 december 2026 kl. 09:00'."""
    return f"{long_date(value)} kl. {clock(value)}"


def iso_date(value: date | datetime) -> str:
    if isinstance(value, datetime):
        value = value.date()
    return value.isoformat()


NBSP = "\u00a0"


def amount(value: int | float | Decimal, *, decimals: bool = False) -> str:
    """'1 234 567 kr' in kronor, with a no-break space between digit groups and before
    'kr'; öre only when there are any ('119 684,43 kr'), or always with `decimals`.
    Negative amounts keep their sign ('-5 000 kr')."""
    number = Decimal(str(value)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    return _kronor(number, decimals)


def amount_ore(ore: int, *, decimals: bool = False) -> str:
    """An exact amount stored as integer öre: 11968443 -> '119 684,43 kr'."""
    return _kronor(Decimal(int(ore)).scaleb(-2), decimals)


def _kronor(number: Decimal, decimals: bool) -> str:
    sign = "-" if number < 0 else ""
    whole, frac = divmod(abs(number) * 100, 100)
    # Python's thousands separator groups by three; Swedish writes a no-break space there.
    text = f"{int(whole):,}".replace(",", NBSP)
    if frac or decimals:
        text += f",{int(frac):02d}"
    return f"{sign}{text}{NBSP}kr"


def percent(part: int, whole: int) -> str:
    """`part` of `whole` in whole percent ('76 %'), '–' without a whole. A share that only
    rounding makes 0 % or 100 % gets one decimal, cut away from that mark: 99,96 % of a
    grant spent is '99,9 %', never '100 %' while money is left."""
    if whole <= 0:
        return "–"
    exact = Fraction(part * 100, whole)
    rounded = math.floor(exact + Fraction(1, 2))
    if rounded in (0, 100) and exact != rounded:
        tenths = math.floor(exact * 10) if exact < rounded else math.ceil(exact * 10)
        return f"{tenths // 10},{tenths % 10} %"
    return f"{rounded} %"


def paragraph_range(numbers: list[int]) -> str:
    """'22–30' for a run, '22' for one, '' for none."""
    if not numbers:
        return ""
    low, high = min(numbers), max(numbers)
    return str(low) if low == high else f"{low}–{high}"


def join_names(names: list[str]) -> str:
    """'A', 'A och B', 'A, B och C'."""
    names = [n for n in names if n]
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " och " + names[-1]


def genitive(name: str) -> str:
    """Swedish genitive: "Styrelsens", "LSG:s", and nothing added after s, x or z."""
    if not name or name[-1] in "sxzSXZ":
        return name
    if name.isupper() or name[-1].isdigit():
        return f"{name}:s"
    return f"{name}s"
