"""The data every benchmark runs on: N rooms, each bound to the styrelse of its own förbund,
with `years` of history per organ (12 closed meetings x 15 § a year, and a budget register
of INSATSER insatser with a grant and twelve monthly utfall a year), plus an open meeting
and a budget for the current year. Written straight through storage/, in one transaction
per organ."""

from __future__ import annotations

from datetime import date, time

from bot.app import App
from bot.config import Config, ForbundConfig, MemberConfig, OrganConfig
from storage import budget, meetings, paragraphs
from storage.tenants import organ_for_room

MEETINGS_PER_YEAR = 12
PARAGRAPHS_PER_MEETING = 15
INSATSER = 10
CURRENT_YEAR = 2026
CHAIR = "Ordföranden"


def config(room_ids: list[str], url: str, chair_id: str = CHAIR) -> Config:
    """One förbund per room, so every room is a different organ of a different förbund."""
    return Config(database_url=url, forbund=[
        ForbundConfig(key=f"f{i}", name=f"Samordningsförbundet {i}", organs=[OrganConfig(
            key="styrelsen", name="Styrelsen", rooms=[room_id],
            members=[MemberConfig(name=CHAIR, role="ordförande", ids=[chair_id])])])
        for i, room_id in enumerate(room_ids)])


def config_toml(room_ids: list[str], url: str, chair_id: str, matrix: dict[str, object]) -> str:
    """The same config as a file for `bot run`."""
    lines = ["[bot]", f'database_url = "{url}"', ""]
    for i, room_id in enumerate(room_ids):
        lines += ["[[forbund]]", f'key = "f{i}"', f'name = "Samordningsförbundet {i}"', "",
                  "[[forbund.organ]]", 'name = "Styrelsen"', f'rooms = ["{room_id}"]', "",
                  "[[forbund.organ.member]]", f'name = "{CHAIR}"', 'role = "ordförande"',
                  f'ids = ["{chair_id}"]', ""]
    lines.append("[matrix]")
    for key, value in matrix.items():
        if isinstance(value, list):
            lines.append(f"{key} = [" + ", ".join(f'"{v}"' for v in value) + "]")
        elif isinstance(value, str):
            lines.append(f'{key} = "{value}"')
        else:
            lines.append(f"{key} = {value}")
    return "\n".join(lines) + "\n"


def seed(app: App, transport: str, room_ids: list[str], years: int,
         meeting_day: date = date(CURRENT_YEAR, 3, 20)) -> None:
    """History for `years` years before CURRENT_YEAR, then this year's open meeting and
    budget."""
    for room_id in room_ids:
        with app.db.transaction() as s:
            organ = organ_for_room(s, transport, room_id)
            assert organ is not None, room_id
            insatser = [budget.create_insats(s, organ.forbund_id, f"Insats {n}", "bench")
                        for n in range(INSATSER)]
            for year in range(CURRENT_YEAR - years, CURRENT_YEAR + 1):
                for insats in insatser:
                    budget.add_grant(s, insats, year, 50_000_000, "bench", source="import")
                    for month in range(1, 13):
                        budget.add_outcome(s, insats, year, 1_234_500 + month, "bench",
                                           booked_on=date(year, month, 28), source="import")
                if year == CURRENT_YEAR:
                    break
                for m in range(MEETINGS_PER_YEAR):
                    meeting = meetings.open_meeting(s, organ.organ_id, date(year, m + 1, 10),
                                                    time(9, 0), "Kansliet", CHAIR)
                    for n in range(PARAGRAPHS_PER_MEETING):
                        p = paragraphs.create_paragraph(s, organ.organ_id, "år", meeting,
                                                        f"Ärende {n}", CHAIR, "")
                        paragraphs.add_entry(s, p, "beslut",
                                             f"Styrelsen beslutar i ärende {n}.", "", CHAIR, "")
                    meetings.close_meeting(s, meeting, time(12, 0))
            meetings.open_meeting(s, organ.organ_id, meeting_day, time(9, 0), "Kansliet", CHAIR)
