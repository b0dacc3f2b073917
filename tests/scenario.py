"""A board meeting played the same way on every chat transport (Teams, Matrix, console).

A transport's test maps each speaker to an account of its platform and passes an async
`say(speaker, text) -> reply text`; `run_meeting` plays the steps and checks each reply.
The organ is Styrelsen of tests/fixtures/ornskoldsvik.toml: Pär Eriksson is förbundschef,
Carolina Sondell ordförande (both may record), Cecilia Sparf ledamot (may only read)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

# Messages carry this time: the meeting of seed 003, so § numbers run in 2022.
MEETING_TIME = datetime(2022, 3, 25, 8, 30, tzinfo=ZoneInfo("Europe/Stockholm"))
SPEAKERS = ("Pär Eriksson", "Carolina Sondell", "Cecilia Sparf")


@dataclass(frozen=True)
class Step:
    speaker: str
    text: str
    expect: str  # the reply must contain this


MEETING = (
    Step("Pär Eriksson", "!paragrafnummer 22", "Nästa paragraf blir § 22 (2022)."),
    Step("Pär Eriksson", "!möte öppna 2022-03-25 08:30 Digitalt via Teams",
         "Sammanträdet är öppnat: Styrelsen, fredag 25 mars 2022 kl. 08:30, "
         "Digitalt via Teams."),
    Step("Pär Eriksson",
         "!närvaro Carolina Sondell, Jan-Olov Häggström, Cecilia Sparf, Camilla Steen",
         "Beslutande: Carolina Sondell ÖK ordförande, Jan-Olov Häggström RVN vice "
         "ordförande, Cecilia Sparf AF, Camilla Steen FK"),
    Step("Pär Eriksson", "!paragraf Sammanträdet öppnas", "§ 22 Sammanträdet öppnas"),
    Step("Carolina Sondell", "!justerare Cecilia Sparf", "Justerare: Cecilia Sparf."),
    Step("Pär Eriksson",
         "!paragraf Beslut om fastställande av årsredovisning för verksamhetsåret 2021",
         "§ 23 Beslut om fastställande av årsredovisning för verksamhetsåret 2021"),
    Step("Carolina Sondell", "!beslut Styrelsen fastställer årsredovisning enligt bilaga.",
         "Beslut: Styrelsen fastställer årsredovisning enligt bilaga."),
    Step("Cecilia Sparf", "!beslut Styrelsen beslutar något annat.",
         "Du får inte använda !beslut: bara ordförande och sekreterare i Styrelsen"),
    Step("Pär Eriksson", "!möte avsluta 11:30",
         "Sammanträdet fredag 25 mars 2022 är avslutat kl. 11:30 med 2 paragrafer (§ 22–23)."),
    Step("Pär Eriksson", "!protokoll", "Protokoll för Styrelsen fredag 25 mars 2022, § 22–23."),
)

Say = Callable[[str, str], Awaitable[str]]


async def run_meeting(say: Say) -> list[str]:
    """Play MEETING through a transport; returns the replies in order."""
    replies = []
    for step in MEETING:
        reply = await say(step.speaker, step.text)
        assert step.expect in reply, f"{step.text!r} got {reply!r}, expected {step.expect!r}"
        replies.append(reply)
    return replies
