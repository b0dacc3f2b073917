"""Sweden's public holidays and the de facto ones (midsommarafton, julafton,
nyårsafton), named as the `holidays` package names them in Swedish.

The rules are short and have not changed since 2005 (Nationaldagen became a holiday and
Annandag pingst stopped being one), so the bot computes them itself: the `holidays`
package loads some 300 modules (8 MiB) for the calendars of every country, which a
Matrix-only bot would carry from its first deadline check on. Older years, which only a
date typed far in the past needs, are still asked of the package."""

from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache

RULES_SINCE = 2005


def _easter(year: int) -> date:
    """Easter Sunday in the Gregorian calendar (the anonymous algorithm, Meeus/Butcher)."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = divmod(b, 4)
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    n = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * n) // 451
    month, day = divmod(h + n - 7 * m + 114, 31)
    return date(year, month, day + 1)


def _weekday_from(start: date, weekday: int) -> date:
    """The first `weekday` (0 = Monday) on or after `start`."""
    return start + timedelta(days=(weekday - start.weekday()) % 7)


@lru_cache(maxsize=64)
def swedish_holidays(year: int) -> dict[date, str]:
    if year < RULES_SINCE:
        import holidays  # the historical rules

        found = holidays.Sweden(years=[year], language="sv", categories=("public", "de_facto"))
        return dict(found.items())
    easter = _easter(year)
    days = [
        (date(year, 1, 1), "Nyårsdagen"),
        (date(year, 1, 6), "Trettondedag jul"),
        (easter - timedelta(days=2), "Långfredagen"),
        (easter, "Påskdagen"),
        (easter + timedelta(days=1), "Annandag påsk"),
        (date(year, 5, 1), "Första maj"),
        (easter + timedelta(days=39), "Kristi himmelsfärdsdag"),
        (easter + timedelta(days=49), "Pingstdagen"),
        (date(year, 6, 6), "Nationaldagen"),
        (_weekday_from(date(year, 6, 19), 4), "Midsommarafton"),
        (_weekday_from(date(year, 6, 20), 5), "Midsommardagen"),
        (_weekday_from(date(year, 10, 31), 5), "Alla helgons dag"),
        (date(year, 12, 24), "Julafton"),
        (date(year, 12, 25), "Juldagen"),
        (date(year, 12, 26), "Annandag jul"),
        (date(year, 12, 31), "Nyårsafton"),
    ]
    names: dict[date, list[str]] = {}
    for day, name in days:
        names.setdefault(day, []).append(name)
    # Two on one day (1 May 2008 was also Kristi himmelsfärdsdag) share it, as the package
    # writes them: in alphabetical order, separated by "; ".
    return {day: "; ".join(sorted(names[day])) for day in sorted(names)}
