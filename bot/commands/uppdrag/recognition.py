"""Recognises an uppdrag in a decision text, the way Swedish protokoll phrase them:

- "Styrelsen uppdrar till förbundschefen att undersöka … senast 2022-05-20"
- "Styrelsen uppdrog till Jan-Olov Häggström och Johnny Eriksson att …"
- "Jan-Olov och Johnny får i uppdrag att …", "Styrelsen ger förbundschefen i uppdrag att …"
- "Förbundschefen uppdras att …"
- "Att uppdra åt förbundschefen att …", "Styrelsen beslutar att ge förbundschefen i uppdrag
  att …", "Styrelsen ger i uppdrag till förbundschefen att …"
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from bot.dates import parse_date
from bot.swedish import MONTHS

_FLAGS = re.IGNORECASE | re.DOTALL
_PATTERNS = [
    # The infinitives (uppdra, ge) are the att-clause forms: "Att uppdra åt …", "Styrelsen
    # beslutar att ge förbundschefen i uppdrag att …".
    re.compile(r"\b(?:uppdra|uppdrar|uppdrog|uppdras|uppdrogs)\s+(?:till|åt)\s+(?P<who>.+?)"
               r"\s+att\s+(?P<what>.+)", _FLAGS),
    re.compile(r"\b(?:ge|ger|gav|ges|gavs)\s+i\s+uppdrag\s+(?:till|åt)\s+(?P<who>.+?)\s+att\s+"
               r"(?P<what>.+)", _FLAGS),
    re.compile(r"\b(?:ge|ger|gav|ges|gavs)\s+(?P<who>.+?)\s+i\s+uppdrag\s+att\s+(?P<what>.+)",
               _FLAGS),
    re.compile(r"^(?P<who>.+?)\s+(?:får|fick|ges|gavs|erhåller)\s+i\s+uppdrag\s+att\s+"
               r"(?P<what>.+)", _FLAGS),
    re.compile(r"^(?P<who>.+?)\s+uppdras\s+att\s+(?P<what>.+)", _FLAGS),
    re.compile(r"\b(?:uppdra|uppdrar|uppdrog)\s+(?P<who>(?!till\b|åt\b).+?)\s+att\s+"
               r"(?P<what>.+)", _FLAGS),
]
# "Styrelsen beslutar att den delegation som … får i uppdrag att": the uppdrag goes to the
# delegation, not the styrelse.
_LEAD = re.compile(r"^(?:\w+\s+)?(?:beslutar|beslutade|beslöt)\s+(?:om\s+)?att\s+|^att\s+",
                   re.IGNORECASE)
_ISO_DUE = re.compile(r"\bsenast\s+(?:den\s+)?(\d{4}-\d{1,2}-\d{1,2})\b", re.IGNORECASE)
_WORD_DUE = re.compile(r"\bsenast\s+(?:den\s+)?(\d{1,2})\s+(" + "|".join(MONTHS) +
                       r")(?:\s+(\d{4}))?\b", re.IGNORECASE)


@dataclass(frozen=True)
class Recognised:
    assignee: str
    task: str
    due_on: date | None


def due_date(text: str, reference: date) -> date | None:
    """'senast 2022-05-20' or 'senast den 20 maj [2022]'; without a year, the first such
    day on or after `reference` (the meeting's date)."""
    match = _ISO_DUE.search(text)
    if match:
        return parse_date(match.group(1))
    match = _WORD_DUE.search(text)
    if not match:
        return None
    day, month = int(match.group(1)), MONTHS.index(match.group(2).lower()) + 1
    years = [int(match.group(3))] if match.group(3) else [reference.year, reference.year + 1]
    for year in years:
        try:
            found = date(year, month, day)
        except ValueError:
            return None
        if match.group(3) or found >= reference:
            return found
    return None


def recognise(text: str, reference: date) -> Recognised | None:
    """The uppdrag a decision gives, or None when it gives none."""
    flat = " ".join(text.split())
    for pattern in _PATTERNS:
        match = pattern.search(flat)
        if not match:
            continue
        who = _LEAD.sub("", match.group("who").strip()).strip(" ,;:")
        what = match.group("what").strip().rstrip(".").strip()
        if not who or not what or len(who) > 300:
            continue
        return Recognised(assignee=who, task=what, due_on=due_date(flat, reference))
    return None
