"""Strict dates and times as a secretary types them in commands ('2022-03-25', '08:30')."""

from __future__ import annotations

import re
from datetime import date, time

DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
TIME = re.compile(r"^(?:kl\.?\s*)?(\d{1,2})[:.](\d{2})$")
YEAR = re.compile(r"^(19|20)\d{2}$")


def parse_date(text: str) -> date | None:
    match = DATE.match(text.strip())
    if not match:
        return None
    try:
        return date(*(int(g) for g in match.groups()))
    except ValueError:
        return None


def looks_like_date(text: str) -> bool:
    return bool(re.match(r"^\d{2,4}[-/.]\d{1,2}([-/.]\d{1,4})?$", text.strip()))


def parse_time(text: str) -> time | None:
    match = TIME.match(text.strip())
    if not match:
        return None
    hour, minute = int(match.group(1)), int(match.group(2))
    if hour > 23 or minute > 59:
        return None
    return time(hour, minute)


def parse_year(text: str) -> int | None:
    text = text.strip()
    return int(text) if YEAR.match(text) else None
