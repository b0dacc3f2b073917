"""A board meeting played the same way on every chat transport (Teams and Matrix).

A transport's test maps each speaker to an account of its platform and passes an async
`say(speaker, text) -> reply text`; `run_meeting` plays the steps and checks each reply.
The organ is Styrelsen of tests/fixtures/ornskoldsvik.toml: Pär Eriksson is förbundschef,
Carolina Sondell ordförande (both may record), Cecilia Sparf ledamot (may only read).

The meeting opens paragraphs, records a decision, refuses a member's `!beslut`, grants
Vidare Vy money with `!anslag`, books an utfall, answers the member's `!budget`, and ends
with the protokoll. `REMINDER` then sets a reminder that the bot must post on its own.
Messages carry the meeting day: Teams activities can say 2022-03-25 (the meeting of seed
003); Matrix events carry the homeserver's time, so Matrix plays today."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.app import App
from bot.swedish import day_month_year, long_date
from storage.models_reminders import PLANNED, Reminder
from storage.reminders import mark_changed

STOCKHOLM = ZoneInfo("Europe/Stockholm")
MEETING_TIME = datetime(2022, 3, 25, 8, 30, tzinfo=STOCKHOLM)
SPEAKERS = ("Pär Eriksson", "Carolina Sondell", "Cecilia Sparf")
PAR, CAROLINA, CECILIA = SPEAKERS


@dataclass(frozen=True)
class Step:
    speaker: str
    text: str
    expect: tuple[str, ...]  # the reply must contain each of these


def meeting(day: date, place: str) -> tuple[Step, ...]:
    """The steps of the meeting held on `day` at `place`, with the replies they must get."""
    when, iso, year = long_date(day), day.isoformat(), day.year
    return (
        Step(PAR, "!paragrafnummer 22", (f"Nästa paragraf blir § 22 ({year}).",)),
        Step(PAR, f"!möte öppna {iso} 08:30 {place}",
             (f"Sammanträdet är öppnat: Styrelsen, {when} kl. 08:30, {place}.",)),
        Step(PAR, "!närvaro Carolina Sondell, Jan-Olov Häggström, Cecilia Sparf, Camilla Steen",
             ("Beslutande: Carolina Sondell ÖK ordförande, Jan-Olov Häggström RVN vice "
              "ordförande, Cecilia Sparf AF, Camilla Steen FK",)),
        Step(PAR, "!paragraf Sammanträdet öppnas", ("§ 22 Sammanträdet öppnas",)),
        Step(CAROLINA, "!justerare Cecilia Sparf", ("Justerare: Cecilia Sparf.",)),
        Step(PAR, "!paragraf Beslut om fastställande av årsredovisning för verksamhetsåret "
             f"{year - 1}",
             (f"§ 23 Beslut om fastställande av årsredovisning för verksamhetsåret {year - 1}",)),
        Step(CAROLINA, "!beslut Styrelsen fastställer årsredovisning enligt bilaga.",
             ("Beslut: Styrelsen fastställer årsredovisning enligt bilaga.",)),
        Step(CECILIA, "!beslut Styrelsen beslutar något annat.",
             ("Du får inte använda !beslut: bara ordförande och sekreterare i Styrelsen",)),
        Step(PAR, "!insats ny Vidare Vy", ("Ny insats: Vidare Vy.",)),
        Step(PAR, "!paragraf Ansökan om medel för Vidare Vy",
             ("§ 24 Ansökan om medel för Vidare Vy",)),
        Step(PAR, "!anslag Vidare Vy 455 000",
             (f"Beslut: Styrelsen beviljar Vidare Vy 455 000 kr för {year}.",)),
        Step(PAR, f"!utfall Vidare Vy 227 223 {iso} Delårsbokslut",
             (f"Utfall bokfört: Vidare Vy 227 223 kr per den {day_month_year(day)} "
              "(Delårsbokslut).",)),
        Step(CECILIA, "!budget vidare vy",
             (f"Vidare Vy {year}", "Beviljat: 455 000 kr", "Utfall: 227 223 kr (50 %",
              "Kvar: 227 777 kr", f"Beviljat genom § 24, sammanträdet {when}")),
        Step(PAR, "!möte avsluta 11:30",
             (f"Sammanträdet {when} är avslutat kl. 11:30 med 3 paragrafer (§ 22–24).",)),
        Step(PAR, "!protokoll", (f"Protokoll för Styrelsen {when}, § 22–24.",)),
    )


MEETING = meeting(MEETING_TIME.date(), "Digitalt via Teams")

# Set after the meeting; the bot posts it by itself, not as a reply.
REMINDER = Step(PAR, "!påminn om 1 minut Justera protokollet",
                ("Påminnelse ", " är satt till ", "Text: Justera protokollet"))
REMINDER_POST = "Påminnelse: Justera protokollet"

Say = Callable[[str, str], Awaitable[str]]


async def run_meeting(say: Say, steps: tuple[Step, ...] = MEETING) -> list[str]:
    """Play the steps through a transport; returns the replies in order."""
    replies = []
    for step in steps:
        reply = (await say(step.speaker, step.text)).replace("\xa0", " ")
        for expected in step.expect:
            assert expected in reply, f"{step.text!r} got {reply!r}, expected {expected!r}"
        replies.append(reply)
    return replies


def hurry_reminder(app: App, reply: str, seconds: float = 1.0) -> None:
    """Bring the reminder that `reply` confirmed forward to `seconds` from now: a test
    does not wait the minute the user asked for. The commit wakes the scheduler as any
    change does."""
    match = re.match(r"Påminnelse (\d+) är satt", reply)
    assert match, reply
    with app.db.transaction() as session:
        reminder = session.get(Reminder, int(match[1]))
        assert reminder is not None and reminder.status == PLANNED
        reminder.due_at = datetime.now(UTC) + timedelta(seconds=seconds)
        session.add(reminder)
        mark_changed(session, reminder.id)


def check_protokoll(markdown: str, day: date) -> None:
    """What the protokoll of the meeting must say."""
    assert "**Samordningsförbundet i Örnsköldsvik**" in markdown
    assert "## § 22 Sammanträdet öppnas" in markdown
    assert f"## § 23 Beslut om fastställande av årsredovisning för verksamhetsåret " \
           f"{day.year - 1}" in markdown
    assert "- Styrelsen fastställer årsredovisning enligt bilaga." in markdown
    assert "## § 24 Ansökan om medel för Vidare Vy" in markdown
    assert f"Styrelsen beviljar Vidare Vy 455 000 kr för {day.year}." in markdown.replace(
        "\xa0", " ")
    assert "något annat" not in markdown
    assert "| Justerare | Cecilia Sparf |" in markdown
