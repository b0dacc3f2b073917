"""In-process throughput: commands per second through the dispatcher and the store, on
SQLite and PostgreSQL, with 1, 10 and 100 rooms of different förbund, each with a year's
history (12 meetings x 15 §). Run: .venv/bin/python -m bench.throughput [--quick]"""

from __future__ import annotations

import argparse
import tempfile
import uuid
from datetime import date, datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

from bench.common import Timer, rss_mib, store, write_result
from bot.app import App, create_app
from bot.config import Config, ForbundConfig, MemberConfig, OrganConfig
from bot.messages import IncomingMessage
from storage import meetings, paragraphs
from storage.tenants import organ_for_room

TZ = ZoneInfo("Europe/Stockholm")
MEETINGS_PER_YEAR = 12
PARAGRAPHS_PER_MEETING = 15


def config(rooms: int, url: str) -> Config:
    return Config(database_url=url, forbund=[
        ForbundConfig(key=f"f{i}", name=f"Samordningsförbundet {i}", organs=[OrganConfig(
            key="styrelsen", name="Styrelsen", rooms=[f"!rum{i}:bench"],
            members=[MemberConfig(name="Sekreteraren", role="sekreterare")])])
        for i in range(rooms)])


def seed_history(app: App, rooms: int) -> None:
    """A year of closed meetings per organ, written straight through storage/."""
    with app.db.transaction() as s:
        for i in range(rooms):
            organ = organ_for_room(s, "matrix", f"!rum{i}:bench")
            for m in range(MEETINGS_PER_YEAR):
                meeting = meetings.open_meeting(s, organ.organ_id, date(2025, m + 1, 10),
                                                time(9, 0), "Kansliet", "Sekreteraren")
                for n in range(PARAGRAPHS_PER_MEETING):
                    p = paragraphs.create_paragraph(s, organ.organ_id, "år", meeting,
                                                    f"Ärende {n}", "Sekreteraren", "")
                    paragraphs.add_entry(s, p, "beslut", f"Styrelsen beslutar i ärende {n}.",
                                         "", "Sekreteraren", "")
                meetings.close_meeting(s, meeting, time(12, 0))


def message(room: int, text: str) -> IncomingMessage:
    return IncomingMessage(transport="matrix", room_id=f"!rum{room}:bench",
                           sender_id="Sekreteraren", sender_name="Sekreteraren", text=text,
                           event_id=uuid.uuid4().hex,
                           timestamp=datetime(2026, 3, 20, 9, 0, tzinfo=TZ))


def measure(app: App, rooms: int, commands: int, text: str) -> float:
    with Timer() as timer:
        for k in range(commands):
            reply = app.dispatcher.handle_sync(message(k % rooms, text.format(k=k)))
            assert reply is not None and not reply.text.startswith(("Något", "Databasen"))
    return commands / timer.seconds


def run(kinds: list[str], room_counts: list[int], commands: int) -> list[dict[str, object]]:
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        for kind in kinds:
            for rooms in room_counts:
                with store(kind, Path(folder)) as url:
                    app = create_app(config(rooms, url))
                    seed_history(app, rooms)
                    idle = rss_mib()
                    for i in range(rooms):
                        app.dispatcher.handle_sync(message(i, "!möte öppna 2026-03-20 09:00"))
                    beslut = measure(app, rooms, commands, "!beslut Styrelsen beslutar {k}.")
                    visa = measure(app, rooms, commands, "!visa §7 2025")
                    rows.append({"db": kind, "rooms": rooms, "commands": commands,
                                 "history_paragraphs_per_organ":
                                     MEETINGS_PER_YEAR * PARAGRAPHS_PER_MEETING,
                                 "beslut_per_s": round(beslut, 1), "visa_per_s": round(visa, 1),
                                 "rss_idle_mib": round(idle, 1),
                                 "rss_after_mib": round(rss_mib(), 1)})
                    app.close()
                    print(f"{kind:10} rooms={rooms:3} !beslut {beslut:7.1f}/s "
                          f"!visa {visa:7.1f}/s rss {rows[-1]['rss_after_mib']} MiB", flush=True)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="fewer rooms and commands")
    args = parser.parse_args()
    room_counts = [1, 10] if args.quick else [1, 10, 100]
    commands = 100 if args.quick else 500
    rows = run(["sqlite", "postgresql"], room_counts, commands)
    path = write_result("throughput", {"rows": rows})
    print(f"Resultat: {path}")


if __name__ == "__main__":
    main()
